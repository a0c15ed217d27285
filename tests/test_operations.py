"""Operations and memberships as things people manage (services.operations): opening one, moving it
along its way, re-opening it, provisioning who takes part, and a closed operation refusing writes in
words. On SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from coordination import services
from coordination.errors import NotFound, OperationClosed, PermissionDenied, ValidationError
from coordination.models import AuditEvent, Membership, Operation, OperationPartner, OperationStatus, Outcome
from coordination.principal import principal_for_subject
from coordination.services import imports
from tests.conftest import TEST_ISSUER, suspect

CLOSED_WORDS = ("Operation Elaborate is closed: its records are read-only. "
                "Re-opening it is a decision of its command.")
LEDGER = {"code_name": "Operation Ledger", "code": "ledger", "lead_agency": "NCA", "partners": "MET, FBI",
          "starts_on": "2023-01-09", "ends_on": "2023-06-30", "deconfliction_contact": "NCA deconfliction desk"}


def events_since(store, seq: int) -> list[AuditEvent]:
    with store.reader() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.seq > seq).order_by(AuditEvent.seq)))


def head(store) -> int:
    with store.reader() as session:
        return session.scalar(select(func.max(AuditEvent.seq)))


def as_in(store, subject: str, code: str):
    with store.reader() as session:
        return principal_for_subject(session, subject, operation=code)


def open_ledger(store, by: str = "commander.met"):
    with store.writer() as session:
        return services.open_operation(session, store.principal(by), dict(LEDGER)).id


def set_status(store, by, code: str, status: str, reason: str | None = None):
    with store.writer() as session:
        return services.change_operation_status(session, by, code, status, reason).status


def test_a_commander_opens_an_operation_in_planning_and_commands_it(store):
    before = head(store)
    ledger_id = open_ledger(store)
    with store.reader() as session:
        ledger = session.get(Operation, ledger_id)
        assert (ledger.code, ledger.status, ledger.lead_agency.code) == ("LEDGER", OperationStatus.PLANNING, "NCA")
        partners = session.scalar(select(func.count()).where(OperationPartner.operation_id == ledger_id))
        assert partners == 3  # NCA (the lead) with MET and FBI
    [event] = events_since(store, before)
    assert (event.action, event.entity, event.entity_id) == ("create", "operation", ledger_id)
    assert json.loads(event.after)["commander"] == "commander.met"
    commander = as_in(store, "commander.met", "LEDGER")
    assert (commander.role.value, commander.operation_code) == ("commander", "LEDGER")


def test_who_may_open_an_operation_and_what_it_must_hold(store):
    before = head(store)
    with store.writer() as session, pytest.raises(PermissionDenied, match="a liaison of MET may not open"):
        services.open_operation(session, store.principal("liaison.met"), dict(LEDGER))
    [refused] = events_since(store, before)
    assert refused.outcome is Outcome.REFUSED
    admin = store.principal("admin")
    with store.writer() as session, pytest.raises(ValidationError) as bad:
        services.open_operation(session, admin, dict(LEDGER, code="X", code_name="Operation Elaborate",
                                                     ends_on="2022-12-31"))
    assert set(bad.value.problems) == {"code"}  # each problem at once where they can be found together
    with store.writer() as session, pytest.raises(ValidationError) as taken:
        services.open_operation(session, admin, dict(LEDGER, code="elaborate", code_name="Operation Elaborate"))
    assert set(taken.value.problems) == {"code", "code_name"}
    with store.writer() as session, pytest.raises(ValidationError, match="before the day"):
        services.open_operation(session, admin, dict(LEDGER, ends_on="2022-12-31"))
    with store.writer() as session:
        services.open_operation(session, admin, dict(LEDGER))  # an admin opens it and takes no part in it
    with store.reader() as session:
        assert session.scalar(select(func.count()).select_from(Membership).join(Operation).where(
            Operation.code == "LEDGER")) == 0


def test_an_operation_moves_along_its_way_and_closing_is_commands(store):
    open_ledger(store)
    admin, commander = store.principal("admin"), as_in(store, "commander.met", "LEDGER")
    assert set_status(store, admin, "LEDGER", "active") is OperationStatus.ACTIVE
    with pytest.raises(PermissionDenied, match="may not move Operation Ledger from active to closing"):
        set_status(store, admin, "LEDGER", "closing")
    with pytest.raises(ValidationError, match="closes from closing"):
        set_status(store, commander, "LEDGER", "closed")
    assert set_status(store, commander, "ledger", "action day") is OperationStatus.ACTION_DAY
    assert set_status(store, commander, "LEDGER", "closing") is OperationStatus.CLOSING
    assert set_status(store, commander, "LEDGER", "closed") is OperationStatus.CLOSED
    with pytest.raises(ValidationError, match="closed already"):
        set_status(store, commander, "LEDGER", "closed")
    assert set_status(store, admin, "LEDGER", "archived") is OperationStatus.ARCHIVED  # housekeeping


def test_reopening_is_commands_decision_recorded_with_its_reason(store):
    commander = store.principal("commander.met")
    for status in ("closing", "closed"):
        set_status(store, commander, "ELABORATE", status)
    with pytest.raises(ValidationError) as no_reason:
        set_status(store, commander, "ELABORATE", "active")
    assert set(no_reason.value.problems) == {"reason"}
    with pytest.raises(PermissionDenied):
        set_status(store, store.principal("admin"), "ELABORATE", "active", "the admin wants it open")
    before = head(store)
    assert set_status(store, commander, "ELABORATE", "active", "new intelligence on ALPHA") is OperationStatus.ACTIVE
    [event] = events_since(store, before)
    assert (event.action, event.detail) == ("change status", "new intelligence on ALPHA")
    assert (json.loads(event.before), json.loads(event.after)) == ({"status": "closed"}, {"status": "active"})


@pytest.mark.parametrize("status", ["closed", "archived"])
def test_a_closed_operation_refuses_writes_in_words_and_keeps_what_reads(store, status):
    commander = store.principal("commander.met")
    for step in ("closing", "closed", "archived")[:2 if status == "closed" else 3]:
        set_status(store, commander, "ELABORATE", step)
    liaison = store.principal("liaison.met")
    before = head(store)
    with store.writer() as session, pytest.raises(OperationClosed) as refused:
        suspect(session, liaison, "S-AFTER")
    assert str(refused.value) == CLOSED_WORDS.replace("closed", status, 1)
    assert events_since(store, before) == []  # nothing written, nothing recorded
    made = services.exports.export_file(store.engine, liaison, "suspects", "csv")  # taking out is reading
    assert made.rows == 0
    with store.writer() as session:
        services.mark_all_read(session, liaison)  # one's own inbox is kept
    with pytest.raises(OperationClosed):
        imports.import_file(store.engine, liaison, "suspects", "s.csv",
                                     b"reference,full_name,tier,status\nS-1,Synthetic One,user,lead\n")
    set_status(store, commander, "ELABORATE", "active", "charges laid: the file is worked again")
    with store.writer() as session:
        suspect(session, store.principal("liaison.met"), "S-AFTER")


def test_admins_provision_memberships_one_event_each(store):
    open_ledger(store)
    admin = store.principal("admin")
    before = head(store)
    with store.writer() as session:
        services.add_member(session, admin, "LEDGER", "liaison.met", "observer")
    with store.writer() as session:
        services.change_member_role(session, admin, "ledger", "liaison.met", "liaison")
    with store.writer() as session:
        services.change_member_role(session, admin, "LEDGER", "liaison.met", "liaison")  # nothing changes
    with store.writer() as session:
        services.remove_member(session, admin, "LEDGER", "liaison.met")
    events = events_since(store, before)
    assert [(e.action, e.entity) for e in events] == [("create", "membership"), ("update", "membership"),
                                                      ("delete", "membership")]
    assert json.loads(events[1].after) == {"role": "liaison"}
    with pytest.raises(NotFound, match="no operation 'LEDGER'"):
        as_in(store, "liaison.met", "LEDGER")


def test_memberships_refuse_what_they_cannot_be(store):
    open_ledger(store)
    admin = store.principal("admin")
    with store.writer() as session, pytest.raises(ValidationError, match="no operation as admin"):
        services.add_member(session, admin, "LEDGER", "liaison.fbi", "admin")
    with store.writer() as session, pytest.raises(ValidationError) as bad:
        services.add_member(session, admin, "NOPE", "nobody", "chief")
    assert set(bad.value.problems) == {"operation", "person", "role"}
    with store.writer() as session, pytest.raises(ValidationError, match="already"):
        services.add_member(session, admin, "LEDGER", "commander.met", "observer")
    with store.writer() as session, pytest.raises(NotFound, match="does not take part"):
        services.remove_member(session, admin, "LEDGER", "liaison.fbi")
    with store.writer() as session, pytest.raises(PermissionDenied):
        services.add_member(session, as_in(store, "commander.met", "LEDGER"), "LEDGER", "liaison.fbi", "liaison")


def test_a_role_in_one_operation_grants_nothing_in_another(store):
    open_ledger(store)
    with store.writer() as session:
        services.add_member(session, store.principal("admin"), "LEDGER", "liaison.met", "observer")
    with store.writer() as session:  # commander of ELABORATE, a liaison in LEDGER
        services.change_member_role(session, store.principal("admin"), "LEDGER", "commander.met", "liaison")
    in_ledger = as_in(store, "commander.met", "LEDGER")
    assert in_ledger.role.value == "liaison"
    with pytest.raises(PermissionDenied):  # command of ELABORATE does not run LEDGER
        set_status(store, in_ledger, "LEDGER", "active")
    with pytest.raises(NotFound, match="no operation 'ELABORATE'"):  # nor ELABORATE, acting in LEDGER
        set_status(store, in_ledger, "ELABORATE", "closing")
    observer = as_in(store, "liaison.met", "LEDGER")  # a liaison of ELABORATE, an observer here
    with store.writer() as session, pytest.raises(PermissionDenied):
        suspect(session, observer, "S-LEDGER")
    with store.writer() as session:  # in ELABORATE, their record stays ELABORATE's
        made = suspect(session, store.principal("liaison.met"), "S-ELABORATE")
        assert made.operation_id != in_ledger.operation_id


def test_a_user_is_provisioned_with_their_operations_in_one_transaction(store):
    open_ledger(store)
    admin = store.principal("admin")
    person = {"issuer": TEST_ISSUER, "subject": "liaison.two", "display_name": "Two Ops", "agency": "NCA",
              "role": "liaison"}
    with store.writer() as session, pytest.raises(ValidationError, match="no operation 'NOPE'"):
        services.create_user(session, admin, person | {"operations": "LEDGER, NOPE"})
    before = head(store)
    with store.writer() as session:
        services.create_user(session, admin, person | {"operations": ["ledger", "ELABORATE"]})
    assert [(e.action, e.entity) for e in events_since(store, before)] == [
        ("create", "user"), ("create", "membership"), ("create", "membership")]
    assert as_in(store, "liaison.two", "LEDGER").role.value == "liaison"
    with store.writer() as session, pytest.raises(ValidationError, match="no operation as admin"):
        services.create_user(session, admin, person | {"subject": "admin.two", "role": "admin",
                                                        "operations": "LEDGER"})


@pytest.mark.parametrize("name", ["LED\x00GER", "L" * 5000, "\u202eREGDEL", " "])
def test_hostile_names_are_answered_as_missing_ones_in_words(store, name):
    open_ledger(store)
    admin = store.principal("admin")
    with pytest.raises(NotFound, match="no operation '"):
        set_status(store, admin, name, "active")
    with store.writer() as session, pytest.raises(NotFound):
        services.remove_member(session, admin, name, "liaison.met")
    with store.writer() as session, pytest.raises(NotFound, match="does not take part in LEDGER"):
        services.remove_member(session, admin, "LEDGER", name)
    with store.writer() as session, pytest.raises(ValidationError) as refused:
        services.add_member(session, admin, name, name, name)
    assert set(refused.value.problems) == {"operation", "person", "role"}


def test_a_person_reading_a_closed_operation_switches_to_another(store):
    open_ledger(store)
    commander = store.principal("commander.met")
    for step in ("closing", "closed"):
        set_status(store, commander, "ELABORATE", step)
    with store.writer() as session:
        chosen = services.choose_operation(session, as_in(store, "commander.met", "ELABORATE"), "LEDGER")
    assert chosen.operation_code == "LEDGER"
    with store.writer() as session:  # and back, to read what the closed one holds
        assert services.choose_operation(session, chosen, "ELABORATE").operation_code == "ELABORATE"


def test_a_deconfliction_contact_naming_the_operation_is_refused_in_words(store):
    """Other operations are told the contact: it may not carry the operation's name."""
    with store.writer() as session, pytest.raises(ValidationError) as refused:
        services.open_operation(session, store.principal("commander.met"),
                                LEDGER | {"deconfliction_contact": "Ledger command, NCA"})
    assert "may not learn this one's name" in refused.value.problems["deconfliction_contact"]
    with store.reader() as session:
        assert session.scalar(select(Operation.id).where(Operation.code == "LEDGER")) is None
