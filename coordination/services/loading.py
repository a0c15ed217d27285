"""What a use case reads before it decides: the operation, a record the principal may read (NotFound
otherwise, alike for hidden and missing), its named recipients and grants. Nothing here writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination import policy
from coordination.errors import NotFound, ValidationError
from coordination.markings import TLP
from coordination.models import Agency, MarkedRecord, Operation, Recipient, RecordGrant
from coordination.principal import Principal


def current_operation(session: Session, principal: Principal) -> Operation:
    """The operation the principal acts in (their membership's). None chosen: they take part in none."""
    operation = session.get(Operation, principal.operation_id) if principal.operation_id is not None else None
    if operation is None:
        raise ValidationError({"operation": "you take part in no operation yet; ask an administrator to add you"})
    return operation


def recipient_ids(session: Session, entity: str, entity_id: int) -> set[int]:
    return set(session.scalars(select(Recipient.user_id).where(
        Recipient.entity == entity, Recipient.entity_id == entity_id)))


def granted_agency_ids(session: Session, entity: str, entity_id: int) -> set[int]:
    """The agencies an approved contact request lets read the record."""
    return set(session.scalars(select(RecordGrant.agency_id).where(
        RecordGrant.record_entity == entity, RecordGrant.record_id == entity_id)))


def once_a_transaction(session: Session, name: str, make: Callable[[], Any]) -> Any:
    """`make()`, asked once a transaction and kept in the session's info (which outlives transactions)
    for what the transaction cannot change: reference data, the operation's key. An import asks the
    same of every row."""
    transaction, value = session.info.get(name, (None, None))
    if transaction is not session.get_transaction():
        value = make()
        session.info[name] = (session.get_transaction(), value)
    return value


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
    if record is None or not policy.reads_operation(principal, record.operation_id) \
            or not policy.can_read(principal, record.owning_agency_id, record.tlp, named, granted):
        raise NotFound(f"this {model.entity} does not exist or is not visible to you")  # no id: they are not read
    return record


def agency_code(session: Session, agency_id: int) -> str:
    return session.scalar(select(Agency.code).where(Agency.id == agency_id)) or "this agency"
