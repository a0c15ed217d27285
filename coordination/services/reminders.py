"""The clock-driven use cases of the reminder pass (`coordination.reminder_pass` runs them): tasks due
within 24 hours, overdue, or unblocked; target packages silent for an hour past H-hour; the lease
that lets one replica run the pass at a time; claiming a person's mail; filing a scheduled briefing
in its author's inbox.

Each reminder is fired for every task at once by one INSERT ... SELECT that skips the (person, event
key) pairs already there, so a pass repeated, run twice at once or rerun after a crash tells each
person once. A task's deadline is the end of its due date (UTC), as the task lists read "overdue".
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Integer, Select, String, and_, cast, extract, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from coordination import notices, policy
from coordination.errors import PermissionDenied
from coordination.markings import TLP
from coordination.models import (
    BriefingFile,
    MailMode,
    Notification,
    NotificationSettings,
    OperationStatus,
    PackageStatusChange,
    PassLease,
    TargetPackage,
    Task,
    TaskStatus,
    User,
    closed,
    due_soon_at,
    overdue_at,
    silent_at,
)
from coordination.principal import Principal
from coordination.queries import notifications as inbox
from coordination.services.authorisation import is_system
from coordination.services.notifications import notify, notify_from


@dataclass(frozen=True)
class Reminded:
    due_soon: int
    overdue: int
    unblocked: int
    silent: int = 0  # (person, package) pairs told of a silence


def _told_about(*conditions, key) -> Select:
    """(person, task, key) for each task matching `conditions` (which leave closed tasks out): its
    assignee, or, when nobody holds it, the people who act for its owning agency (members of the
    task's operation, by their role there)."""
    person = aliased(User)
    return (select(person.id.label("user_id"), Task.id.label("entity_id"), key.label("key"))
            .join(person, or_(and_(person.id == Task.assignee_id, policy.hears_personally(person, Task.operation_id)),
                              and_(Task.assignee_id.is_(None), person.agency_id == Task.owning_agency_id,
                                   policy.hears_for_agency(person, Task.operation_id))))
            .where(person.active, *conditions))


def _system_only(principal: Principal) -> None:
    """These are the pass's, never a person's: a person's request for them is refused (and audited)."""
    if not is_system(principal):
        raise PermissionDenied("only the reminder pass does this", action="remind", entity="notification")


def _due_key():
    return "task " + cast(Task.id, String) + " due " + cast(Task.due_date, String)


def remind(session: Session, principal: Principal, now: datetime) -> Reminded:
    """Fire the reminders that are due at `now`."""
    _system_only(principal)
    today = now.date()
    done = aliased(Task)  # the task depended on, not the one reminded of
    counts = []
    for event, condition, key in (
            (notices.TASK_DUE_SOON, due_soon_at(today), _due_key()),
            (notices.TASK_OVERDUE, overdue_at(today), _due_key()),
            (notices.TASK_UNBLOCKED, and_(~closed(Task.status), Task.depends_on_id.in_(
                select(done.id).where(done.status == TaskStatus.DONE))),
             "task " + cast(Task.id, String) + " after task " + cast(Task.depends_on_id, String))):
        counts.append(notify_from(session, event, Task.entity, _told_about(condition, key=key), "key"))
    counts.append(notify_from(session, notices.PACKAGE_SILENT, TargetPackage.entity, _told_of_silence(now), "key"))
    return Reminded(*counts)


def _told_of_silence(now: datetime) -> Select:
    """(person, package, key) for each package silent at `now`: its lead agency's liaisons, and command
    unless the package is RED (its own agency alone). A silence is named by the
    package, its H-hour and its last status change: a package that speaks and falls silent again is
    told again; one that stays silent, once."""
    person = aliased(User)
    last_change = (select(func.max(PackageStatusChange.id)).where(PackageStatusChange.package_id == TargetPackage.id)
                   .scalar_subquery())
    h_hour = cast(cast(extract("epoch", TargetPackage.h_hour), Integer), String)  # whole seconds on every store
    key = ("package " + cast(TargetPackage.id, String) + " silent after change " + cast(last_change, String)
           + " and H-hour " + h_hour)
    return (select(person.id.label("user_id"), TargetPackage.id.label("entity_id"), key.label("key"))
            .join(person, or_(and_(person.agency_id == TargetPackage.owning_agency_id,
                                   policy.hears_for_agency(person, TargetPackage.operation_id)),
                              and_(policy.hears_for_operation(person, TargetPackage.operation_id),
                                   TargetPackage.tlp != TLP.RED)))
            .where(person.active, silent_at(now)))


# --- the lease: one replica runs the pass at a time -------------------------------------------

def this_process() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}"


def _gone(holder: str | None) -> bool:
    """A holder on this machine whose process has ended: its lease is free before it expires."""
    host, _, pid = (holder or "").rpartition(":")
    if host != socket.gethostname()[:60] or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def take_lease(session: Session, principal: Principal, name: str, holder: str, now: datetime, ttl: timedelta,
               every: timedelta | None = None) -> bool:
    """Take the lease `name` for `holder` until now + ttl, if nobody else holds it (or its holder
    died) and, with `every`, if the pass did not run within that long. One conditional UPDATE:
    of two replicas asking at once, one gets it."""
    _system_only(principal)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(PassLease).values(name=name).on_conflict_do_nothing(index_elements=["name"]))
    current = session.scalar(select(PassLease.holder).where(PassLease.name == name))
    free = or_(PassLease.holder.is_(None), PassLease.expires_at < now, PassLease.holder == holder)
    if current is not None and current != holder and _gone(current):
        free = or_(free, PassLease.holder == current)
    due = [] if every is None else [or_(PassLease.last_run_at.is_(None), PassLease.last_run_at <= now - every)]
    taken = session.execute(update(PassLease).where(PassLease.name == name, free, *due)
                            .values(holder=holder, expires_at=now + ttl)).rowcount
    return taken == 1


def release_lease(session: Session, principal: Principal, name: str, holder: str, now: datetime) -> None:
    session.execute(update(PassLease).where(PassLease.name == name, PassLease.holder == holder)
                    .values(holder=None, expires_at=None, last_run_at=now))


# --- mail -------------------------------------------------------------------------------------

def claim_mail(session: Session, principal: Principal, person: Principal, now: datetime,
               digest: bool) -> list[inbox.Entry]:
    """The person's notifications to mail now, claimed (marked mailed) in this transaction, so two
    passes never mail one twice; a failed send gives them back (`unclaim_mail`)."""
    _system_only(principal)
    row = session.get(NotificationSettings, person.user_id)
    entries = inbox.pending_mail(session, person, row.mail_since if row else None)
    if entries:
        session.execute(update(Notification).where(Notification.id.in_([e.id for e in entries]),
                                                   Notification.mailed_at.is_(None)).values(mailed_at=now))
    if digest and row is not None:
        row.last_digest_at = now
    return entries


def unclaim_mail(session: Session, principal: Principal, notification_ids: list[int]) -> None:
    session.execute(update(Notification).where(Notification.id.in_(notification_ids)).values(mailed_at=None))


# --- scheduled briefings ----------------------------------------------------------------------

def file_briefing(session: Session, principal: Principal, author: Principal, briefing_id: int, file_name: str,
                  pdf: bytes, london_day: date) -> None:
    """Keep a briefing made by the pass for its author and tell them it is ready (once per day)."""
    _system_only(principal)
    session.add(BriefingFile(briefing_id=briefing_id, author_id=author.user_id, file_name=file_name, pdf=pdf))
    row = session.get(NotificationSettings, author.user_id)
    row.last_briefing_on = london_day
    session.flush()
    notify(session, notices.BRIEFING_READY, "briefing", briefing_id, users=[author.user_id],
           key=f"{london_day.isoformat()}" + (f" {author.operation_code}" if author.operation_code else ""))


def briefings_due(session: Session, london_now: datetime) -> list[Principal]:
    """The people whose daily briefing is due at `london_now` (London time) and not made today: one
    principal for each operation (not archived) where they are one the policy lets have it (command)."""
    day, at = london_now.date(), f"{london_now:%H:%M}"
    users = session.scalars(select(User).join(NotificationSettings, NotificationSettings.user_id == User.id).where(
        User.active, NotificationSettings.briefing_at.is_not(None), NotificationSettings.briefing_at <= at,
        or_(NotificationSettings.last_briefing_on.is_(None), NotificationSettings.last_briefing_on < day)))
    return [person for user in users for person in as_each_member(user, current_only=True)
            if policy.can_schedule_briefing(person)]


def as_each_member(user: User, current_only: bool = False) -> list[Principal]:
    """The user as a principal of each operation they take part in, by their role there (with
    `current_only`, not of archived ones): each operation's news is told as that membership."""
    return [Principal.of(user, membership.operation_id) for membership in user.memberships
            if not (current_only and membership.operation.status is OperationStatus.ARCHIVED)]


@dataclass(frozen=True)
class Mailbox:
    person: Principal
    address: str
    mode: MailMode
    last_digest_at: datetime | None


def mailboxes(session: Session) -> list[Mailbox]:
    """The active people with an address who asked for mail, once for each operation they take part
    in: each mailbox holds only that operation's notifications (`inbox.pending_mail` reads as its
    principal), and is named by it."""
    rows = session.execute(select(User, NotificationSettings).join(
        NotificationSettings, NotificationSettings.user_id == User.id).where(
        User.active, User.email.is_not(None), NotificationSettings.mail != MailMode.OFF)).all()
    return [Mailbox(person, user.email, row.mail, row.last_digest_at)
            for user, row in rows for person in as_each_member(user)]
