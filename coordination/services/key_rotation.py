"""Rotating the deconfliction key: every identifier and exclusion re-keyed under a new key, in one
transaction, audited; the operation's fingerprint follows. Hits stay as they are: they name
identifiers by id, and a new key keeps equal values equal.

Nothing needs the old key: `keyed` is recomputed from the stored normal form, and a person's
`phonetic_keyed` from the stored value and qualifier (its birth date) normalised again. The new
values go to a temporary table in bulk (COPY on PostgreSQL), then into `identifier` with one
UPDATE ... FROM, so 1.5 million identifiers take well under a minute (bench/key_rotation.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from coordination import audit, identifiers, policy
from coordination.deconfliction_key import MatchingKey
from coordination.errors import PermissionDenied, ValidationError
from coordination.models import Exclusion, Identifier, IdentifierKind
from coordination.principal import Principal
from coordination.services.base import acting_as, current_operation
from coordination.services.identifiers import phonetic_keyed

BATCH = 50_000


def rotate_key(session: Session, principal: Principal, new_key: MatchingKey) -> int:
    """Re-key every identifier and exclusion of the operation under `new_key`; the number of identifiers."""
    if not policy.can_rotate_key(principal):
        raise PermissionDenied(f"{acting_as(principal)} may not rotate the deconfliction key",
                               action="rotate deconfliction key", entity="operation")
    operation = current_operation(session)
    old_fingerprint = operation.deconfliction_key_fingerprint
    if old_fingerprint == new_key.fingerprint:
        raise ValidationError({"new_key": "is the key in use already: name a new key file (deconflict make-key)"})
    session.flush()
    # the new values, staged in a temporary table dropped before the transaction ends
    session.execute(text("CREATE TEMPORARY TABLE rekeyed (id INTEGER PRIMARY KEY, keyed VARCHAR(64) NOT NULL, "
                         "phonetic_keyed VARCHAR(64))"))
    rekeyed = 0
    for batch in _batches(session, operation.id):
        rows = [(row.id, new_key.keyed(row.kind.value, row.normalised),
                 _phonetic(new_key, row) if row.phonetic_keyed is not None else None) for row in batch]
        _stage(session, rows)
        rekeyed += len(rows)
    # every row changes: the match indexes are built again afterwards, in key order, rather than
    # updated a row at a time in random order (the same indexes, from the model, in this transaction)
    connection = session.connection()
    match_indexes = [index for index in Identifier.__table__.indexes
                     if {column.name for column in index.columns} & {"keyed", "phonetic_keyed"}]
    for index in match_indexes:
        index.drop(connection)
    session.execute(text("UPDATE identifier SET keyed = rekeyed.keyed, phonetic_keyed = rekeyed.phonetic_keyed "
                         "FROM rekeyed WHERE identifier.id = rekeyed.id"))
    for index in match_indexes:
        index.create(connection)
    session.execute(text("DROP TABLE rekeyed"))
    session.expire_all()  # identifiers this session holds were changed behind the ORM's back
    exclusions = session.scalars(select(Exclusion).where(Exclusion.operation_id == operation.id)).all()
    for exclusion in exclusions:
        exclusion.keyed = new_key.keyed(exclusion.kind.value, exclusion.normalised)
    operation.deconfliction_key_fingerprint = new_key.fingerprint
    session.flush()
    audit.record(session, audit.NewEvent(principal, "rotate deconfliction key", "operation", operation.id,
                                         before={"key fingerprint": old_fingerprint},
                                         after={"key fingerprint": new_key.fingerprint, "identifiers": rekeyed,
                                                "exclusions": len(exclusions)}))
    return rekeyed


def _batches(session: Session, operation_id: int) -> Iterator[list]:
    """The operation's identifiers, BATCH at a time in id order (keyset paging: bounded memory)."""
    after = 0
    while True:
        batch = session.execute(
            select(Identifier.id, Identifier.kind, Identifier.normalised, Identifier.phonetic_keyed,
                   Identifier.value, Identifier.qualifier)
            .where(Identifier.operation_id == operation_id, Identifier.id > after)
            .order_by(Identifier.id).limit(BATCH)).all()
        if not batch:
            return
        yield batch
        after = batch[-1].id


def _phonetic(key: MatchingKey, row) -> str | None:
    """A person's sound-alike key under the new key, from the value and birth date as entered."""
    try:
        normal = identifiers.normalise(IdentifierKind(row.kind), row.value, qualifier=row.qualifier)
    except ValueError:  # no longer a valid person (stricter rules since): it makes no possible matches
        return None
    return phonetic_keyed(key, normal)


def _stage(session: Session, rows: list[tuple[int, str, str | None]]) -> None:
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        with connection.connection.driver_connection.cursor() as cursor, \
                cursor.copy("COPY rekeyed (id, keyed, phonetic_keyed) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        connection.exec_driver_sql("INSERT INTO rekeyed (id, keyed, phonetic_keyed) VALUES (?, ?, ?)", rows)
