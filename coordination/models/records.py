"""The operational records, each carrying a marking and an owning agency: suspects, arrests,
evidence items with their custody events, tasks with their updates, the named recipients of RED
records, and the briefings issued.

`MarkedRecord` holds the columns the editable records share (scope, marking, version for optimistic
locking, last change); custody events and task updates are append-only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    event,
)
from sqlalchemy.orm import Mapped, QueryableAttribute, declared_attr, mapped_column, relationship, validates

from coordination.markings import TLP, Classification
from coordination.models.base import Base, UTCDateTime, str_enum, utcnow
from coordination.models.enums import (
    AcquisitionMethod,
    ArrestOutcome,
    EvidenceStatus,
    EvidenceType,
    SuspectStatus,
    SuspectTier,
    TaskPriority,
    TaskStatus,
)
from coordination.models.operation import Agency, Jurisdiction
from coordination.models.people import User
from coordination.record_references import skeleton

if TYPE_CHECKING:
    from coordination.models.tallies import TaskKeys


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


@event.listens_for(MarkedRecord, "before_update", propagate=True)
def _stamp_update(mapper, connection, target) -> None:
    target.updated_at = utcnow()


def scoped_indexes(table: str) -> tuple[Index, ...]:
    """Indexes that serve the scoping predicate (agency + marking) on every listing."""
    return (Index(f"ix_{table}_scope", "operation_id", "owning_agency_id", "tlp"),
            Index(f"ix_{table}_tlp", "operation_id", "tlp"))


# External references lead their unique indexes: imports, links and forms look records up by
# reference alone, and an index that starts with operation_id would not serve that.
# References are unique per owning agency, not across agencies: a reference taken by a record
# another agency may not read must not be an oracle (an agency's own references are its own to
# manage). Each record also keeps its reference's skeleton (coordination.record_references), indexed the
# same way, so that a look-alike of a reference of the same agency is refused.


class KeyedRecord:
    """The skeleton of a record's reference, kept with it: set whenever the reference is set through
    the ORM, and filled by the column default on bulk inserts of plain rows."""

    key: ClassVar[str] = "reference"  # every kind's (evidence items' too, since migration 0013)

    @declared_attr
    def reference_skeleton(cls) -> Mapped[str]:
        key = cls.key
        return mapped_column(String(256), default=lambda context: skeleton(context.get_current_parameters()[key]))

    @validates("reference")
    def _keep_skeleton(self, _name: str, value: str) -> str:
        self.reference_skeleton = skeleton(value)
        return value


def keyed_indexes(table: str, key: str) -> tuple:
    return (UniqueConstraint(key, "operation_id", "owning_agency_id", name=f"uq_{table}_{key}"),
            Index(f"ix_{table}_skeleton", "reference_skeleton", "operation_id", "owning_agency_id"))


class Suspect(KeyedRecord, MarkedRecord, Base):
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
        *keyed_indexes("suspect", "reference"),
        *scoped_indexes("suspect"),
        Index("ix_suspect_status", "operation_id", "status", "tier"),
        # covers the dashboard's pipeline count under the scoping clause: an index-only scan
        Index("ix_suspect_pipeline", "tlp", "owning_agency_id", "tier", "status"),
        # the suspects table pages along these (by reference, by full name, ties by id), reading the
        # scoping columns from the index alone (queries.records.table)
        Index("ix_suspect_by_reference", "reference", "id", "tlp", "owning_agency_id"),
        Index("ix_suspect_by_full_name", "full_name", "id", "tlp", "owning_agency_id"),
    )

class Arrest(KeyedRecord, MarkedRecord, Base):
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
        *keyed_indexes("arrest", "reference"),
        *scoped_indexes("arrest"),
        Index("ix_arrest_jurisdiction", "operation_id", "jurisdiction_id"),
        Index("ix_arrest_time", "operation_id", "arrested_at"),
    )

class EvidenceItem(KeyedRecord, MarkedRecord, Base):
    """An exhibit. The current holder is derived from custody and kept here for listing."""

    __tablename__ = "evidence_item"
    entity = "evidence item"

    reference: Mapped[str] = mapped_column(String(64))  # the exhibit reference
    item_type: Mapped[EvidenceType] = mapped_column(str_enum(EvidenceType))
    description: Mapped[str] = mapped_column(String(1000))
    sha256: Mapped[str | None] = mapped_column(String(64))
    suspect_id: Mapped[int | None] = mapped_column(ForeignKey("suspect.id"), index=True)
    seized_from: Mapped[str] = mapped_column(String(300))
    seized_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seized_place: Mapped[str] = mapped_column(String(300))
    where_found: Mapped[str | None] = mapped_column(String(300))  # in the place: "kitchen drawer"
    seized_by: Mapped[str | None] = mapped_column(String(200))  # the officer who collected and sealed it
    status: Mapped[EvidenceStatus] = mapped_column(str_enum(EvidenceStatus))
    holder_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    holder_name: Mapped[str] = mapped_column(String(200))

    holder_agency: Mapped[Agency] = relationship(foreign_keys=[holder_agency_id])
    custody_events: Mapped[list[CustodyEvent]] = relationship(
        back_populates="evidence_item", order_by="CustodyEvent.sequence")
    acquisitions: Mapped[list[Acquisition]] = relationship(
        back_populates="evidence_item", order_by="Acquisition.sequence")

    __table_args__ = (
        *keyed_indexes("evidence_item", "reference"),
        *scoped_indexes("evidence_item"),
        Index("ix_evidence_item_status", "operation_id", "status", "item_type"),
        Index("ix_evidence_item_holder", "operation_id", "holder_agency_id"),
    )

class CustodyColumns:
    """One hand-over in a chain of custody, of an exhibit or of an acquisition: from whom to whom, when,
    where, why, under which seal, in which condition, and the SHA-256 re-computed at the transfer."""

    id: Mapped[int] = mapped_column(primary_key=True)
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


class CustodyEvent(CustodyColumns, Base):
    """Append-only. Sequence 1 is the seizure; each later event starts from the previous holder."""

    __tablename__ = "custody_event"
    entity: ClassVar[str] = "custody event"

    evidence_item_id: Mapped[int] = mapped_column(ForeignKey("evidence_item.id"))

    evidence_item: Mapped[EvidenceItem] = relationship(back_populates="custody_events")
    from_agency: Mapped[Agency | None] = relationship(foreign_keys="CustodyEvent.from_agency_id")
    to_agency: Mapped[Agency] = relationship(foreign_keys="CustodyEvent.to_agency_id")

    # the unique sequence makes two concurrent transfers from one holder impossible
    __table_args__ = (UniqueConstraint("evidence_item_id", "sequence", name="uq_custody_event_sequence"),)


class Acquisition(Base):
    """A forensic image or extraction of an exhibit's data, made at the lab after the seizure (ISO/IEC
    27037): how, with which tool, by whom, when, and the SHA-256 of what it produced. It has no marking
    of its own: whoever may read its exhibit may read it, nobody else (queries.acquisitions). Its own
    custody starts at the lab (`AcquisitionCustodyEvent`); versioned, as its holder changes."""

    __tablename__ = "acquisition"
    entity: ClassVar[str] = "acquisition"

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_item_id: Mapped[int] = mapped_column(ForeignKey("evidence_item.id"))
    sequence: Mapped[int] = mapped_column(Integer)  # 1, 2, ... for its exhibit
    reference: Mapped[str] = mapped_column(String(80))  # "ACQ-<exhibit reference>-<sequence>"
    method: Mapped[AcquisitionMethod] = mapped_column(str_enum(AcquisitionMethod))
    tool: Mapped[str] = mapped_column(String(200))
    tool_version: Mapped[str] = mapped_column(String(64))
    examiner: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sha256: Mapped[str] = mapped_column(String(64))
    place: Mapped[str] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(String(1000))
    holder_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    holder_name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    evidence_item: Mapped[EvidenceItem] = relationship(back_populates="acquisitions")
    holder_agency: Mapped[Agency] = relationship(foreign_keys=[holder_agency_id])

    __mapper_args__ = {"version_id_col": version}
    # the unique sequence makes two concurrent acquisitions numbered alike impossible
    __table_args__ = (UniqueConstraint("evidence_item_id", "sequence", name="uq_acquisition_sequence"),
                      Index("ix_acquisition_reference", "reference"))


class AcquisitionCustodyEvent(CustodyColumns, Base):
    """Append-only, as an exhibit's custody: sequence 1 is the image made at the lab."""

    __tablename__ = "acquisition_custody_event"
    entity: ClassVar[str] = "acquisition custody event"

    acquisition_id: Mapped[int] = mapped_column(ForeignKey("acquisition.id"))

    __table_args__ = (UniqueConstraint("acquisition_id", "sequence", name="uq_acquisition_custody_event_sequence"),)


class Task(KeyedRecord, MarkedRecord, Base):
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
        *keyed_indexes("task", "reference"),
        *scoped_indexes("task"),
        Index("ix_task_status", "operation_id", "status", "due_date"),
    )


# --- closed, overdue, due soon: what the task lists, the figures, the briefing and the reminder pass
# read of a task (one rule each, in two forms; tests check the forms agree) ---

CLOSED_TASKS = (TaskStatus.DONE, TaskStatus.CANCELLED)


def is_closed(status: TaskStatus | str) -> bool:
    """Done or cancelled: nothing is expected of the task any more."""
    return status in CLOSED_TASKS


def closed(status: ColumnElement[TaskStatus] | QueryableAttribute[TaskStatus]) -> ColumnElement[bool]:
    """`is_closed` in SQL, of a task's (or a task tally's) status column."""
    return status.in_(CLOSED_TASKS)


def is_overdue(status: TaskStatus | str, due: date | None, today: date) -> bool:
    """Open, and due before `today`: a task's deadline is the end of its due date."""
    return due is not None and due < today and not is_closed(status)


def is_due_soon(status: TaskStatus | str, due: date | None, today: date) -> bool:
    """Open, and due `today`: its deadline, the end of the day, is within 24 hours."""
    return due == today and not is_closed(status)


def _due(model: type[Task] | type[TaskKeys]) -> QueryableAttribute[date | None]:
    """A task's due date, or a task tally's `due_by` (where tasks without one count under a day no
    `today` reaches, coordination.tallies.NO_DUE_DATE)."""
    return model.due_by if hasattr(model, "due_by") else model.due_date


def overdue_at(today: date, model: type[Task] | type[TaskKeys] = Task) -> ColumnElement[bool]:
    """`is_overdue` in SQL, on tasks or on a task tally (`TaskTally`, `TaskRedTally`)."""
    return and_(_due(model) < today, ~closed(model.status))


def due_soon_at(today: date, model: type[Task] | type[TaskKeys] = Task) -> ColumnElement[bool]:
    """`is_due_soon` in SQL, on tasks or on a task tally."""
    return and_(_due(model) == today, ~closed(model.status))


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


OPERATIONAL_RECORDS: tuple[type[MarkedRecord], ...] = (Suspect, Arrest, EvidenceItem, Task)
