"""Rotating the deconfliction key: every identifier and exclusion, and every target package's address
keys (services.action_day.address_key_columns), of EVERY operation, re-keyed under a new key, in one
transaction, audited in each operation; every operation's fingerprint follows. The key is the
deployment's (identifiers match across operations): operations keyed apart would silently stop
matching each other. Hits stay as they are: they name identifiers by id, and a new key
keeps equal values equal (so do conflicts).

Nothing needs the old key: `keyed` is recomputed from the stored normal form, a person's
`phonetic_keyed` from the stored value and qualifier (its birth date) normalised again, and an
address's building keys from the stored value read in its stored country. The new
values go to a temporary table in bulk (`db.insert_rows`: COPY on PostgreSQL), then into
`identifier` with one UPDATE ... FROM, so 1.5 million identifiers take well under a minute (bench/key_rotation.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from sqlalchemy import Column, Index, Integer, MetaData, String, Table, select, text, type_coerce, update
from sqlalchemy.orm import Session

from coordination import audit, identifiers, policy
from coordination.db import insert_rows
from coordination.deconfliction_key import MatchingKey
from coordination.errors import PermissionDenied, ValidationError
from coordination.models import Exclusion, Identifier, IdentifierKind, Jurisdiction, Operation, TargetPackage
from coordination.principal import Principal
from coordination.services.action_day import address_key_columns
from coordination.services.authorisation import acting_as
from coordination.services.identifiers import building_columns, phonetic_keyed
from coordination.services.loading import current_operation

BATCH = 50_000
BUILDING_KEYS = ("postcode_keyed", "street_keyed", "unit_keyed", "bare_keyed")  # addresses' (services.identifiers)
_NO_BUILDING = dict.fromkeys(BUILDING_KEYS)
# the new values, staged in a temporary table of this transaction's connection, dropped before it ends
_REKEYED = Table("rekeyed", MetaData(), Column("id", Integer, primary_key=True),
                 Column("keyed", String(64), nullable=False), Column("phonetic_keyed", String(64)),
                 *(Column(name, String(64)) for name in BUILDING_KEYS), prefixes=["TEMPORARY"])


def rotate_key(session: Session, principal: Principal, new_key: MatchingKey) -> int:
    """Re-key every identifier, exclusion and target package of every operation under `new_key`; the
    number of identifiers of the principal's operation (what others hold is not theirs to count)."""
    if not policy.can_rotate_key(principal):
        raise PermissionDenied(f"{acting_as(principal)} may not rotate the deconfliction key",
                               action="rotate deconfliction key", entity="operation")
    operation = current_operation(session, principal)
    operations = session.scalars(select(Operation).order_by(Operation.id)).all()
    old_fingerprint = operation.deconfliction_key_fingerprint
    if old_fingerprint == new_key.fingerprint:
        raise ValidationError({"new_key": "is the key in use already: name a new key file (deconflict make-key)"})
    session.flush()
    connection = session.connection()
    _REKEYED.create(connection)
    counted: dict[int, Counter[str]] = {other.id: Counter() for other in operations}
    keyed = new_key.keying()
    for batch in _batches(session):
        insert_rows(session, _REKEYED, [
            {"id": row.id, "keyed": keyed(row.kind, row.normalised),
             "phonetic_keyed": _phonetic(new_key, row) if row.phonetic_keyed is not None else None,
             **(building_columns(new_key, row.value, row.country) if row.country else _NO_BUILDING)}
            for row in batch])
        for row in batch:
            counted[row.operation_id]["identifiers"] += 1
    # every row changes: the indexes it touches are built again afterwards, in key order, rather than
    # updated a row at a time in random order (the same indexes, from the model, in this transaction)
    touched = _touched_indexes(connection.dialect.name)
    for index in touched:
        index.drop(connection)
    if connection.dialect.name == "postgresql":  # the new indexes sorted in memory (1.5 M keys: ~150 MB)
        session.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    session.execute(update(Identifier.__table__).where(Identifier.__table__.c.id == _REKEYED.c.id)
                    .values(keyed=_REKEYED.c.keyed, phonetic_keyed=_REKEYED.c.phonetic_keyed,
                            **{name: _REKEYED.c[name] for name in BUILDING_KEYS}))
    for index in touched:
        index.create(connection)
    _REKEYED.drop(connection)
    session.expire_all()  # identifiers this session holds were changed behind the ORM's back
    exclusions = session.scalars(select(Exclusion)).all()
    for exclusion in exclusions:
        counted[exclusion.operation_id]["exclusions"] += 1
        exclusion.keyed = new_key.keyed(exclusion.kind.value, exclusion.normalised)
    packages = session.scalars(select(TargetPackage)).all()
    countries = dict(session.execute(select(Jurisdiction.id, Jurisdiction.country)).all())
    for package in packages:  # event deconfliction's match index (every key of the address), under the same key
        counted[package.operation_id]["target packages"] += 1
        columns = address_key_columns(new_key, package.address, countries.get(package.jurisdiction_id))
        for column, value in columns.items():
            setattr(package, column, value)
    before = {other.id: other.deconfliction_key_fingerprint for other in operations}
    for other in operations:
        other.deconfliction_key_fingerprint = new_key.fingerprint
    session.flush()
    # an event in each operation, with its own counts: nobody learns what another operation holds
    audit.record_many(session, [audit.NewEvent(
        principal, "rotate deconfliction key", "operation", other.id, before={"key fingerprint": before[other.id]},
        after={"key fingerprint": new_key.fingerprint, "identifiers": counted[other.id].get("identifiers", 0),
               "exclusions": counted[other.id].get("exclusions", 0),
               "target packages": counted[other.id].get("target packages", 0)}) for other in operations])
    return counted[operation.id]["identifiers"]


def _touched_indexes(dialect: str) -> list[Index]:
    """The indexes of `identifier` an UPDATE of the keyed columns changes row by row: SQLite's on those
    columns; PostgreSQL's all of them (a row whose indexed column changes is a new entry in each)."""
    return [index for index in Identifier.__table__.indexes
            if dialect == "postgresql" or {column.name for column in index.columns} & {"keyed", "phonetic_keyed",
                                                                                         *BUILDING_KEYS}]


def _batches(session: Session) -> Iterator[list]:
    """Every operation's identifiers, BATCH at a time in id order (keyset paging: bounded memory); the kind
    as its stored text, which is what is keyed."""
    after = 0
    while True:
        batch = session.execute(
            select(Identifier.id, Identifier.operation_id, type_coerce(Identifier.kind, String()).label("kind"),
                   Identifier.normalised,
                   Identifier.phonetic_keyed,
                   Identifier.value, Identifier.qualifier, Identifier.country)
            .where(Identifier.id > after)
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
