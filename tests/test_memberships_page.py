"""The admin's Users page: a chosen person's operations, added, their role changed and removed, each
confirmed in words; and a closed operation's refusal as a person reads it on a page (AppTest, SQLite)."""

from __future__ import annotations

import pytest

from coordination import services
from coordination.principal import find_user
from tests.conftest import TEST_ISSUER
from tests.helpers import open_page


@pytest.fixture
def page(sqlite_store, monkeypatch):
    monkeypatch.setenv("COORD_DATABASE_URL", str(sqlite_store.engine.url))
    with sqlite_store.writer() as session:
        services.open_operation(session, sqlite_store.principal("admin"), {
            "code_name": "Operation Ledger", "code": "LEDGER", "lead_agency": "NCA"})
    with sqlite_store.reader() as session:
        person = find_user(session, TEST_ISSUER, "liaison.met").id
    at = open_page("admin", "users")
    at.selectbox[0].select(next(o for o in at.selectbox[0].options if o.startswith("liaison.met "))).run()
    return at, person


def said(element) -> str:
    """What the page says, as read (the markdown escapes taken out)."""
    return element.value.replace("\\", "")


def rows(at) -> list[tuple[str, str]]:
    table = next(frame for frame in at.dataframe if "role there" in frame.value.columns)
    return [(row["code"], row["role there"]) for row in table.value.to_dict("records")]


def test_an_admin_adds_changes_and_removes_a_persons_membership(page):
    at, person = page
    assert rows(at) == [("ELABORATE", "liaison")]
    assert at.selectbox(key=f"add-membership-{person}-operation").options == ["LEDGER"]  # not one they are in
    at.selectbox(key=f"add-membership-{person}-role").select("observer")
    at.button(key="FormSubmitter:add-membership-Add to the operation").click().run()
    assert not at.exception and not at.error
    assert said(at.success[0]) == "liaison.met takes part in LEDGER as observer now."
    assert rows(at) == [("ELABORATE", "liaison"), ("LEDGER", "observer")]

    at.selectbox(key=f"change-membership-{person}-operation").select("LEDGER")
    at.selectbox(key=f"change-membership-{person}-role").select("analyst")
    at.button(key="FormSubmitter:change-membership-Change the role").click().run()
    assert said(at.success[0]).startswith("liaison.met is analyst in LEDGER now")
    assert rows(at) == [("ELABORATE", "liaison"), ("LEDGER", "analyst")]

    at.selectbox(key=f"remove-membership-{person}-operation").select("ELABORATE")
    at.button(key="FormSubmitter:remove-membership-Remove from the operation").click().run()
    assert said(at.success[0]).startswith("liaison.met no longer takes part in ELABORATE")
    assert rows(at) == [("LEDGER", "analyst")]


def test_a_refused_membership_is_said_in_words_on_the_page(page, sqlite_store):
    at, person = page
    assert "admin" not in at.selectbox(key=f"add-membership-{person}-role").options  # the service refuses it too
    with sqlite_store.writer() as session:  # another admin disables them a moment before
        user = find_user(session, TEST_ISSUER, "liaison.met")
        services.disable_user(session, sqlite_store.principal("admin"), user.id, user.version)
    at.button(key="FormSubmitter:add-membership-Add to the operation").click().run()
    assert not at.exception and not at.success
    assert [said(error) for error in at.error] == ["This person 'liaison.met' is not an active user"]
    assert rows(at) == [("ELABORATE", "liaison")]


def test_a_write_in_a_closed_operation_is_refused_on_the_page_in_words(sqlite_store, monkeypatch):
    monkeypatch.setenv("COORD_DATABASE_URL", str(sqlite_store.engine.url))
    for status in ("closing", "closed"):
        with sqlite_store.writer() as session:
            services.change_operation_status(session, sqlite_store.principal("commander.met"), "ELABORATE", status)
    at = open_page("liaison.met", "suspects")
    at.text_input(key="suspects-new-reference").input("S-LATE")
    at.text_input(key="suspects-new-full_name").input("Synthetic Late")
    at.button(key="FormSubmitter:suspects-create-Create").click().run()
    assert not at.exception and not at.success
    assert [said(error) for error in at.error] == [
        "Operation Elaborate is closed: its records are read-only. Re-opening it is a decision of its command."]
