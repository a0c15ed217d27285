"""A deterministic, synthetic Operation Elaborate at the scales of SCENARIO.md.

Rows are generated from one seeded random generator and bulk-inserted in batches; every created
row, custody transfer and task update gets its audit event, chained exactly as the services chain
them, and the trail is topped up with suspect updates to the scale's audit figure. The same seed
gives the same database, down to the audit chain's head hash.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import Engine, insert, inspect, select, text
from sqlalchemy.orm import Session

from coordination import audit, migrate, reference, settings, synthetic
from coordination.db import write_session
from coordination.errors import CoordinationError
from coordination.markings import TLP, Classification
from coordination.models import (
    Agency,
    Arrest,
    ArrestOutcome,
    AuditEvent,
    Base,
    CustodyEvent,
    EvidenceItem,
    EvidenceStatus,
    EvidenceType,
    Jurisdiction,
    Operation,
    Recipient,
    Suspect,
    SuspectStatus,
    SuspectTier,
    Task,
    TaskPriority,
    TaskStatus,
    TaskUpdate,
    User,
)

Progress = Callable[[str, int, int], None]
EPOCH = datetime(2022, 6, 1, tzinfo=UTC)  # the investigation's timeline starts here
BATCH = 10_000


@dataclass(frozen=True)
class Scale:
    suspects: int
    arrests: int
    evidence: int
    tasks: int
    audit_events: int  # the trail is topped up to this; 0: as generated


SCALES = {
    "demo": Scale(2_000, 150, 600, 300, 0),
    "operation": Scale(59_000, 150, 5_000, 2_000, 200_000),
    "stress": Scale(600_000, 20_000, 200_000, 50_000, 2_000_000),
}

SUSPECT_AGENCIES = {"MET": 60, "NCA": 15, "FBI": 8, "NL-POLICE": 7, "EUROPOL": 7, "EUROJUST": 3}
TASK_AGENCIES = {"MET": 30, "NCA": 20, "FBI": 15, "NL-POLICE": 15, "EUROPOL": 12, "EUROJUST": 8}
MARKINGS = {TLP.AMBER: 58, TLP.GREEN: 20, TLP.AMBER_STRICT: 12, TLP.CLEAR: 6, TLP.RED: 4}
CLASSIFICATIONS = {Classification.OFFICIAL_SENSITIVE: 70, Classification.OFFICIAL: 30}
ARREST_JURISDICTIONS = {"GB-EAW": 70, "GB-SCT": 5, "GB-NIR": 2, "NL": 6, "US-CA": 3, "US-NY": 3, "IE": 3, "ES": 3,
                        "DE": 2, "FR": 1, "BE": 1, "PT": 1}
ARRESTING_AGENCY = {"GB": "MET", "NL": "NL-POLICE", "US": "FBI"}  # elsewhere Europol coordinates
EVIDENCE_TYPES = {EvidenceType.PHONE: 30, EvidenceType.LAPTOP: 20, EvidenceType.STORAGE_MEDIA: 15,
                  EvidenceType.CRYPTO_WALLET: 8, EvidenceType.SERVER_IMAGE: 5, EvidenceType.EXCHANGE_RECORDS: 5,
                  EvidenceType.BANK_RECORDS: 5, EvidenceType.CALL_DETAIL_RECORDS: 5, EvidenceType.DOCUMENT: 5,
                  EvidenceType.CASH: 2}
EVIDENCE_STATUSES = {EvidenceStatus.AWAITING_ANALYSIS: 35, EvidenceStatus.IN_ANALYSIS: 20,
                     EvidenceStatus.ANALYSED: 30, EvidenceStatus.SEIZED: 10, EvidenceStatus.DISCLOSED: 5}
TASK_STATUSES = {TaskStatus.OPEN: 35, TaskStatus.IN_PROGRESS: 30, TaskStatus.BLOCKED: 10, TaskStatus.DONE: 20,
                 TaskStatus.CANCELLED: 5}
TASK_TITLES = {
    "FBI": ["Serve legal request on US hosting provider", "Preserve US cloud account data", "Interview US suspect"],
    "EUROPOL": ["Cross-match seized user list against partner data", "Deconflict suspects across partners"],
    "NL-POLICE": ["Image iSpoof server in the Netherlands", "Secure data-centre access logs"],
    "NCA": ["Trace bitcoin payments to site operators", "Analyse exchange records", "Financial profile of admin"],
    "MET": ["Brief victims' support on calls made", "Prepare action-day search warrants", "Charging file for CPS"],
    "EUROJUST": ["Coordinate European Investigation Orders", "Prepare joint investigation team agreement"],
}
OFFENCES = ["fraud by false representation", "possession of articles for use in fraud",
            "making or supplying articles for use in fraud", "money laundering", "conspiracy to defraud"]
LABS = {"NCA": "NCA digital forensics lab", "MET": "Met cyber crime unit exhibits store",
        "NL-POLICE": "Team High Tech Crime lab", "FBI": "FBI regional computer forensics lab",
        "EUROPOL": "EC3 forensic support", "EUROJUST": "Eurojust case team"}


def is_empty(engine: Engine) -> bool:
    if "operation" not in inspect(engine).get_table_names():
        return True
    with engine.connect() as connection:
        return connection.execute(select(Operation.id).limit(1)).first() is None


def empty_database(engine: Engine) -> None:
    """Empty the database: drop and rebuild the schema (audit rows cannot be deleted one by one)."""
    if "alembic_version" in inspect(engine).get_table_names():
        migrate.downgrade(engine, "base")
        migrate.upgrade(engine)
    else:
        Base.metadata.drop_all(engine)
        Base.metadata.create_all(engine)


def load(engine: Engine, scale: str = "demo", seed: int = 7, reset: bool = False, issuer: str | None = None,
         progress: Progress | None = None) -> dict[str, int]:
    """Load the operation; returns the row count per table."""
    if scale not in SCALES:
        raise CoordinationError(f"unknown scale '{scale}'; choose one of {', '.join(SCALES)}")
    if reset:
        empty_database(engine)
    elif "operation" not in inspect(engine).get_table_names():
        migrate.upgrade(engine)
    if not is_empty(engine):
        raise CoordinationError("the database holds an operation already; add --reset to replace it")
    with write_session(engine) as session:
        reference.seed(session, issuer or settings.load().demo_issuer, at=EPOCH)
        session.flush()
        counts = _Generator(session, SCALES[scale], random.Random(seed), progress or (lambda *_: None)).run()
        session.commit()
    return counts


class _Generator:
    def __init__(self, session: Session, scale: Scale, rng: random.Random, progress: Progress):
        self.session, self.scale, self.rng, self.progress = session, scale, rng, progress
        self.operation_id = session.scalar(select(Operation.id))
        self.agencies = {code: i for i, code in session.execute(select(Agency.id, Agency.code))}
        self.jurisdictions = {code: (i, country) for i, code, country in
                              session.execute(select(Jurisdiction.id, Jurisdiction.code, Jurisdiction.country))}
        users = {subject: (i, issuer) for i, subject, issuer in session.execute(select(User.id, User.subject,
                                                                                       User.issuer))}
        self.users = users
        self.liaison = {u.agency: u.subject for u in reference.DEMO_USERS if u.role.value == "liaison"}
        self.seq, self.prev = audit.head(session)
        self.buffers: dict = {}
        self.counts: dict[str, int] = {}

    # --- buffered inserts and the audit chain ----------------------------------------------------

    def add(self, model, row: dict) -> None:
        buffer = self.buffers.setdefault(model, [])
        buffer.append(row)
        if len(buffer) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Insert everything buffered, parents before children."""
        for each in (Suspect, Recipient, Arrest, EvidenceItem, CustodyEvent, Task, TaskUpdate, AuditEvent):
            rows = self.buffers.pop(each, [])
            if rows:
                self.session.execute(insert(each.__table__), rows)
                self.counts[each.__tablename__] = self.counts.get(each.__tablename__, 0) + len(rows)

    def event(self, subject: str, action: str, entity: str, entity_id: int, before: dict | None = None,
              after: dict | None = None) -> None:
        self.seq += 1
        row = dict(seq=self.seq, occurred_at=EPOCH + timedelta(seconds=2 * self.seq),
                   actor_issuer=self.users[subject][1], actor_subject=subject, action=action, entity=entity,
                   entity_id=entity_id, before=audit.to_json(before), after=audit.to_json(after), outcome="ok",
                   detail=None, prev_hash=self.prev)
        row["hash"] = self.prev = audit.event_hash(**row)
        self.add(AuditEvent, row)

    def common(self, agency: str, subject: str, when: datetime, version: int = 1) -> dict:
        return dict(operation_id=self.operation_id, owning_agency_id=self.agencies[agency],
                    tlp=synthetic.weighted(self.rng, MARKINGS),
                    classification=synthetic.weighted(self.rng, CLASSIFICATIONS), version=version,
                    created_at=when, updated_at=when, updated_by_id=self.users[subject][0])

    def recipients(self, entity: str, entity_id: int, row: dict, agency: str) -> None:
        if row["tlp"] is TLP.RED:
            named = {self.liaison[agency]} | ({"commander.met"} if agency == "MET" else set())
            for subject in sorted(named):
                self.add(Recipient, dict(entity=entity, entity_id=entity_id, user_id=self.users[subject][0]))

    # --- the operation -------------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        transfers = [synthetic.weighted(self.rng, {0: 30, 1: 40, 2: 20, 3: 10}) for _ in range(self.scale.evidence)]
        task_statuses = [synthetic.weighted(self.rng, TASK_STATUSES) for _ in range(self.scale.tasks)]
        task_updates = [self._update_count(status) for status in task_statuses]
        planned = (self.seq + self.scale.suspects + self.scale.arrests + self.scale.evidence + sum(transfers)
                   + self.scale.tasks + sum(task_updates))
        top_up = max(0, self.scale.audit_events - planned)
        arrested = sorted(self.rng.sample(range(self.scale.suspects), self.scale.arrests))
        self.suspects(set(arrested), top_up)
        arrests = self.arrests(arrested)
        self.evidence(arrests, transfers)
        self.tasks(task_statuses, task_updates)
        self.flush()
        self._fix_sequences()
        return self.counts

    def suspects(self, arrested: set[int], top_up: int) -> None:
        rng, n = self.rng, self.scale.suspects
        for i in range(n):
            is_arrested = i in arrested
            agency = synthetic.weighted(rng, SUSPECT_AGENCIES)
            subject = self.liaison[agency]
            updates = top_up // n + (1 if i < top_up % n else 0)
            when = EPOCH + timedelta(minutes=rng.randint(0, 200_000))
            notes = [f"Checked against partner holdings, pass {k + 1}" for k in range(updates)]
            row = self.common(agency, subject, when, version=1 + updates) | dict(
                id=i + 1, reference=f"SUS-{i + 1:06d}", full_name=synthetic.person_name(rng),
                aliases=", ".join(synthetic.handle(rng) for _ in range(rng.randint(0, 3))),
                date_of_birth=EPOCH.date() - timedelta(days=rng.randint(18 * 365, 60 * 365)),
                nationality=rng.choice(["GB", "GB", "GB", "NL", "US", "IE", "ES", "DE", "FR", "UA"]),
                address=synthetic.address(rng, "GB") if rng.random() < 0.6 else None,
                tier=self._tier(is_arrested), status=self._suspect_status(is_arrested),
                notes=notes[-1] if notes else "")
            self.add(Suspect, row)
            self.recipients("suspect", i + 1, row, agency)
            self.event(subject, "create", "suspect", i + 1,
                       after={"reference": row["reference"], "tier": row["tier"], "status": row["status"]})
            for k in range(updates):
                self.event(subject, "update", "suspect", i + 1, before={"notes": notes[k - 1] if k else ""},
                           after={"notes": notes[k]})
            if i % 5000 == 0:
                self.progress("suspects", i, n)
        self.flush()
        self.progress("suspects", n, n)

    def _tier(self, arrested: bool) -> SuspectTier:
        if arrested:
            return synthetic.weighted(self.rng, {SuspectTier.ADMINISTRATOR: 2, SuspectTier.DEVELOPER: 3,
                                                 SuspectTier.MONEY_HANDLER: 20, SuspectTier.HEAVY_USER: 60,
                                                 SuspectTier.USER: 15})
        return synthetic.weighted(self.rng, {SuspectTier.HEAVY_USER: 5, SuspectTier.MONEY_HANDLER: 2,
                                             SuspectTier.USER: 93})

    def _suspect_status(self, arrested: bool) -> SuspectStatus:
        if arrested:
            return synthetic.weighted(self.rng, {SuspectStatus.ARRESTED: 60, SuspectStatus.CHARGED: 30,
                                                 SuspectStatus.CONVICTED: 10})
        return synthetic.weighted(self.rng, {SuspectStatus.LEAD: 85, SuspectStatus.IDENTIFIED: 8,
                                             SuspectStatus.LOCATED: 3, SuspectStatus.NO_FURTHER_ACTION: 4})

    def arrests(self, arrested: list[int]) -> list[tuple[int, str, datetime]]:
        """Returns (suspect id, arresting agency, time) of each arrest, for the evidence."""
        rng, made = self.rng, []
        action_day = datetime.combine(reference.ACTION_DAY, time(5), UTC)
        for n, suspect_index in enumerate(arrested, start=1):
            code = synthetic.weighted(rng, ARREST_JURISDICTIONS)
            jurisdiction_id, country = self.jurisdictions[code]
            agency = ARRESTING_AGENCY.get(country, "EUROPOL")
            if agency == "MET" and rng.random() < 0.2:
                agency = "NCA"
            on_day = rng.random() < 0.6
            when = action_day + (timedelta(minutes=rng.randint(0, 13 * 60)) if on_day
                                 else timedelta(days=rng.randint(-90, 60), minutes=rng.randint(0, 1439)))
            subject = self.liaison[agency]
            row = self.common(agency, subject, when) | dict(
                id=n, reference=f"ARR-{n:05d}", suspect_id=suspect_index + 1, jurisdiction_id=jurisdiction_id,
                arrested_at=when, place=synthetic.address(rng, country), offences=rng.choice(OFFENCES),
                outcome=synthetic.weighted(rng, {ArrestOutcome.BAILED: 40, ArrestOutcome.RELEASED_UNDER_INVESTIGATION:
                                                 25, ArrestOutcome.CHARGED: 20, ArrestOutcome.REMANDED: 10,
                                                 ArrestOutcome.IN_CUSTODY: 5}),
                on_action_day=when.date() == reference.ACTION_DAY)
            self.add(Arrest, row)
            self.recipients("arrest", n, row, agency)
            self.event(subject, "create", "arrest", n, after={"reference": row["reference"],
                                                              "suspect_id": row["suspect_id"]})
            made.append((suspect_index + 1, agency, when))
        self.flush()
        self.progress("arrests", len(arrested), len(arrested))
        return made

    def evidence(self, arrests: list[tuple[int, str, datetime]], transfers: list[int]) -> None:
        rng, n, custody_id = self.rng, self.scale.evidence, 0
        for i in range(n):
            if arrests and rng.random() < 0.85:
                suspect_id, agency, seized_at = rng.choice(arrests)
            else:
                suspect_id, agency = None, synthetic.weighted(rng, SUSPECT_AGENCIES)
                seized_at = EPOCH + timedelta(days=rng.randint(30, 200))
            kind = synthetic.weighted(rng, EVIDENCE_TYPES)
            digest = hashlib.sha256(f"exhibit-{i}-{rng.random()}".encode()).hexdigest() if kind.digital else None
            holders = [(agency, synthetic.officer(rng))]
            for _ in range(transfers[i]):
                to = synthetic.weighted(rng, {"NCA": 40, agency: 40, "NL-POLICE": 10, "FBI": 10})
                holders.append((to, LABS[to] if rng.random() < 0.7 else synthetic.officer(rng)))
            subject = self.liaison[agency]
            row = self.common(agency, subject, seized_at, version=1 + transfers[i]) | dict(
                id=i + 1, exhibit_ref=f"EXH-{i + 1:06d}", item_type=kind,
                description=f"{kind.value.capitalize()} seized under warrant", sha256=digest, suspect_id=suspect_id,
                seized_from=f"SUS-{suspect_id:06d}" if suspect_id else "premises search",
                seized_at=seized_at, seized_place=synthetic.address(rng, "GB"),
                status=synthetic.weighted(rng, EVIDENCE_STATUSES), holder_agency_id=self.agencies[holders[-1][0]],
                holder_name=holders[-1][1])
            self.add(EvidenceItem, row)
            self.recipients("evidence item", i + 1, row, agency)
            self.event(subject, "create", "evidence item", i + 1, after={"exhibit_ref": row["exhibit_ref"],
                                                                         "sha256": digest})
            when = seized_at
            for sequence, ((from_agency, from_holder), (to_agency, to_holder)) in enumerate(
                    zip([(None, row["seized_from"])] + holders[:-1], holders, strict=True), start=1):
                custody_id += 1
                custody = dict(id=custody_id, evidence_item_id=i + 1, sequence=sequence,
                               from_agency_id=self.agencies.get(from_agency), from_holder=from_holder,
                               to_agency_id=self.agencies[to_agency], to_holder=to_holder, occurred_at=when,
                               place=row["seized_place"] if sequence == 1 else LABS[to_agency],
                               purpose="seizure" if sequence == 1 else rng.choice(["forensic analysis", "storage",
                                                                                   "disclosure review"]),
                               seal_number=f"SEAL-{custody_id:07d}", condition="sealed, intact",
                               hash_checked=digest, hash_matches=True if digest else None,
                               recorded_by_id=self.users[self.liaison[from_agency or agency]][0], recorded_at=when)
                self.add(CustodyEvent, custody)
                if sequence > 1:
                    self.event(self.liaison[from_agency], "transfer custody", "evidence item", i + 1,
                               after={"sequence": sequence, "to_holder": to_holder})
                when += timedelta(hours=rng.randint(2, 240))
            if i % 5000 == 0:
                self.progress("evidence", i, n)
        self.flush()
        self.progress("evidence", n, n)

    def _update_count(self, status: TaskStatus) -> int:
        return 0 if status is TaskStatus.OPEN else self.rng.randint(1, 3)

    def tasks(self, statuses: list[TaskStatus], update_counts: list[int]) -> None:
        rng, n, update_id = self.rng, self.scale.tasks, 0
        for i in range(n):
            agency = synthetic.weighted(rng, TASK_AGENCIES)
            subject = self.liaison[agency]
            when = EPOCH + timedelta(days=rng.randint(0, 150))
            row = self.common(agency, subject, when, version=1 + update_counts[i]) | dict(
                id=i + 1, reference=f"TSK-{i + 1:05d}", title=rng.choice(TASK_TITLES[agency]),
                description="Synthetic demo task.",
                assignee_id=self.users[subject][0] if rng.random() < 0.7 else None, status=statuses[i],
                priority=synthetic.weighted(rng, {TaskPriority.CRITICAL: 5, TaskPriority.HIGH: 25,
                                                  TaskPriority.MEDIUM: 50, TaskPriority.LOW: 20}),
                due_date=reference.ACTION_DAY + timedelta(days=rng.randint(-60, 90)),
                depends_on_id=rng.randint(1, i) if i and rng.random() < 0.1 else None)
            self.add(Task, row)
            self.recipients("task", i + 1, row, agency)
            self.event(subject, "create", "task", i + 1, after={"reference": row["reference"], "status": "open"})
            path = [TaskStatus.OPEN] + [TaskStatus.IN_PROGRESS] * (update_counts[i] - 1) + [statuses[i]]
            for k in range(update_counts[i]):
                update_id += 1
                self.add(TaskUpdate, dict(id=update_id, task_id=i + 1, author_id=self.users[subject][0],
                                          created_at=when + timedelta(days=k + 1), body=f"Progress note {k + 1}",
                                          status_from=path[k], status_to=path[k + 1]))
                self.event(subject, "create", "task update", update_id,
                           after={"task_id": i + 1, "status_from": path[k], "status_to": path[k + 1]})
        self.flush()
        self.progress("tasks", n, n)

    def _fix_sequences(self) -> None:
        """Rows were inserted with explicit ids; PostgreSQL's sequences must continue after them."""
        if self.session.get_bind().dialect.name != "postgresql":
            return
        for model in (Suspect, Arrest, EvidenceItem, CustodyEvent, Task, TaskUpdate):
            table = model.__tablename__  # ours, never user input
            sql = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"  # noqa: S608, E501
            self.session.execute(text(sql))
