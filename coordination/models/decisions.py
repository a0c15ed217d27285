"""The decision log, as UK major-incident command keeps one: each decision with its rationale, the
options considered, who decided and when, marked like every record.

Both tables are append-only (database triggers, `coordination/append_only.py`): a correction is a
new decision naming the one it corrects, and pinning is a row of its own, the latest per decision
saying whether it is pinned now.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.models.base import Base, UTCDateTime, utcnow
from coordination.models.people import User
from coordination.models.records import KeyedRecord, MarkedRecord, keyed_indexes, scoped_indexes


class Decision(KeyedRecord, MarkedRecord, Base):
    """One entry of the log; `updated_by` is who recorded it (it is never updated)."""

    __tablename__ = "decision"
    entity = "decision"

    reference: Mapped[str] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(Text)
    rationale: Mapped[str] = mapped_column(Text)
    options: Mapped[str] = mapped_column(Text, default="")  # the options considered
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # the entry this one corrects; unique: an entry is corrected once, a later correction corrects the correction
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"), unique=True)

    corrects: Mapped[Decision | None] = relationship(remote_side="Decision.id")

    __table_args__ = (
        *keyed_indexes("decision", "reference"),
        *scoped_indexes("decision"),
        Index("ix_decision_decided_at", "operation_id", "decided_at"),
    )


class DecisionPin(Base):
    """A decision pinned (into the briefing) or unpinned; the latest row per decision holds."""

    __tablename__ = "decision_pin"
    entity: ClassVar[str] = "decision pin"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"))
    pinned: Mapped[bool] = mapped_column(Boolean)
    by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    by: Mapped[User] = relationship()

    __table_args__ = (Index("ix_decision_pin_latest", "decision_id", "id"),)


