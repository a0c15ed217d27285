"""The operation picture as SQL aggregates, for the dashboard and the briefing.

Every figure is computed in the database, through the one scoping function, so a chart can never
count what its viewer may not see, and nothing loads rows into Python to count them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from coordination.models import (
    Agency,
    Arrest,
    EvidenceItem,
    EvidenceStatus,
    Jurisdiction,
    Operation,
    Suspect,
    Task,
    TaskStatus,
)
from coordination.policy import visible
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


def arrest_filters(filters: Filters) -> list[ColumnElement[bool]]:
    where = agency_filter(Arrest, filters)
    if filters.since:
        where.append(Arrest.arrested_at >= datetime.combine(filters.since, time.min, UTC))
    if filters.until:
        where.append(Arrest.arrested_at < datetime.combine(filters.until, time.max, UTC))
    if filters.jurisdictions:
        where.append(Arrest.jurisdiction_id.in_(select(Jurisdiction.id).where(
            Jurisdiction.code.in_(filters.jurisdictions))))
    return where


def _utc_day(session: Session, column):
    """The UTC calendar day of a timestamp (PostgreSQL would use the session's time zone)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.date(column)


def picture(session: Session, principal: Principal, filters: Filters = Filters(),
            today: date | None = None) -> Picture:
    """Every dashboard figure for this principal, in a handful of grouped queries."""
    today = today or datetime.now(UTC).date()
    suspects = [visible(Suspect, principal), *agency_filter(Suspect, filters)]
    arrests = [visible(Arrest, principal), *arrest_filters(filters)]
    evidence = [visible(EvidenceItem, principal), *agency_filter(EvidenceItem, filters)]
    tasks = [visible(Task, principal), *agency_filter(Task, filters)]

    pipeline = [(tier.value, status.value, n) for tier, status, n in session.execute(
        select(Suspect.tier, Suspect.status, func.count()).where(*suspects).group_by(Suspect.tier, Suspect.status))]
    by_status: dict[str, int] = {}
    for _tier, status, n in pipeline:
        by_status[status] = by_status.get(status, 0) + n

    day = _utc_day(session, Arrest.arrested_at)
    by_day = [(d if isinstance(d, date) else date.fromisoformat(d), n) for d, n in session.execute(
        select(day, func.count()).where(*arrests).group_by(day).order_by(day))]
    by_jurisdiction = [tuple(row) for row in session.execute(
        select(Jurisdiction.code, Jurisdiction.name, Jurisdiction.country, Jurisdiction.latitude,
               Jurisdiction.longitude, func.count(Arrest.id))
        .join(Arrest, Arrest.jurisdiction_id == Jurisdiction.id).where(*arrests)
        .group_by(Jurisdiction.id).order_by(func.count(Arrest.id).desc(), Jurisdiction.code))]

    evidence_rows = [(t.value, s.value, n) for t, s, n in session.execute(
        select(EvidenceItem.item_type, EvidenceItem.status, func.count()).where(*evidence)
        .group_by(EvidenceItem.item_type, EvidenceItem.status))]
    holders = [(code, n) for code, n in session.execute(
        select(Agency.code, func.count(EvidenceItem.id)).join(EvidenceItem, EvidenceItem.holder_agency_id == Agency.id)
        .where(*evidence).group_by(Agency.code).order_by(Agency.code))]

    overdue = and_(Task.due_date < today, Task.status.not_in(CLOSED_TASKS))
    task_rows = [(code, status.value, n, late or 0) for code, status, n, late in session.execute(
        select(Agency.code, Task.status, func.count(Task.id), func.sum(case((overdue, 1), else_=0)))
        .join(Task, Task.owning_agency_id == Agency.id).where(*tasks)
        .group_by(Agency.code, Task.status).order_by(Agency.code))]

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
