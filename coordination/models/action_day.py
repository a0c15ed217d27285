"""The action day: target packages (an address a team enters at a planned H-hour), the suspects each
is for, the append-only history of its status, and the conflicts between packages of different
agencies at one place and time (event deconfliction).

A package moves planned -> briefed -> deployed -> entered -> one outcome -> closed, or is aborted
on the way; `NEXT` is that state machine, the one place it is written down.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import ClassVar

from sqlalchemy import ColumnElement, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, and_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.models.base import Base, UTCDateTime, str_enum, utcnow
from coordination.models.operation import Jurisdiction
from coordination.models.people import User
from coordination.models.records import KeyedRecord, MarkedRecord, Suspect, keyed_indexes, scoped_indexes


class PackageStatus(enum.StrEnum):
    PLANNED = "planned"
    BRIEFED = "briefed"
    DEPLOYED = "deployed"
    ENTERED = "entered"
    ARREST_MADE = "arrest made"
    ITEMS_SEIZED = "searched: items seized"
    NOTHING_FOUND = "searched: nothing found"
    NIL = "nil: subject not present"
    ABORTED = "aborted"
    CLOSED = "closed"

    @property
    def is_outcome(self) -> bool:
        return self in OUTCOMES

    @property
    def is_live(self) -> bool:
        """Before an outcome: a team is still working towards the door."""
        return self in (PackageStatus.PLANNED, PackageStatus.BRIEFED, PackageStatus.DEPLOYED, PackageStatus.ENTERED)


OUTCOMES = (PackageStatus.ARREST_MADE, PackageStatus.ITEMS_SEIZED, PackageStatus.NOTHING_FOUND, PackageStatus.NIL,
            PackageStatus.ABORTED)

# The state machine: the statuses a package may move to from each status. A package may be aborted
# at any point before an outcome; every outcome is closed afterwards.
NEXT: dict[PackageStatus, tuple[PackageStatus, ...]] = {
    PackageStatus.PLANNED: (PackageStatus.BRIEFED, PackageStatus.ABORTED),
    PackageStatus.BRIEFED: (PackageStatus.DEPLOYED, PackageStatus.ABORTED),
    PackageStatus.DEPLOYED: (PackageStatus.ENTERED, PackageStatus.ABORTED),
    PackageStatus.ENTERED: (PackageStatus.ARREST_MADE, PackageStatus.ITEMS_SEIZED, PackageStatus.NOTHING_FOUND,
                            PackageStatus.NIL, PackageStatus.ABORTED),
    **{outcome: (PackageStatus.CLOSED,) for outcome in OUTCOMES},
    PackageStatus.CLOSED: (),
}
LIVE = tuple(status for status in PackageStatus if status.is_live)
SILENT_AFTER = timedelta(minutes=60)


class TargetPackage(KeyedRecord, MarkedRecord, Base):
    """One address on the action day; the owning agency is the lead agency."""

    __tablename__ = "target_package"
    entity = "target package"

    reference: Mapped[str] = mapped_column(String(64))
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdiction.id"))
    address: Mapped[str] = mapped_column(String(300))
    # what deconfliction compares, each keyed under the operation's key (places.address_keys): the
    # address folded (None: no key yet, so not compared: the marker of a package still to key), its
    # building by postcode and by street (None: not read from this address), its flat (None: none)
    address_keyed: Mapped[str | None] = mapped_column(String(64))
    postcode_keyed: Mapped[str | None] = mapped_column(String(64))
    street_keyed: Mapped[str | None] = mapped_column(String(64))
    unit_keyed: Mapped[str | None] = mapped_column(String(64))
    bare_keyed: Mapped[str | None] = mapped_column(String(64))  # street and number alone (places.match)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    team_call_sign: Mapped[str] = mapped_column(String(64))
    legal_authority: Mapped[str] = mapped_column(String(300))
    h_hour: Mapped[datetime] = mapped_column(UTCDateTime)  # planned, UTC
    risk_notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[PackageStatus] = mapped_column(str_enum(PackageStatus), default=PackageStatus.PLANNED)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    jurisdiction: Mapped[Jurisdiction] = relationship()
    subjects: Mapped[list[Suspect]] = relationship(secondary="package_subject", order_by="Suspect.reference",
                                                   viewonly=True)

    __table_args__ = (
        *keyed_indexes("target_package", "reference"),
        *scoped_indexes("target_package"),
        Index("ix_target_package_h_hour", "operation_id", "h_hour"),
        Index("ix_target_package_address_keyed", "operation_id", "address_keyed"),
        Index("ix_target_package_postcode_keyed", "operation_id", "postcode_keyed"),
        Index("ix_target_package_street_keyed", "operation_id", "street_keyed"),
        Index("ix_target_package_bare_keyed", "operation_id", "bare_keyed"),
    )

    subject_links: Mapped[list[PackageSubject]] = relationship(cascade="all, delete-orphan",
                                                               order_by="PackageSubject.suspect_id")

    @property
    def subject_ids(self) -> list[int]:
        return sorted(link.suspect_id for link in self.subject_links)

    @subject_ids.setter
    def subject_ids(self, ids: list[int] | None) -> None:
        wanted = set(ids or ())
        self.subject_links = [link for link in self.subject_links if link.suspect_id in wanted] + [
            PackageSubject(suspect_id=suspect_id) for suspect_id in sorted(wanted - set(self.subject_ids))]


# --- silence: the board flags it, the reminder pass tells people of it (one rule, in two forms) ---

def is_silent(status: PackageStatus, h_hour: datetime, status_changed_at: datetime, now: datetime) -> bool:
    """No status update for an hour past H-hour while a team should be at the door."""
    return status.is_live and now - max(h_hour, status_changed_at) > SILENT_AFTER


def silent_at(now: datetime) -> ColumnElement[bool]:
    """`is_silent` in SQL: the packages silent at `now` (tests check the two agree)."""
    cutoff = now - SILENT_AFTER
    return and_(TargetPackage.status.in_(LIVE), TargetPackage.h_hour < cutoff,
                TargetPackage.status_changed_at < cutoff)


class PackageSubject(Base):
    """A suspect a package is for (a package may be for several, a suspect in several packages)."""

    __tablename__ = "package_subject"

    package_id: Mapped[int] = mapped_column(ForeignKey("target_package.id"), primary_key=True)
    suspect_id: Mapped[int] = mapped_column(ForeignKey("suspect.id"), primary_key=True, index=True)


class PackageStatusChange(Base):
    """Append-only: who moved a package from one status to the next, when, and why."""

    __tablename__ = "package_status_change"
    entity: ClassVar[str] = "package status change"

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("target_package.id"), index=True)
    status_from: Mapped[PackageStatus | None] = mapped_column(str_enum(PackageStatus))  # None: created
    status_to: Mapped[PackageStatus] = mapped_column(str_enum(PackageStatus))
    note: Mapped[str] = mapped_column(Text, default="")
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    changed_by: Mapped[User | None] = relationship()


class PackageConflict(Base):
    """Two packages of different lead agencies at one place in overlapping windows. Found by the
    system when a package is created or moved; read only through queries.action_day, which tells each
    person of it as policy.what_is_told_of_conflict says (a package they may not read is not named)."""

    __tablename__ = "package_conflict"
    entity: ClassVar[str] = "package conflict"

    id: Mapped[int] = mapped_column(primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operation.id"))
    first_id: Mapped[int] = mapped_column(ForeignKey("target_package.id"), index=True)  # the lower id
    second_id: Mapped[int] = mapped_column(ForeignKey("target_package.id"), index=True)
    reason: Mapped[str] = mapped_column(String(200))  # "same address", "same building", "within 100 m"
    distance_m: Mapped[int | None] = mapped_column(Integer)
    found_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("first_id", "second_id", name="uq_package_conflict_pair"),)


class ConflictAcknowledgement(Base):
    """Command's acknowledgement of a conflict: who, when, and the note both lead agencies read
    (services.package_conflicts). It holds for the conflict as it stood when given: a move of either
    package (its place or time re-checked, the conflict still holding) lapses it, audited, and the
    conflict is open again; a conflict that no longer holds takes its acknowledgement with it.
    One per side's operation: a conflict between two operations is acknowledged by each one's
    command for its own side (within one operation, one)."""

    __tablename__ = "conflict_acknowledgement"
    entity: ClassVar[str] = "conflict acknowledgement"

    conflict_id: Mapped[int] = mapped_column(ForeignKey("package_conflict.id"), primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operation.id"), primary_key=True)
    acknowledged_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text)

    acknowledged_by: Mapped[User] = relationship()
