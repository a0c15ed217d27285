"""The generic create and update of a marked record described by its kind: validate -> authorise ->
check -> merge with newer versions -> change -> audit (ARCHITECTURE.md, "The one write path"). The
use cases of each kind (services.records, evidence, action_day, decisions) pass their own rules in as
`check` and `normalise`. Nothing here commits."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from coordination import audit, notices, policy
from coordination.errors import ValidationError
from coordination.kinds import Kind
from coordination.markings import TLP
from coordination.models import Hit, Identifier, MarkedRecord, Recipient
from coordination.principal import Principal
from coordination.services.authorisation import authorise
from coordination.services.loading import created_in_transaction, current_operation, load_visible, recipient_ids
from coordination.services.merge import flush_or_conflict, merge_or_conflict, same
from coordination.services.notifications import notify
from coordination.services.parsing import parse_and_resolve


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
        operation = current_operation(session, principal)
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
    # permission before the checks that look at other records (a reference in use, a link), so those
    # tell nothing to someone who may not create this record at all, and before the operation's default
    # marking is read (someone of no operation is refused for what they asked, not for that)
    authorise(principal, policy.Action.CREATE, kind, owning_agency_id=values["owning_agency_id"])
    recipients = _marking_and_recipients(session, principal, values, None)
    if check:
        check(values)
    return values, recipients


def create_record(session: Session, principal: Principal, kind: Kind, data: Mapping[str, Any],
                  check: Callable[[dict[str, Any]], None] | None = None) -> MarkedRecord:
    """Validate -> authorise -> insert -> audit, for a suspect, arrest, evidence item or task."""
    model = kind.model
    values, recipients = prepare_create(session, principal, kind, data, check)
    record = model(**values, operation_id=current_operation(session, principal).id, updated_by_id=principal.user_id)
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

    Values equal to the record's (`merge.same`: a blank however it comes, a time to the second it is
    given in) are no change, whoever owns the record: a file exported and imported back unchanged is
    "unchanged" row by row, not refused, and writes nothing. Only a real change is authorised, and only
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
    changed = {name: value for name, value in values.items() if not same(getattr(record, name), value)}
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
