"""The audit trail's table: one hash-chained, append-only event per change or refusal (written
by `coordination/audit.py`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from coordination.models.base import Base, UTCDateTime, str_enum
from coordination.models.enums import Outcome


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

    __table_args__ = (Index("ix_audit_event_entity", "entity", "entity_id"),
                      # the operation's timeline walks one kind's events newest first (queries.timeline);
                      # covering what it checks, so that PostgreSQL prefers it to the primary key
                      Index("ix_audit_event_entity_seq", "entity", "seq", "entity_id", "outcome"))


class Submission(Base):
    """A form's one-time token, claimed in the transaction of the write it asked for: a double click
    or a resubmitted form finds it taken and writes nothing twice."""

    __tablename__ = "submission"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
