"""The tally tables behind the dashboard's counts. Database triggers keep them (see
`coordination/tallies.py`); the app only reads them.

Each tally is a `*Keys` mixin (the figures a chart groups by) with `TallyColumns`, and its RED twin
the same keys with `RedTallyColumns`.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer
from sqlalchemy.orm import Mapped, mapped_column

from coordination.markings import TLP
from coordination.models.base import Base, str_enum
from coordination.models.enums import EvidenceStatus, EvidenceType, SuspectStatus, SuspectTier, TaskStatus


class TallyColumns:
    """A count of records per scope, marking and the figures the dashboard groups by. Kept by
    database triggers (see `coordination/tallies.py`) in the writing transaction, never written by the app."""

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


class TaskKeys:
    status: Mapped[TaskStatus] = mapped_column(str_enum(TaskStatus), primary_key=True)
    # a key column cannot be NULL: tasks without a due date count under coordination.tallies.NO_DUE_DATE
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
