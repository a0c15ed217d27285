"""Checking an identifier before acting, on both stores: which other agencies hold it (open, not RED),
excluded values said so, nothing else told; every check recorded without its value; the hourly limit
per person holds (N allowed, N+1 refused with when the next is possible)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from coordination import deconfliction_key, services
from coordination.cli import cli
from coordination.errors import PermissionDenied, ValidationError
from coordination.kinds import SUSPECTS
from coordination.models import AuditEvent, IdentifierCheck, Outcome, utcnow
from tests.conftest import suspect

PHONE = "phone number"
NUMBER = "+44 20 7946 0456"  # Ofcom's drama range: synthetic
AS_TYPED_IN_GB = "020 7946 0456"
NORMALISED = "+442079460456"


@pytest.fixture
def key_file(tmp_path, monkeypatch):
    path = deconfliction_key.make_key_file(tmp_path / "deconfliction.key")
    monkeypatch.setenv(deconfliction_key.ENVIRONMENT, str(path))
    return path


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
        assert session.scalar(select(func.count()).select_from(IdentifierCheck)) == 1
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
