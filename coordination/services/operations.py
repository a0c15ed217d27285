"""Operations and who takes part in them: opening one, moving it along its way (planning -> active ->
action day -> closing -> closed -> archived, re-opening included), and the memberships admins provision.

Each use case validates, authorises through `policy` (its section "operations and memberships"),
changes and records one audit event, and never commits (`runner.run` does). An operation is named by its
short code; one the principal may not read is answered as a missing one, never as a refusal.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination import audit, policy
from coordination import fields as f
from coordination.errors import NotFound, PermissionDenied, ValidationError
from coordination.fields import Choice, by_name, is_blank, parse_fields, shown
from coordination.kinds import MEMBERSHIP, OPERATION, STATUS_REASON
from coordination.markings import TLP, Classification
from coordination.models import Agency, Membership, Operation, OperationPartner, OperationStatus, Role, User
from coordination.principal import Principal
from coordination.services.authorisation import acting_as, is_system
from coordination.services.merge import flush_or_conflict
from coordination.services.runner import allowed_when_closed

STATUS = Choice(OperationStatus)
PERSON = by_name(User, "subject", "no user '{value}'")  # active or not: a disabled member is still removed


def open_operation(session: Session, principal: Principal, data: dict[str, Any]) -> Operation:
    """A new operation, in planning, its lead agency among its partners; a commander who opens it is
    its commander."""
    values = parse_fields(session, OPERATION, data)
    _check_dates(values)
    _check_contact(values)
    if not policy.can_open_operation(principal):
        _refuse(principal, "open an operation", "open", "operation")
    _check_unique(session, values)  # after the refusal: which codes are taken is not everyone's to learn
    partners = sorted(set(values.pop("partners") or []) | {values["lead_agency_id"]})
    values["default_tlp"] = values["default_tlp"] or TLP.AMBER
    values["default_classification"] = values["default_classification"] or Classification.OFFICIAL_SENSITIVE
    operation = Operation(**values, status=OperationStatus.PLANNING)
    session.add(operation)
    session.flush()
    session.add_all(OperationPartner(operation_id=operation.id, agency_id=agency_id) for agency_id in partners)
    commander = None
    if policy.commands_what_they_open(principal):
        session.add(Membership(operation_id=operation.id, user_id=principal.user_id, role=Role.COMMANDER))
        commander = principal.subject
    session.flush()
    after = {name: getattr(operation, name) for name in ("code_name", "code", "starts_on", "ends_on", "action_day",
                                                          "default_tlp", "default_classification",
                                                          "deconfliction_contact")}
    after |= {"lead_agency": _codes(session, [operation.lead_agency_id])[0], "partners": _codes(session, partners),
              "status": operation.status, "commander": commander}
    audit.record(session, audit.NewEvent(principal, "create", "operation", operation.id, after=after))
    return operation


@allowed_when_closed  # re-opening is the one change a closed operation takes
def change_operation_status(session: Session, principal: Principal, code: str, status: str,
                            reason: str | None = None) -> Operation:
    """Move the operation to `status`. Forward it may skip a step, but closes only from closing and is
    archived only once closed; a step back, re-opening a closed or archived one included, is its
    command's decision, recorded with its reason."""
    operation = _operation(session, principal, code)
    problems: dict[str, str] = {}
    new = _parsed(session, STATUS, status, "status", problems)
    why = _parsed(session, STATUS_REASON, reason, "reason", problems) if not is_blank(reason) else None
    current = operation.status
    if new is not None:
        problem = _step_problem(current, new, why)
        if problem:
            problems[problem[0]] = problem[1]
    if problems:
        raise ValidationError(problems)
    if not policy.can_change_operation_status(principal, operation.id, current, new):
        _refuse(principal, f"move {operation.code_name} from {current.value} to {new.value}", "change status",
                "operation", operation.id)
    operation.status = new
    flush_or_conflict(session, Operation, operation.id)
    audit.record(session, audit.NewEvent(principal, "change status", "operation", operation.id,
                                         before={"status": current}, after={"status": new}, detail=why))
    return operation


def _step_problem(current: OperationStatus, new: OperationStatus, reason: str | None) -> tuple[str, str] | None:
    """What is wrong with moving an operation from `current` to `new` (None: nothing)."""
    if new is current:
        return "status", f"is {current.value} already"
    if policy.is_step_back(current, new):
        return None if reason else ("reason", "is required to move an operation back (re-opening it is "
                                              "a decision of its command, recorded with why)")
    if new is OperationStatus.CLOSED and current is not OperationStatus.CLOSING:
        return "status", "an operation closes from closing: move it to closing first"
    if new is OperationStatus.ARCHIVED and current is not OperationStatus.CLOSED:
        return "status", "only a closed operation is archived: close it first"
    return None


# --- memberships ---------------------------------------------------------------------------------

def add_member(session: Session, principal: Principal, code: str, subject: str, role: str) -> Membership:
    """`subject` takes part in the operation as `role` (admins provision it)."""
    values = parse_fields(session, MEMBERSHIP, {"operation": code, "person": subject, "role": role})
    _authorise_memberships(principal)
    return join(session, principal, values["operation_id"], values["user_id"], values["role"])


def join(session: Session, principal: Principal, operation_id: int, user_id: int, role: Role) -> Membership:
    """The membership made and recorded (its own audit event), the role checked; for `add_member`
    and for a user provisioned with their operations."""
    _check_role(role)
    operation, user = session.get_one(Operation, operation_id), session.get_one(User, user_id)
    if _membership(session, operation_id, user_id) is not None:
        raise ValidationError({"person": f"{user.subject} takes part in {operation.code} already: change "
                                         "their role instead"})
    membership = Membership(operation_id=operation_id, user_id=user_id, role=role)
    session.add(membership)
    session.flush()
    audit.record(session, audit.NewEvent(principal, "create", "membership", membership.id, after={
        "operation": operation.code, "person": user.subject, "role": role}))
    return membership


def change_member_role(session: Session, principal: Principal, code: str, subject: str, role: str) -> Membership:
    """The person's role in this operation (theirs in any other is unchanged)."""
    new = parse_fields(session, {"role": MEMBERSHIP["role"]}, {"role": role})["role"]
    _authorise_memberships(principal)
    membership, operation, user = _member(session, code, subject)
    _check_role(new)
    if membership.role is new:
        return membership
    before = membership.role
    membership.role = new
    flush_or_conflict(session, Membership, membership.id)
    audit.record(session, audit.NewEvent(principal, "update", "membership", membership.id,
                                         before={"operation": operation.code, "person": user.subject, "role": before},
                                         after={"role": new}))
    return membership


def remove_member(session: Session, principal: Principal, code: str, subject: str) -> None:
    """The person no longer takes part in the operation: they read nothing of it from their next step."""
    _authorise_memberships(principal)
    membership, operation, user = _member(session, code, subject)
    before = {"operation": operation.code, "person": user.subject, "role": membership.role}
    membership_id = membership.id
    session.delete(membership)
    if user.last_operation_id == operation.id:
        user.last_operation_id = None
    session.flush()
    audit.record(session, audit.NewEvent(principal, "delete", "membership", membership_id, before=before))


def join_operations(session: Session, principal: Principal, user: User, operations: Any) -> list[Membership]:
    """A user being provisioned takes part in these operations (codes), in their role, in the same
    transaction (`users.create_user`)."""
    if is_blank(operations):
        return []
    problems: dict[str, str] = {}
    ids = _parsed(session, f.operations, operations, "operations", problems) or []
    if problems:
        raise ValidationError(problems)
    if ids and not policy.may_be_member_as(user.role):
        raise ValidationError({"operations": "an admin takes part in no operation as admin: provision the "
                                             "admin without operations"})
    return [join(session, principal, operation_id, user.id, user.role) for operation_id in ids]


# --- what the use cases share --------------------------------------------------------------------

def _check_role(role: Role) -> None:
    if not policy.may_be_member_as(role):
        raise ValidationError({"role": "an admin provisions and takes part in no operation as admin: "
                                       "choose commander, liaison, analyst or observer"})


def _authorise_memberships(principal: Principal) -> None:
    if not (is_system(principal) or policy.can_manage_memberships(principal)):
        _refuse(principal, "provision who takes part in an operation", "provision", "membership")


def _refuse(principal: Principal, what: str, action: str, entity: str, entity_id: int | None = None) -> None:
    """PermissionDenied (the runner audits it): 'a liaison of MET may not open an operation'."""
    raise PermissionDenied(f"{acting_as(principal)} may not {what}", action=action, entity=entity,
                           entity_id=entity_id)


def _operation(session: Session, principal: Principal, code: str) -> Operation:
    """The operation of that code, if the principal may read it (an admin: any); else NotFound, alike
    for one that is not there and one they take part in under another operation's name."""
    operation_id = _found(session, f.operation, code)
    operation = session.get(Operation, operation_id, populate_existing=True) if operation_id else None
    if operation is None or not (is_system(principal) or policy.sees_members(principal, operation.id)):
        raise NotFound(f"no operation '{shown(code)}'")
    return operation


def _member(session: Session, code: str, subject: str) -> tuple[Membership, Operation, User]:
    operation_id = _found(session, f.operation, code)
    if operation_id is None:
        raise NotFound(f"no operation '{shown(code)}'")
    operation = session.get_one(Operation, operation_id)
    user_id = _found(session, PERSON, subject)
    membership = _membership(session, operation.id, user_id) if user_id is not None else None
    if membership is None:
        raise NotFound(f"'{shown(subject)}' does not take part in {operation.code}")
    return membership, operation, session.get_one(User, membership.user_id)


def _found(session: Session, parse, name: Any) -> int | None:
    """The id a name parser finds (it refuses, without asking the database, names no row can have)."""
    try:
        return parse(session, name)
    except ValueError:
        return None


def _membership(session: Session, operation_id: int, user_id: int) -> Membership | None:
    return session.scalar(select(Membership).where(Membership.operation_id == operation_id,
                                                   Membership.user_id == user_id))


def _parsed(session: Session, field, value: Any, name: str, problems: dict[str, str]):
    """One value parsed by its field's parser (or a bare parser), its problem kept under `name`."""
    parse = getattr(field, "parse", field)
    if is_blank(value):
        problems[name] = "is required"
        return None
    try:
        return parse(session, value)
    except ValueError as error:
        problems[name] = str(error)
        return None


def _check_dates(values: dict[str, Any]) -> None:
    if values.get("starts_on") and values.get("ends_on") and values["ends_on"] < values["starts_on"]:
        raise ValidationError({"ends_on": "is before the day the operation starts"})


def _check_contact(values: dict[str, Any]) -> None:
    """The deconfliction contact is told to other operations' people, who may not learn this one's name."""
    contact = (values.get("deconfliction_contact") or "").casefold()
    names = {values.get("code_name") or "", values.get("code") or ""}
    words = {word for name in names for word in name.casefold().split() if word != "operation"}
    if contact and any(word in contact for word in words if len(word) > 2):
        raise ValidationError({"deconfliction_contact": "is told to other operations, which may not learn this "
                                                        "one's name: name a desk or a team, not the operation"})


def _check_unique(session: Session, values: dict[str, Any]) -> None:
    problems = {}
    if session.scalar(select(Operation.id).where(Operation.code == values["code"])):
        problems["code"] = f"'{values['code']}' is taken: choose another short code"
    if session.scalar(select(Operation.id).where(Operation.code_name == values["code_name"])):
        problems["code_name"] = f"'{values['code_name']}' is taken: choose another code name"
    if problems:
        raise ValidationError(problems)


def _codes(session: Session, agency_ids: Iterable[int]) -> list[str]:
    codes = dict(session.execute(select(Agency.id, Agency.code).where(Agency.id.in_(list(agency_ids)))).all())
    return [codes[agency_id] for agency_id in agency_ids]
