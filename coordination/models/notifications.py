"""What the operation tells each person: their notifications, their settings (mail, muted kinds of
event, a daily briefing), the PDFs of briefings made for them on a schedule, and the lease that lets
one replica at a time run the reminder pass.

A notification names its record by entity and id only: what a person reads of it (reference,
title) is looked up, and checked against the scoping rule, when they read it. It copies its record's
operation, so that a person's inbox of one operation walks that operation's notifications alone.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from coordination.models.base import Base, UTCDateTime, str_enum, utcnow


class MailMode(enum.StrEnum):
    OFF = "off"
    IMMEDIATELY = "immediately"
    HOURLY = "hourly digest"
    DAILY = "daily digest"


class Notification(Base):
    """One event told to one person. `event_key` names the event (the audit sequence of the write
    that caused it, or a reminder's own key): unique per person, so each is delivered once, whoever
    fires it and however often."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    event: Mapped[str] = mapped_column(String(48))  # a name of coordination.notices.EVENTS
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    # the operation of the record named (None: of none, never shown), copied when told: an inbox reads one
    operation_id: Mapped[int | None] = mapped_column(ForeignKey("operation.id"))
    event_key: Mapped[str] = mapped_column(String(160))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # claimed for mail (sent or skipped)

    __table_args__ = (
        UniqueConstraint("user_id", "event_key", name="uq_notification_event_key"),
        Index("ix_notification_inbox", "user_id", "operation_id", "id"),  # an inbox of one operation, newest first
        # their unread count and mail: only unread rows are in it (as small as the backlog), and it holds
        # what the count reads of them, so the count never visits the table
        Index("ix_notification_unread", "user_id", "operation_id", "id", "event", "entity", "entity_id",
              sqlite_where=text("read_at IS NULL"), postgresql_where=text("read_at IS NULL")),
    )


class NotificationSettings(Base):
    """A person's choices; a person without a row gets the defaults (everything, no mail)."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    mail: Mapped[MailMode] = mapped_column(str_enum(MailMode), default=MailMode.OFF)
    muted: Mapped[str] = mapped_column(String(500), default="")  # event names, comma-separated
    mail_since: Mapped[datetime | None] = mapped_column(UTCDateTime)  # mail only what came after turning it on
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    briefing_at: Mapped[str | None] = mapped_column(String(5))  # "07:00", London time, daily
    last_briefing_on: Mapped[date | None] = mapped_column(Date)  # London date of the last one made
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class BriefingFile(Base):
    """The PDF of a briefing made by the reminder pass, kept for its author to download."""

    __tablename__ = "briefing_file"

    briefing_id: Mapped[int] = mapped_column(ForeignKey("briefing.id"), primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    file_name: Mapped[str] = mapped_column(String(200))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)


class PassLease(Base):
    """Who runs a periodic pass now, until when: a replica takes the lease with one conditional
    UPDATE, so at most one replica holds it at a time; a replica that dies loses it when it expires."""

    __tablename__ = "pass_lease"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(100))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
