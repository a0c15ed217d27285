"""Create and update suspects, arrests and tasks: the rules between their fields (the fields
themselves are described in coordination.kinds)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination import audit, notices, policy
from coordination import fields as f
from coordination.errors import ValidationError
from coordination.kinds import ARRESTS, SUSPECTS, TASKS
from coordination.models import Arrest, MarkedRecord, Suspect, Task, TaskStatus, TaskUpdate, User
from coordination.principal import Principal
from coordination.services.authorisation import authorise
from coordination.services.loading import current_operation, load_visible
from coordination.services.merge import flush_or_conflict, merge_or_conflict
from coordination.services.notifications import notify
from coordination.services.pipeline import create_record, update_record
from coordination.services.unique_references import check_reference


def _unique_reference(session: Session, principal: Principal, kind, values: dict,
                      record: MarkedRecord | None = None) -> None:
    """On create, and on an update that changes the reference or the owning agency (no other needs it)."""
    if record is not None and kind.key not in values and "owning_agency_id" not in values:
        return
    owner = values.get("owning_agency_id") or record.owning_agency_id
    value = values.get(kind.key) or getattr(record, kind.key)
    check_reference(session, principal, kind, value, owner, record.id if record is not None else None)


def _blank_defaults(values: dict, **defaults) -> None:
    for name, default in defaults.items():
        if values.get(name) is None:
            values[name] = default


# --- suspects ---------------------------------------------------------------------------------

def suspect_rules(session: Session, principal: Principal, values: dict) -> None:
    _blank_defaults(values, aliases="", notes="")


def create_suspect(session: Session, principal: Principal, data: dict[str, Any]) -> Suspect:
    def check(values):
        _unique_reference(session, principal, SUSPECTS, values)
        suspect_rules(session, principal, values)
    return create_record(session, principal, SUSPECTS, data, check)


def update_suspect(session: Session, principal: Principal, suspect_id: int, expected_version: int,
                   changes: dict[str, Any], loaded: dict[str, Any] | None = None) -> Suspect:
    return update_record(session, principal, SUSPECTS, suspect_id, expected_version, changes,
                         normalise=lambda record, values: _refuse_blanking(values, "aliases", "notes"),
                         check=lambda record, changed: _unique_reference(session, principal, SUSPECTS, changed, record),
                         loaded=loaded)


def _refuse_blanking(values: dict, *names: str) -> None:
    for name in names:
        if name in values and values[name] is None:
            values[name] = ""


# --- arrests ----------------------------------------------------------------------------------

def arrest_rules(session: Session, principal: Principal, values: dict) -> None:
    if values.get("on_action_day") is None and values.get("arrested_at") is not None:
        action_day = current_operation(session, principal).action_day
        values["on_action_day"] = action_day is not None and values["arrested_at"].date() == action_day


def create_arrest(session: Session, principal: Principal, data: dict[str, Any]) -> Arrest:
    def check(values):
        _unique_reference(session, principal, ARRESTS, values)
        arrest_rules(session, principal, values)
    return create_record(session, principal, ARRESTS, data, check)


def update_arrest(session: Session, principal: Principal, arrest_id: int, expected_version: int,
                  changes: dict[str, Any], loaded: dict[str, Any] | None = None) -> Arrest:
    def normalise(record, values):
        if "on_action_day" in values and values["on_action_day"] is None:
            values["on_action_day"] = record.on_action_day
    return update_record(session, principal, ARRESTS, arrest_id, expected_version, changes, normalise=normalise,
                         check=lambda record, changed: _unique_reference(session, principal, ARRESTS, changed, record),
                         loaded=loaded)


# --- tasks ------------------------------------------------------------------------------------

def _no_cycle(session: Session, task_id: int | None, depends_on_id: int | None) -> None:
    seen = set()
    current = depends_on_id
    while current is not None:
        if current == task_id or current in seen:
            raise ValidationError({"depends_on": "would make the task depend on itself"})
        seen.add(current)
        current = session.scalar(select(Task.depends_on_id).where(Task.id == current))


def _assignee_of_another_agency(session: Session, assignee_id: int | None, owning_agency_id: int) -> bool:
    return assignee_id is not None and session.get(User, assignee_id).agency_id != owning_agency_id


def create_task(session: Session, principal: Principal, data: dict[str, Any]) -> Task:
    """A new task; assigning it to a person of another agency is a reassignment, as in `update_task`."""
    def check(values):
        if _assignee_of_another_agency(session, values.get("assignee_id"), values["owning_agency_id"]):
            authorise(principal, policy.Action.REASSIGN_TASK, TASKS, owning_agency_id=values["owning_agency_id"])
        _unique_reference(session, principal, TASKS, values)
        _blank_defaults(values, description="")
    task = create_record(session, principal, TASKS, data, check)
    _tell_assigned(session, principal, task, {"assignee_id": task.assignee_id,
                                              "owning_agency_id": task.owning_agency_id})
    return task


def _tell_assigned(session: Session, principal: Principal, task: Task, changed: dict) -> None:
    """A task given to a person, or to an agency other than the actor's, tells them (notify skips the actor)."""
    if changed.get("assignee_id") is not None:
        notify(session, notices.TASK_ASSIGNED_TO_YOU, Task.entity, task.id, users=[changed["assignee_id"]],
               actor=principal)
    agency = changed.get("owning_agency_id")
    if agency is not None and agency != principal.agency_id:
        notify(session, notices.TASK_ASSIGNED_TO_AGENCY, Task.entity, task.id, agencies=[agency], actor=principal)


def update_task(session: Session, principal: Principal, task_id: int, expected_version: int,
                changes: dict[str, Any], loaded: dict[str, Any] | None = None) -> Task:
    """Edit a task. Moving it to another agency, or to a person of another agency, is a
    reassignment, which only commanders may do."""
    def check(record, changed):
        _unique_reference(session, principal, TASKS, changed, record)
        if "depends_on_id" in changed:
            _no_cycle(session, record.id, changed["depends_on_id"])
        if changed.get("assignee_id") is not None and _assignee_of_another_agency(
                session, changed["assignee_id"], changed.get("owning_agency_id", record.owning_agency_id)):
            authorise(principal, policy.Action.REASSIGN_TASK, TASKS, record.id,
                      owning_agency_id=record.owning_agency_id)
        assigned.update(changed)
    assigned = {}
    task = update_record(session, principal, TASKS, task_id, expected_version, changes,
                         normalise=lambda record, values: _refuse_blanking(values, "description"), check=check,
                         loaded=loaded)
    _tell_assigned(session, principal, task, assigned)
    return task


def add_task_update(session: Session, principal: Principal, task_id: int, body: str,
                    new_status: Any = None, expected_version: int | None = None,
                    loaded_status: str | None = None) -> TaskUpdate:
    """Append a note to a task, optionally changing its status (which needs the version the user
    saw, and, to merge with other changes since, the status they saw). Notes are never edited or
    deleted."""
    task = load_visible(session, principal, Task, task_id)
    problems = {}
    try:
        body = f.text(10_000, multiline=True)(session, body or "")
    except ValueError as error:
        problems["body"] = str(error)
    if not problems.get("body") and not body:
        problems["body"] = "is required"
    status = None
    if not f.is_blank(new_status):
        try:
            status = f.choice(TaskStatus)(session, new_status)
        except ValueError as error:
            problems["new_status"] = str(error)
        if expected_version is None:
            problems["expected_version"] = "is required to change the status"
    if problems:
        raise ValidationError(problems)
    changes_status = status is not None and status != task.status
    action = policy.Action.CHANGE_TASK_STATUS if changes_status else policy.Action.ADD_NOTE
    authorise(principal, action, TASKS, task.id, owning_agency_id=task.owning_agency_id)
    update = TaskUpdate(task_id=task.id, author_id=principal.user_id, body=body)
    if changes_status:
        merge_or_conflict(session, principal, TASKS, task, expected_version, {"status": status},
                          None if loaded_status is None else {"status": loaded_status})
        update.status_from, update.status_to = task.status, status
        task.status, task.updated_by_id = status, principal.user_id
    session.add(update)
    flush_or_conflict(session, Task, task_id)
    after = {"task_id": task.id, "body": body}
    if changes_status:
        after |= {"status_from": update.status_from, "status_to": update.status_to}
    audit.record(session, audit.NewEvent(principal, "create", TaskUpdate.entity, update.id, after=after))
    return update
