"""Choosing the operation (issue 27): the picker's choices, the choice recorded and opened on at the next
sign-in, the address naming the operation (`?operation=CODE`), and an operation one takes no part in
answered as a missing one; in the use case on both stores, and in the app (AppTest)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from coordination import services
from coordination.errors import NotFound
from coordination.models import AuditEvent, Operation, OperationStatus, Role, User
from coordination.principal import principal_for_subject
from coordination.services import choosing
from coordination.services.sign_in import Identity, Limits
from coordination.text import plain
from tests.conftest import TEST_ISSUER
from tests.helpers import open_page, provision
from tests.operations import add_operation

COMMANDER = "commander.met"  # commander of Elaborate, liaison in Laundry, observer in the archived Oldcase
NOT_HIS = "There is no operation SECRET you take part in."
LIMITS = Limits(idle=timedelta(minutes=30), lifetime=timedelta(hours=12))


def operations(store) -> dict[str, int]:
    """Laundry (NCA's, where the commander is a liaison), Secret (NCA's, without him) and the archived
    Oldcase (where he observes), beside the seeded Elaborate: code -> id."""
    with store.writer() as session:
        ids = {"LAUNDRY": add_operation(session, "LAUNDRY", "Operation Laundry", "NCA",
                                        {COMMANDER: Role.LIAISON, "liaison.nca": Role.COMMANDER}),
               "SECRET": add_operation(session, "SECRET", "Operation Secret", "NCA", {"liaison.nca": Role.COMMANDER}),
               "OLDCASE": add_operation(session, "OLDCASE", "Operation Oldcase", "MET", {COMMANDER: Role.OBSERVER},
                                        status=OperationStatus.ARCHIVED)}
        ids["ELABORATE"] = session.scalar(select(Operation.id).where(Operation.code == "ELABORATE"))
        session.commit()
    return ids


def last_operation(store, subject: str = COMMANDER) -> int | None:
    with store.reader() as session:
        return session.scalar(select(User.last_operation_id).where(User.subject == subject))


def test_the_picker_names_each_operation_with_the_role_there_and_leaves_archived_ones_out(store):
    ids = operations(store)
    with store.reader() as session:
        user = session.scalar(select(User).where(User.subject == COMMANDER))
        assert [c.label for c in choosing.choices(user)] == ["Operation Elaborate, commander",
                                                             "Operation Laundry, liaison"]
        assert [c.code for c in choosing.choices(user, ids["OLDCASE"])] == ["ELABORATE", "LAUNDRY", "OLDCASE"]


def test_a_choice_is_recorded_audited_and_opened_on_at_the_next_sign_in(store):
    ids = operations(store)
    commander = store.principal(COMMANDER)
    assert (commander.operation_code, commander.role) == ("ELABORATE", Role.COMMANDER)
    with store.writer() as session:
        chosen = services.choose_operation(session, commander, "laundry")  # any case, as an address may have it
    assert (chosen.operation_id, chosen.operation_code, chosen.role) == (ids["LAUNDRY"], "LAUNDRY", Role.LIAISON)
    assert last_operation(store) == ids["LAUNDRY"]
    again = store.principal(COMMANDER)
    assert (again.operation_code, again.role) == ("LAUNDRY", Role.LIAISON)
    with store.reader() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "choose operation"))
    assert event.outcome.value == "ok" and json.loads(event.after) == {"operation_id": ids["LAUNDRY"]}


@pytest.mark.parametrize("code", ["SECRET", "NOSUCH"])
def test_an_operation_one_takes_no_part_in_is_refused_as_a_missing_one(store, code):
    operations(store)
    with store.writer() as session, pytest.raises(NotFound) as refused:
        services.choose_operation(session, store.principal(COMMANDER), code)
    assert str(refused.value) == NOT_HIS.replace("SECRET", code)  # the same words: existence is not told
    assert last_operation(store) is None


def test_hostile_codes_are_refused_in_words(store):
    with store.writer() as session, pytest.raises(NotFound) as refused:
        services.choose_operation(session, store.principal(COMMANDER), "\u202eELABORATE" + "X" * 500)
    assert str(refused.value) == f"There is no operation \\u202eELABORATE{'X' * 22}\u2026 you take part in."


def test_the_sign_in_reads_the_operation_asked_for_when_the_person_takes_part_in_it(store):
    ids = operations(store)
    who = Identity(TEST_ISSUER, COMMANDER, "Casey", None, datetime.now(UTC))
    for asked, expected in (("LAUNDRY", ids["LAUNDRY"]), ("SECRET", ids["ELABORATE"]), (None, ids["ELABORATE"]),
                            ("oldcase", ids["OLDCASE"])):  # archived: out of the picker, readable by a link
        with store.writer() as session:
            admission = services.admit(session, who, datetime.now(UTC), LIMITS, operation=asked)
        assert admission.principal.operation_id == expected
        assert admission.principal.operation_id in {ids[c.code] for c in admission.choices}


# The app, in AppTest -------------------------------------------------------------------------------------


@pytest.fixture
def app_store(sqlite_store, monkeypatch):
    monkeypatch.setenv("COORD_DATABASE_URL", str(sqlite_store.engine.url))
    return sqlite_store


def sidebar_text(at) -> str:
    return " ".join(m.value for m in at.sidebar.markdown) + " " + " ".join(c.value for c in at.sidebar.caption)


def test_the_picker_switches_the_operation_its_navigation_and_the_address(app_store):
    ids = operations(app_store)
    at = open_page(COMMANDER, None)
    assert at.title[0].value == "Operation Elaborate" and "MET · commander" in sidebar_text(at)
    assert at.query_params == {"operation": "ELABORATE"}
    picker = at.sidebar.selectbox(key="operation-picker")
    assert picker.label == "Operation"
    assert picker.options == ["Operation Elaborate, commander", "Operation Laundry, liaison"]
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("coordination/ui/pages/my_tasks.py")  # a liaison's page: not a commander's
    picker.select("LAUNDRY").run()
    assert not at.exception and not at.error
    assert "MET · liaison" in sidebar_text(at) and at.title[0].value == "Operation Laundry"  # the same page, read there
    assert at.query_params == {"operation": "LAUNDRY"} and last_operation(app_store) == ids["LAUNDRY"]
    at.switch_page("coordination/ui/pages/my_tasks.py").run()  # a liaison's page; a page's link drops the
    assert at.title[0].value == "MET tasks" and at.query_params == {"operation": "LAUNDRY"}  # address's: kept
    at.sidebar.selectbox(key="operation-picker").select("ELABORATE").run()
    assert "MET · commander" in sidebar_text(at) and at.query_params == {"operation": "ELABORATE"}
    assert last_operation(app_store) == ids["ELABORATE"]


def test_the_address_opens_the_operation_it_names(app_store):
    operations(app_store)
    at = open_page(COMMANDER, None, {"operation": "laundry"})
    assert "MET · liaison" in sidebar_text(at) and at.title[0].value == "MET tasks" and not at.warning
    assert at.sidebar.selectbox(key="operation-picker").value == "LAUNDRY"
    assert at.query_params == {"operation": "LAUNDRY"}
    assert last_operation(app_store) is None  # followed a link: the default is still the one chosen


@pytest.mark.parametrize(("code", "quoted"), [("SECRET", "SECRET"), ("NOSUCH", "NOSUCH"),
                                             ("[SECRET](http://elsewhere.invalid)", "[SECRET](http://elsewhere.invali\u2026")])
def test_an_address_naming_an_operation_one_takes_no_part_in_answers_as_missing(app_store, code, quoted):
    operations(app_store)
    at = open_page(COMMANDER, None, {"operation": code})
    assert [w.value for w in at.warning] == [plain(NOT_HIS.replace("SECRET", quoted))]  # shown, never a link
    assert at.title[0].value == "Operation Elaborate" and "MET · commander" in sidebar_text(at)
    assert at.query_params == {"operation": "ELABORATE"}
    assert "Secret" not in " ".join(at.sidebar.selectbox(key="operation-picker").options)


def test_one_operation_is_named_without_a_picker(app_store):
    at = open_page("liaison.fbi", "overview")
    assert at.title[0].value == "Operation Elaborate" and not at.sidebar.selectbox
    assert at.query_params == {"operation": "ELABORATE"}


def test_a_member_of_no_operation_sees_a_plain_screen_and_no_pages(app_store):
    operations(app_store)  # several: a person provisioned joins none by themselves
    provision(app_store, "liaison.gardai", "Gráinne Liaison", "NCA", "liaison")
    at = open_page("liaison.gardai", None, {"operation": "ELABORATE"})
    assert [i.value for i in at.info] == ["You take part in no operation yet. Ask your administrator to add you."]
    assert [w.value for w in at.warning] == [plain(NOT_HIS.replace("SECRET", "ELABORATE"))]
    assert at.title[0].value == "Takedown coordination"
    assert [b.label for b in at.sidebar.button] == ["Sign out"] and "Gráinne Liaison" in sidebar_text(at)
    assert "liaison" not in sidebar_text(at) and "observer" not in sidebar_text(at)  # a role in no operation
    assert not at.metric and not at.dataframe and not at.sidebar.selectbox
    assert at.query_params == {}  # names no operation, read by nobody here


def test_an_admin_of_no_operation_keeps_the_users_page(app_store):
    at = open_page("admin", None)
    assert at.title[0].value == "Users" and not at.info and not at.sidebar.selectbox


def test_the_principal_for_a_subject_names_the_operation_the_same_way(app_store):
    operations(app_store)
    with app_store.reader() as session:
        assert principal_for_subject(session, COMMANDER, operation="laundry").role is Role.LIAISON
        for code in ("SECRET", "NOSUCH"):
            with pytest.raises(NotFound, match=f"no operation '{code}'"):
                principal_for_subject(session, COMMANDER, operation=code)
