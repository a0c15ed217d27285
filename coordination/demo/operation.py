"""A deterministic, synthetic Operation Elaborate at the scales of SCENARIO.md: the loader and its generator.

Rows are generated from one seeded random generator and bulk-inserted in batches. Every action
(a record created, a suspect moved along the pipeline, a note, a custody transfer, a task update)
is queued with the moment it happened; at the end the queue is sorted by time and appended through
`audit.record_many`, as the services append, each event at its own time, so the trail reads in the
order the operation unfolded and each record's created_at / updated_at match its history. The
trail is topped up with suspect notes to the scale's audit figure. The same seed gives the same
database, down to the audit chain's head hash.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from operator import itemgetter
from typing import NamedTuple

import phonenumbers
from sqlalchemy import Engine, func, insert, inspect, select, text
from sqlalchemy.orm import Session

from coordination import audit, migrate, standing_data
from coordination.deconfliction_key import MatchingKey
from coordination.demo import synthetic
from coordination.demo.action_day import ActionDay
from coordination.errors import CoordinationError
from coordination.identifiers import normalise
from coordination.markings import TLP, Classification
from coordination.models import (
    Acquisition,
    AcquisitionCustodyEvent,
    AcquisitionMethod,
    Agency,
    Arrest,
    ArrestOutcome,
    Base,
    CustodyEvent,
    Decision,
    DecisionPin,
    EvidenceItem,
    EvidenceStatus,
    EvidenceType,
    Exclusion,
    Hit,
    HitMatch,
    Identifier,
    IdentifierKind,
    Jurisdiction,
    Operation,
    PackageConflict,
    PackageStatusChange,
    PackageSubject,
    Recipient,
    Role,
    Suspect,
    SuspectStatus,
    SuspectTier,
    TargetPackage,
    Task,
    TaskPriority,
    TaskStatus,
    TaskUpdate,
    User,
    hit_copies,
)
from coordination.principal import Principal
from coordination.services.acquisitions import COLUMNS as ACQUISITION_COLUMNS
from coordination.services.evidence import CUSTODY_COLUMNS

Progress = Callable[[str, int, int], None]
EPOCH = datetime(2022, 6, 1, tzinfo=UTC)  # the reference data is set up; the timeline starts here
END = datetime(2023, 3, 31, tzinfo=UTC)  # the data set's "now": nothing happens after it
BATCH = 10_000


@dataclass(frozen=True)
class Scale:
    suspects: int
    arrests: int
    evidence: int
    tasks: int
    audit_events: int  # the trail is topped up to this; 0: as generated
    identifiers: int = 0  # on suspects and evidence items (made only when a deconfliction key is given)
    shared: int = 0  # identifiers a second agency holds too (a few on RED records)


SCALES = {
    "demo": Scale(2_000, 150, 600, 300, 0, 3_000, 40),
    "operation": Scale(59_000, 150, 5_000, 2_000, 200_000, 150_000, 1_000),
    "stress": Scale(600_000, 20_000, 200_000, 50_000, 2_000_000, 1_500_000, 10_000),
}
SHARED_ON_RED = 4  # of the shared identifiers, held on a RED record by the second agency
# iSpoof's users spoofed banks' numbers as caller IDs: one (fictional) bank number sits on many
# records of every agency, matches everywhere and means nothing, so command excluded it
BANK_NUMBER = "+441134960999"
BANK_HOLDERS = 30
BANK_REASON = "a bank's customer-service number, spoofed as caller ID through iSpoof: matches everywhere"
PHONE_SHARE = 0.35  # of the identifiers held once, phone numbers while the fictional ones last; the rest e-mail

S, T = SuspectStatus, TaskStatus
SUSPECT_AGENCIES = {"MET": 60, "NCA": 15, "FBI": 8, "NL-POLICE": 7, "EUROPOL": 7, "EUROJUST": 3}
TASK_AGENCIES = {"MET": 30, "NCA": 20, "FBI": 15, "NL-POLICE": 15, "EUROPOL": 12, "EUROJUST": 8}
MARKINGS = {TLP.AMBER: 58, TLP.GREEN: 20, TLP.AMBER_STRICT: 12, TLP.CLEAR: 6, TLP.RED: 4}
CLASSIFICATIONS = {Classification.OFFICIAL_SENSITIVE: 70, Classification.OFFICIAL: 30}
ARRESTED_TIERS = {SuspectTier.ADMINISTRATOR: 2, SuspectTier.DEVELOPER: 3, SuspectTier.MONEY_HANDLER: 20,
                  SuspectTier.HEAVY_USER: 60, SuspectTier.USER: 15}
OTHER_TIERS = {SuspectTier.HEAVY_USER: 5, SuspectTier.MONEY_HANDLER: 2, SuspectTier.USER: 93}
# the statuses a suspect went through after being entered as a lead, by final status
ARRESTED_PATHS = {(S.IDENTIFIED, S.LOCATED, S.ARRESTED): 45, (S.IDENTIFIED, S.ARRESTED): 15,
                  (S.IDENTIFIED, S.LOCATED, S.ARRESTED, S.CHARGED): 30,
                  (S.IDENTIFIED, S.LOCATED, S.ARRESTED, S.CHARGED, S.CONVICTED): 10}
OTHER_PATHS = {(): 85, (S.IDENTIFIED,): 8, (S.IDENTIFIED, S.LOCATED): 3, (S.NO_FURTHER_ACTION,): 2,
               (S.IDENTIFIED, S.NO_FURTHER_ACTION): 2}
ARREST_JURISDICTIONS = {"GB-EAW": 70, "GB-SCT": 5, "GB-NIR": 2, "NL": 6, "US-CA": 3, "US-NY": 3, "IE": 3, "ES": 3,
                        "DE": 2, "FR": 1, "BE": 1, "PT": 1}
ARRESTING_AGENCY = {"GB": "MET", "NL": "NL-POLICE", "US": "FBI"}  # elsewhere Europol coordinates
ARREST_OUTCOMES = {ArrestOutcome.BAILED: 40, ArrestOutcome.RELEASED_UNDER_INVESTIGATION: 25, ArrestOutcome.CHARGED: 20,
                   ArrestOutcome.REMANDED: 10, ArrestOutcome.IN_CUSTODY: 5}
EVIDENCE_TYPES = {EvidenceType.PHONE: 30, EvidenceType.LAPTOP: 20, EvidenceType.STORAGE_MEDIA: 15,
                  EvidenceType.CRYPTO_WALLET: 8, EvidenceType.SERVER_IMAGE: 5, EvidenceType.EXCHANGE_RECORDS: 5,
                  EvidenceType.BANK_RECORDS: 5, EvidenceType.CALL_DETAIL_RECORDS: 5, EvidenceType.DOCUMENT: 5,
                  EvidenceType.CASH: 2}
EVIDENCE_STATUSES = {EvidenceStatus.AWAITING_ANALYSIS: 35, EvidenceStatus.IN_ANALYSIS: 20,
                     EvidenceStatus.ANALYSED: 30, EvidenceStatus.SEIZED: 10, EvidenceStatus.DISCLOSED: 5}
TASK_STATUSES = {T.OPEN: 35, T.IN_PROGRESS: 30, T.BLOCKED: 10, T.DONE: 20, T.CANCELLED: 5}
TASK_PATHS = {T.OPEN: (), T.IN_PROGRESS: (T.IN_PROGRESS,), T.BLOCKED: (T.IN_PROGRESS, T.BLOCKED),
              T.DONE: (T.IN_PROGRESS, T.DONE), T.CANCELLED: (T.CANCELLED,)}
TASK_PRIORITIES = {TaskPriority.CRITICAL: 5, TaskPriority.HIGH: 25, TaskPriority.MEDIUM: 50, TaskPriority.LOW: 20}
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
SUSPECT_NOTES = ["Checked against partner holdings", "Subscriber data received", "Call-detail records reviewed",
                 "Handle linked to site account", "Deconflicted with partner agencies", "Payment records matched"]
TASK_NOTES = ["Progress note", "Chased partner for response", "Awaiting legal sign-off", "Update from liaison"]
LABS = {"NCA": "NCA digital forensics lab", "MET": "Met cyber crime unit exhibits store",
        "NL-POLICE": "Team High Tech Crime lab", "FBI": "FBI regional computer forensics lab",
        "EUROPOL": "EC3 forensic support", "EUROJUST": "Eurojust case team"}
# days from the action day, decision, rationale, marking, the entry it corrects, pinned
DEMO_DECISIONS = [
    (-21, "Run Operation Elaborate as one coordinated action day, 05:00 London time",
     "Arrests in one morning stop users warning each other and wiping devices", TLP.AMBER, None, False),
    (-14, "Take the iSpoof site down on the action day, after the servers are imaged",
     "Imaging first keeps the user list and payment records as evidence", TLP.AMBER, None, True),
    (-7, "Text every UK victim found in the call records from the action day on",
     "Victims learn of the fraud from the police, not from the news", TLP.GREEN, None, True),
    (-3, "The Dutch search starts at 06:00 local time, with the London arrests",
     "Server and arrests together: nobody is warned", TLP.AMBER_STRICT, None, False),
    (-2, "The Dutch search starts at 05:00 local time, one hour before the London arrests",
     "The hosting provider asked for the data centre to be entered first", TLP.AMBER_STRICT, 4, True),
]
BOOKKEEPING = frozenset({"id", "operation_id", "version", "created_at", "updated_at", "updated_by_id"})
# the tables the generator gives ids to itself: an operation loaded after another numbers on after it
NUMBERED = (Suspect, Arrest, EvidenceItem, CustodyEvent, Acquisition, AcquisitionCustodyEvent, Task, TaskUpdate,
            Identifier, Hit, Exclusion, TargetPackage, PackageStatusChange, PackageConflict, Decision, DecisionPin)


@dataclass(frozen=True)
class Plan:
    """What makes one demo operation its own, for the generator that writes it: who takes part and
    how much, what its tasks, offences and decisions say, who enters each agency's records and who
    commands. The generator is the same for every operation (coordination.demo.second_operation)."""

    code: str
    lead: str  # the lead agency's code: its RED records name the commander too
    commander: str  # the commander's subject
    decided_by: str  # how the decision log names the commander
    actors: dict[str, str]  # agency code -> the subject who enters its records
    suspect_agencies: dict[str, int]
    task_agencies: dict[str, int]
    task_titles: dict[str, list[str]]
    offences: list[str]
    arrest_jurisdictions: dict[str, int]
    day_jurisdictions: dict[str, int]  # where the action day's packages without an arrest were
    day_packages: int  # the past action day's packages, about
    custody_to: dict[str, int]  # whom an exhibit is handed on to (besides its own agency)
    decisions: list[tuple]  # as DEMO_DECISIONS
    bank_holders: int = BANK_HOLDERS  # records holding the spoofed bank number (0: none, and no exclusion)


ELABORATE = Plan(
    code=standing_data.OPERATION_CODE, lead="MET", commander="commander.met",
    decided_by="Casey Commander (Gold, MET)",
    actors={u.agency: u.subject for u in standing_data.DEMO_USERS if u.role is Role.LIAISON},
    suspect_agencies=SUSPECT_AGENCIES, task_agencies=TASK_AGENCIES, task_titles=TASK_TITLES, offences=OFFENCES,
    arrest_jurisdictions=ARREST_JURISDICTIONS,
    day_jurisdictions={"GB-EAW": 60, "GB-SCT": 6, "GB-NIR": 3, "NL": 10, "US-CA": 5, "US-NY": 5, "IE": 3, "ES": 3,
                       "DE": 3, "BE": 2},
    day_packages=180, custody_to={"NCA": 40, "NL-POLICE": 10, "FBI": 10}, decisions=DEMO_DECISIONS)


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


def continue_sequences(session: Session, models: tuple = NUMBERED) -> None:
    """Rows were inserted with explicit ids; PostgreSQL's sequences must continue after them."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in models:
        table = model.__tablename__  # ours, never user input
        sql = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"  # noqa: S608, E501
        session.execute(text(sql))


def timeline_shift(as_of: date) -> timedelta:
    """The whole weeks that bring END to `as_of` or the days just before it."""
    return timedelta(weeks=(as_of - END.date()).days // 7)


def table_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        counts = {table.name: connection.scalar(select(func.count()).select_from(table))
                  for table in Base.metadata.sorted_tables}
    return {name: n for name, n in counts.items() if n}


def _later(rng: random.Random, start: datetime, count: int, end: datetime) -> list[datetime]:
    """`count` sorted moments after `start` (by at least a minute) and before `end`."""
    span = max(60, int((end - start).total_seconds()))
    return sorted(start + timedelta(seconds=rng.randint(60, span)) for _ in range(count))


def _after(row: dict) -> dict:
    """A new record's audit values, as the services record them: its fields, not its bookkeeping."""
    return {name: value for name, value in row.items() if name not in BOOKKEEPING}


class Generator:
    """Builds the operation record by record in one transaction; the audit trail is chained at the end."""

    def __init__(self, session: Session, scale: Scale, rng: random.Random, progress: Progress, shift: timedelta,
                 key: MatchingKey | None = None, live_from: datetime | None = None, plan: Plan = ELABORATE):
        self.session, self.scale, self.rng, self.progress, self.key = session, scale, rng, progress, key
        self.live_from, self.plan = live_from, plan
        self.day_arrests: list[dict] = []  # the arrests of the action day, each with its package
        self.operation_id, action_day = session.execute(
            select(Operation.id, Operation.action_day).where(Operation.code == plan.code)).one()
        if action_day is None:
            raise CoordinationError(f"the demo operation {plan.code} has no action day")
        self.action_day: date = action_day
        self.epoch, self.end = EPOCH + shift, END + shift
        # ids go on after the operations loaded before this one (none: from 1)
        self.base: dict[type, int] = {model: session.scalar(select(func.max(model.id))) or 0 for model in NUMBERED}
        self.agencies = {code: i for i, code in session.execute(select(Agency.id, Agency.code))}
        self.countries = dict(session.execute(select(Agency.code, Agency.country)).all())
        self.jurisdictions = {code: (i, country) for i, code, country in
                              session.execute(select(Jurisdiction.id, Jurisdiction.code, Jurisdiction.country))}
        self.users = {subject: (i, issuer) for i, subject, issuer in
                      session.execute(select(User.id, User.subject, User.issuer))}
        self.liaison = plan.actors
        self.buffers: dict = {}
        self.events: list[tuple] = []  # (when, actor subject, action, entity, entity id, before, after)
        self.holders: list[Holder] = []  # the suspects and evidence items identifiers are put on

    # --- buffered inserts and the audit trail --------------------------------------------------

    def add(self, model, row: dict) -> None:
        """Buffer a row. It may still change (status, holder, version) until the next flush, so the
        generators flush only between records, never halfway through one."""
        self.buffers.setdefault(model, []).append(row)

    def flush_if_full(self) -> None:
        if max(map(len, self.buffers.values()), default=0) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Insert everything buffered, parents before children."""
        for each in (Suspect, Recipient, Arrest, EvidenceItem, CustodyEvent, Acquisition, AcquisitionCustodyEvent,
                     Task, TaskUpdate, Identifier, Hit, Exclusion, TargetPackage, PackageSubject, PackageStatusChange,
                     PackageConflict):
            rows = self.buffers.pop(each, [])
            if rows:
                self.session.execute(insert(each.__table__), rows)

    def event(self, when: datetime, subject: str, action: str, entity: str, entity_id: int | None,
              before: dict | None = None, after: dict | None = None) -> None:
        """Queue an event (`before` and `after` are new dicts, never changed afterwards)."""
        self.events.append((when, subject, action, entity, entity_id, before, after))

    def chain(self) -> None:
        """Append the queued events to the trail in time order, BATCH at a time, as the services do."""
        self.events.sort(key=itemgetter(0))  # stable: a record's events were queued in their own order
        actors = {user.subject: Principal.of(user) for user in self.session.scalars(select(User))}
        total = len(self.events)
        for start in range(0, total, BATCH):
            if start % 50_000 == 0:
                self.progress("audit trail", start, total)
            audit.record_many(self.session, [
                audit.NewEvent(actors.get(subject) or Principal.system(subject), action, entity, entity_id, before,
                               after, occurred_at=when)  # the system: e.g. deconfliction
                for when, subject, action, entity, entity_id, before, after in self.events[start:start + BATCH]])
        self.events = []
        self.progress("audit trail", total, total)

    def marked(self, entity: str, entity_id: int, agency: str, when: datetime, command_named: bool = False) -> dict:
        """The columns every record shares, and the named recipients when it is RED (`command_named`:
        the commander always, as a RED target package must name one)."""
        subject = self.liaison[agency]
        row = dict(id=entity_id, operation_id=self.operation_id, owning_agency_id=self.agencies[agency],
                   tlp=synthetic.weighted(self.rng, MARKINGS),
                   classification=synthetic.weighted(self.rng, CLASSIFICATIONS), version=1,
                   created_at=when, updated_at=when, updated_by_id=self.users[subject][0])
        if row["tlp"] is TLP.RED:  # the author always, and the commander for the lead agency's own records
            command = agency == self.plan.lead or command_named
            named = sorted(self.users[s][0] for s in {subject} | ({self.plan.commander} if command else set()))
            for user_id in named:
                self.add(Recipient, dict(entity=entity, entity_id=entity_id, user_id=user_id))
            row["recipients"] = named
        return row

    def create(self, model, row: dict, agency: str) -> None:
        """Queue the create event with the record as first entered, then buffer the row (which the
        caller may go on changing until the record is complete)."""
        self.event(row["created_at"], self.liaison[agency], "create", model.entity, row["id"], after=_after(row))
        row.pop("recipients", None)
        self.add(model, row)
        if model in (Suspect, EvidenceItem):
            self.holders.append(Holder(model.entity, row["id"], agency, row["tlp"], row["created_at"]))

    def change(self, row: dict, entity: str, subject: str, when: datetime, field: str, value) -> None:
        """An update event on a record, and the row brought to its new state and version."""
        self.event(when, subject, "update", entity, row["id"], before={field: row[field]}, after={field: value})
        row[field] = value
        row["version"] += 1
        row["updated_at"] = max(row["updated_at"], when)
        row["updated_by_id"] = self.users[subject][0]

    # --- the operation -------------------------------------------------------------------------

    def run(self) -> None:
        rng, scale = self.rng, self.scale
        arrested = sorted(rng.sample(range(scale.suspects), scale.arrests))
        arrests = {index: self.plan_arrest() for index in arrested}
        paths = [synthetic.weighted(rng, ARRESTED_PATHS if i in arrests else OTHER_PATHS)
                 for i in range(scale.suspects)]
        transfers = [synthetic.weighted(rng, {0: 30, 1: 40, 2: 20, 3: 10}) for _ in range(scale.evidence)]
        item_statuses = [synthetic.weighted(rng, EVIDENCE_STATUSES) for _ in range(scale.evidence)]
        task_statuses = [synthetic.weighted(rng, TASK_STATUSES) for _ in range(scale.tasks)]
        task_notes = [rng.randint(0, 2) for _ in range(scale.tasks)]
        # one event per creation, status change, custody transfer and task update; notes make up the rest
        planned = (audit.head(self.session)[0] + scale.suspects + sum(map(len, paths)) + scale.arrests
                   + scale.evidence + sum(transfers) + sum(s is not EvidenceStatus.SEIZED for s in item_statuses)
                   + scale.tasks + sum(task_notes) + sum(len(TASK_PATHS[s]) for s in task_statuses))
        self.suspects(paths, arrests, max(0, scale.audit_events - planned))
        made = self.arrests(arrests)
        self.evidence(made, transfers, item_statuses)
        self.tasks(task_statuses, task_notes)
        if self.key is not None:
            self.identifiers()
            self.session.get(Operation, self.operation_id).deconfliction_key_fingerprint = self.key.fingerprint
        first = self.base[Suspect]
        self.action_day_packages({first + i + 1 for i in arrested})
        self.flush()
        self.decisions()

    def finish(self) -> None:
        """The audit trail and the sequences, once every operation's records are written."""
        self.chain()
        continue_sequences(self.session)

    def identifiers(self) -> Identifiers:
        made = Identifiers(self)
        made.run()
        return made

    def more_identifiers(self, identifiers: Identifiers) -> None:
        """What an operation holds besides its own values (nothing here; see second_operation)."""

    def free_suspects(self, arrested: set[int]) -> list[int]:
        """The operation's suspects not arrested (ids), whom the packages without an arrest were for."""
        first = self.base[Suspect]
        return [i for i in range(first + 1, first + self.scale.suspects + 1) if i not in arrested]

    def action_day_packages(self, arrested: set[int]) -> ActionDay:
        free = self.free_suspects(arrested)
        day = ActionDay(self)
        day.past(self.day_arrests, free)
        if self.live_from is not None:
            day.second_wave(self.live_from, free)
        return day

    def lead_agency(self, country: str) -> str:
        """Who arrests and searches in a country: its own partner police, elsewhere Europol coordinates."""
        return ARRESTING_AGENCY.get(country, "EUROPOL")

    def plan_arrest(self) -> tuple[str, datetime]:
        """Where and when a suspect is arrested: most in England and Wales, many on the action day."""
        code = synthetic.weighted(self.rng, self.plan.arrest_jurisdictions)
        action_day = datetime.combine(self.action_day, time(5), UTC)
        if self.rng.random() < 0.6:
            return code, action_day + timedelta(minutes=self.rng.randint(0, 13 * 60))
        return code, action_day + timedelta(days=self.rng.randint(-90, 60), minutes=self.rng.randint(0, 1439))

    def suspects(self, paths: list[tuple], arrests: dict[int, tuple[str, datetime]], top_up: int) -> None:
        rng, n, first = self.rng, self.scale.suspects, self.base[Suspect]
        for i in range(n):
            agency = synthetic.weighted(rng, self.plan.suspect_agencies)
            subject = self.liaison[agency]
            arrested_at = arrests[i][1] if i in arrests else None
            created = self.epoch + timedelta(hours=1, minutes=rng.randint(0, 200_000))
            if arrested_at:  # entered as a lead well before the arrest
                created = min(created, arrested_at - timedelta(days=rng.randint(20, 60)))
            row = self.marked("suspect", first + i + 1, agency, created) | dict(
                reference=f"SUS-{i + 1:06d}", full_name=synthetic.person_name(rng),
                aliases=", ".join(synthetic.handle(rng) for _ in range(rng.randint(0, 3))),
                date_of_birth=self.epoch.date() - timedelta(days=rng.randint(18 * 365, 60 * 365)),
                nationality=rng.choice(["GB", "GB", "GB", "NL", "US", "IE", "ES", "DE", "FR", "UA"]),
                address=synthetic.address(rng, "GB") if rng.random() < 0.6 else None,
                tier=synthetic.weighted(rng, ARRESTED_TIERS if arrested_at else OTHER_TIERS), status=S.LEAD, notes="")
            self.create(Suspect, row, agency)
            for status, when in zip(paths[i], self._status_times(paths[i], created, arrested_at), strict=True):
                self.change(row, "suspect", subject, when, "status", status)
            notes = top_up // n + (1 if i < top_up % n else 0)
            for k, when in enumerate(_later(rng, created, notes, self.end), start=1):
                self.change(row, "suspect", subject, when, "notes", f"{rng.choice(SUSPECT_NOTES)} (review {k})")
            self.flush_if_full()
            if i % 5000 == 0:
                self.progress("suspects", i, n)
        self.flush()
        self.progress("suspects", n, n)

    def _status_times(self, path: tuple, created: datetime, arrested_at: datetime | None) -> list[datetime]:
        """Before the arrest, the suspect is identified and located; afterwards charged, then convicted."""
        if arrested_at is None:
            return _later(self.rng, created, len(path), self.end - timedelta(days=30))
        before = path.index(S.ARRESTED)
        recorded = arrested_at + timedelta(minutes=self.rng.randint(60, 720))
        return (_later(self.rng, created, before, arrested_at) + [recorded]
                + _later(self.rng, recorded, len(path) - before - 1, self.end))

    def arrests(self, planned: dict[int, tuple[str, datetime]]) -> list[tuple[int, str, datetime]]:
        """Returns (suspect id, arresting agency, time) of each arrest, for the evidence."""
        rng, made, suspects, first = self.rng, [], self.base[Suspect], self.base[Arrest]
        for n, (suspect_index, (code, when)) in enumerate(sorted(planned.items()), start=1):
            jurisdiction_id, country = self.jurisdictions[code]
            agency = self.lead_agency(country)
            if agency == "MET" and rng.random() < 0.2:
                agency = "NCA"
            recorded = when + timedelta(minutes=rng.randint(30, 600))
            row = self.marked("arrest", first + n, agency, recorded) | dict(
                reference=f"ARR-{n:05d}", suspect_id=suspects + suspect_index + 1, jurisdiction_id=jurisdiction_id,
                arrested_at=when, place=synthetic.address(rng, country), offences=rng.choice(self.plan.offences),
                outcome=synthetic.weighted(rng, ARREST_OUTCOMES), on_action_day=when.date() == self.action_day)
            self.create(Arrest, row, agency)
            if row["on_action_day"]:
                self.day_arrests.append(row)
            made.append((suspects + suspect_index + 1, agency, when))
            self.flush_if_full()
        self.flush()
        self.progress("arrests", len(made), len(made))
        return made

    def evidence(self, arrests: list[tuple[int, str, datetime]], transfers: list[int],
                 statuses: list[EvidenceStatus]) -> None:
        rng, n, custody_id = self.rng, self.scale.evidence, self.base[CustodyEvent]
        first, suspects = self.base[EvidenceItem], self.base[Suspect]
        acquired_one = False
        for i in range(n):
            if arrests and rng.random() < 0.85:  # seized in the search that went with an arrest
                suspect_id, agency, arrested_at = rng.choice(arrests)
                seized_at = arrested_at + timedelta(minutes=rng.randint(0, 240))
            else:
                suspect_id, agency = None, synthetic.weighted(rng, self.plan.suspect_agencies)
                seized_at = self.epoch + timedelta(days=rng.randint(30, 200), minutes=rng.randint(0, 1439))
            kind = synthetic.weighted(rng, EVIDENCE_TYPES)
            digest = hashlib.sha256(f"exhibit-{i}-{rng.random()}".encode()).hexdigest() if kind.digital else None
            acquired = not acquired_one and kind is EvidenceType.PHONE and transfers[i] > 0
            if acquired:  # one phone as ISO/IEC 27037 has it: sealed without a hash, its data acquired later
                digest, acquired_one = None, True
            row = self.marked("evidence item", first + i + 1, agency,
                              seized_at + timedelta(minutes=rng.randint(30, 2880))) \
                | dict(reference=f"EXH-{i + 1:06d}", item_type=kind,
                       description=f"{kind.value.capitalize()} seized under warrant", sha256=digest,
                       suspect_id=suspect_id,
                       seized_from=f"SUS-{suspect_id - suspects:06d}" if suspect_id else "premises search",
                       seized_at=seized_at, seized_place=synthetic.address(rng, "GB"), status=EvidenceStatus.SEIZED,
                       holder_agency_id=self.agencies[agency], holder_name=synthetic.officer(rng))
            self.create(EvidenceItem, row, agency)
            custody_id += 1  # the seizure, recorded with the item
            self.add(CustodyEvent, dict(
                id=custody_id, evidence_item_id=row["id"], sequence=1, from_agency_id=None,
                from_holder=row["seized_from"],
                to_agency_id=row["holder_agency_id"], to_holder=row["holder_name"], occurred_at=seized_at,
                place=row["seized_place"], purpose="seizure", seal_number=f"SEAL-{custody_id:07d}",
                condition="as seized", hash_checked=digest, hash_matches=True if digest else None,
                recorded_by_id=row["updated_by_id"], recorded_at=row["created_at"]))
            holder, when = agency, row["created_at"]
            if acquired:  # before it is handed on (2 h at the earliest)
                self.acquisition(row, agency, when + timedelta(hours=1))
            for sequence in range(2, transfers[i] + 2):
                custody_id += 1
                when += timedelta(hours=rng.randint(2, 240))
                holder = self.transfer(row, custody_id, sequence, holder, when)
            if statuses[i] is not EvidenceStatus.SEIZED:  # analysis moves on after the last hand-over
                self.change(row, "evidence item", self.liaison[agency], _later(rng, when, 1, self.end)[0], "status",
                            statuses[i])
            self.flush_if_full()
            if i % 5000 == 0:
                self.progress("evidence", i, n)
        self.flush()
        self.progress("evidence", n, n)

    def acquisition(self, item: dict, agency: str, at: datetime) -> None:
        """A phone's data extracted at its agency's lab, as services.acquisitions.record_acquisition does:
        the acquisition, its custody from the lab, an event on the exhibit and its next version."""
        subject, lab = self.liaison[agency], LABS[agency]
        user_id = self.users[subject][0]
        acquisition = dict(
            id=self.base[Acquisition] + 1, evidence_item_id=item["id"], sequence=1,
            reference=f"ACQ-{item['reference']}-1",
            method=AcquisitionMethod.FULL_FILE_SYSTEM, tool="Cellebrite UFED", tool_version="7.69",
            examiner=f"{lab} examiner", acquired_at=at, place=lab, notes=None,
            sha256=hashlib.sha256(f"image of {item['reference']}".encode()).hexdigest(),
            holder_agency_id=item["holder_agency_id"], holder_name=lab, version=1, recorded_by_id=user_id,
            recorded_at=at)
        self.add(Acquisition, acquisition)
        self.add(AcquisitionCustodyEvent, dict(
            id=self.base[AcquisitionCustodyEvent] + 1, acquisition_id=acquisition["id"], sequence=1,
            from_agency_id=None, from_holder=None,
            to_agency_id=item["holder_agency_id"], to_holder=lab, occurred_at=at, place=lab,
            purpose=f"{AcquisitionMethod.FULL_FILE_SYSTEM.value} made", seal_number=None, condition="as acquired",
            hash_checked=acquisition["sha256"], hash_matches=True, recorded_by_id=user_id, recorded_at=at))
        self.event(at, subject, "record acquisition", "evidence item", item["id"],
                   after={name: acquisition[name] for name in ACQUISITION_COLUMNS})
        item.update(version=item["version"] + 1, updated_at=at, updated_by_id=user_id)

    def transfer(self, item: dict, custody_id: int, sequence: int, holder: str, when: datetime) -> str:
        """Hand the item from its holder to a lab or officer, as services.transfer_custody does."""
        rng = self.rng
        to = synthetic.weighted(rng, self.plan.custody_to | {holder: 40})
        to_holder = LABS[to] if rng.random() < 0.7 else synthetic.officer(rng)
        if (self.agencies[to], to_holder) == (item["holder_agency_id"], item["holder_name"]):
            to_holder = f"{to_holder}, second officer"  # a transfer always changes hands
        subject = self.liaison[holder]
        custody = dict(id=custody_id, evidence_item_id=item["id"], sequence=sequence,
                       from_agency_id=item["holder_agency_id"], from_holder=item["holder_name"],
                       to_agency_id=self.agencies[to], to_holder=to_holder, occurred_at=when, place=LABS[to],
                       purpose=rng.choice(["forensic analysis", "storage", "disclosure review"]),
                       seal_number=f"SEAL-{custody_id:07d}", condition="sealed, intact", hash_checked=item["sha256"],
                       hash_matches=True if item["sha256"] else None, recorded_by_id=self.users[subject][0],
                       recorded_at=when + timedelta(minutes=rng.randint(5, 120)))
        self.add(CustodyEvent, custody)
        self.event(custody["recorded_at"], subject, "transfer custody", "evidence item", item["id"],
                   after={name: custody[name] for name in CUSTODY_COLUMNS})
        item.update(holder_agency_id=custody["to_agency_id"], holder_name=to_holder, version=item["version"] + 1,
                    updated_at=custody["recorded_at"], updated_by_id=custody["recorded_by_id"])
        return to

    def tasks(self, statuses: list[TaskStatus], notes: list[int]) -> None:
        rng, n, update_id, first = self.rng, self.scale.tasks, self.base[TaskUpdate], self.base[Task]
        for i in range(n):
            agency = synthetic.weighted(rng, self.plan.task_agencies)
            subject = self.liaison[agency]
            created = self.epoch + timedelta(days=rng.randint(0, 150), minutes=rng.randint(0, 1439))
            blocked = statuses[i] is T.BLOCKED
            row = self.marked("task", first + i + 1, agency, created) | dict(
                reference=f"TSK-{i + 1:05d}", title=rng.choice(self.plan.task_titles[agency]),
                description="Synthetic demo task.",
                assignee_id=self.users[subject][0] if rng.random() < 0.7 else None, status=T.OPEN,
                priority=synthetic.weighted(rng, TASK_PRIORITIES),
                due_date=self.end.date() + timedelta(days=rng.randint(-60, 150)),  # about a third past due at END
                depends_on_id=first + rng.randint(1, i) if i and rng.random() < (0.6 if blocked else 0.08) else None)
            self.create(Task, row, agency)
            steps: list[TaskStatus | None] = list(TASK_PATHS[statuses[i]])
            for _ in range(notes[i]):  # plain notes (None) between the status changes, whose order holds
                steps.insert(rng.randint(0, len(steps)), None)
            for step, when in zip(steps, _later(rng, created, len(steps), self.end), strict=True):
                update_id += 1
                body = f"{rng.choice(TASK_NOTES)}" if step is None else f"Status changed to {step.value}"
                update = dict(id=update_id, task_id=row["id"], author_id=self.users[subject][0], created_at=when,
                              body=body, status_from=None if step is None else row["status"], status_to=step)
                after = {"task_id": row["id"], "body": body}
                if step is not None:
                    after |= {"status_from": row["status"], "status_to": step}
                    row.update(status=step, version=row["version"] + 1, updated_at=when)
                self.add(TaskUpdate, update)
                self.event(when, subject, "create", "task update", update_id, after=after)
            self.flush_if_full()
        self.flush()
        self.progress("tasks", n, n)

    def decisions(self) -> None:
        """The command's decision log around the action day (no random draws: the rest of the data set
        stays as the seed makes it): decisions, one corrected, the key ones pinned into the briefing."""
        commander, first, pinned_before = self.plan.commander, self.base[Decision], self.base[DecisionPin]
        user_id = self.users[commander][0]
        day = datetime.combine(self.action_day, time(5), UTC)
        rows, pins = [], []
        for n, (days, decision, rationale, tlp, corrects, pinned) in enumerate(self.plan.decisions, start=1):
            when = day + timedelta(days=days)
            row = dict(id=first + n, operation_id=self.operation_id, owning_agency_id=self.agencies[self.plan.lead],
                       tlp=tlp, classification=Classification.OFFICIAL_SENSITIVE, version=1, created_at=when,
                       updated_at=when, updated_by_id=user_id, reference=f"DEC-{n:03d}", decision=decision,
                       rationale=rationale, options="", decided_by=self.plan.decided_by, decided_at=when,
                       corrects_id=first + corrects if corrects else None)
            rows.append(row)
            self.event(when, commander, "create", "decision", row["id"], after=_after(row))
            if pinned:
                pins.append(dict(id=pinned_before + len(pins) + 1, decision_id=row["id"], pinned=True, by_id=user_id,
                                 at=when))
                self.event(when, commander, "pin", "decision", row["id"], after={"pinned": True})
        self.session.execute(insert(Decision.__table__), rows)
        self.session.execute(insert(DecisionPin.__table__), pins)



class Holder(NamedTuple):
    """A record identifiers can be put on."""

    entity: str
    id: int
    agency: str
    tlp: TLP
    created_at: datetime


class Identifiers:
    """The operation's identifiers, as liaisons imported them from the seized server and their own cases.

    Most are held once. `shared` are held by a second agency too, typed its own way (national format,
    capitals), so only their normal forms match: a few on RED records. One bank number sits on many
    records of every agency behind an exclusion (no hits), and one e-mail address on two MET
    suspects (a possible duplicate). Values held once are written in their normal form (E.164,
    lower-case e-mail), as the seized server's database holds them; the ones typed otherwise go
    through `normalise`. Hits are made for exactly the shared ones and the duplicate, as matching would."""

    def __init__(self, generator: Generator):
        self.g = generator
        self.next_id = generator.base[Identifier]
        self.found: list[tuple[datetime, dict, dict]] = []  # hits: when found, the two identifiers
        self.added: dict[str, tuple[int, datetime]] = {}  # agency -> identifiers added, the last when

    def run(self) -> None:
        g, rng, scale = self.g, self.g.rng, self.g.scale
        # numbers an operation loaded before holds are left to it: what two operations share is chosen
        held = set(g.session.scalars(select(Identifier.normalised).where(Identifier.kind == IdentifierKind.PHONE)))
        phones = [n for n in synthetic.fictional_phone_numbers() if n != BANK_NUMBER and n not in held]
        rng.shuffle(phones)
        once = max(0, scale.identifiers - scale.shared - g.plan.bank_holders - 2)
        to_share = set(rng.sample(range(once), min(scale.shared, once)))
        originals = []
        for n in range(once):
            holder = rng.choice(g.holders)
            if phones and rng.random() < PHONE_SHARE:
                kind, value = IdentifierKind.PHONE, phones.pop()
            else:
                kind, value = IdentifierKind.EMAIL, synthetic.email(rng, g.base[Identifier] + n)
            row = self.put(holder, kind, value, value)
            if n in to_share:
                originals.append((row, holder))
            g.flush_if_full()
            if n % 50_000 == 0:
                g.progress("identifiers", n, once)
        self.share(originals)
        self.duplicate()
        if g.plan.bank_holders:
            self.excluded_bank_number()
        g.more_identifiers(self)
        g.flush()  # the identifiers before their hits
        self.number_hits()
        for agency, (count, last) in sorted(self.added.items()):
            g.event(last, g.liaison[agency], "import", Identifier.entity, None, after={"rows": count})
        g.flush()
        g.progress("identifiers", once, once)

    def put(self, holder: Holder, kind: IdentifierKind, typed: str, normal: str) -> dict:
        g = self.g
        self.next_id += 1
        added = min(holder.created_at + timedelta(minutes=g.rng.randint(5, 20_000)), g.end)
        row = dict(id=self.next_id, operation_id=g.operation_id, kind=kind, value=typed, normalised=normal,
                   keyed=g.key.keyed(kind, normal), phonetic_keyed=None, record_entity=holder.entity,
                   qualifier=None, record_id=holder.id, owning_agency_id=g.agencies[holder.agency], tlp=holder.tlp,
                   added_by_id=g.users[g.liaison[holder.agency]][0], added_at=added, removed_at=None)
        g.add(Identifier, row)
        count, last = self.added.get(holder.agency, (0, added))
        self.added[holder.agency] = (count + 1, max(last, added))
        return row

    def typed_by(self, agency: str, kind: IdentifierKind, normal: str) -> tuple[str, str]:
        """How `agency` types the value, and its normal form as matching computes it."""
        region = self.g.countries[agency]
        if kind is IdentifierKind.PHONE:
            number = phonenumbers.parse(normal)
            style = phonenumbers.PhoneNumberFormat
            home = phonenumbers.region_code_for_number(number) == region
            typed = phonenumbers.format_number(number, style.NATIONAL if home else style.INTERNATIONAL)
        else:
            typed = synthetic.typed_differently(self.g.rng, normal)
        return typed, normalise(kind, typed, region=region).value

    def share(self, originals: list[tuple[dict, Holder]]) -> None:
        g, rng = self.g, self.g.rng
        for n, (first, holder) in enumerate(originals):
            others = [h for h in (rng.choice(g.holders) for _ in range(50)) if h.agency != holder.agency]
            red = [h for h in others if h.tlp is TLP.RED]
            second_holder = red[0] if n < SHARED_ON_RED and red else others[0]
            typed, normal = self.typed_by(second_holder.agency, first["kind"], first["normalised"])
            self.hit(first, self.put(second_holder, first["kind"], typed, normal))

    def duplicate(self) -> None:
        """One address on two MET suspects: MET's liaison entered the same person twice."""
        g = self.g
        met = [h for h in g.holders if h.agency == "MET" and h.entity == Suspect.entity and h.tlp is not TLP.RED][:2]
        address = synthetic.email(g.rng, self.next_id + 1)
        first = self.put(met[0], IdentifierKind.EMAIL, address, address)
        typed, normal = self.typed_by("MET", IdentifierKind.EMAIL, address)
        self.hit(first, self.put(met[1], IdentifierKind.EMAIL, typed, normal))

    def hit(self, first: dict, second: dict) -> None:
        """The hit matching makes when the second of the two is added (numbered in time order later)."""
        self.found.append((max(first["added_at"], second["added_at"]), first, second))

    def number_hits(self) -> None:
        """Hits in the order they were found, as the services number them, each with its event: the
        kind and the agencies, never the value."""
        g = self.g
        codes = {i: code for code, i in g.agencies.items()}
        for number, (found, first, second) in enumerate(sorted(self.found, key=itemgetter(0)), start=g.base[Hit] + 1):
            g.add(Hit, dict(id=number, operation_id=g.operation_id, match=HitMatch.EXACT, first_id=first["id"],
                            second_id=second["id"], **hit_copies(first, second), found_at=found, closed_at=None,
                            closed_reason=None))
            agencies = sorted({codes[first["owning_agency_id"]], codes[second["owning_agency_id"]]})
            g.event(found, g.liaison[codes[second["owning_agency_id"]]], "hit found", Hit.entity, number,
                    after={"kind": first["kind"], "match": HitMatch.EXACT, "agencies": agencies})

    def excluded_bank_number(self) -> None:
        """Command excluded the bank's number early on; liaisons went on finding it everywhere."""
        g = self.g
        when = g.epoch + timedelta(days=10)
        commander = g.plan.commander
        g.add(Exclusion, dict(id=g.base[Exclusion] + 1, operation_id=g.operation_id, kind=IdentifierKind.PHONE,
                              normalised=BANK_NUMBER,
                              keyed=g.key.keyed(IdentifierKind.PHONE, BANK_NUMBER), reason=BANK_REASON,
                              added_by_id=g.users[commander][0], added_at=when))
        g.event(when, commander, "add exclusion", Exclusion.entity, g.base[Exclusion] + 1,
                after={"kind": IdentifierKind.PHONE, "value": BANK_NUMBER, "reason": BANK_REASON})
        for holder in g.rng.sample(g.holders, g.plan.bank_holders):
            typed, normal = self.typed_by(holder.agency, IdentifierKind.PHONE, BANK_NUMBER)
            self.put(holder, IdentifierKind.PHONE, typed, normal)
