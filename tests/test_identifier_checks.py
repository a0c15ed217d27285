"""Checking an identifier before acting, on both stores: which other agencies hold it (open, not RED),
excluded values said so, nothing else told; every check recorded without its value; the hourly limit
per person holds (N allowed, N+1 refused with when the next is possible)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from coordination import services
from coordination.cli import cli
from coordination.errors import PermissionDenied, ValidationError
from coordination.kinds import SUSPECTS
from coordination.models import AuditEvent, Identifier, IdentifierCheck, Outcome, utcnow
from coordination.services import identifier_imports
from tests.conftest import suspect

PHONE = "phone number"
NUMBER = "+44 20 7946 0456"  # Ofcom's drama range: synthetic
AS_TYPED_IN_GB = "020 7946 0456"
NORMALISED = "+442079460456"


@pytest.fixture
def held(store, key_file):
    return store, hold(store)


def hold(store) -> dict[str, int]:
    """FBI (AMBER), NL-POLICE (AMBER+STRICT) and NCA (RED) hold the number."""
    identifiers = {}
    with store.writer() as session:
        for agency, tlp in (("fbi", "AMBER"), ("nl-police", "AMBER+STRICT"), ("nca", "RED")):
            who = store.principal(f"liaison.{agency}")
            record = suspect(session, who, f"{agency.upper()}-1", tlp=tlp)
            identifiers[agency] = services.add_identifier(session, who, SUSPECTS, record.id, PHONE, NUMBER).id
    return identifiers


def check(store, subject, value=AS_TYPED_IN_GB, kind=PHONE):
    with store.writer() as session:
        return services.check_identifier(session, store.principal(subject), kind, value)


def test_a_check_names_the_other_agencies_holding_it_not_red_not_removed(held):
    store, identifiers = held
    found = check(store, "liaison.met")
    assert (found.display, found.excluded, found.agencies) == ("+44 20 7946 0456", False, ["FBI", "NL-POLICE"])
    assert found.sentence == "FBI and NL-POLICE also hold this phone number."
    assert check(store, "liaison.fbi", NUMBER).agencies == ["NL-POLICE"]  # not its own agency
    assert check(store, "liaison.nca", NUMBER).agencies == ["FBI", "NL-POLICE"]
    with store.writer() as session:
        services.remove_identifier(session, store.principal("liaison.fbi"), identifiers["fbi"])
    assert check(store, "analyst.europol", NUMBER).sentence == "NL-POLICE also holds this phone number."
    assert check(store, "liaison.met", "+44 20 7946 0999").sentence == "No other agency holds this phone number."


def test_an_excluded_value_is_said_to_be_excluded_and_names_no_agency(held):
    store, _ = held
    with store.writer() as session:
        services.add_exclusion(session, store.principal("commander.met"), PHONE, NUMBER, "a bank's switchboard")
    found = check(store, "liaison.met")
    assert (found.excluded, found.agencies) == (True, [])
    assert "exclusion list" in found.sentence


def test_every_check_is_recorded_without_its_value_and_bad_input_is_refused(held):
    store, _ = held
    check(store, "liaison.met")
    with store.writer() as session:
        who = store.principal("liaison.met")
        with pytest.raises(ValidationError) as refused:
            services.check_identifier(session, who, PHONE, "not a number")
        assert set(refused.value.problems) == {"value"}
        with pytest.raises(ValidationError) as refused:
            services.check_identifier(session, who, "shoe size", "42")
        assert set(refused.value.problems) == {"kind"}
        with pytest.raises(PermissionDenied):
            services.check_identifier(session, store.principal("observer.eurojust"), PHONE, NUMBER)
    with store.reader() as session:
        [event] = session.scalars(select(AuditEvent).where(AuditEvent.action == "check identifier",
                                                           AuditEvent.outcome == Outcome.OK)).all()
        assert session.scalar(select(func.count()).select_from(IdentifierCheck).where(
            IdentifierCheck.user_id == store.principal("liaison.met").user_id)) == 1
    assert '"kind":"phone number"' in event.after and '"keyed":"' in event.after
    assert all(value not in (event.after + (event.detail or "")) for value in (NUMBER, AS_TYPED_IN_GB, NORMALISED))


def test_the_hourly_limit_holds_per_person(held, monkeypatch):
    store, _ = held
    monkeypatch.setenv("COORD_CHECKS_PER_HOUR", "3")
    with store.writer() as session:  # checks made more than an hour ago do not count
        met = store.principal("liaison.met")
        session.add_all(IdentifierCheck(user_id=met.user_id, checked_at=utcnow() - timedelta(minutes=61))
                        for _ in range(5))
        session.commit()
    for _ in range(3):
        check(store, "liaison.met")
    with pytest.raises(PermissionDenied) as refused:
        check(store, "liaison.met")
    assert "3 checks in the last hour" in str(refused.value) and "The next is possible at" in str(refused.value)
    assert check(store, "liaison.fbi", NUMBER).agencies  # another person's count is their own
    with store.reader() as session:
        refusals = session.scalars(select(AuditEvent.action).where(AuditEvent.outcome == Outcome.REFUSED)).all()
    assert refusals == ["check identifier"]


def test_the_command_line_check(sqlite_store, key_file):
    """The same use case on either store: run here on SQLite, whose database URL is all the CLI needs."""
    store = sqlite_store
    hold(store)
    result = CliRunner().invoke(cli, ["deconflict", "check", "--kind", "phone", AS_TYPED_IN_GB, "--as", "liaison.met",
                                      "--database-url", str(store.engine.url)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "+44 20 7946 0456: FBI and NL-POLICE also hold this phone number."
    refused = CliRunner().invoke(cli, ["deconflict", "check", "--kind", "phone", "12", "--as", "liaison.met",
                                       "--database-url", str(store.engine.url)])
    assert refused.exit_code == 1 and refused.output.startswith("error: value: ")


def answers_of(store, subject) -> int:
    with store.reader() as session:
        return session.scalar(select(func.count()).select_from(IdentifierCheck).where(
            IdentifierCheck.user_id == store.principal(subject).user_id))


def test_adding_values_that_hit_counts_against_the_hourly_limit_and_removing_gives_nothing_back(held, monkeypatch):
    """The oracle a hostile partner used: add a value to one's own record, read the hit, remove it,
    again and again. Each add that tells the adder's agency of a hit is a check; once the hour's are
    spent, any add is refused (one that would not hit too: the refusal must not be the answer), and
    checks and imports wait as well."""
    store, _ = held
    monkeypatch.setenv("COORD_CHECKS_PER_HOUR", "3")
    met = store.principal("liaison.met")
    with store.writer() as session:
        mine = suspect(session, met, "M-PROBE").id
    with store.writer() as session:  # a value nobody else holds answers nothing: not counted
        services.remove_identifier(session, met, services.add_identifier(
            session, met, SUSPECTS, mine, PHONE, "+44 20 7946 0999").id)
    assert answers_of(store, "liaison.met") == 0
    for made in range(1, 4):  # held by FBI and NL-POLICE: told, counted, removed, added again
        with store.writer() as session:
            added = services.add_identifier(session, met, SUSPECTS, mine, PHONE, NUMBER)
            services.remove_identifier(session, met, added.id)
        assert answers_of(store, "liaison.met") == made
    for value in (NUMBER, "+44 20 7946 0998"):  # the next add is refused, hit or not, in words
        with store.writer() as session, pytest.raises(PermissionDenied) as refused:
            services.add_identifier(session, met, SUSPECTS, mine, PHONE, value)
        assert "3 checks in the last hour" in str(refused.value)
        assert "The next is possible at" in str(refused.value)
        assert "whether another agency holds it or not" in str(refused.value)
    with pytest.raises(PermissionDenied):
        check(store, "liaison.met")
    result = identifier_imports.import_identifiers(store.engine, met, "probe.csv", (
        "record_kind,record_reference,identifier_kind,value,qualifier\n"
        f"suspect,M-PROBE,phone number,{NUMBER},\n").encode())
    assert not result.committed and "The next is possible at" in str(result.problems[0])
    with store.reader() as session:
        assert session.scalar(select(func.count()).select_from(Identifier).where(
            Identifier.record_id == mine, Identifier.removed_at.is_(None))) == 0
        refusals = session.scalars(select(AuditEvent.action).where(AuditEvent.outcome == Outcome.REFUSED)
                                   .order_by(AuditEvent.seq)).all()
        assert refusals == ["add identifier", "add identifier", "check identifier", "import"]
    assert answers_of(store, "liaison.met") == 3  # refusals are not answers
    with store.writer() as session:  # another person's allowance is their own
        services.add_identifier(session, store.principal("liaison.fbi"), SUSPECTS,
                                suspect(session, store.principal("liaison.fbi"), "F-2").id, PHONE, NUMBER)


def test_an_import_of_many_hits_is_taken_whole_and_counted(held, monkeypatch):
    """A liaison's import carries more hits than an hour's checks: it is accepted, and its hits are
    counted, so the importer's next check waits."""
    store, _ = held
    monkeypatch.setenv("COORD_CHECKS_PER_HOUR", "3")
    fbi, met = store.principal("liaison.fbi"), store.principal("liaison.met")
    numbers = [f"+44 20 7946 01{n:02d}" for n in range(6)]
    with store.writer() as session:
        theirs = suspect(session, fbi, "F-MANY").id
        services.add_identifiers(session, fbi, SUSPECTS, theirs, [(PHONE, number, None) for number in numbers])
        for n in range(6):
            suspect(session, met, f"M-{n}")
    rows = "".join(f"suspect,M-{n},phone number,{number},\n" for n, number in enumerate(numbers))
    rows += "suspect,M-0,phone number,+44 20 7946 0555,\n"  # held by no one else: not counted
    result = identifier_imports.import_identifiers(
        store.engine, met, "seized.csv", ("record_kind,record_reference,identifier_kind,value,qualifier\n"
                                          + rows).encode())
    assert result.committed and result.created == 7, result.problems
    assert answers_of(store, "liaison.met") == 6
    with pytest.raises(PermissionDenied):
        check(store, "liaison.met")
