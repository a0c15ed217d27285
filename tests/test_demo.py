"""The demo operation: realistic shape, consistent custody and audit, deterministic per seed."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select

from coordination import audit, demo, services
from coordination.db import make_engine, read_session, write_session
from coordination.markings import TLP
from coordination.models import Arrest, CustodyEvent, EvidenceItem, Jurisdiction, Suspect, SuspectStatus, Task
from coordination.principal import principal_for_subject
from tests.conftest import PG_SCHEMA, TEST_ISSUER, postgres_engine


@pytest.fixture(params=["sqlite", "postgresql"])
def blank(request, tmp_path):
    """A database with nothing in it (not even a schema on SQLite)."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    else:
        engine = postgres_engine(f"{PG_SCHEMA}_demo")
        demo.empty_database(engine)
    yield engine
    engine.dispose()


def fingerprint(engine) -> str:
    with read_session(engine) as session:
        rows = [session.execute(select(Suspect.reference, Suspect.full_name, Suspect.status, Suspect.tlp)
                                .order_by(Suspect.id)).all(),
                session.execute(select(Arrest.reference, Arrest.arrested_at, Arrest.jurisdiction_id)
                                .order_by(Arrest.id)).all(),
                audit.head(session)]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_demo_scale_has_the_shape_of_the_operation(blank):
    counts = demo.load(blank, "demo", seed=3, reset=True, issuer=TEST_ISSUER)
    assert (counts["suspect"], counts["arrest"], counts["evidence_item"], counts["task"]) == (2000, 150, 600, 300)
    with read_session(blank) as session:
        by_jurisdiction = dict(session.execute(select(Jurisdiction.code, func.count(Arrest.id))
                                               .join(Arrest).group_by(Jurisdiction.code)).all())
        assert max(by_jurisdiction, key=by_jurisdiction.get) == "GB-EAW" and len(by_jurisdiction) >= 6
        on_day = session.scalar(select(func.count()).where(Arrest.on_action_day.is_(True)))
        assert on_day > 150 * 0.4
        arrested = {SuspectStatus.ARRESTED, SuspectStatus.CHARGED, SuspectStatus.CONVICTED}
        arrested_ids = set(session.scalars(select(Suspect.id).where(Suspect.status.in_(arrested))))
        assert arrested_ids == set(session.scalars(select(Arrest.suspect_id)))
        assert set(session.scalars(select(Suspect.tlp).distinct())) == set(TLP)
        assert session.scalar(select(func.count()).where(Task.status == "blocked")) > 0
        verification = audit.verify(session)
        assert verification.ok and verification.events == audit.head(session)[0]


def test_custody_chains_are_unbroken_and_end_at_the_holder(blank):
    demo.load(blank, "demo", reset=True, issuer=TEST_ISSUER)
    with read_session(blank) as session:
        chains: dict[int, list[CustodyEvent]] = {}
        for event in session.scalars(select(CustodyEvent).order_by(CustodyEvent.evidence_item_id,
                                                                   CustodyEvent.sequence)):
            chains.setdefault(event.evidence_item_id, []).append(event)
        items = {item.id: item for item in session.scalars(select(EvidenceItem))}
    assert set(chains) == set(items)
    for item_id, chain in chains.items():
        assert [e.sequence for e in chain] == list(range(1, len(chain) + 1))
        assert all(b.from_agency_id == a.to_agency_id and b.from_holder == a.to_holder
                   for a, b in zip(chain, chain[1:], strict=False))
        assert (chain[-1].to_agency_id, chain[-1].to_holder) == (items[item_id].holder_agency_id,
                                                                 items[item_id].holder_name)
        assert items[item_id].version == len(chain)


def test_the_same_seed_gives_the_same_operation_and_another_seed_does_not(blank, tmp_path):
    demo.load(blank, "demo", seed=11, reset=True, issuer=TEST_ISSUER)
    first = fingerprint(blank)
    demo.load(blank, "demo", seed=11, reset=True, issuer=TEST_ISSUER)
    assert fingerprint(blank) == first
    demo.load(blank, "demo", seed=12, reset=True, issuer=TEST_ISSUER)
    assert fingerprint(blank) != first


def test_services_keep_working_after_a_bulk_load(blank):
    """Bulk inserts used explicit ids; the next service insert must not collide with them."""
    demo.load(blank, "demo", reset=True, issuer=TEST_ISSUER)
    with read_session(blank) as session:
        liaison = principal_for_subject(session, "liaison.met")
    with write_session(blank) as session:
        created = services.create_suspect(session, liaison, {"reference": "NEW-1", "full_name": "After Load",
                                                             "tier": "user", "status": "lead"})
        task = services.create_task(session, liaison, {"reference": "NEW-T", "title": "t", "status": "open",
                                                       "priority": "low"})
        note = services.add_task_update(session, liaison, task.id, "first note")
        assert (created.id, task.id) == (2001, 301) and note.id > 339
    with read_session(blank) as session:
        assert audit.verify(session).ok


def test_loading_over_an_operation_needs_reset(blank):
    demo.load(blank, "demo", reset=True, issuer=TEST_ISSUER)
    with pytest.raises(demo.CoordinationError, match="--reset"):
        demo.load(blank, "demo", issuer=TEST_ISSUER)
