"""The app in Streamlit's AppTest: sign-in screen, access pending, and each role's navigation."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from coordination import services
from coordination.models import User
from coordination.principal import Principal
from coordination.settings import PROJECT_ROOT
from coordination.standing_data import DEMO_USERS
from tests.conftest import TEST_ISSUER
from tests.helpers import AUTH

PAGES = {name: f"coordination/ui/pages/{name}.py"
         for name in ("my_tasks", "overview", "dashboard", "suspects", "arrests", "evidence", "tasks", "users",
                      "deconfliction", "my_packages", "action_day", "packages", "timeline", "decisions", "inbox")}
# expected from DESIGN.md, written out rather than read from the code under test
RECORDS = {"dashboard", "suspects", "arrests", "evidence", "tasks", "deconfliction"}  # the picture, records, hits
DAY = {"action_day", "packages"}  # the action day's board and its packages
EVERY_READER = {"timeline", "decisions", "inbox"}  # the operation's story, its decision log, one's own inbox
OFFERED = {"admin": {"users"}, "commander": {"overview", *RECORDS, *DAY, *EVERY_READER},
           "liaison": {"my_tasks", "overview", *RECORDS, "my_packages", *DAY, *EVERY_READER},
           "analyst": {"overview", *RECORDS, *DAY, *EVERY_READER},
           "observer": {"overview", *RECORDS, *DAY, *EVERY_READER}}
LANDING = {"admin": "Users", "commander": "Operation Elaborate", "liaison": "{agency} tasks",
           "analyst": "Operation Elaborate", "observer": "Operation Elaborate"}
TITLES = {"my_tasks": "{agency} tasks", "overview": "Operation Elaborate", "dashboard": "Operation picture",
          "suspects": "Suspects", "arrests": "Arrests", "evidence": "Evidence items", "tasks": "Tasks",
          "users": "Users", "deconfliction": "Deconfliction", "my_packages": "{agency} packages",
          "action_day": "Action day board", "packages": "Target packages", "timeline": "Timeline",
          "decisions": "Decision log", "inbox": "Inbox"}


@pytest.fixture
def app(sqlite_store, monkeypatch):
    monkeypatch.setenv("COORD_DATABASE_URL", str(sqlite_store.engine.url))

    def make(subject: str | None = None, issuer: str = TEST_ISSUER) -> AppTest:
        at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=30)
        at.secrets["auth"] = AUTH
        at.secrets["providers"] = {"met": "Metropolitan Police", "fbi": "Federal Bureau of Investigation"}
        if subject:
            at.user = {"is_logged_in": True, "iss": issuer, "sub": subject, "name": subject, "iat": int(time.time())}
        return at.run()
    make.store = sqlite_store
    return make


def test_signed_out_visitors_see_one_button_per_provider_and_no_data(app):
    at = app()
    assert [b.label for b in at.button] == ["Sign in with Metropolitan Police", "Sign in with Federal Bureau of "
                                                                                "Investigation"]
    assert not at.metric and not at.dataframe


def test_every_page_is_in_the_table_above():
    """A new page must say here which roles may use it before it can pass."""
    assert set(PAGES) == {path.stem for path in (PROJECT_ROOT / "coordination/ui/pages").glob("*.py")}


@pytest.mark.parametrize("user", DEMO_USERS, ids=lambda u: u.subject)
def test_each_role_is_offered_its_pages_and_cannot_reach_the_others(app, user):
    at = app(user.subject)
    assert not at.exception
    sidebar = " ".join(m.value for m in at.sidebar.markdown) + " ".join(c.value for c in at.sidebar.caption)
    assert user.name in sidebar and user.agency in sidebar and user.role.value in sidebar
    assert [b.label for b in at.sidebar.button] == ["Sign out"]
    assert at.title[0].value.startswith(LANDING[user.role.value].format(agency=user.agency))
    offered = OFFERED[user.role.value]
    for name, path in PAGES.items():
        if name in offered:
            at.switch_page(path).run()
            assert at.title[0].value.startswith(TITLES[name].format(agency=user.agency)) and not at.exception
        else:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(path)


def test_the_overview_shows_what_the_viewer_may_see(app):
    at = app("liaison.fbi").switch_page(PAGES["overview"]).run()  # a liaison lands on their agency's tasks
    labels = [m.label for m in at.metric]
    assert labels == ["Suspects", "Arrests", "Evidence awaiting analysis", "Open tasks", "Overdue / blocked tasks"]
    assert at.metric[0].value == "0"  # the test database holds reference data only


@pytest.mark.parametrize("case", ["unknown", "disabled", "other issuer"])
def test_access_pending_shows_the_identity_and_no_data(app, case):
    if case == "disabled":
        with app.store.writer() as session:
            user = session.scalar(select(User).where(User.subject == "liaison.nca"))
            services.disable_user(session, Principal.system("test"), user.id, user.version)
    subject, issuer = {"unknown": ("stranger", TEST_ISSUER), "disabled": ("liaison.nca", TEST_ISSUER),
                       "other issuer": ("commander.met", "http://elsewhere.invalid")}[case]
    at = app(subject, issuer)
    assert at.title[0].value == "Access pending"
    assert subject in at.code[0].value and issuer in at.code[0].value
    assert not at.metric and not at.dataframe and not at.sidebar.button


def test_an_admin_provisions_a_user_and_cannot_disable_the_last_admin(app):
    at = app("admin")
    at.text_input[1].input("liaison.gardai")
    at.text_input[2].input("Gráinne Liaison")
    at.button(key="FormSubmitter:provision-user-Provision").click().run()
    assert not at.exception and not at.error
    assert any("liaison.gardai" in str(row) for row in at.dataframe[0].value.to_dict("records"))
    admin_label = next(o for o in at.selectbox[0].options if o.startswith("admin "))
    at.selectbox[0].select(admin_label).run()
    at.checkbox[0].uncheck()
    at.button(key="FormSubmitter:change-user-Save").click().run()
    assert "last active admin" in at.error[0].value
