"""A task's updates, and an agency's open tasks."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from coordination.aggregates import CLOSED_TASKS
from coordination.kinds import TASKS
from coordination.models import AuditEvent, Task, TaskStatus, TaskUpdate, User
from coordination.policy import visible
from coordination.principal import Principal
from coordination.queries import marking_history
from coordination.queries.records import readable


def task_updates(session: Session, principal: Principal, task_id: int) -> list[dict[str, Any]]:
    """The notes on a task the principal may read, oldest first."""
    if not readable(session, principal, TASKS, task_id):
        return []
    rows = session.execute(select(TaskUpdate, User.subject).outerjoin(User, User.id == TaskUpdate.author_id)
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


def my_agency_tasks(session: Session, principal: Principal, today: date) -> list[dict[str, Any]]:
    """The open tasks of the principal's agency that they may read: overdue and blocked first, then by due date."""
    overdue = (Task.due_date < today) & Task.status.not_in(CLOSED_TASKS)
    tasks = session.execute(
        select(Task, User.subject).outerjoin(User, User.id == Task.assignee_id)
        .where(visible(Task, principal), Task.owning_agency_id == principal.agency_id,
               Task.status.not_in(CLOSED_TASKS))
        .order_by(case((overdue, 0), (Task.status == TaskStatus.BLOCKED, 1), else_=2), Task.due_date,
                  Task.reference)).all()
    return [{"reference": t.reference, "title": t.title, "status": t.status.value, "priority": t.priority.value,
             "due": t.due_date.isoformat() if t.due_date else "",
             "overdue": "OVERDUE" if t.due_date and t.due_date < today else "", "assignee": assignee or ""}
            for t, assignee in tasks]
