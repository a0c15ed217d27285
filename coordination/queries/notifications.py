"""A person's notifications, as they may read them NOW: each one about a record is checked against
`policy.visible` of that record when it is read, so a notification about a record since raised to
a marking its reader may not see is left out of the inbox, the unread count and mail altogether
(counted out, not shown as "restricted": a hidden line would tell that the record still exists).
It shows again if the record becomes readable to them again.

Each listing walks the person's notifications along an index in small batches and checks each
batch's records by primary key, kind by kind, so its cost does not grow with the table.

Notifications about something personal (a briefing made for the person) are theirs by definition,
read in the operation the briefing is of: an inbox holds only the chosen operation's notifications,
each notification copying its record's operation (`Notification.operation_id`), so a listing walks
that operation's alone however many another operation has told the person since.
A notification about a conflict between target packages is told to its reader as the board tells
it to them (queries.action_day.conflict_notices): whether at all, and which packages it names, is
decided for that reader when they read it, never composed for someone else.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, bindparam, case, exists, false, func, or_, select
from sqlalchemy.orm import Session, aliased

from coordination import notices
from coordination.kinds import KINDS, TARGET_PACKAGES, Kind
from coordination.models import (
    Agency,
    Briefing,
    BriefingFile,
    MailMode,
    Notification,
    NotificationSettings,
    PackageConflict,
    TargetPackage,
    Task,
    User,
)
from coordination.policy import conflicts_told, visible
from coordination.principal import Principal
from coordination.queries import action_day

UNREAD_CAP = 100  # the sidebar counts up to here and then says "99+": the count stays cheap
UNREAD_BATCH = 125  # candidates a count reads at a time: a few out of reach still leave UNREAD_CAP
SCAN_BATCHES = 10  # how far a listing looks past notifications about records now out of reach
PAGE = 50
MAX_ID = 2**31 - 1
PERSONAL = {"briefing"}  # entities a notification names that belong to its person alone
CONFLICT = PackageConflict.entity  # told as policy.what_is_told_of_conflict says for each reader


@dataclass(frozen=True)
class Entry:
    id: int
    event: str  # the event's name (notices.EVENTS)
    sentence: str  # "Task FBI/T-12 was assigned to you." (the reference, never the record's content)
    reference: str  # "FBI/T-12": what the link to the record reads
    detail: str  # for the inbox only, never mailed: the task's title, ...
    page: str  # the page the record is on ("tasks"), or "" when it has none
    entity_id: int | None  # what to open: the record on its page, or the briefing to download
    created_at: datetime
    read: bool


@dataclass(frozen=True)
class Inbox:
    entries: list[Entry]
    more: bool  # older entries exist beyond this page (pass the last id as `before`)


def _marked_kinds() -> dict[str, Kind]:
    return {kind.entity: kind for kind in KINDS.values()}


def _readable(session: Session, principal: Principal, rows) -> set[tuple[str, int]]:
    """Which of the records these notifications name the principal may read now: one query per kind
    through `policy.visible`, by primary key. Personal ones are theirs; an entity this version does
    not know is not shown."""
    kinds = _marked_kinds()
    personal = {row.entity_id for row in rows if row.entity in PERSONAL}
    readable = {("briefing", briefing_id) for briefing_id in session.scalars(
        select(Briefing.id).where(Briefing.id.in_(personal), _own_briefing(principal, Briefing.id)))} \
        if personal else set()
    for entity in {row.entity for row in rows if row.entity in kinds}:
        model = kinds[entity].model
        ids = {row.entity_id for row in rows if row.entity == entity}
        readable |= {(entity, record_id) for record_id in session.scalars(
            select(model.id).where(model.id.in_(ids), visible(model, principal)))}
    conflicts = {row.entity_id for row in rows if row.entity == CONFLICT}
    if conflicts:
        readable |= {(CONFLICT, conflict_id) for conflict_id in session.scalars(
            _told_conflicts(principal).where(PackageConflict.id.in_(conflicts)))}
    return readable


def _own_briefing(principal: Principal, briefing_id) -> ColumnElement[bool]:
    """A briefing made for the principal (by the reminder pass), of the operation they read."""
    return exists().where(BriefingFile.briefing_id == briefing_id, BriefingFile.author_id == principal.user_id,
                          Briefing.id == BriefingFile.briefing_id, Briefing.operation_id == principal.operation_id)


def _told_conflicts(principal: Principal):
    """The ids of the conflicts the principal is told of (policy.conflicts_told)."""
    first, second = aliased(TargetPackage), aliased(TargetPackage)
    return (select(PackageConflict.id).join(first, first.id == PackageConflict.first_id)
            .join(second, second.id == PackageConflict.second_id).where(conflicts_told(principal, first, second)))


def _first_readable(session: Session, principal: Principal, where: list[ColumnElement[bool]], want: int,
                    newest_first: bool = True, ids_only: bool = False) -> list:
    """The first `want` notifications matching `where` that the principal may read now, walking the
    index in batches of `want` (at most SCAN_BATCHES of them: a person whose latest thousands of
    notifications are all about records they can no longer read sees the older ones as "more").
    With `ids_only`, rows of (id, entity, entity_id) instead of whole notifications."""
    order = Notification.id.desc() if newest_first else Notification.id.asc()
    what = select(Notification.id, Notification.entity, Notification.entity_id) if ids_only else select(Notification)
    found, after = [], None
    for _ in range(SCAN_BATCHES):
        page = list(where)
        if after is not None:
            page.append(Notification.id < after if newest_first else Notification.id > after)
        query = what.where(*page).order_by(order).limit(want)
        batch = session.execute(query).all() if ids_only else session.scalars(query).all()
        readable = _readable(session, principal, batch)
        found += [row for row in batch if (row.entity, row.entity_id) in readable]
        if len(found) >= want or len(batch) < want:
            break
        after = batch[-1].id
    return found[:want]


def muted(session: Session, principal: Principal) -> list[str]:
    row = session.get(NotificationSettings, principal.user_id) if principal.user_id else None
    return [name for name in (row.muted.split(",") if row else []) if name]


# a conflict told before conflicts were told to each reader named one of its packages, in a sentence
# composed for someone else: never read (the board tells the conflict as it stands)
NOT_TOLD_PER_READER = and_(Notification.event == notices.PACKAGE_CONFLICT.name, Notification.entity != CONFLICT)


def of_operation(principal: Principal) -> ColumnElement[bool]:
    """The notifications of the operation the principal reads (none without one: never IS NULL)."""
    return Notification.operation_id == principal.operation_id if principal.operation_id is not None else false()


def _mine(session: Session, principal: Principal) -> list[ColumnElement[bool]]:
    """The principal's notifications of the operation they read (walked along the inbox index)."""
    where = [Notification.user_id == principal.user_id, of_operation(principal), ~NOT_TOLD_PER_READER]
    quiet = muted(session, principal)
    if quiet:
        where.append(Notification.event.not_in(quiet))
    return where


def unread_count(session: Session, principal: Principal) -> int:
    """The principal's unread notifications they may read now, up to UNREAD_CAP (the sidebar shows
    "99+" from there on). Candidates come newest first, a batch of UNREAD_BATCH at a time, off the
    partial index of unread rows (which covers them); each one's record is looked up by primary key
    through `policy.visible`. Usually one statement; a batch holding records now out of reach leads
    to the next (at most SCAN_BATCHES). Its cost does not grow with the table or the backlog."""
    if principal.user_id is None:
        return 0
    counted, before = 0, MAX_ID
    for _ in range(SCAN_BATCHES):
        candidates, readable, oldest = session.execute(_unread_statement(principal), {"before": before}).one()
        counted += readable
        if counted >= UNREAD_CAP or candidates < UNREAD_BATCH:
            break
        before = oldest
    return min(counted, UNREAD_CAP)


@functools.lru_cache(maxsize=1024)
def _unread_statement(principal: Principal):
    """(candidates, readable now, oldest id) of one batch of unread notifications older than
    :before. Built once per principal (the sidebar asks every few seconds), so SQLAlchemy reuses its
    SQL; a batch this small keeps PostgreSQL looking records up one by one rather than hashing a
    whole table."""
    muted_list = select(NotificationSettings.muted).where(NotificationSettings.user_id == principal.user_id)
    quiet = ("," + func.coalesce(muted_list.scalar_subquery(), "") + ",").like("%," + Notification.event + ",%")
    newest = (select(Notification.id, Notification.entity, Notification.entity_id)
              .where(Notification.user_id == principal.user_id, of_operation(principal),
                     Notification.read_at.is_(None),
                     Notification.id < bindparam("before"), ~quiet, ~NOT_TOLD_PER_READER)
              .order_by(Notification.id.desc()).limit(UNREAD_BATCH).subquery())
    readable = [and_(newest.c.entity == kind.entity,
                     exists().where(kind.model.id == newest.c.entity_id, visible(kind.model, principal)))
                for kind in _marked_kinds().values()]
    told = and_(newest.c.entity == CONFLICT, _told_conflicts(principal).where(
        PackageConflict.id == newest.c.entity_id).exists())
    shown = or_(*readable, told, and_(newest.c.entity.in_(PERSONAL), _own_briefing(principal, newest.c.entity_id)))
    return select(func.count(), func.count(case((shown, 1))), func.min(newest.c.id)).select_from(newest)


def inbox(session: Session, principal: Principal, *, unread_only: bool = False, events: tuple[str, ...] = (),
          before: int | None = None, limit: int = PAGE) -> Inbox:
    """One page of the principal's notifications they may read now, newest first (keyset paging)."""
    if principal.user_id is None:
        return Inbox([], False)
    where = _mine(session, principal)
    if unread_only:
        where.append(Notification.read_at.is_(None))
    if events:
        where.append(Notification.event.in_(events))
    if before is not None:
        where.append(Notification.id < before)
    rows = _first_readable(session, principal, where, limit + 1)
    return Inbox(entries(session, principal, rows[:limit]), len(rows) > limit)


def pending_mail(session: Session, principal: Principal, since: datetime | None, limit: int = 200) -> list[Entry]:
    """The principal's unread, unmailed notifications since `since` that they may read now, oldest first."""
    where = [*_mine(session, principal), Notification.read_at.is_(None), Notification.mailed_at.is_(None)]
    if since is not None:
        where.append(Notification.created_at >= since)
    return entries(session, principal, _first_readable(session, principal, where, limit, newest_first=False))


def entries(session: Session, principal: Principal, rows: list[Notification]) -> list[Entry]:
    """Notifications as sentences, their records named as the principal may read them now (a record
    that is not readable, checked again here, drops its notification)."""
    kinds = _marked_kinds()
    names: dict[tuple[str, int], tuple[str, str]] = {}
    for entity in {row.entity for row in rows if row.entity in kinds}:
        kind = kinds[entity]
        model = kind.model
        ids = [row.entity_id for row in rows if row.entity == entity]
        detail = Task.title if model is Task else getattr(model, kind.key)
        for record_id, key, agency, text in session.execute(
                select(model.id, getattr(model, kind.key), Agency.code, detail)
                .join(Agency, Agency.id == model.owning_agency_id)
                .where(model.id.in_(ids), visible(model, principal))):
            names[(entity, record_id)] = (f"{agency}/{key}", text if model is Task else "")
    conflict_ids = [row.entity_id for row in rows if row.entity == CONFLICT]
    conflicts = {notice.conflict_id: notice for notice in action_day.conflict_notices(
        session, principal, conflict_ids)} if conflict_ids else {}
    files = dict(session.execute(select(BriefingFile.briefing_id, BriefingFile.file_name).where(
        BriefingFile.briefing_id.in_([row.entity_id for row in rows if row.entity == "briefing"]),
        _own_briefing(principal, BriefingFile.briefing_id))).all())
    shown = []
    for row in rows:
        opens = row.entity_id
        if row.entity in kinds:
            if (row.entity, row.entity_id) not in names:
                continue
            reference, detail = names[(row.entity, row.entity_id)]
            page = kinds[row.entity].name
            sentence = notices.sentence(row.event, reference, row.entity)
        elif row.entity == CONFLICT and row.entity_id in conflicts:  # told to this reader as the board tells it
            notice = conflicts[row.entity_id]
            sentence, reference, detail, page, opens = (_conflict_sentence(row.event, notice), notice.reference, "",
                                                        TARGET_PACKAGES.name, notice.package_id)
            if row.event == notices.CONFLICT_ACKNOWLEDGED.name:
                detail = notice.acknowledgement  # the note, as this reader may read it: the inbox's only, never mailed
        elif row.entity == "briefing" and row.entity_id in files:
            reference, detail, page = files[row.entity_id], "", ""
            sentence = notices.sentence(row.event, reference, row.entity)
        else:
            continue
        shown.append(Entry(row.id, row.event, sentence, reference, detail, page, opens, row.created_at,
                           row.read_at is not None))
    return shown


def _conflict_sentence(event: str, notice: action_day.ConflictNotice) -> str:
    """A conflict told as it stands now, led by what happened to it."""
    if event == notices.CONFLICT_ACKNOWLEDGED.name:
        return f"Command acknowledged a conflict: {notice.sentence}"
    if event == notices.CONFLICT_REOPENED.name:
        return f"A package of a conflict command had acknowledged changed; it is open again: {notice.sentence}"
    return notice.sentence


def briefing_pdf(session: Session, principal: Principal, briefing_id: int) -> tuple[str, bytes] | None:
    """A briefing made for the principal by the reminder pass: (file name, PDF), theirs only."""
    row = session.scalar(select(BriefingFile).where(BriefingFile.briefing_id == briefing_id,
                                                    _own_briefing(principal, BriefingFile.briefing_id)))
    return (row.file_name, row.pdf) if row else None


@dataclass(frozen=True)
class Settings:
    mail: str
    muted: list[str]  # event names
    briefing_at: str | None
    has_email: bool


def settings(session: Session, principal: Principal) -> Settings:
    row = session.get(NotificationSettings, principal.user_id)
    email = session.scalar(select(User.email).where(User.id == principal.user_id))
    return Settings((row.mail if row else MailMode.OFF).value, muted(session, principal),
                    row.briefing_at if row else None, bool(email))
