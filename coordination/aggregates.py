"""The operation picture as SQL aggregates, for the dashboard and the briefing.

Every figure is computed in the database through the one scoping rule of `policy` (in its forms for
tallies and for records addressed to the viewer), so a chart can never count what its viewer may not
see, and nothing loads rows into Python to count them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from coordination.models import (
    Agency,
    Arrest,
    ArrestRedTally,
    ArrestTally,
    EvidenceRedTally,
    EvidenceStatus,
    EvidenceTally,
    Jurisdiction,
    Operation,
    SuspectRedTally,
    SuspectTally,
    TaskRedTally,
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
    suspects_past_lead: int  # identified or further: every status but "lead"
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


def arrest_filters(filters: Filters, model=Arrest) -> list[ColumnElement[bool]]:
    """The filters on arrests, or on an arrest tally (whose `day` is the arrest's UTC day)."""
    where = agency_filter(model, filters)
    tally = model is not Arrest
    if filters.since:
        where.append(model.day >= filters.since if tally
                     else Arrest.arrested_at >= datetime.combine(filters.since, time.min, UTC))
    if filters.until:
        where.append(model.day <= filters.until if tally
                     else Arrest.arrested_at < datetime.combine(filters.until, time.max, UTC))
    if filters.jurisdictions:
        where.append(model.jurisdiction_id.in_(select(Jurisdiction.id).where(
            Jurisdiction.code.in_(filters.jurisdictions))))
    return where


def _added_up(rows, counts: int = 1) -> list[tuple]:
    """Rows of (key..., count...) from a tally and its RED twin, added up per key."""
    totals: dict[tuple, list[int]] = {}
    for row in rows:
        key, values = tuple(_value(v) for v in row[:-counts]), row[-counts:]
        total = totals.setdefault(key, [0] * counts)
        for i, value in enumerate(values):
            total[i] += value or 0
    return [(*key, *total) for key, total in totals.items() if total[0]]


def _value(item):
    return getattr(item, "value", item)


def picture(session: Session, principal: Principal, filters: Filters = Filters(),
            today: date | None = None) -> Picture:
    """Every dashboard figure for this principal, in a handful of grouped queries.

    Counted from the tallies the database keeps: the non-RED counts the viewer may see, plus the
    viewer's own RED counts, so the cost follows the number of distinct figures, not of records.
    """
    today = today or datetime.now(UTC).date()

    def counted(pair, query, counts: int = 1) -> list[tuple]:
        """`query(tally, where)` run on a tally (with what the viewer may count of it) and on its RED twin."""
        tally, red = pair
        return _added_up([*session.execute(query(tally, visible_in_tally(tally, principal))),
                          *session.execute(query(red, and_(red.user_id == principal.user_id,
                                                           visible_as_named(red, principal))))], counts)

    pipeline = counted((SuspectTally, SuspectRedTally), lambda t, seen: select(t.tier, t.status, func.sum(t.n))
                       .where(seen, *agency_filter(t, filters)).group_by(t.tier, t.status))
    by_status: dict[str, int] = {}
    for _tier, status, n in pipeline:
        by_status[status] = by_status.get(status, 0) + n

    arrests = (ArrestTally, ArrestRedTally)
    by_day = sorted(counted(arrests, lambda t, seen: select(t.day, func.sum(t.n))
                            .where(seen, *arrest_filters(filters, t)).group_by(t.day)))
    place = (Jurisdiction.code, Jurisdiction.name, Jurisdiction.country, Jurisdiction.latitude, Jurisdiction.longitude)
    by_jurisdiction = sorted(counted(arrests, lambda t, seen: select(*place, func.sum(t.n))
                                     .join(t, t.jurisdiction_id == Jurisdiction.id)
                                     .where(seen, *arrest_filters(filters, t)).group_by(*place)),
                             key=lambda row: (-row[-1], row[0]))

    evidence_cells = counted(  # type, status, holder: both evidence charts come from these
        (EvidenceTally, EvidenceRedTally), lambda t, seen: select(t.item_type, t.status, Agency.code, func.sum(t.n))
        .join(Agency, Agency.id == t.holder_agency_id).where(seen, *agency_filter(t, filters))
        .group_by(t.item_type, t.status, Agency.code))
    evidence_rows = _added_up((item_type, status, n) for item_type, status, _holder, n in evidence_cells)
    holders = sorted(_added_up((holder, n) for _type, _status, holder, n in evidence_cells))

    task_rows = sorted(counted(
        (TaskTally, TaskRedTally), lambda t, seen: select(
            Agency.code, t.status, func.sum(t.n),
            func.sum(case((and_(t.due_by < today, t.status.not_in(CLOSED_TASKS)), t.n), else_=0)))
        .join(t, t.owning_agency_id == Agency.id).where(seen, *agency_filter(t, filters))
        .group_by(Agency.code, t.status), counts=2))

    return Picture(
        suspects_by_status=by_status,
        suspects_past_lead=sum(n for status, n in by_status.items() if status != "lead"),
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
