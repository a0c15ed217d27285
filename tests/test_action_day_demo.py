"""The demo's action day: the past day's packages agree with its arrests, and a demo loaded for
`make run` has a live second wave (some planned, some deployed, one silent) and conflicting pairs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import and_, select

from coordination import audit, demo, places
from coordination.db import read_session
from coordination.markings import TLP
from coordination.models import (
    Arrest,
    Jurisdiction,
    Membership,
    PackageConflict,
    PackageStatus,
    PackageStatusChange,
    Recipient,
    Role,
    TargetPackage,
)
from coordination.principal import principal_for_subject
from coordination.queries import action_day as q
from tests.conftest import PG_SCHEMA, TEST_ISSUER
from tests.test_demo import blank_engine, elaborate

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live_demo(request, tmp_path_factory):
    engine = blank_engine(request.param, tmp_path_factory.mktemp("live"), f"{PG_SCHEMA}_demo_live")
    demo.load(engine, "demo", seed=3, reset=True, issuer=TEST_ISSUER, as_of=NOW.date(), live_from=NOW)
    yield engine
    engine.dispose()


def test_every_arrest_of_the_action_day_has_its_package_and_the_day_holds_about_180(live_demo):
    with read_session(live_demo) as s:
        arrests = s.scalars(select(Arrest).where(Arrest.on_action_day, Arrest.operation_id == elaborate(s))).all()
        packages = s.scalars(select(TargetPackage).where(TargetPackage.h_hour < NOW - timedelta(days=7),
                                                         TargetPackage.operation_id == elaborate(s))).all()
        assert 170 <= len(packages) <= 190
        made = {p.subject_ids[0]: p for p in packages
                if PackageStatus.ARREST_MADE in s.scalars(select(PackageStatusChange.status_to)
                                                          .where(PackageStatusChange.package_id == p.id)).all()}
        assert len(made) == len(arrests) > 50
        for arrest in arrests:
            package = made[arrest.suspect_id]
            assert (package.address, package.jurisdiction_id, package.owning_agency_id) == (
                arrest.place, arrest.jurisdiction_id, arrest.owning_agency_id)
            assert package.h_hour <= arrest.arrested_at and package.status is PackageStatus.CLOSED
        assert audit.verify(s).ok


def test_the_second_wave_is_live_with_one_silent_package_and_its_conflicts(live_demo):
    with read_session(live_demo) as s:
        commander = principal_for_subject(s, "commander.met")
        board = q.board(s, commander, NOW, q.LIVE)
        statuses = {p.status for p in board.packages if abs(p.h_hour - NOW) < timedelta(hours=8)}
        assert {PackageStatus.PLANNED, PackageStatus.DEPLOYED} <= statuses
        assert len(board.silent) >= 1
        told = q.conflict_warnings(s, commander)
        assert any("same address" in w for w in told) and any("same building" in w for w in told)
        assert len(q.conflict_warnings(s, principal_for_subject(s, "liaison.nca"))) == 2
        assert len(q.conflict_warnings(s, principal_for_subject(s, "liaison.nl-police"))) == 1
        assert q.conflict_warnings(s, principal_for_subject(s, "liaison.fbi")) == []


def test_each_conflict_of_the_demo_joins_one_door_written_two_ways(live_demo):
    """The pairs are spelt differently (so `make run` shows what the address keys catch), and each
    conflict's reason is what the address keys of its two spellings say."""
    with read_session(live_demo) as s:
        pairs = s.execute(select(PackageConflict.reason, TargetPackage.address, TargetPackage.jurisdiction_id)
                          .join(TargetPackage, TargetPackage.id == PackageConflict.first_id)).all()
        seconds = s.scalars(select(TargetPackage.address).join(
            PackageConflict, PackageConflict.second_id == TargetPackage.id).order_by(PackageConflict.id)).all()
        countries = dict(s.execute(select(Jurisdiction.id, Jurisdiction.country)).all())
    assert {reason for reason, *_ in pairs} == {"same address", "same building"}
    for (reason, first, jurisdiction_id), second in zip(pairs, seconds, strict=True):
        assert first != second
        country = countries[jurisdiction_id]
        assert places.match(places.address_keys(first, country), places.address_keys(second, country)) == reason


def test_every_red_package_of_the_demo_names_a_commander(live_demo):
    """As a RED package must (services.action_day), so command can deconflict it: the commander of the
    package's own operation (Saltmarsh's commands it as a membership; elsewhere a liaison)."""
    with read_session(live_demo) as s:
        red = set(s.scalars(select(TargetPackage.id).where(TargetPackage.tlp == TLP.RED)))
        commanded = set(s.scalars(select(Recipient.entity_id).join(TargetPackage, and_(
            Recipient.entity == TargetPackage.entity, TargetPackage.id == Recipient.entity_id)).join(
            Membership, and_(Membership.user_id == Recipient.user_id,
                             Membership.operation_id == TargetPackage.operation_id)).where(
            Membership.role == Role.COMMANDER)))
    assert red and red <= commanded
