"""The operation picture as SQL aggregates, for the dashboard and the briefing.

Every figure is computed in the database through the one scoping rule of `policy` (in its forms for
tallies and for records addressed to the viewer), so a chart can never count what its viewer may not
see, and nothing loads rows into Python to count them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import ColumnElement, Date, and_, case, func, select
from sqlalchemy.orm import Session, aliased

from coordination.markings import TLP
from coordination.models import (
    Agency,
    Arrest,
    ArrestTally,
    EvidenceItem,
    EvidenceStatus,
    EvidenceTally,
    Jurisdiction,
    MarkedRecord,
    Operation,
    Recipient,
    Suspect,
    SuspectTally,
    Task,
    TaskStatus,
    TaskTally,
)
from coordination.policy import visible_as_named, visible_in_tally
from coordination.principal import Principal

CLOSED_TASKS = (TaskStatus.DONE, TaskStatus.CANCELLED)


@dataclass(frozen=True)
class Filters:
    """What the viewer narrowed the picture to; empty means everything they may see."""

    since: date | None = None
    until: date | None = None
    agencies: tuple[str, ...] = ()  # agency codes
    jurisdictions: tuple[str, ...] = ()  # jurisdiction codes


@dataclass(frozen=True)
class Picture:
    suspects_by_status: dict[str, int]
    suspect_pipeline: list[tuple[str, str, int]]  # tier, status, count
    arrests_total: int
    arrests_today: int
    arrests_by_jurisdiction: list[tuple[str, str, str, float, float, int]]  # code, name, country, lat, lon, n
    arrests_by_day: list[tuple[date, int]]
    evidence_awaiting_analysis: int
    evidence_by_type_status: list[tuple[str, str, int]]
    evidence_by_holder: list[tuple[str, int]]
    tasks_by_agency_status: list[tuple[str, str, int, int]]  # agency, status, count, overdue
    tasks_open: int
    tasks_overdue: int
    tasks_blocked: int
    action_day: date | None


def agency_filter(model, filters: Filters) -> list[ColumnElement[bool]]:
    if not filters.agencies:
        return []
    codes = select(Agency.id).where(Agency.code.in_(filters.agencies))
    return [model.owning_agency_id.in_(codes)]


def arrest_filters(filters: Filters, model: type[Arrest] | type[ArrestTally] = Arrest) -> list[ColumnElement[bool]]:
    """The filters on arrests, or on their tally (whose `day` is the arrest's UTC day)."""
    where = agency_filter(model, filters)
    if filters.since:
        where.append(model.day >= filters.since if model is ArrestTally
                     else Arrest.arrested_at >= datetime.combine(filters.since, time.min, UTC))
    if filters.until:
        where.append(model.day <= filters.until if model is ArrestTally
                     else Arrest.arrested_at < datetime.combine(filters.until, time.max, UTC))
    if filters.jurisdictions:
        where.append(model.jurisdiction_id.in_(select(Jurisdiction.id).where(
            Jurisdiction.code.in_(filters.jurisdictions))))
    return where


def _utc_day(session: Session, column):
    """The UTC calendar day of a timestamp (PostgreSQL would use the session's time zone)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("UTC", column), type_=Date)
    return func.date(column, type_=Date)


MINE = aliased(Recipient, name="mine")  # the viewer's own entries; `visible` checks Recipient itself


def _red(model: type[MarkedRecord], principal: Principal) -> list[ColumnElement[bool]]:
    """RED records the principal may read, reached from their own recipient entries (a handful),
    for queries that select from MINE joined to `model`."""
    return [MINE.user_id == principal.user_id, MINE.entity == model.entity, model.tlp == TLP.RED,
            visible_as_named(model, principal)]


def _added_up(rows, counts: int = 1) -> list[tuple]:
    """Rows of (key..., count...) from a tally and from RED records, added up per key."""
    totals: dict[tuple, list[int]] = {}
    for row in rows:
        key, values = tuple(row[:-counts]), row[-counts:]
        total = totals.setdefault(key, [0] * counts)
        for i, value in enumerate(values):
            total[i] += value or 0
    return [(*key, *total) for key, total in totals.items() if total[0]]


def _value(item):
    return getattr(item, "value", item)


def picture(session: Session, principal: Principal, filters: Filters = Filters(),
            today: date | None = None) -> Picture:
    """Every dashboard figure for this principal, in a handful of grouped queries.

    Counted from the tallies the database keeps (non-RED records) plus the viewer's own RED records,
    so the cost follows the number of distinct figures, not the number of records.
    """
    today = today or datetime.now(UTC).date()

    def both(tally_query, red_query, counts: int = 1) -> list[tuple]:
        rows = [*session.execute(tally_query), *session.execute(red_query)]
        return [tuple(_value(v) for v in row) for row in _added_up(rows, counts)]

    suspects = [visible_in_tally(SuspectTally, principal), *agency_filter(SuspectTally, filters)]
    pipeline = both(
        select(SuspectTally.tier, SuspectTally.status, func.sum(SuspectTally.n)).where(*suspects)
        .group_by(SuspectTally.tier, SuspectTally.status),
        select(Suspect.tier, Suspect.status, func.count()).select_from(MINE).join(Suspect, Suspect.id ==
        MINE.entity_id).where(*_red(Suspect, principal), *agency_filter(Suspect, filters))
        .group_by(Suspect.tier, Suspect.status))
    by_status: dict[str, int] = {}
    for _tier, status, n in pipeline:
        by_status[status] = by_status.get(status, 0) + n

    arrests = [visible_in_tally(ArrestTally, principal), *arrest_filters(filters, ArrestTally)]
    red_arrests = select().select_from(MINE).join(Arrest, Arrest.id == MINE.entity_id).where(
        *_red(Arrest, principal), *arrest_filters(filters))
    day = _utc_day(session, Arrest.arrested_at)
    by_day = sorted(both(select(ArrestTally.day, func.sum(ArrestTally.n)).where(*arrests).group_by(ArrestTally.day),
                         red_arrests.add_columns(day, func.count()).group_by(day)))
    place = (Jurisdiction.code, Jurisdiction.name, Jurisdiction.country, Jurisdiction.latitude, Jurisdiction.longitude)
    by_jurisdiction = sorted(both(
        select(*place, func.sum(ArrestTally.n)).join(ArrestTally, ArrestTally.jurisdiction_id == Jurisdiction.id)
        .where(*arrests).group_by(*place),
        red_arrests.add_columns(*place, func.count()).join(Jurisdiction, Jurisdiction.id == Arrest.jurisdiction_id)
        .group_by(*place)), key=lambda row: (-row[-1], row[0]))

    evidence = [visible_in_tally(EvidenceTally, principal), *agency_filter(EvidenceTally, filters)]
    evidence_cells = both(  # type, status, holder: both evidence charts come from these
        select(EvidenceTally.item_type, EvidenceTally.status, Agency.code, func.sum(EvidenceTally.n))
        .join(Agency, Agency.id == EvidenceTally.holder_agency_id).where(*evidence)
        .group_by(EvidenceTally.item_type, EvidenceTally.status, Agency.code),
        select(EvidenceItem.item_type, EvidenceItem.status, Agency.code, func.count()).select_from(MINE)
        .join(EvidenceItem, EvidenceItem.id == MINE.entity_id).join(Agency, Agency.id == EvidenceItem.holder_agency_id)
        .where(*_red(EvidenceItem, principal), *agency_filter(EvidenceItem, filters))
        .group_by(EvidenceItem.item_type, EvidenceItem.status, Agency.code))
    evidence_rows = _added_up((item_type, status, n) for item_type, status, _holder, n in evidence_cells)
    holders = sorted(_added_up((holder, n) for _type, _status, holder, n in evidence_cells))

    open_task = TaskTally.status.not_in(CLOSED_TASKS)
    tasks = [visible_in_tally(TaskTally, principal), *agency_filter(TaskTally, filters)]
    late = and_(Task.due_date < today, Task.status.not_in(CLOSED_TASKS))
    task_rows = sorted(both(
        select(Agency.code, TaskTally.status, func.sum(TaskTally.n),
               func.sum(case((and_(TaskTally.due_by < today, open_task), TaskTally.n), else_=0)))
        .join(TaskTally, TaskTally.owning_agency_id == Agency.id).where(*tasks).group_by(Agency.code, TaskTally.status),
        select(Agency.code, Task.status, func.count(), func.sum(case((late, 1), else_=0))).select_from(MINE)
        .join(Task, Task.id == MINE.entity_id).join(Agency, Agency.id == Task.owning_agency_id)
        .where(*_red(Task, principal), *agency_filter(Task, filters)).group_by(Agency.code, Task.status),
        counts=2))

    return Picture(
        suspects_by_status=by_status,
        suspect_pipeline=sorted(pipeline),
        arrests_total=sum(n for _, n in by_day),
        arrests_today=sum(n for d, n in by_day if d == today),
        arrests_by_jurisdiction=by_jurisdiction,
        arrests_by_day=by_day,
        evidence_awaiting_analysis=sum(n for _, s, n in evidence_rows if s == EvidenceStatus.AWAITING_ANALYSIS.value),
        evidence_by_type_status=sorted(evidence_rows),
        evidence_by_holder=holders,
        tasks_by_agency_status=task_rows,
        tasks_open=sum(n for _, s, n, _ in task_rows if s not in {c.value for c in CLOSED_TASKS}),
        tasks_overdue=sum(late for *_, late in task_rows),
        tasks_blocked=sum(n for _, s, n, _ in task_rows if s == TaskStatus.BLOCKED.value),
        action_day=session.scalar(select(Operation.action_day).order_by(Operation.id).limit(1)),
    )
