"""A page of the app in AppTest, signed in as a demo user: what the page benchmarks time."""

from __future__ import annotations

import time

from streamlit.testing.v1 import AppTest

from coordination.settings import PROJECT_ROOT, load

AUTH = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "b" * 40,
        "demo": {"client_id": "a", "client_secret": "b", "server_metadata_url": "http://127.0.0.1:1/x"}}


def page(subject: str, name: str) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "iss": load().demo_issuer, "sub": subject, "name": subject,
               "iat": int(time.time())}
    at.run()
    at.switch_page(f"coordination/ui/pages/{name}.py").run()
    assert not at.exception, at.exception
    return at
