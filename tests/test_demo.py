"""The demo operation: realistic shape, consistent custody and audit, deterministic per seed."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import Engine, func, literal, select

from coordination import audit, demo, services
from coordination.db import make_engine, read_session, write_session
from coordination.markings import TLP
from coordination.models import (
    Acquisition,
    AcquisitionCustodyEvent,
    Agency,
    Arrest,
    AuditEvent,
    CustodyEvent,
    EvidenceItem,
    EvidenceType,
    Jurisdiction,
    Operation,
    Recipient,
    Role,
    Suspect,
    SuspectStatus,
    TargetPackage,
    Task,
    TaskUpdate,
    User,
)
from coordination.principal import principal_for_subject
from tests.conftest import PG_SCHEMA, TEST_ISSUER, postgres_engine


def elaborate(session) -> int:
    """Operation Elaborate's id: the demo loads Operation Saltmarsh beside it."""
    return session.scalar(select(Operation.id).where(Operation.code == "ELABORATE"))


def blank_engine(kind: str, directory, schema: str):
    """A database with nothing in it (not even a schema on SQLite)."""
    if kind == "sqlite":
        return make_engine(f"sqlite:///{directory / 'demo.db'}")
    engine = postgres_engine(schema)
    demo.empty_database(engine)
    return engine


@pytest.fixture(params=["sqlite", "postgresql"])
def blank(request, tmp_path):
    engine = blank_engine(request.param, tmp_path, f"{PG_SCHEMA}_demo")
    yield engine
    engine.dispose()


@dataclass
class Loaded:
    engine: Engine
    counts: dict[str, int]
    progress: list[tuple[str, int, int]]
    empty_before: bool


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def loaded(request, tmp_path_factory) -> Iterator[Loaded]:
    """The demo operation, loaded once per store for the tests that only read it."""
    engine = blank_engine(request.param, tmp_path_factory.mktemp("demo"), f"{PG_SCHEMA}_demo_loaded")
    progress: list[tuple[str, int, int]] = []
    empty_before = demo.is_empty(engine)
    counts = demo.load(engine, "demo", seed=3, reset=True, issuer=TEST_ISSUER,
                       progress=lambda *call: progress.append(call))
    yield Loaded(engine, counts, progress, empty_before)
    engine.dispose()


def test_the_loader_reports_progress_and_counts(loaded):
    assert loaded.empty_before and not demo.is_empty(loaded.engine)
    finished = {stage: (done, total) for stage, done, total in loaded.progress if done == total}
    assert set(finished) == {"suspects", "arrests", "evidence", "tasks", "audit trail"}
    with read_session(loaded.engine) as session:
        for model in (Agency, User, Suspect, Arrest, EvidenceItem, CustodyEvent, Task, TaskUpdate, Recipient,
                      AuditEvent):
            assert loaded.counts[model.__tablename__] == session.scalar(select(func.count()).select_from(model))
        seeded = session.scalar(select(func.count()).where(AuditEvent.actor_subject == "reference data"))
        assert finished["audit trail"][1] + seeded == loaded.counts["audit_event"] == audit.head(session)[0]


def fingerprint(engine) -> str:
    with read_session(engine) as session:
        rows = [session.execute(select(Suspect.reference, Suspect.full_name, Suspect.status, Suspect.tlp)
                                .order_by(Suspect.id)).all(),
                session.execute(select(Arrest.reference, Arrest.arrested_at, Arrest.jurisdiction_id)
                                .order_by(Arrest.id)).all(),
                audit.head(session)]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_demo_scale_has_the_shape_of_the_operation(loaded):
    with read_session(loaded.engine) as session:
        counts = {model: session.scalar(select(func.count()).select_from(model)
                                        .where(model.operation_id == elaborate(session)))
                  for model in (Suspect, Arrest, EvidenceItem, Task)}
        counts |= {model: session.scalar(select(func.count()).select_from(model))
                   for model in (CustodyEvent, TaskUpdate)}
        assert [counts[m] for m in (Suspect, Arrest, EvidenceItem, Task)] == [2000, 150, 600, 300]
        assert counts[CustodyEvent] > 600 and counts[TaskUpdate] > 300
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
        assert session.scalar(select(func.count()).where(Task.depends_on_id.is_not(None))) > 0
        unfinished = select(func.count()).where(Task.status.not_in(["done", "cancelled"]))
        assert 0 < session.scalar(unfinished.where(Task.due_date < demo.END.date())) < session.scalar(unfinished)
        tiers = dict(session.execute(select(Suspect.tier, func.count()).group_by(Suspect.tier)).all())
        assert tiers["administrator"] + tiers["developer"] < tiers["money handler"] < tiers["user"]
        red = {(entity, entity_id) for model in (Suspect, Arrest, EvidenceItem, Task, TargetPackage)
               for entity, entity_id in session.execute(select(literal(model.entity), model.id)
                                                        .where(model.tlp == TLP.RED))}
        recipients: dict[tuple[str, int], set[int]] = {}  # RED record -> the agencies of its named recipients
        for entity, entity_id, agency_id in session.execute(select(Recipient.entity, Recipient.entity_id,
                                                                   User.agency_id).join(User)):
            recipients.setdefault((entity, entity_id), set()).add(agency_id)
        assert red and set(recipients) == red
        owners = {(m.entity, i): agency for m in (Suspect, Arrest, EvidenceItem, Task, TargetPackage)
                  for i, agency in session.execute(select(m.id, m.owning_agency_id).where(m.tlp == TLP.RED))}
        assert all(owners[key] in agencies for key, agencies in recipients.items())
        verification = audit.verify(session)
        assert verification.ok and verification.events == audit.head(session)[0]


def test_custody_chains_are_unbroken_and_end_at_the_holder(loaded):
    with read_session(loaded.engine) as session:
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
        assert all(a.occurred_at < b.occurred_at for a, b in zip(chain, chain[1:], strict=False))
        assert chain[0].occurred_at == items[item_id].seized_at and chain[0].purpose == "seizure"
        if items[item_id].sha256:
            assert all(e.hash_checked == items[item_id].sha256 and e.hash_matches for e in chain)


def test_the_trail_reads_in_time_order_and_matches_every_record(loaded):
    """Events are chained in the order things happened; each record's created_at, updated_at and
    version agree with its own history, as if every change had gone through the services."""
    with read_session(loaded.engine) as session:
        trail = session.execute(select(AuditEvent.seq, AuditEvent.occurred_at, AuditEvent.action, AuditEvent.entity,
                                       AuditEvent.entity_id).order_by(AuditEvent.seq)).all()
        assert all(a.occurred_at <= b.occurred_at for a, b in zip(trail, trail[1:], strict=False))
        history: dict[tuple[str, int], list] = {}
        for event in trail:
            history.setdefault((event.entity, event.entity_id), []).append(event)
        for model in (Suspect, Arrest, EvidenceItem, Task):
            for record in session.scalars(select(model)):
                events = history[(model.entity, record.id)]
                assert events[0].action == "create" and events[0].occurred_at == record.created_at
                if model is not Task:  # a task changes through task updates, checked below
                    assert record.version == len(events) and record.updated_at == events[-1].occurred_at
        changes: dict[int, list] = {}
        for update in session.scalars(select(TaskUpdate).order_by(TaskUpdate.id)):
            assert history[("task update", update.id)][0].occurred_at == update.created_at
            if update.status_to is not None:
                changes.setdefault(update.task_id, []).append(update)
        for task in session.scalars(select(Task)):
            made = changes.get(task.id, [])
            assert task.version == 1 + len(made)
            assert task.status == (made[-1].status_to if made else "open")
            assert task.updated_at == (made[-1].created_at if made else task.created_at)
        assert session.scalar(select(func.count()).where(TaskUpdate.status_from == TaskUpdate.status_to)) == 0
        for arrest in session.scalars(select(Arrest)):
            assert arrest.suspect.created_at < arrest.arrested_at < arrest.created_at


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
        loaded = [session.scalar(select(func.count()).select_from(model)) for model in (Suspect, Task)]
    with write_session(blank) as session:
        created = services.create_suspect(session, liaison, {"reference": "NEW-1", "full_name": "After Load",
                                                             "tier": "user", "status": "lead"})
        task = services.create_task(session, liaison, {"reference": "NEW-T", "title": "t", "status": "open",
                                                       "priority": "low"})
        note = services.add_task_update(session, liaison, task.id, "first note")
        assert [created.id, task.id] == [n + 1 for n in loaded]
        assert note.id == session.scalar(select(func.count()).select_from(TaskUpdate))
    with read_session(blank) as session:
        assert audit.verify(session).ok


def test_as_of_moves_the_whole_timeline_to_end_on_that_day(blank):
    """`make run` loads the demo as of today: the same operation, every date moved by whole weeks."""
    def timeline():
        with read_session(blank) as s:
            return (s.scalar(select(Operation.action_day)),
                    s.scalars(select(Arrest.arrested_at).order_by(Arrest.id)).all(),
                    s.scalars(select(Task.due_date).order_by(Task.id)).all(),
                    s.scalars(select(AuditEvent.occurred_at).order_by(AuditEvent.seq)).all())

    demo.load(blank, "demo", seed=4, reset=True, issuer=TEST_ISSUER)
    action_day, arrests, due, events = timeline()
    today = date(2026, 11, 25)
    demo.load(blank, "demo", seed=4, reset=True, issuer=TEST_ISSUER, as_of=today)
    shift = demo.timeline_shift(today)
    assert shift.days % 7 == 0 and 0 <= (today - (demo.END.date() + shift)).days < 7
    moved = timeline()
    assert moved[0] == action_day + shift and moved[0].weekday() == action_day.weekday() == 0
    assert moved[1] == [when + shift for when in arrests]
    assert moved[2] == [day + shift if day else None for day in due]
    assert moved[3] == [when + shift for when in events]
    assert max(moved[3]) < datetime.combine(today, time(), UTC) <= max(moved[3]) + timedelta(days=31)
    with read_session(blank) as s:
        open_tasks = s.scalars(select(Task.due_date).where(Task.status.not_in(["done", "cancelled"]))).all()
        assert audit.verify(s).ok
    late = sum(1 for day in open_tasks if day and day < today) / len(open_tasks)
    assert 0.15 < late < 0.6  # some late, most not: a live operation, not one long over


def test_loading_over_an_operation_needs_reset(blank):
    demo.load(blank, "demo", reset=True, issuer=TEST_ISSUER)
    with pytest.raises(demo.CoordinationError, match="--reset"):
        demo.load(blank, "demo", issuer=TEST_ISSUER)


def test_sqlite_and_postgresql_get_the_same_operation_from_one_seed(tmp_path):
    engines = [blank_engine("sqlite", tmp_path, ""), blank_engine("postgresql", tmp_path, f"{PG_SCHEMA}_demo_cross")]
    for engine in engines:
        demo.load(engine, "demo", seed=5, reset=True, issuer=TEST_ISSUER)
    assert fingerprint(engines[0]) == fingerprint(engines[1])
    for engine in engines:
        engine.dispose()


def test_one_phone_is_sealed_without_a_hash_and_its_data_acquired_later(blank):
    """ISO/IEC 27037 in the demo: one phone seized without a hash, extracted at its agency's lab before it
    was handed on; the services record the next acquisition after it (PostgreSQL's ids go on too)."""
    demo.load(blank, "demo", reset=True, issuer=TEST_ISSUER, second=False)  # Saltmarsh has its own phone
    with read_session(blank) as s:
        [acquisition] = s.scalars(select(Acquisition)).all()
        phone = s.get(EvidenceItem, acquisition.evidence_item_id)
        assert (phone.item_type, phone.sha256) == (EvidenceType.PHONE, None)
        [first] = s.scalars(select(AcquisitionCustodyEvent)).all()
        seizure = s.scalar(select(CustodyEvent).where(CustodyEvent.evidence_item_id == phone.id,
                                                      CustodyEvent.sequence == 1))
        assert seizure.occurred_at < acquisition.acquired_at == first.occurred_at
        assert (first.to_holder, first.hash_checked) == (acquisition.place, acquisition.sha256)
        holder = s.scalar(select(User.subject).where(User.agency_id == phone.holder_agency_id,
                                                     User.role == Role.LIAISON).limit(1))
        liaison = principal_for_subject(s, holder)
        assert audit.verify(s).ok
    with write_session(blank) as s:
        again = services.record_acquisition(s, liaison, phone.id, {
            "method": "physical image", "tool": "XRY", "tool_version": "10.9", "examiner": "Examiner",
            "acquired_at": datetime.now(UTC).isoformat(), "sha256": "ef" * 32, "place": "Lab", "holder_name": "Lab"})
    assert (again.id, again.reference) == (2, f"ACQ-{phone.reference}-2")
