"""What every use case shares: visibility checks, authorisation, version checks, and the generic
create / update of a marked operational record described by its kind. Nothing here commits."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from coordination import audit, policy
from coordination.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from coordination.fields import parse_fields
from coordination.kinds import Kind
from coordination.markings import TLP
from coordination.models import MarkedRecord, Operation, Recipient
from coordination.principal import SYSTEM_ISSUER, Principal

MARKING_FIELDS = ("tlp", "classification")


def current_operation(session: Session) -> Operation:
    if "operation" in session.info:  # a bulk import pins it for its one transaction
        return session.info["operation"]
    operation = session.scalar(select(Operation).order_by(Operation.id).limit(1))
    if operation is None:
        raise ValidationError({"operation": "no operation is set up yet; run `python -m coordination demo load`"})
    return operation


def recipient_ids(session: Session, entity: str, entity_id: int) -> set[int]:
    return set(session.scalars(select(Recipient.user_id).where(
        Recipient.entity == entity, Recipient.entity_id == entity_id)))


def load_visible(session: Session, principal: Principal, model: type[MarkedRecord], record_id: Any):
    """The record, if the principal may read it; otherwise NotFound (unseen records do not exist)."""
    # populate_existing: a session that served earlier calls must not decide on its stale copy; a bulk
    # import loaded what it links to inside its own transaction, so its copies are current
    fresh = session.info.get("loaded_in_this_transaction", False)
    record = session.get(model, record_id, populate_existing=not fresh) if isinstance(record_id, int) else None
    named = recipient_ids(session, model.entity, record.id) if record is not None and record.tlp is TLP.RED else ()
    if record is None or not policy.can_read(principal, record.owning_agency_id, record.tlp, named):
        raise NotFound(f"{model.entity} {record_id} does not exist or is not visible to you")
    return record


def is_system(principal: Principal) -> bool:
    """The system itself (CLI, demo loader), as opposed to a person, provisioned or not."""
    return principal.role is None and principal.user_id is None and principal.issuer == SYSTEM_ISSUER


def check_link(session: Session, principal: Principal, model: type[MarkedRecord], values: dict, field: str,
               column: str) -> None:
    """A link to a record the principal may not read is refused exactly like a link to nothing,
    so links cannot be used to learn what exists."""
    if values.get(column) is None:
        return
    try:
        load_visible(session, principal, model, values[column])
    except NotFound:
        raise ValidationError({field: f"no {model.entity} with that reference"}) from None


# What each action does, as the end of "a liaison of FBI may not ...": `{entity}` is the record's noun.
ACTION_PHRASES = {
    policy.Action.CREATE: "create this {entity}",
    policy.Action.UPDATE: "change this {entity}",
    policy.Action.TRANSFER_CUSTODY: "transfer custody of this {entity}",
    policy.Action.ADD_NOTE: "add a note to this {entity}",
    policy.Action.CHANGE_TASK_STATUS: "change the status of this {entity}",
    policy.Action.REASSIGN_TASK: "assign this {entity} to another agency or to a person of another agency",
    policy.Action.MANAGE_USERS: "provision or change users",
}


def refusal_message(principal: Principal, action: policy.Action, entity: str) -> str:
    """'a liaison of FBI may not transfer custody of this evidence item', in plain English."""
    role = principal.role.value if principal.role else "unprovisioned user"
    article = "an" if role[0] in "aeiou" else "a"
    who = f"{article} {role} of {principal.agency_code}" if principal.agency_code else f"{article} {role}"
    return f"{who} may not {ACTION_PHRASES[action].format(entity=entity)}"


def authorise(principal: Principal, action: policy.Action, kind: Kind | None, entity_id: int | None = None,
              entity: str = "", **scope) -> None:
    """Refuse (PermissionDenied, audited by the runner) what the policy does not allow."""
    if not policy.can_write(principal, action, kind=kind, **scope):
        entity = entity or (kind.entity if kind else "record")
        raise PermissionDenied(refusal_message(principal, action, entity), action=action.value, entity=entity,
                               entity_id=entity_id)


def check_version(record: MarkedRecord | Any, expected_version: int) -> None:
    if record.version != expected_version:
        raise conflict(record)


def conflict(record) -> ConflictError:
    changed_by = record.updated_by.display_name if getattr(record, "updated_by", None) else None
    if changed_by and record.updated_by.agency:
        changed_by = f"{changed_by} ({record.updated_by.agency.code})"
    return ConflictError(getattr(record, "entity", type(record).__name__.lower()), record.id, changed_by,
                         getattr(record, "updated_at", None), record.version)


def flush_or_conflict(session: Session, model, record_id: int) -> None:
    """Write the pending change; if another transaction saved the row first, say who and when."""
    try:
        session.flush()
    except StaleDataError:
        session.rollback()
        raise conflict(session.get(model, record_id, populate_existing=True)) from None


def snapshot(record, columns) -> dict[str, Any]:
    return {name: getattr(record, name) for name in columns}


def set_recipients(session: Session, entity: str, entity_id: int, user_ids: list[int]) -> None:
    for old in session.scalars(select(Recipient).where(Recipient.entity == entity, Recipient.entity_id == entity_id)):
        session.delete(old)  # row by row: bulk DELETE on audited tables is refused
    session.flush()
    session.add_all(Recipient(entity=entity, entity_id=entity_id, user_id=uid) for uid in user_ids)


def _marking_and_recipients(session: Session, principal: Principal, values: dict[str, Any],
                            record: MarkedRecord | None) -> list[int] | None:
    """Fill a new record's marking from the operation's default; RED always has named recipients
    and the author is one of them (or they could not read what they just wrote)."""
    recipients = values.pop("recipients", None)
    if record is None:
        operation = current_operation(session)
        values.setdefault("tlp", None)
        values.setdefault("classification", None)
        values["tlp"] = values["tlp"] or operation.default_tlp
        values["classification"] = values["classification"] or operation.default_classification
    tlp = values.get("tlp") or (record.tlp if record else None)
    if tlp is TLP.RED:
        if recipients is None and record is not None and record.tlp is TLP.RED:
            return None  # unchanged
        chosen = set(recipients or [])
        if principal.user_id is not None:
            chosen.add(principal.user_id)
        return sorted(chosen)
    if recipients:
        raise ValidationError({"recipients": "named recipients are only for TLP:RED records"})
    return [] if record is not None and record.tlp is TLP.RED else None


def prepare_create(session: Session, principal: Principal, kind: Kind, data: Mapping[str, Any],
                   check: Callable[[dict[str, Any]], None] | None = None) -> tuple[dict[str, Any], list[int] | None]:
    """Validate and authorise a new record without writing it: its column values and RED recipients."""
    values = parse_fields(session, kind.fields, data)
    values.setdefault("owning_agency_id", None)
    values["owning_agency_id"] = values["owning_agency_id"] or principal.agency_id
    recipients = _marking_and_recipients(session, principal, values, None)
    # permission before the checks that look at other records (a reference in use, a link), so those
    # tell nothing to someone who may not create this record at all
    authorise(principal, policy.Action.CREATE, kind, owning_agency_id=values["owning_agency_id"])
    if check:
        check(values)
    return values, recipients


def create_record(session: Session, principal: Principal, kind: Kind, data: Mapping[str, Any],
                  check: Callable[[dict[str, Any]], None] | None = None) -> MarkedRecord:
    """Validate -> authorise -> insert -> audit, for a suspect, arrest, evidence item or task."""
    model = kind.model
    values, recipients = prepare_create(session, principal, kind, data, check)
    record = model(**values, operation_id=current_operation(session).id, updated_by_id=principal.user_id)
    session.add(record)
    session.flush()
    if recipients:
        set_recipients(session, model.entity, record.id, recipients)
    audit.record(session, audit.NewEvent(principal, "create", model.entity, record.id,
                                         after=audit_values(record, values, recipients)))
    return record


def update_record(session: Session, principal: Principal, kind: Kind, record_id: int, expected_version: int,
                  changes: Mapping[str, Any], action: policy.Action = policy.Action.UPDATE,
                  normalise: Callable[[MarkedRecord, dict[str, Any]], None] | None = None,
                  check: Callable[[MarkedRecord, dict[str, Any]], None] | None = None) -> MarkedRecord:
    """Validate -> compare -> authorise -> check -> compare version -> change -> audit.

    Values equal to the record's are no change, whoever owns the record: a file exported and imported
    back unchanged is "unchanged" row by row, not refused. Only a real change is authorised, and only
    then checked against other records (`check` sees the changed columns) and against the version
    the person saw. A record the principal may not read stays NotFound before anything else.
    `normalise` fills what a blank means for this kind (no lookups of other records)."""
    model = kind.model
    record = load_visible(session, principal, model, record_id)
    values = parse_fields(session, kind.fields, changes, partial=True)
    _refuse_blanking_required(kind, values)
    if normalise:
        normalise(record, values)
    recipients = _marking_and_recipients(session, principal, values, record)
    changed = {name: value for name, value in values.items() if getattr(record, name) != value}
    old_recipients = recipient_ids(session, model.entity, record.id)
    recipients_changed = recipients is not None and set(recipients) != old_recipients
    if not changed and not recipients_changed:
        return record
    authorise(principal, action, kind, record.id, owning_agency_id=record.owning_agency_id)
    if "owning_agency_id" in changed:
        authorise(principal, policy.Action.REASSIGN_TASK if kind.run_by_command else action, kind,
                  record.id, owning_agency_id=changed["owning_agency_id"])
    if check:
        check(record, changed)
    check_version(record, expected_version)
    before = snapshot(record, changed)
    for name, value in changed.items():
        setattr(record, name, value)
    record.updated_by_id = principal.user_id
    if not changed:
        record.updated_at = audit.utcnow()  # a recipients-only change still bumps the version
    flush_or_conflict(session, model, record_id)
    if recipients_changed:
        set_recipients(session, model.entity, record.id, recipients)
        before["recipients"] = sorted(old_recipients)
        changed["recipients"] = recipients
    audit.record(session, audit.NewEvent(principal, "update", model.entity, record.id, before=before,
                                         after=changed))
    return record


def _refuse_blanking_required(kind: Kind, values: dict[str, Any]) -> None:
    """An update may not blank a column the record cannot be without (its marking, its owner);
    blanks in columns with a default (notes, aliases) are the service's to fill."""
    columns = kind.model.__table__.columns
    problems = {name: "cannot be blank" for name, field in kind.fields.items()
                if (column := field.column or name) in values and values[column] is None
                and column in columns and not columns[column].nullable and columns[column].default is None}
    if problems:
        raise ValidationError(problems)


def audit_values(record: MarkedRecord, values: dict[str, Any], recipients: list[int] | None) -> dict:
    after = snapshot(record, values)
    if recipients:
        after["recipients"] = recipients
    return after
