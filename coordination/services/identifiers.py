"""Identifiers on suspects, evidence items and arrests, the hits they make, and the exclusion list.

Adding an identifier is an update of its record (its agency's liaisons): the value is normalised,
keyed under the deployment's key, and matched in the same transaction against the other open
identifiers of every operation (`match`, one INSERT ... SELECT however many identifiers are new).
An address is also keyed by its building (`address_columns`: places.address_keys, by the conventions
of its country), so two typings of one building hit as "same address" or "same building" as target
packages conflict. Hits carry no value, and their audit events name only the kind and the agencies.
The exclusion list (commanders) holds values that match everywhere and mean nothing: they make no
hits, adding one closes its open hits, removing one matches its identifiers again.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Container, Sequence

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    case,
    exists,
    func,
    insert,
    literal,
    literal_column,
    not_,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy.orm import Session, aliased

from coordination import audit, deconfliction_key, fields, identifiers, places, policy
from coordination.deconfliction_key import KeyMissing, MatchingKey
from coordination.errors import NotFound, PermissionDenied, ValidationError
from coordination.kinds import ARRESTS, EVIDENCE, SUSPECTS, Kind
from coordination.models import (
    HIT_COPIES,
    UNREAD_ADDRESS,
    Agency,
    Exclusion,
    Hit,
    HitClosed,
    HitMatch,
    Identifier,
    IdentifierKind,
    Operation,
    UTCDateTime,
    utcnow,
)
from coordination.principal import Principal
from coordination.services import answers
from coordination.services.authorisation import authorise
from coordination.services.deconfliction_notices import tell_of_hits
from coordination.services.loading import current_operation, load_visible

HOLDERS = (SUSPECTS, EVIDENCE, ARRESTS)  # the kinds whose records hold identifiers
MAX_REASON = 300
_AS_ENTERED = fields.text(identifiers.MAX_VALUE)
Probe = Callable[[type[Identifier]], ColumnElement[bool]]  # which identifiers (of an alias) to match
# the two sides of a pair, and their agencies; made once (an alias costs more to set up than its query)
FIRST, SECOND = aliased(Identifier, name="first_side"), aliased(Identifier, name="second_side")
_ONE, _TWO = aliased(Agency, name="first_agency"), aliased(Agency, name="second_agency")


def holder(entity_or_name: str) -> Kind | None:
    """The kind holding identifiers named by its entity ("evidence item") or its name ("evidence")."""
    wanted = entity_or_name.strip().lower()
    return next((kind for kind in HOLDERS if wanted in (kind.entity, kind.name)), None)


# --- the key ----------------------------------------------------------------------------------

def operation_key(session: Session, principal: Principal, operation_id: int | None = None) -> MatchingKey:
    """The key identifiers are keyed with (COORD_DECONFLICTION_KEY_FILE), checked against the fingerprint
    the operation keeps; the first use sets it. Another key would silently match nothing: KeyMissing."""
    key = deconfliction_key.load()
    operation = session.get(Operation, operation_id) if operation_id else current_operation(session, principal)
    if operation.deconfliction_key_fingerprint is None:
        operation.deconfliction_key_fingerprint = key.fingerprint
        audit.record(session, audit.NewEvent(principal, "set deconfliction key", "operation", operation.id,
                                             after={"key fingerprint": key.fingerprint}))
    elif operation.deconfliction_key_fingerprint != key.fingerprint:
        raise KeyMissing(f"The deconfliction key in {deconfliction_key.ENVIRONMENT} is not the key this "
                         "operation's identifiers were keyed with: name that key's file (or rotate to the new "
                         "key with `python -m coordination deconflict rotate-key`).")
    return key


# --- addresses: keyed by their building too ---------------------------------------------------

ADDRESS_COLUMNS = ("country", "postcode_keyed", "street_keyed", "unit_keyed", "bare_keyed")


def address_columns(key: MatchingKey, normal: identifiers.Normalised, value: str) -> dict[str, str | None]:
    """An identifier's country and the keys of its building and flat (places.address_keys on the value as
    written, in `normal.country`), keyed under the operation's key as target packages' are
    (services.action_day.address_key_columns): the values of ADDRESS_COLUMNS; all None but for addresses."""
    if normal.kind is not IdentifierKind.ADDRESS:
        return dict.fromkeys(ADDRESS_COLUMNS)
    return {"country": normal.country, **building_columns(key, value, normal.country)}


def building_columns(key: MatchingKey, address: str, country: str | None) -> dict[str, str | None]:
    """The keyed postcode, street, flat and bare street keys of an address read in `country` (None where
    it has none), keyed as packages' are (places.keyed). An address of a country whose conventions are
    not read (or with no street and building number) has its folded form (places.normalise_address:
    case, accents, punctuation, spacing and the country name out) as its street key, as packages
    compare theirs: the identifier's normal form keeps the country name."""
    try:
        plain = places.address_keys(address, country)
    except ValueError:  # text the address field refuses (normalise refused it first): its normal form only
        plain = places.AddressKeys(None)
    keys = places.keyed(key, plain)
    street = keys.street or (keys.folded if not (plain.postcode or plain.bare) else None)
    return {"postcode_keyed": keys.postcode, "street_keyed": street, "unit_keyed": keys.unit,
            "bare_keyed": keys.bare}


def key_unread_addresses(session: Session, key: MatchingKey, operation_id: int) -> None:
    """Address identifiers stored before their buildings were keyed (revision 0017) are read in their
    country (written beside them, else named in them, else their agency's) and keyed when identifiers
    are next added (by hand or imported; an import that adds nothing changes nothing), their hits by
    building found; one audit event for the lot."""
    unread = session.scalars(select(Identifier).where(  # the partial index's own words, so both stores use it
        Identifier.operation_id == operation_id, text(UNREAD_ADDRESS))).all()
    if not unread:
        return
    countries = dict(session.execute(select(Agency.id, Agency.country)).all())
    for identifier in unread:
        try:
            normal = identifiers.normalise(identifier.kind, identifier.value, qualifier=identifier.qualifier,
                                           region=countries.get(identifier.owning_agency_id))
        except ValueError:  # no longer read as an address (stricter rules since): its normal form only
            normal = identifiers.Normalised(IdentifierKind.ADDRESS, identifier.normalised, None,
                                            country=places.UNKNOWN_COUNTRY)
        for column, keyed in address_columns(key, normal, identifier.value).items():
            setattr(identifier, column, keyed)
    system = Principal.system("deconfliction")
    found = match(session, "ids", {"ids": [identifier.id for identifier in unread if identifier.removed_at is None]},
                  possible=False)
    audit.record_many(session, [
        audit.NewEvent(system, "key identifier addresses", "operation", operation_id,
                       after={"identifiers": len(unread)}),
        *found_hits(session, system, found)])


# --- identifiers ------------------------------------------------------------------------------

def normalised(identifier_kind: str, value: str, qualifier: str | None, region: str | None) -> identifiers.Normalised:
    """The normal form, or a ValidationError naming the field at fault. The value and qualifier are kept
    as entered, so they must be text a person can read (no control characters, line breaks or lone
    surrogates, which some normalisers would let through)."""
    problems = {}
    for field, typed in (("value", value), ("qualifier", qualifier)):
        if isinstance(typed, str):
            try:
                _AS_ENTERED(None, typed)
            except ValueError as error:
                problems[field] = str(error)
    if problems:
        raise ValidationError(problems)
    try:
        return identifiers.normalise(identifier_kind, value, qualifier=qualifier, region=region)
    except ValueError as error:
        reason = str(error)
        field = "kind" if reason.startswith("is not a kind") else "qualifier" if reason.startswith(
            places.UNKNOWN_COUNTRY_REASON) else "value"
        raise ValidationError({field: str(error)}) from None


def cleaned_qualifier(qualifier: object) -> str | None:
    """A blank qualifier is none; one that is not text is refused."""
    if qualifier is None:
        return None
    if not isinstance(qualifier, str):
        raise ValidationError({"qualifier": "must be text"})
    return qualifier.strip() or None


def region_of(session: Session, agency_id: int | None) -> str | None:
    """Where a phone number without a country code is read: the owning agency's country."""
    return session.scalar(select(Agency.country).where(Agency.id == agency_id)) if agency_id else None


def add_identifier(session: Session, principal: Principal, record_kind: Kind, record_id: int,
                   identifier_kind: str, value: str, qualifier: str | None = None) -> Identifier:
    """Add an identifier to a suspect, evidence item or arrest (an update of that record) and match it.
    The same value on the same record again returns the identifier already there."""
    return add_identifiers(session, principal, record_kind, record_id, [(identifier_kind, value, qualifier)])[0]


def add_identifiers(session: Session, principal: Principal, record_kind: Kind, record_id: int,
                    wanted: Sequence[tuple[str, str, str | None]]) -> list[Identifier]:
    """Add identifiers (kind, value, qualifier) to one record, as a record saved with its identifiers:
    the record checked once, the new ones inserted, audited (each its own event, which carries the
    value: the record owner's) and matched together. One already on the record is returned as it is.
    Problems are named by field, and by position when there are several ("value 2")."""
    if record_kind not in HOLDERS:
        raise ValidationError({"record": "identifiers are held on suspects, evidence items and arrests"})
    record = load_visible(session, principal, record_kind.model, record_id)
    # the owner's country, only if a value is read in it (a save of numbers written +44 ... spares the query)
    region = region_of(session, record.owning_agency_id) if any(
        identifiers.reads_region(identifier_kind, value) for identifier_kind, value, _ in wanted) else None
    problems, normals = {}, []
    for position, (identifier_kind, value, qualifier) in enumerate(wanted, start=1):
        try:
            qualifier = cleaned_qualifier(qualifier)
            normals.append((normalised(identifier_kind, value, qualifier, region), value.strip(), qualifier))
        except ValidationError as error:
            problems |= {field if len(wanted) == 1 else f"{field} {position}": reason
                         for field, reason in error.problems.items()}
    if problems:
        raise ValidationError(problems)
    authorise(principal, policy.Action.UPDATE, record_kind, record.id, owning_agency_id=record.owning_agency_id)
    key = operation_key(session, principal, record.operation_id)
    keyed = [key.keyed(normal.kind.value, normal.value) for normal, _, _ in normals]
    held = {identifier.keyed: identifier for identifier in session.scalars(select(Identifier).where(
        Identifier.record_entity == record.entity, Identifier.record_id == record.id, Identifier.keyed.in_(keyed),
        Identifier.removed_at.is_(None)))}
    now = utcnow()
    new = {value_keyed: dict(
        operation_id=record.operation_id, kind=normal.kind, value=value, qualifier=qualifier,
        normalised=normal.value, keyed=value_keyed, phonetic_keyed=phonetic_keyed(key, normal),
        record_entity=record.entity, record_id=record.id, owning_agency_id=record.owning_agency_id, tlp=record.tlp,
        added_by_id=principal.user_id, added_at=now, **address_columns(key, normal, value))
        for (normal, value, qualifier), value_keyed in zip(normals, keyed, strict=True) if value_keyed not in held}
    if new:  # the allowance first, whether or not a value hits (a refusal of those that hit would answer)
        answers.refuse_beyond_the_limit(session, principal, "add identifier", now)
        key_unread_addresses(session, key, record.operation_id)
        added = sorted(session.scalars(insert(Identifier).returning(Identifier), list(new.values())).all(),
                       key=lambda identifier: identifier.id)  # found again by their keyed values below
        held |= {identifier.keyed: identifier for identifier in added}
        found = match(session, "ids", {"ids": [identifier.id for identifier in added]},
                      possible=any(identifier.phonetic_keyed for identifier in added),
                      addresses=any(identifier.country for identifier in added))
        audit.record_many(session, [  # the record owner's own events: the only ones that carry the value
            *(audit.NewEvent(principal, "add identifier", record.entity, record.id, after={
                "identifier": identifier.id, "kind": identifier.kind, "value": identifier.value,
                "qualifier": identifier.qualifier}) for identifier in added),
            *found_hits(session, principal, found, added={identifier.id for identifier in added})])
    return [held[value_keyed] for value_keyed in keyed]


def phonetic_keyed(key: MatchingKey, normal: identifiers.Normalised) -> str | None:
    """People: the sound of the name and the birth date, keyed like the value, for possible matches."""
    return key.keyed(f"{normal.kind.value} phonetic", normal.phonetic) if normal.phonetic else None


def remove_identifier(session: Session, principal: Principal, identifier_id: int) -> None:
    """Remove an identifier from its record (an update of that record): its open hits close."""
    identifier = session.get(Identifier, identifier_id) if isinstance(identifier_id, int) else None
    kind = holder(identifier.record_entity) if identifier is not None else None
    if identifier is None or kind is None:
        raise NotFound("this identifier does not exist or is not visible to you")
    try:
        record = load_visible(session, principal, kind.model, identifier.record_id)
    except NotFound:
        raise NotFound("this identifier does not exist or is not visible to you") from None
    authorise(principal, policy.Action.UPDATE, kind, record.id, owning_agency_id=record.owning_agency_id)
    if identifier.removed_at is not None:
        return  # removed already (a second click): nothing more to do
    identifier.removed_at = utcnow()
    closed = close_hits(session, or_(Hit.first_id == identifier.id, Hit.second_id == identifier.id),
                        HitClosed.REMOVED)
    audit.record_many(session, [
        audit.NewEvent(principal, "remove identifier", record.entity, record.id, after={
            "identifier": identifier.id, "kind": identifier.kind, "value": identifier.value}),
        *hit_events(session, principal, f"hit closed ({HitClosed.REMOVED.value})", closed)])


# --- matching ---------------------------------------------------------------------------------

def excluded(side: type[Identifier]) -> ColumnElement[bool]:
    """Is the identifier's value on its own operation's exclusion list (each side's are its operation's)?"""
    return exists().where(Exclusion.operation_id == side.operation_id, Exclusion.keyed == side.keyed)


# Which identifiers a match starts from, by name, with the parameters each takes: its statements are
# built once (building them cost more than running them for a record's few identifiers).
PROBES: dict[str, Probe] = {
    "ids": lambda side: side.id.in_(bindparam("ids", expanding=True)),  # a record's new identifiers
    "since": lambda side: side.id >= bindparam("since"),  # an import's, which take the next ids
    "keyed": lambda side: and_(side.keyed == bindparam("keyed"), side.operation_id == bindparam("operation_id")),
    "all": lambda side: true(),
}


def _few(clause: ColumnElement[bool], dialect: str) -> ColumnElement[bool]:
    """`clause`, marked as selecting few rows. Without statistics (nothing runs ANALYZE on an embedded
    file) SQLite would start an import's match from the other side of the join and scan every
    identifier (10 s for 10,000 new ones among 1.5 million); told that the probe is selective, it starts
    from the new identifiers and looks each value up in the keyed index. PostgreSQL keeps statistics."""
    return func.likelihood(clause, literal_column("0.001")) if dialect == "sqlite" else clause


def _same(kind: HitMatch, a: type[Identifier], b: type[Identifier]) -> ColumnElement[bool]:
    """When two identifiers make a hit of `kind` (the IS NOT NULLs: those indexes hold people, addresses)."""
    if kind is HitMatch.EXACT:
        return a.keyed == b.keyed
    if kind is HitMatch.POSSIBLE:
        return and_(b.phonetic_keyed.is_not(None), a.phonetic_keyed == b.phonetic_keyed, a.keyed != b.keyed)
    # places.match, keyed: the postcode keys agree, or the street keys do unless both name a postcode, or
    # the bare street keys do unless both name a postcode or both a town
    building = or_(and_(b.postcode_keyed.is_not(None), a.postcode_keyed == b.postcode_keyed),
                   and_(b.street_keyed.is_not(None), a.street_keyed == b.street_keyed,
                        or_(a.postcode_keyed.is_(None), b.postcode_keyed.is_(None))),
                   and_(b.bare_keyed.is_not(None), a.bare_keyed == b.bare_keyed,
                        or_(a.postcode_keyed.is_(None), b.postcode_keyed.is_(None)),
                        or_(a.street_keyed.is_(None), b.street_keyed.is_(None))))
    flat = a.unit_keyed.is_not_distinct_from(b.unit_keyed)
    return and_(building, a.keyed != b.keyed, flat if kind is HitMatch.SAME_ADDRESS else not_(flat))


@functools.cache
def _pairs(probe_name: str, kind: HitMatch, dialect: str):
    """INSERT INTO hit ... SELECT the new pairs of one kind of match for the probed identifiers."""
    a, b = FIRST, SECOND

    def probe(side):
        return _few(PROBES[probe_name](side), dialect) if probe_name == "since" else PROBES[probe_name](side)
    def ordered(name: str) -> tuple[ColumnElement, ColumnElement]:  # a column of (first side, second side)
        return (case((a.id < b.id, getattr(a, name)), else_=getattr(b, name)),
                case((a.id < b.id, getattr(b, name)), else_=getattr(a, name)))
    first, second = ordered("id")
    same = _same(kind, a, b)
    already = exists().where(Hit.first_id == first, Hit.second_id == second, Hit.match == kind)
    # across operations (the deployment's one key): the hit is the first side's operation's, and copies both
    pairs = select(ordered("operation_id")[0], literal(kind.value), first, second, *(
        column for name in HIT_COPIES.values() for column in ordered(name)),
                   bindparam("now", type_=UTCDateTime())).join(b, same).where(
        probe(a), a.removed_at.is_(None), b.removed_at.is_(None),
        or_(b.id < a.id, not_(probe(b))),  # each pair once, when both sides are probed
        not_(and_(a.record_entity == b.record_entity, a.record_id == b.record_id)),
        not_(excluded(a)), not_(excluded(b)), not_(already))
    return insert(Hit.__table__).from_select(  # Core: executed with its parameters, not as ORM rows
        ["operation_id", "match", "first_id", "second_id",
         *(f"{side}_{copy}" for copy in HIT_COPIES for side in ("first", "second")), "found_at"],
        pairs).returning(Hit.__table__.c.id)


def match(session: Session, probe: str, parameters: dict, possible: bool = True,
          addresses: bool = True) -> list[int]:
    """Make the hits of the identifiers the probe (one of PROBES, with its `parameters`) selects with
    every other open identifier of every operation (each side's exclusions are its operation's): exact
    (the same keyed value), possible (people: the same phonetic key, not the same value), same address
    and same building (addresses: a key of their building agrees, not the same value; the same flat or
    another). Set-based: one INSERT ... SELECT per kind of match; returns the new hits' ids, for the
    caller to audit with its own events (`found_hits`). Pairs already hit, pairs on one record and
    excluded values are left out. `possible=False` when no probed identifier is a person,
    `addresses=False` when none is an address (saves their statements)."""
    session.flush()
    dialect = session.get_bind().dialect.name
    found = []
    kinds = [HitMatch.EXACT, *([HitMatch.POSSIBLE] if possible else []),
             *([HitMatch.SAME_ADDRESS, HitMatch.SAME_BUILDING] if addresses else [])]
    for kind in kinds:
        found += session.scalars(_pairs(probe, kind, dialect), parameters | {"now": utcnow()}).all()
    return sorted(found)


def close_hits(session: Session, which: ColumnElement[bool], reason: HitClosed) -> list[int]:
    """Close the open hits `which` selects (an identifier removed, a value excluded); their ids."""
    ids = list(session.scalars(select(Hit.id).where(which, Hit.closed_at.is_(None))))
    for start in range(0, len(ids), 5000):
        session.execute(update(Hit).where(Hit.id.in_(ids[start:start + 5000]))
                        .values(closed_at=utcnow(), closed_reason=reason))
    return ids


_HIT_ROWS = (  # what a hit's events (kind, match, agencies) and its telling (its sides, their copies) read
    select(Hit.id, Hit.match, FIRST.kind, _ONE.code, _TWO.code, Hit.first_id, Hit.second_id,
           *(getattr(Hit, f"{side}_{copy}") for side in ("first", "second")
             for copy in ("record_entity", "record_id", "agency_id", "tlp", "operation_id")))
    .join(FIRST, FIRST.id == Hit.first_id).join(SECOND, SECOND.id == Hit.second_id)
    .join(_ONE, _ONE.id == FIRST.owning_agency_id).join(_TWO, _TWO.id == SECOND.owning_agency_id)
    .where(Hit.id.in_(bindparam("ids", expanding=True))).order_by(Hit.id))


def _hit_rows(session: Session, ids: list[int]) -> list:
    rows = []
    for start in range(0, len(ids), 5000):
        rows += session.execute(_HIT_ROWS, {"ids": ids[start:start + 5000]}).all()
    return rows


def _events(principal: Principal, action: str, rows: list) -> list[audit.NewEvent]:
    return [audit.NewEvent(principal, action, Hit.entity, hit_id, after={
        "kind": kind, "match": hit_match, "agencies": sorted({code_one, code_two})})
        for hit_id, hit_match, kind, code_one, code_two, *_ in rows]


def hit_events(session: Session, principal: Principal, action: str, ids: list[int]) -> list[audit.NewEvent]:
    """One event per hit, naming its kind, match and the agencies on either side: never a value."""
    return _events(principal, action, _hit_rows(session, ids))


def found_hits(session: Session, principal: Principal, ids: list[int],
               added: Container[int] = ()) -> list[audit.NewEvent]:
    """The "hit found" events of new hits, for the caller to append, each side's agency told as
    `tell_of_hits` rules: one read of the hits for both. The identifiers the principal has just
    `added` that tell their agency of a hit count against the principal's hourly allowance."""
    rows = _hit_rows(session, ids)
    tell_of_hits(session, principal, [(row[0], row[1], *row[5:]) for row in rows])
    if added:  # (first id, second id, first side, second side, first TLP, second TLP) of each, a side
        # its (agency, operation): the same agency in another operation is told as another agency is
        answers.count(session, principal, answers.revealing(
            [(row[5], row[6], (row[9], row[11]), (row[14], row[16]), row[10], row[15]) for row in rows], added))
    return _events(principal, "hit found", rows)


# --- exclusions -------------------------------------------------------------------------------

def _authorise_exclusions(principal: Principal, action: str) -> None:
    if not policy.can_manage_exclusions(principal):
        raise PermissionDenied("only commanders keep the exclusion list", action=action, entity=Exclusion.entity)


def add_exclusion(session: Session, principal: Principal, identifier_kind: str, value: str, reason: str,
                  qualifier: str | None = None) -> Exclusion:
    """Exclude a value that matches everywhere and means nothing: it makes no hits, and its open hits
    close. Excluding a value already excluded returns that exclusion."""
    _authorise_exclusions(principal, "add exclusion")
    problems = {}
    try:
        normal = normalised(identifier_kind, value, cleaned_qualifier(qualifier),
                            region_of(session, principal.agency_id))
    except ValidationError as error:
        problems |= error.problems
    try:
        reason = fields.text(MAX_REASON)(session, reason)
    except ValueError as error:
        problems["reason"] = str(error)
    else:
        if not reason:
            problems["reason"] = "is required: say why this value means nothing"
    if problems:
        raise ValidationError(problems)
    key = operation_key(session, principal)
    operation = current_operation(session, principal)
    keyed = key.keyed(normal.kind.value, normal.value)
    existing = session.scalar(select(Exclusion).where(Exclusion.operation_id == operation.id,
                                                      Exclusion.keyed == keyed))
    if existing is not None:
        return existing
    exclusion = Exclusion(operation_id=operation.id, kind=normal.kind, normalised=normal.value, keyed=keyed,
                          reason=reason, added_by_id=principal.user_id, added_at=utcnow())
    session.add(exclusion)
    session.flush()
    closed = close_hits(session, _on_keyed(operation.id, keyed), HitClosed.EXCLUDED)
    audit.record_many(session, [
        audit.NewEvent(principal, "add exclusion", Exclusion.entity, exclusion.id, after={
            "kind": normal.kind, "value": normal.value, "reason": reason}),
        *hit_events(session, principal, f"hit closed ({HitClosed.EXCLUDED.value})", closed)])
    return exclusion


def _on_keyed(operation_id: int, keyed: str) -> ColumnElement[bool]:
    """Hits one of whose identifiers holds the keyed value."""
    holding = select(Identifier.id).where(Identifier.operation_id == operation_id, Identifier.keyed == keyed)
    return or_(Hit.first_id.in_(holding), Hit.second_id.in_(holding))


def remove_exclusion(session: Session, principal: Principal, exclusion_id: int) -> None:
    """Take a value off the exclusion list: its identifiers are matched again (hits it closed reopen)."""
    _authorise_exclusions(principal, "remove exclusion")
    exclusion = session.get(Exclusion, exclusion_id) if isinstance(exclusion_id, int) else None
    if exclusion is None:
        raise NotFound("this exclusion does not exist")
    operation_id, keyed = exclusion.operation_id, exclusion.keyed
    removed = audit.NewEvent(principal, "remove exclusion", Exclusion.entity, exclusion.id, before={
        "kind": exclusion.kind, "value": exclusion.normalised, "reason": exclusion.reason})
    session.delete(exclusion)
    session.flush()
    first, second = FIRST, SECOND
    reopen = list(session.scalars(
        select(Hit.id).join(first, first.id == Hit.first_id).join(second, second.id == Hit.second_id).where(
            Hit.closed_reason == HitClosed.EXCLUDED, _on_keyed(operation_id, keyed),
            first.removed_at.is_(None), second.removed_at.is_(None), not_(excluded(first)), not_(excluded(second)))))
    for start in range(0, len(reopen), 5000):
        session.execute(update(Hit).where(Hit.id.in_(reopen[start:start + 5000]))
                        .values(closed_at=None, closed_reason=None))
    found = match(session, "keyed", {"keyed": keyed, "operation_id": operation_id})
    audit.record_many(session, [removed, *hit_events(session, principal, "hit reopened", reopen),
                                *found_hits(session, principal, found)])  # (reopened ones were told once)
