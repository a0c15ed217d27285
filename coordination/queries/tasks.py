"""A task's updates, and an agency's open tasks (filtered in SQL)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from coordination.kinds import TASKS
from coordination.models import (
    Agency,
    AuditEvent,
    Task,
    TaskPriority,
    TaskStatus,
    TaskUpdate,
    User,
    closed,
    is_closed,
    is_overdue,
    overdue_at,
)
from coordination.policy import visible
from coordination.principal import Principal
from coordination.queries import marking_history
from coordination.queries.records import readable


def task_updates(session: Session, principal: Principal, task_id: int) -> list[dict[str, Any]]:
    """The notes on a task the principal may read, oldest first."""
    if not readable(session, principal, TASKS, task_id):
        return []
    author = func.coalesce(User.display_name + " (" + Agency.code + ")", "")  # "Noor Liaison (NL-POLICE)"
    rows = session.execute(select(TaskUpdate, author).outerjoin(User, User.id == TaskUpdate.author_id)
                           .outerjoin(Agency, Agency.id == User.agency_id)
                           .where(TaskUpdate.task_id == task_id).order_by(TaskUpdate.id)).all()
    # a note written while the task was above the reader's reach is not theirs to read
    markings = marking_history.timelines(session, Task, [task_id])[task_id]
    written = dict(session.execute(select(AuditEvent.entity_id, AuditEvent.seq).where(
        AuditEvent.entity == TaskUpdate.entity, AuditEvent.entity_id.in_([u.id for u, _ in rows]),
        AuditEvent.action == "create")).all())

    def then(note: TaskUpdate) -> bool:
        return note.id not in written or marking_history.readable(markings.before(written[note.id]), principal)
    return [{"when (UTC)": u.created_at.strftime("%Y-%m-%d %H:%M"), "who": author or "",
             "note": u.body if then(u) else marking_history.REDACTED,
             "status": (f"{u.status_from.value} -> {u.status_to.value}" if then(u) else marking_history.REDACTED)
             if u.status_to else ""}
            for u, author in rows]


class Due(enum.StrEnum):
    ANY = "any"
    OVERDUE = "overdue"
    WITHIN_7_DAYS = "due within 7 days"
    NONE = "no due date"


UNASSIGNED = "(unassigned)"  # the assignee filter's word for tasks nobody holds
OPEN_STATUSES = [s.value for s in TaskStatus if not is_closed(s)]
PRIORITIES = [p.value for p in TaskPriority]


@dataclass(frozen=True)
class TaskFilters:
    """What a liaison narrowed their agency's open tasks to; empty means all of them."""

    statuses: tuple[str, ...] = ()  # of OPEN_STATUSES
    priorities: tuple[str, ...] = ()
    assignees: tuple[str, ...] = ()  # subjects, or UNASSIGNED
    due: Due = Due.ANY


@dataclass(frozen=True)
class AgencyTasks:
    rows: list[dict[str, Any]]  # the open tasks that match, in the home list's order
    open: int  # all the open tasks of the agency that the principal may read


def _narrowed(filters: TaskFilters, today: date) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if filters.statuses:
        where.append(Task.status.in_([TaskStatus(s) for s in filters.statuses]))
    if filters.priorities:
        where.append(Task.priority.in_([TaskPriority(p) for p in filters.priorities]))
    if filters.assignees:
        named = [s for s in filters.assignees if s != UNASSIGNED]
        held = Task.assignee_id.in_(select(User.id).where(User.subject.in_(named)))
        where.append(held | Task.assignee_id.is_(None) if UNASSIGNED in filters.assignees else held)
    if filters.due is Due.OVERDUE:
        where.append(overdue_at(today))
    elif filters.due is Due.WITHIN_7_DAYS:
        where.append(Task.due_date.between(today, today + timedelta(days=7)))
    elif filters.due is Due.NONE:
        where.append(Task.due_date.is_(None))
    return where


def _mine(principal: Principal) -> list[ColumnElement[bool]]:
    return [visible(Task, principal), Task.owning_agency_id == principal.agency_id, ~closed(Task.status)]


def my_agency_assignees(session: Session, principal: Principal) -> list[str]:
    """Who holds any of the open tasks of the principal's agency that they may read, for a filter."""
    return list(session.scalars(select(User.subject).where(User.id.in_(select(Task.assignee_id)
                                                                       .where(*_mine(principal))))
                                .order_by(User.subject)))


def my_agency_tasks(session: Session, principal: Principal, today: date,
                    filters: TaskFilters = TaskFilters()) -> AgencyTasks:
    """The open tasks of the principal's agency that they may read and that match `filters`:
    overdue and blocked first, then by due date (none last); with the count of all of them."""
    mine = _mine(principal)
    tasks = session.execute(
        select(Task, User.subject).outerjoin(User, User.id == Task.assignee_id)
        .where(*mine, *_narrowed(filters, today))
        .order_by(case((overdue_at(today), 0), (Task.status == TaskStatus.BLOCKED, 1), else_=2),
                  Task.due_date.nulls_last(), Task.reference, Task.id)).all()
    rows = [{"reference": t.reference, "title": t.title, "status": t.status.value, "priority": t.priority.value,
             "due": t.due_date.isoformat() if t.due_date else "",
             "overdue": "OVERDUE" if is_overdue(t.status, t.due_date, today) else "", "assignee": assignee or ""}
            for t, assignee in tasks]
    return AgencyTasks(rows, session.scalar(select(func.count()).select_from(Task).where(*mine)) or 0)
