"""What every use case shares: visibility checks, authorisation, version checks, and the generic
create / update of a marked operational record described by its kind. Nothing here commits."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from coordination import audit, kinds, notices, policy, record_references
from coordination.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from coordination.fields import parse_fields
from coordination.kinds import Kind
from coordination.links import choose_link, link_candidates
from coordination.markings import TLP
from coordination.models import Agency, Hit, Identifier, MarkedRecord, Operation, Recipient, RecordGrant
from coordination.principal import SYSTEM_ISSUER, Principal
from coordination.queries.records import readable
from coordination.services.notifications import notify

MARKING_FIELDS = ("tlp", "classification")


def current_operation(session: Session) -> Operation:
    if "operation" in session.info:  # a bulk import pins it for its one transaction
        return session.info["operation"]
    # looked up once a transaction (a record saved with its identifiers asked four times)
    transaction, operation = session.info.get("operation of transaction", (None, None))
    if transaction is not session.get_transaction() or operation is None:
        operation = session.scalar(select(Operation).order_by(Operation.id).limit(1))
        if operation is None:
            raise ValidationError({"operation": "no operation is set up yet; run `python -m coordination demo load`"})
        session.info["operation of transaction"] = (session.get_transaction(), operation)
    return operation


def recipient_ids(session: Session, entity: str, entity_id: int) -> set[int]:
    return set(session.scalars(select(Recipient.user_id).where(
        Recipient.entity == entity, Recipient.entity_id == entity_id)))


def granted_agency_ids(session: Session, entity: str, entity_id: int) -> set[int]:
    """The agencies an approved contact request lets read the record."""
    return set(session.scalars(select(RecordGrant.agency_id).where(
        RecordGrant.record_entity == entity, RecordGrant.record_id == entity_id)))


_CREATED = "records created in this transaction"


def created_in_transaction(session: Session) -> set[tuple[type, int]]:
    """(model, id) of the records this transaction created: the session's copies of them are current."""
    transaction, created = session.info.get(_CREATED, (None, None))
    if transaction is not session.get_transaction() or created is None:
        created = set()
        session.info[_CREATED] = (session.get_transaction(), created)
    return created


def load_visible(session: Session, principal: Principal, model: type[MarkedRecord], record_id: Any):
    """The record, if the principal may read it; otherwise NotFound (unseen records do not exist)."""
    # populate_existing: a session that served earlier calls must not decide on its stale copy; a bulk
    # import loaded what it links to inside its own transaction, and a record created in this
    # transaction (saved with its identifiers) is as written, so those copies are current
    fresh = session.info.get("loaded_in_this_transaction", False) or (model, record_id) in created_in_transaction(
        session)
    record = session.get(model, record_id, populate_existing=not fresh) if isinstance(record_id, int) else None
    named = recipient_ids(session, model.entity, record.id) if record is not None and record.tlp is TLP.RED else ()
    granted = granted_agency_ids(session, model.entity, record.id) \
        if record is not None and record.tlp is TLP.AMBER_STRICT else ()
    if record is None or not policy.can_read(principal, record.owning_agency_id, record.tlp, named, granted):
        raise NotFound(f"this {model.entity} does not exist or is not visible to you")  # no id: they are not read
    return record


def is_system(principal: Principal) -> bool:
    """The system itself (CLI, demo loader), as opposed to a person, provisioned or not."""
    return principal.role is None and principal.user_id is None and principal.issuer == SYSTEM_ISSUER


def resolve_links(session: Session, principal: Principal, kind: Kind, values: dict[str, Any],
                  record: MarkedRecord | None = None) -> None:
    """Turn each typed link of `values` into the id of a record the principal may read; a link to a
    record they may not read is refused exactly like a link to nothing, so links cannot be used to
    learn what exists. On an update, RESTRICTED (how an export writes a link the reader may not
    read) keeps the link as it is."""
    problems = {}
    owner = values.get("owning_agency_id") or (record.owning_agency_id if record is not None else
                                               principal.agency_id)
    for name, field in kind.fields.items():
        model = getattr(field.parse, "links_to", None)
        column = field.column or name
        value = values.get(column)
        if getattr(field.parse, "links_many_to", None) is not None and value is not None:
            _resolve_many(session, principal, field.parse.links_many_to, name, column, values, record, owner,
                          problems)
            continue
        if model is None or value is None:
            continue
        if record is not None and value == getattr(record, column):
            continue  # as it is
        if isinstance(value, int):
            if not readable(session, principal, kinds.of(model), value):
                problems[name] = no_such_chosen(model)
            continue
        if value.text == record_references.RESTRICTED:
            if record is None:
                problems[name] = f"a new record cannot be linked to a {model.entity} you may not read"
            else:
                del values[column]  # as it is: the reader may not see, so cannot have changed, it
            continue
        cache = session.info.get("links", {})
        key = (model.__name__, value.text)
        try:
            candidates = cache[key] if key in cache else link_candidates(session, principal, model,
                                                                         [value.text])[value.text]
            values[column] = choose_link(model, value.text, candidates, owner)
        except ValueError as error:
            problems[name] = str(error)
    if problems:
        raise ValidationError(problems)


def no_such_chosen(model: type[MarkedRecord]) -> str:
    """The refusal of a link given as an id (chosen from a list, or by the code, never typed) to a
    record that is missing or that the principal may not read: alike for both, and without the id,
    which is nobody's business and is no reference."""
    return f"the {model.entity} chosen does not exist or is not one you may read"


def _resolve_many(session: Session, principal: Principal, model: type[MarkedRecord], name: str, column: str,
                  values: dict[str, Any], record: MarkedRecord | None, owner: int | None,
                  problems: dict[str, str]) -> None:
    """Several links in one field (a package's subjects), each resolved as `resolve_links` resolves
    one; on an update, RESTRICTED keeps the linked records the principal may not read."""
    kind = kinds.of(model)
    chosen, keep_hidden, refused = set(), False, []
    for value in values[column]:
        if isinstance(value, int):
            if readable(session, principal, kind, value):
                chosen.add(value)
            else:
                refused.append(no_such_chosen(model))
        elif value.text == record_references.RESTRICTED:
            keep_hidden = record is not None
            if record is None:
                refused.append(f"a new record cannot be linked to a {model.entity} you may not read")
        else:
            try:
                candidates = link_candidates(session, principal, model, [value.text])[value.text]
                chosen.add(choose_link(model, value.text, candidates, owner))
            except ValueError as error:
                refused.append(str(error))
    if keep_hidden:
        chosen |= {linked for linked in getattr(record, column) if not readable(session, principal, kind, linked)}
    if refused:
        problems[name] = "; ".join(refused[:3])
    values[column] = sorted(chosen)


def parse_and_resolve(session: Session, principal: Principal, kind: Kind, data: Mapping[str, Any],
                      record: MarkedRecord | None = None) -> dict[str, Any]:
    """`parse_fields` with links resolved, every problem of both named at once."""
    try:
        values = parse_fields(session, kind.fields, data, partial=record is not None)
    except ValidationError as error:
        links = {name: field for name, field in kind.fields.items()
                 if getattr(field.parse, "links_to", None) or getattr(field.parse, "links_many_to", None)}
        problems = dict(error.problems)
        try:
            linked = parse_fields(session, links, {n: v for n, v in data.items() if n in links and n not in problems},
                                  partial=True)
            resolve_links(session, principal, kind, linked, record)
        except ValidationError as more:
            problems |= more.problems
        raise ValidationError(problems) from None
    resolve_links(session, principal, kind, values, record)
    return values


def check_reference(session: Session, principal: Principal, kind: Kind, value: str, owning_agency_id: int,
                    record_id: int | None = None) -> None:
    """A record's reference is its agency's alone: refuse one already used by another record of the same
    agency, or one that looks like it (same UTS #39 skeleton). Only that agency's records are looked at,
    so nothing is told about the references of other agencies."""
    model = kind.model
    column = getattr(model, kind.key)
    query = select(column).where(model.reference_skeleton == record_references.skeleton(value),
                                 model.operation_id == current_operation(session).id,
                                 model.owning_agency_id == owning_agency_id)
    if record_id is not None:
        query = query.where(model.id != record_id)
    existing = session.scalars(query.limit(2)).all()
    if existing:
        raise ValidationError({kind.key: clash(kind, value, existing[0], agency_code(session, owning_agency_id))})


def clash(kind: Kind, value: str, existing: str, agency: str) -> str:
    if existing == value:
        return f"'{value}' is already used by another {kind.entity} of {agency}"
    return f"'{value}' looks like '{existing}', already used by another {kind.entity} of {agency}"


def agency_code(session: Session, agency_id: int) -> str:
    return session.scalar(select(Agency.code).where(Agency.id == agency_id)) or "this agency"


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
    return f"{acting_as(principal)} may not {ACTION_PHRASES[action].format(entity=entity)}"


def acting_as(principal: Principal) -> str:
    """'a liaison of FBI': who is acting, as a refusal names them."""
    role = principal.role.value if principal.role else "unprovisioned user"
    article = "an" if role[0] in "aeiou" else "a"
    return f"{article} {role} of {principal.agency_code}" if principal.agency_code else f"{article} {role}"


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


def conflict(record, fields: tuple[str, ...] = ()) -> ConflictError:
    changed_by = record.updated_by.display_name if getattr(record, "updated_by", None) else None
    if changed_by and record.updated_by.agency:
        changed_by = f"{changed_by} ({record.updated_by.agency.code})"
    reference = getattr(record, "reference", None) or getattr(record, "exhibit_ref", None)
    return ConflictError(getattr(record, "entity", type(record).__name__.lower()), record.id, changed_by,
                         getattr(record, "updated_at", None), record.version, reference, fields)


def merge_or_conflict(session: Session, principal: Principal, kind: Kind, record: MarkedRecord,
                      expected_version: int, values: dict[str, Any], loaded: Mapping[str, Any] | None) -> None:
    """A save against a newer version than the person loaded: three-way merge, field by field.

    `values` are the parsed fields this person changed, `loaded` what they saw in those fields. A
    field the other side did not change (still as loaded) takes this person's value; a field both
    changed to different values is a clash, refused as a whole naming the fields, so nothing is ever
    overwritten without being shown. Fields this person did not name are never written, so the other
    side's changes to them stay. Without `loaded` (a spreadsheet, the CLI), any newer version is a
    conflict."""
    if record.version == expected_version:
        return
    if loaded is None:
        raise conflict(record)
    clashes = tuple(name for name in _names_of(kind, values)
                    if not any(_same(_current(session, kind, record, name), other) for other in
                               (_seen(session, principal, kind, record, name, loaded.get(name)),
                                values[_column(kind, name)])))
    if clashes:
        raise conflict(record, clashes)


_UNREADABLE = object()  # a loaded value that no longer parses equals nothing: a clash, shown


def _seen(session: Session, principal: Principal, kind: Kind, record: MarkedRecord, name: str, text: Any) -> Any:
    """What the person saw in a field, as a model value (links resolved as when they are saved)."""
    try:
        return parse_and_resolve(session, principal, kind, {name: text}, record).get(_column(kind, name))
    except ValidationError:
        return _UNREADABLE


def _same(a: Any, b: Any) -> bool:
    """Equal as a person reads them: a blank text is no value."""
    return a == b or (a in (None, "") and b in (None, ""))


def _column(kind: Kind, name: str) -> str:
    return kind.fields[name].column or name


def _names_of(kind: Kind, values: dict[str, Any]) -> list[str]:
    """The field names (as typed) of parsed column values."""
    return [name for name in kind.fields if _column(kind, name) in values]


def _current(session: Session, kind: Kind, record: MarkedRecord, name: str) -> Any:
    if name == "recipients":
        return sorted(recipient_ids(session, kind.entity, record.id)) or None
    return getattr(record, _column(kind, name))


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
    values = parse_and_resolve(session, principal, kind, data)
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
    created_in_transaction(session).add((model, record.id))
    if recipients:
        set_recipients(session, model.entity, record.id, recipients)
    audit.record(session, audit.NewEvent(principal, "create", model.entity, record.id,
                                         after=audit_values(record, values, recipients)))
    if recipients:
        notify(session, notices.NAMED_RECIPIENT, model.entity, record.id, users=recipients, actor=principal)
    return record


def update_record(session: Session, principal: Principal, kind: Kind, record_id: int, expected_version: int,
                  changes: Mapping[str, Any], action: policy.Action = policy.Action.UPDATE,
                  normalise: Callable[[MarkedRecord, dict[str, Any]], None] | None = None,
                  check: Callable[[MarkedRecord, dict[str, Any]], None] | None = None,
                  loaded: Mapping[str, Any] | None = None) -> MarkedRecord:
    """Validate -> compare -> authorise -> check -> merge with newer versions -> change -> audit.

    Values equal to the record's are no change, whoever owns the record: a file exported and imported
    back unchanged is "unchanged" row by row, not refused. Only a real change is authorised, and only
    then checked against other records (`check` sees the changed columns) and against the version
    the person saw (merged with `loaded`, see merge_or_conflict: only the named fields are written).
    A record the principal may not read stays NotFound before anything else.
    `normalise` fills what a blank means for this kind (no lookups of other records)."""
    model = kind.model
    record = load_visible(session, principal, model, record_id)
    values = parse_and_resolve(session, principal, kind, changes, record)
    _refuse_blanking_required(kind, values)
    if normalise:
        normalise(record, values)
    requested = dict(values)  # as named, recipients included: what a merge compares
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
    merge_or_conflict(session, principal, kind, record, expected_version, requested, loaded)
    before = snapshot(record, changed)
    for name, value in changed.items():
        setattr(record, name, value)
    record.updated_by_id = principal.user_id
    if not changed:
        record.updated_at = audit.utcnow()  # a recipients-only change still bumps the version
    flush_or_conflict(session, model, record_id)
    if "owning_agency_id" in changed or "tlp" in changed:
        identifiers_follow(session, record)
    if recipients_changed:
        set_recipients(session, model.entity, record.id, recipients)
        before["recipients"] = sorted(old_recipients)
        changed["recipients"] = recipients
    audit.record(session, audit.NewEvent(principal, "update", model.entity, record.id, before=before,
                                         after=changed))
    if recipients_changed:
        notify(session, notices.NAMED_RECIPIENT, model.entity, record.id, users=set(recipients) - old_recipients,
               actor=principal)
    return record


def identifiers_follow(session: Session, record: MarkedRecord) -> None:
    """The identifiers on a record copy its owner and TLP label, and so do their hits (hits are told
    from the copies, without reading the record): a change of either moves them along, in the same
    transaction."""
    held = select(Identifier.id).where(Identifier.record_entity == record.entity, Identifier.record_id == record.id)
    session.execute(update(Identifier).where(Identifier.id.in_(held))
                    .values(owning_agency_id=record.owning_agency_id, tlp=record.tlp))
    session.execute(update(Hit).where(Hit.first_id.in_(held)).values(first_agency_id=record.owning_agency_id,
                                                                      first_tlp=record.tlp))
    session.execute(update(Hit).where(Hit.second_id.in_(held)).values(second_agency_id=record.owning_agency_id,
                                                                       second_tlp=record.tlp))


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
