"""An export's reads, by name: the records of a kind the principal may read, what their links name,
the recipients of the RED ones, and the identifiers on them. `coordination.exports` writes them as
text. Records (and the records a link names by reference) are read through `policy.visible`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import ColumnElement, Row, and_, select
from sqlalchemy.orm import Session

from coordination import policy
from coordination.kinds import Kind
from coordination.models import Identifier, MarkedRecord, Recipient, User
from coordination.principal import Principal
from coordination.queries.contact_requests import grant_columns

CHUNK = 5_000  # ids per IN list


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    return (ids[start:start + CHUNK] for start in range(0, len(ids), CHUNK))


def records(session: Session, principal: Principal, kind: Kind, where: Sequence[ColumnElement[bool]] = (),
            limit: int | None = None) -> Sequence[MarkedRecord]:
    """The records of `kind` the principal may read (and that match `where`), by their key; the first
    `limit` of them when a screen shows only so many."""
    model = kind.model
    return session.scalars(select(model).where(policy.visible(model, principal), *where)
                           .order_by(getattr(model, kind.key)).limit(limit)).all()


def user_subjects(session: Session, ids: set[int | None]) -> dict[int, str]:
    """User id -> subject (their external name), for the ids a page of rows links to."""
    names: dict[int, str] = {}
    for chunk in _chunks(sorted(i for i in ids if i is not None)):
        names.update({i: name for i, name in session.execute(select(User.id, User.subject).where(User.id.in_(chunk)))})
    return names


def readable_references(session: Session, principal: Principal, model: type[MarkedRecord],
                        ids: list[int]) -> dict[int, tuple[str, int]]:
    """id -> (reference, owning agency id) of the records among `ids` the principal may read: a link to
    any other is written RESTRICTED."""
    key = getattr(model, model.key)
    readable: dict[int, tuple[str, int]] = {}
    for chunk in _chunks(ids):
        readable.update({i: (reference, agency_id) for i, reference, agency_id in session.execute(
            select(model.id, key, model.owning_agency_id)
            .where(model.id.in_(chunk), policy.visible(model, principal)))})
    return readable


def recipients(session: Session, model: type[MarkedRecord], red_ids: list[int]) -> dict[int, list[str]]:
    """Record id -> the subjects of its named recipients, for RED records the caller has read."""
    found: dict[int, list[str]] = {}
    for chunk in _chunks(red_ids):
        rows = session.execute(select(Recipient.entity_id, User.subject).join(User, User.id == Recipient.user_id)
                               .where(Recipient.entity == model.entity, Recipient.entity_id.in_(chunk)))
        for entity_id, subject in rows:
            found.setdefault(entity_id, []).append(subject)
    return found


def identifiers(session: Session, principal: Principal, kind: Kind) -> list[Row]:
    """(reference, owning agency id, tlp, classification, identifier kind, value, qualifier, granted
    condition, its stated words) of the identifiers held on the records of `kind` the principal may
    read, by the record's key: the last two are `grant_columns` (a record read under another agency's
    grant carries its handling condition)."""
    model, key = kind.model, getattr(kind.model, kind.key)
    condition, condition_text = grant_columns(model, principal)
    return list(session.execute(
        select(key, model.owning_agency_id, model.tlp, model.classification, Identifier.kind, Identifier.value,
               Identifier.qualifier, condition, condition_text)
        .join(model, and_(Identifier.record_entity == model.entity, Identifier.record_id == model.id))
        .where(Identifier.removed_at.is_(None), policy.visible(model, principal)).order_by(key, Identifier.id)).all())
