"""Helpers shared by more than one test module: tally checks, a user provisioned, and the app in
AppTest signed in on one page. (The browser tests' own helpers are in tests/browser/helpers.py.)"""

from __future__ import annotations

import time

from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from coordination import tallies
from coordination.settings import PROJECT_ROOT
from tests.conftest import TEST_ISSUER


def tally_mismatches(connection) -> list[str]:
    """Every tally row (and RED per-recipient tally row) that differs from a GROUP BY over the rows."""
    wrong = []
    dialect = connection.dialect.name
    for tally in tallies.TALLIES:
        keys = ", ".join(tally.keys)
        for table, columns, expected in ((tally.table, keys, tallies.counted(tally, dialect)),
                                         (tally.red, f"user_id, {keys}", tallies.counted_red(tally, dialect))):
            kept = {tuple(row[:-1]): row[-1] for row in connection.execute(
                text(f"SELECT {columns}, n FROM {table} WHERE n <> 0"))}  # SQL of constants
            counted = {tuple(row[:-1]): row[-1] for row in connection.execute(text(expected))}
            wrong += [f"{table} {key}: kept {kept.get(key)}, counted {counted.get(key)}"
                      for key in set(kept) | set(counted) if kept.get(key) != counted.get(key)]
    return wrong


def provision(store, subject: str, display_name: str, agency: str, role: str) -> None:
    """Another active user, provisioned by the admin as the users page does (mail: SUBJECT@demo.invalid)."""
    from coordination import services
    with store.writer() as session:
        services.create_user(session, store.principal("admin"), {
            "issuer": TEST_ISSUER, "subject": subject, "display_name": display_name, "email": f"{subject}@demo.invalid",
            "agency": agency, "role": role})
        session.commit()


# Secrets for AppTest: two providers that are never reached (AppTest signs in by setting st.user)
AUTH = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "s" * 40,
        "met": {"client_id": "a", "client_secret": "b", "server_metadata_url": "http://127.0.0.1:1/x"},
        "fbi": {"client_id": "a", "client_secret": "b", "server_metadata_url": "http://127.0.0.1:1/y"}}


def open_page(subject: str, page: str | None, query: dict | None = None) -> AppTest:
    """The app in AppTest, signed in as `subject` (a user of the test provider), on one page (None: the
    page it lands on), its address holding `query`."""
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=30)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "iss": TEST_ISSUER, "sub": subject, "name": subject, "iat": int(time.time())}
    for name, value in (query or {}).items():
        at.query_params[name] = value
    at.run()
    if page is not None:
        at.switch_page(f"coordination/ui/pages/{page}.py").run()
    assert not at.exception
    return at
