"""The operation's data: SQLAlchemy 2 typed declarative models.

Every editable operational row carries an owning agency, a marking (TLP label and UK
classification) and a version number used for optimistic locking. Custody events, task
updates and audit events are append-only.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import ClassVar

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, ORMExecuteState, Session, declared_attr, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from coordination import tallies
from coordination.append_only import create_statements
from coordination.markings import TLP, Classification

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stored as UTC; always comes back timezone-aware (SQLite forgets the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: times must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def str_enum(cls: type[enum.Enum]) -> Enum:
    """Store an enum by its value (e.g. 'AMBER+STRICT') in a VARCHAR. SQLAlchemy refuses unknown
    values on bind; no generated CHECK, whose names collide when one table uses an enum twice."""
    return Enum(cls, native_enum=False, create_constraint=False, length=32,
                values_callable=lambda e: [m.value for m in e], validate_strings=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Role(enum.StrEnum):
    ADMIN = "admin"
    COMMANDER = "commander"
    LIAISON = "liaison"
    ANALYST = "analyst"
    OBSERVER = "observer"


class SuspectTier(enum.StrEnum):
    ADMINISTRATOR = "administrator"
    DEVELOPER = "developer"
    HEAVY_USER = "heavy user"
    MONEY_HANDLER = "money handler"
    USER = "user"


class SuspectStatus(enum.StrEnum):
    LEAD = "lead"
    IDENTIFIED = "identified"
    LOCATED = "located"
    ARRESTED = "arrested"
    CHARGED = "charged"
    CONVICTED = "convicted"
    NO_FURTHER_ACTION = "no further action"


class ArrestOutcome(enum.StrEnum):
    IN_CUSTODY = "in custody"
    BAILED = "bailed"
    RELEASED_UNDER_INVESTIGATION = "released under investigation"
    CHARGED = "charged"
    REMANDED = "remanded"
    RELEASED_NFA = "released, no further action"


class EvidenceType(enum.StrEnum):
    SERVER_IMAGE = "server image"
    PHONE = "phone"
    LAPTOP = "laptop"
    STORAGE_MEDIA = "storage media"
    CRYPTO_WALLET = "crypto wallet"
    EXCHANGE_RECORDS = "exchange records"
    BANK_RECORDS = "bank records"
    CALL_DETAIL_RECORDS = "call detail records"
    DOCUMENT = "document"
    CASH = "cash"

    @property
    def digital(self) -> bool:
        return self not in (EvidenceType.DOCUMENT, EvidenceType.CASH)


class EvidenceStatus(enum.StrEnum):
    SEIZED = "seized"
    AWAITING_ANALYSIS = "awaiting analysis"
    IN_ANALYSIS = "in analysis"
    ANALYSED = "analysed"
    DISCLOSED = "disclosed"
    RETURNED = "returned"
    DESTROYED = "destroyed"


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in progress"
    BLOCKED = "blocked"
    DONE = "done"
    CANCELLED = "cancelled"


class TaskPriority(enum.StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class OperationStatus(enum.StrEnum):
    PLANNING = "planning"
    ACTIVE = "active"
    ACTION_DAY = "action day"
    CLOSING = "closing"
    CLOSED = "closed"


class Outcome(enum.StrEnum):
    OK = "ok"
    REFUSED = "refused"


class Agency(Base):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))


class Jurisdiction(Base):
    __tablename__ = "jurisdiction"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)


class Operation(Base):
    __tablename__ = "operation"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_name: Mapped[str] = mapped_column(String(100), unique=True)
    lead_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    action_day: Mapped[date | None] = mapped_column(Date)
    status: Mapped[OperationStatus] = mapped_column(str_enum(OperationStatus))
    default_tlp: Mapped[TLP] = mapped_column(str_enum(TLP), default=TLP.AMBER)
    default_classification: Mapped[Classification] = mapped_column(
        str_enum(Classification), default=Classification.OFFICIAL_SENSITIVE)
    version: Mapped[int] = mapped_column(Integer, default=1)

    lead_agency: Mapped[Agency] = relationship()

    __mapper_args__ = {"version_id_col": version}


class User(Base):
    """A provisioned person. The identity is (issuer, subject), never the email."""

    __tablename__ = "user_account"
    __table_args__ = (UniqueConstraint("issuer", "subject", name="uq_user_account_identity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(300))
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    agency: Mapped[Agency] = relationship()

    __mapper_args__ = {"version_id_col": version}


class UserSession(Base):
    """A signed-in browser session, known to every app replica: the idle timeout and absolute
    lifetime are enforced here, because Streamlit's identity cookie lasts 30 days unchecked."""

    __tablename__ = "user_session"
    __table_args__ = (UniqueConstraint("issuer", "subject", "signed_in_at", name="uq_user_session_identity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    issuer: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(300))
    signed_in_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the ID token's iat
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(64))


class MarkedRecord:
    """Columns every operational record shares: scope, marking, version, last change."""

    id: Mapped[int] = mapped_column(primary_key=True)
    tlp: Mapped[TLP] = mapped_column(str_enum(TLP))
    classification: Mapped[Classification] = mapped_column(str_enum(Classification))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @declared_attr
    def operation_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("operation.id"))

    @declared_attr
    def owning_agency_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("agency.id"))

    @declared_attr
    def updated_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("user_account.id"))

    @declared_attr
    def owning_agency(cls) -> Mapped[Agency]:
        return relationship(foreign_keys=[cls.owning_agency_id])

    @declared_attr
    def updated_by(cls) -> Mapped[User | None]:
        return relationship(foreign_keys=[cls.updated_by_id])

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.version}

    # the entity name used in audit events, recipients and the UI
    entity: ClassVar[str] = ""


def scoped_indexes(table: str) -> tuple[Index, ...]:
    """Indexes that serve the scoping predicate (agency + marking) on every listing."""
    return (Index(f"ix_{table}_scope", "operation_id", "owning_agency_id", "tlp"),
            Index(f"ix_{table}_tlp", "operation_id", "tlp"))


# External references lead their unique indexes: imports, links and forms look records up by
# reference alone, and an index that starts with operation_id would not serve that.


class Suspect(MarkedRecord, Base):
    __tablename__ = "suspect"
    entity = "suspect"

    reference: Mapped[str] = mapped_column(String(64))
    full_name: Mapped[str] = mapped_column(String(200))
    aliases: Mapped[str] = mapped_column(String(500), default="")  # handles, comma-separated
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    nationality: Mapped[str | None] = mapped_column(String(2))
    address: Mapped[str | None] = mapped_column(String(300))
    tier: Mapped[SuspectTier] = mapped_column(str_enum(SuspectTier))
    status: Mapped[SuspectStatus] = mapped_column(str_enum(SuspectStatus))
    notes: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        UniqueConstraint("reference", "operation_id", name="uq_suspect_reference"),
        *scoped_indexes("suspect"),
        Index("ix_suspect_status", "operation_id", "status", "tier"),
        # covers the dashboard's pipeline count under the scoping clause: an index-only scan
        Index("ix_suspect_pipeline", "tlp", "owning_agency_id", "tier", "status"),
    )


class Arrest(MarkedRecord, Base):
    """An arrest; the owning agency is the arresting agency."""

    __tablename__ = "arrest"
    entity = "arrest"

    reference: Mapped[str] = mapped_column(String(64))
    suspect_id: Mapped[int] = mapped_column(ForeignKey("suspect.id"), index=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdiction.id"))
    arrested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(300))
    offences: Mapped[str] = mapped_column(String(500))
    outcome: Mapped[ArrestOutcome] = mapped_column(str_enum(ArrestOutcome))
    on_action_day: Mapped[bool] = mapped_column(Boolean, default=False)

    suspect: Mapped[Suspect] = relationship()
    jurisdiction: Mapped[Jurisdiction] = relationship()

    __table_args__ = (
        UniqueConstraint("reference", "operation_id", name="uq_arrest_reference"),
        *scoped_indexes("arrest"),
        Index("ix_arrest_jurisdiction", "operation_id", "jurisdiction_id"),
        Index("ix_arrest_time", "operation_id", "arrested_at"),
    )


class EvidenceItem(MarkedRecord, Base):
    """An exhibit. The current holder is derived from custody and kept here for listing."""

    __tablename__ = "evidence_item"
    entity = "evidence item"

    exhibit_ref: Mapped[str] = mapped_column(String(64))
    item_type: Mapped[EvidenceType] = mapped_column(str_enum(EvidenceType))
    description: Mapped[str] = mapped_column(String(1000))
    sha256: Mapped[str | None] = mapped_column(String(64))
    suspect_id: Mapped[int | None] = mapped_column(ForeignKey("suspect.id"), index=True)
    seized_from: Mapped[str] = mapped_column(String(300))
    seized_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seized_place: Mapped[str] = mapped_column(String(300))
    status: Mapped[EvidenceStatus] = mapped_column(str_enum(EvidenceStatus))
    holder_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    holder_name: Mapped[str] = mapped_column(String(200))

    holder_agency: Mapped[Agency] = relationship(foreign_keys=[holder_agency_id])
    custody_events: Mapped[list[CustodyEvent]] = relationship(
        back_populates="evidence_item", order_by="CustodyEvent.sequence")

    __table_args__ = (
        UniqueConstraint("exhibit_ref", "operation_id", name="uq_evidence_item_exhibit_ref"),
        *scoped_indexes("evidence_item"),
        Index("ix_evidence_item_status", "operation_id", "status", "item_type"),
        Index("ix_evidence_item_holder", "operation_id", "holder_agency_id"),
    )


class CustodyEvent(Base):
    """Append-only. Sequence 1 is the seizure; each later event starts from the previous holder."""

    __tablename__ = "custody_event"
    entity: ClassVar[str] = "custody event"

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_item_id: Mapped[int] = mapped_column(ForeignKey("evidence_item.id"))
    sequence: Mapped[int] = mapped_column(Integer)
    from_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    from_holder: Mapped[str | None] = mapped_column(String(200))
    to_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    to_holder: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(300))
    purpose: Mapped[str] = mapped_column(String(300))
    seal_number: Mapped[str | None] = mapped_column(String(64))
    condition: Mapped[str] = mapped_column(String(300))
    hash_checked: Mapped[str | None] = mapped_column(String(64))  # SHA-256 re-computed at transfer
    hash_matches: Mapped[bool | None] = mapped_column(Boolean)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    evidence_item: Mapped[EvidenceItem] = relationship(back_populates="custody_events")
    from_agency: Mapped[Agency | None] = relationship(foreign_keys=[from_agency_id])
    to_agency: Mapped[Agency] = relationship(foreign_keys=[to_agency_id])

    # the unique sequence makes two concurrent transfers from one holder impossible
    __table_args__ = (UniqueConstraint("evidence_item_id", "sequence", name="uq_custody_event_sequence"),)


class Task(MarkedRecord, Base):
    __tablename__ = "task"
    entity = "task"

    reference: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[TaskStatus] = mapped_column(str_enum(TaskStatus))
    priority: Mapped[TaskPriority] = mapped_column(str_enum(TaskPriority))
    due_date: Mapped[date | None] = mapped_column(Date)
    depends_on_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"))

    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    depends_on: Mapped[Task | None] = relationship(remote_side="Task.id")
    updates: Mapped[list[TaskUpdate]] = relationship(back_populates="task", order_by="TaskUpdate.id")

    __table_args__ = (
        UniqueConstraint("reference", "operation_id", name="uq_task_reference"),
        *scoped_indexes("task"),
        Index("ix_task_status", "operation_id", "status", "due_date"),
    )


class TaskUpdate(Base):
    """Append-only note on a task, optionally recording a status change."""

    __tablename__ = "task_update"
    entity: ClassVar[str] = "task update"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    body: Mapped[str] = mapped_column(Text)
    status_from: Mapped[TaskStatus | None] = mapped_column(str_enum(TaskStatus))
    status_to: Mapped[TaskStatus | None] = mapped_column(str_enum(TaskStatus))

    task: Mapped[Task] = relationship(back_populates="updates")
    author: Mapped[User] = relationship()


class Recipient(Base):
    """Named recipients of a RED record: only they (and nobody by role alone) may read it."""

    __tablename__ = "recipient"

    entity: Mapped[str] = mapped_column(String(32), primary_key=True)
    entity_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)


class TallyColumns:
    """A count of records per scope, marking and the figures the dashboard groups by. Kept by
    database triggers (see `tallies.py`) in the writing transaction, never written by the app."""

    operation_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owning_agency_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tlp: Mapped[TLP] = mapped_column(str_enum(TLP), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class RedTallyColumns(TallyColumns):
    """The same count for RED records, once per named recipient: what `user_id` may count."""

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class ArrestKeys:
    jurisdiction_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)  # UTC


class SuspectKeys:
    tier: Mapped[SuspectTier] = mapped_column(str_enum(SuspectTier), primary_key=True)
    status: Mapped[SuspectStatus] = mapped_column(str_enum(SuspectStatus), primary_key=True)


class EvidenceKeys:
    item_type: Mapped[EvidenceType] = mapped_column(str_enum(EvidenceType), primary_key=True)
    status: Mapped[EvidenceStatus] = mapped_column(str_enum(EvidenceStatus), primary_key=True)
    holder_agency_id: Mapped[int] = mapped_column(Integer, primary_key=True)


NO_DUE_DATE = date(9999, 12, 31)  # a key column cannot be NULL: tasks without a due date count here


class TaskKeys:
    status: Mapped[TaskStatus] = mapped_column(str_enum(TaskStatus), primary_key=True)
    due_by: Mapped[date] = mapped_column(Date, primary_key=True)


class ArrestTally(ArrestKeys, TallyColumns, Base):
    __tablename__ = "arrest_tally"


class ArrestRedTally(ArrestKeys, RedTallyColumns, Base):
    __tablename__ = "arrest_red_tally"


class SuspectTally(SuspectKeys, TallyColumns, Base):
    __tablename__ = "suspect_tally"


class SuspectRedTally(SuspectKeys, RedTallyColumns, Base):
    __tablename__ = "suspect_red_tally"


class EvidenceTally(EvidenceKeys, TallyColumns, Base):
    __tablename__ = "evidence_tally"


class EvidenceRedTally(EvidenceKeys, RedTallyColumns, Base):
    __tablename__ = "evidence_red_tally"


class TaskTally(TaskKeys, TallyColumns, Base):
    __tablename__ = "task_tally"


class TaskRedTally(TaskKeys, RedTallyColumns, Base):
    __tablename__ = "task_red_tally"


class Briefing(Base):
    __tablename__ = "briefing"

    id: Mapped[int] = mapped_column(primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operation.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    tlp: Mapped[TLP] = mapped_column(str_enum(TLP))
    classification: Mapped[Classification] = mapped_column(str_enum(Classification))
    sha256: Mapped[str] = mapped_column(String(64))
    audit_head_hash: Mapped[str] = mapped_column(String(64))
    audit_head_seq: Mapped[int] = mapped_column(Integer)

    author: Mapped[User] = relationship()


class AuditEvent(Base):
    """One link of the hash chain. `seq` is gap-free; `hash` covers the content and `prev_hash`."""

    __tablename__ = "audit_event"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_issuer: Mapped[str] = mapped_column(String(300))
    actor_subject: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    # canonical JSON text, hashed exactly as stored
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[Outcome] = mapped_column(str_enum(Outcome))
    detail: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_audit_event_entity", "entity", "entity_id"),)


OPERATIONAL_RECORDS: tuple[type[MarkedRecord], ...] = (Suspect, Arrest, EvidenceItem, Task)
# Tables whose rows change only through services, one row at a time, each with its audit event.
AUDITED_TABLES = frozenset(
    m.__table__ for m in (*OPERATIONAL_RECORDS, CustodyEvent, TaskUpdate, User, Operation, Briefing,
                          Recipient, AuditEvent))
APPEND_ONLY = (CustodyEvent, TaskUpdate, AuditEvent)


@event.listens_for(Base.metadata, "after_create")
def _create_triggers(target, connection, **_kw) -> None:
    """create_all (the tests' schema) gets the same triggers as the migrations."""
    for statement in create_statements(connection.dialect.name) + tallies.create_statements(connection.dialect.name):
        connection.exec_driver_sql(statement)


@event.listens_for(MarkedRecord, "before_update", propagate=True)
def _stamp_update(mapper, connection, target) -> None:
    target.updated_at = utcnow()


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state: ORMExecuteState) -> None:
    """Bulk ORM UPDATE/DELETE would change audited rows without their audit events."""
    table = getattr(state.statement, "table", None)  # update(Suspect) and update(Suspect.__table__) alike
    if (state.is_update or state.is_delete) and table in AUDITED_TABLES:
        kind = "UPDATE" if state.is_update else "DELETE"
        raise PermissionError(f"bulk {kind} of {table.name} is refused: "
                              "change rows one by one through coordination.services")
