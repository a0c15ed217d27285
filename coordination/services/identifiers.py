"""Identifiers on suspects, evidence items and arrests, the hits they make, and the exclusion list.

Adding an identifier is an update of its record (its agency's liaisons): the value is normalised,
keyed under the operation's key, and matched in the same transaction against the other open
identifiers of the operation (`match`, one INSERT ... SELECT however many identifiers are new).
Hits carry no value, and their audit events name only the kind and the agencies. The exclusion list
(commanders) holds values that match everywhere and mean nothing: they make no hits, adding one
closes its open hits, removing one matches its identifiers again.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import ColumnElement, and_, case, exists, func, insert, literal, not_, or_, select, update
from sqlalchemy.orm import Session, aliased

from coordination import audit, deconfliction_key, fields, identifiers, policy
from coordination.deconfliction_key import KeyMissing, MatchingKey
from coordination.errors import NotFound, PermissionDenied, ValidationError
from coordination.fields import shown
from coordination.kinds import ARRESTS, EVIDENCE, SUSPECTS, Kind
from coordination.models import Agency, Exclusion, Hit, HitClosed, HitMatch, Identifier, UTCDateTime, utcnow
from coordination.principal import Principal
from coordination.services.base import authorise, current_operation, load_visible

HOLDERS = (SUSPECTS, EVIDENCE, ARRESTS)  # the kinds whose records hold identifiers
MAX_REASON = 300
_AS_ENTERED = fields.text(identifiers.MAX_VALUE)
Probe = Callable[[type[Identifier]], ColumnElement[bool]]  # which identifiers (of an alias) to match


def holder(entity_or_name: str) -> Kind | None:
    """The kind holding identifiers named by its entity ("evidence item") or its name ("evidence")."""
    wanted = entity_or_name.strip().lower()
    return next((kind for kind in HOLDERS if wanted in (kind.entity, kind.name)), None)


# --- the key ----------------------------------------------------------------------------------

def operation_key(session: Session, principal: Principal) -> MatchingKey:
    """The key identifiers are keyed with (COORD_DECONFLICTION_KEY_FILE), checked against the fingerprint
    the operation keeps; the first use sets it. Another key would silently match nothing: KeyMissing."""
    key = deconfliction_key.load()
    operation = current_operation(session)
    if operation.deconfliction_key_fingerprint is None:
        operation.deconfliction_key_fingerprint = key.fingerprint
        audit.record(session, audit.NewEvent(principal, "set deconfliction key", "operation", operation.id,
                                             after={"key fingerprint": key.fingerprint}))
    elif operation.deconfliction_key_fingerprint != key.fingerprint:
        raise KeyMissing(f"The deconfliction key in {deconfliction_key.ENVIRONMENT} is not the key this "
                         "operation's identifiers were keyed with: name that key's file (or rotate to the new "
                         "key with `python -m coordination deconflict rotate-key`).")
    return key


# --- identifiers ------------------------------------------------------------------------------

def normalised(identifier_kind: str, value: str, qualifier: str | None, region: str | None) -> identifiers.Normalised:
    """The normal form, or a ValidationError naming the field at fault. The value and qualifier are kept
    as entered, so they must be text a person can read (no control characters, line breaks or lone
    surrogates, which some normalisers would let through)."""
    problems = {}
    for field, text in (("value", value), ("qualifier", qualifier)):
        if isinstance(text, str):
            try:
                _AS_ENTERED(None, text)
            except ValueError as error:
                problems[field] = str(error)
    if problems:
        raise ValidationError(problems)
    try:
        return identifiers.normalise(identifier_kind, value, qualifier=qualifier, region=region)
    except ValueError as error:
        field = "kind" if str(error).startswith("is not a kind") else "value"
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
    if record_kind not in HOLDERS:
        raise ValidationError({"record": "identifiers are held on suspects, evidence items and arrests"})
    qualifier = cleaned_qualifier(qualifier)
    record = load_visible(session, principal, record_kind.model, record_id)
    normal = normalised(identifier_kind, value, qualifier, region_of(session, record.owning_agency_id))
    authorise(principal, policy.Action.UPDATE, record_kind, record.id, owning_agency_id=record.owning_agency_id)
    key = operation_key(session, principal)
    keyed = key.keyed(normal.kind.value, normal.value)
    existing = session.scalar(select(Identifier).where(
        Identifier.record_entity == record.entity, Identifier.record_id == record.id, Identifier.keyed == keyed,
        Identifier.removed_at.is_(None)))
    if existing is not None:
        return existing
    identifier = Identifier(
        operation_id=record.operation_id, kind=normal.kind, value=value.strip(), qualifier=qualifier,
        normalised=normal.value, keyed=keyed,
        phonetic_keyed=phonetic_keyed(key, normal), record_entity=record.entity, record_id=record.id,
        owning_agency_id=record.owning_agency_id, tlp=record.tlp, added_by_id=principal.user_id, added_at=utcnow())
    session.add(identifier)
    session.flush()
    # the record owner's own event: the only one that carries the value
    audit.record(session, audit.NewEvent(principal, "add identifier", record.entity, record.id, after={
        "identifier": identifier.id, "kind": normal.kind, "value": identifier.value,
        "qualifier": identifier.qualifier}))
    match(session, principal, lambda side: side.id == identifier.id, possible=identifier.phonetic_keyed is not None)
    return identifier


def phonetic_keyed(key: MatchingKey, normal: identifiers.Normalised) -> str | None:
    """People: the sound of the name and the birth date, keyed like the value, for possible matches."""
    return key.keyed(f"{normal.kind.value} phonetic", normal.phonetic) if normal.phonetic else None


def remove_identifier(session: Session, principal: Principal, identifier_id: int) -> None:
    """Remove an identifier from its record (an update of that record): its open hits close."""
    identifier = session.get(Identifier, identifier_id) if isinstance(identifier_id, int) else None
    kind = holder(identifier.record_entity) if identifier is not None else None
    if identifier is None or kind is None:
        raise NotFound(f"identifier {shown(str(identifier_id))} does not exist or is not visible to you")
    try:
        record = load_visible(session, principal, kind.model, identifier.record_id)
    except NotFound:
        raise NotFound(f"identifier {identifier_id} does not exist or is not visible to you") from None
    authorise(principal, policy.Action.UPDATE, kind, record.id, owning_agency_id=record.owning_agency_id)
    if identifier.removed_at is not None:
        return  # removed already (a second click): nothing more to do
    identifier.removed_at = utcnow()
    audit.record(session, audit.NewEvent(principal, "remove identifier", record.entity, record.id, after={
        "identifier": identifier.id, "kind": identifier.kind, "value": identifier.value}))
    close_hits(session, principal, or_(Hit.first_id == identifier.id, Hit.second_id == identifier.id),
               HitClosed.REMOVED)


# --- matching ---------------------------------------------------------------------------------

def _excluded(side: type[Identifier]) -> ColumnElement[bool]:
    return exists().where(Exclusion.operation_id == side.operation_id, Exclusion.keyed == side.keyed)


def match(session: Session, principal: Principal, probe: Probe, possible: bool = True) -> int:
    """Make the hits of the identifiers `probe` selects with every other open identifier of the
    operation: exact (the same keyed value) and possible (people: the same phonetic key, not the same
    value). Set-based: one INSERT ... SELECT per kind of match, then one audit event per hit (kind and
    agencies only). Pairs already hit, pairs on one record and excluded values are left out.
    `possible=False` when no probed identifier is a person (saves the second statement)."""
    session.flush()
    operation_id = current_operation(session).id
    last = session.scalar(select(func.max(Hit.id))) or 0
    now = utcnow()
    a, b = aliased(Identifier), aliased(Identifier)
    first = case((a.id < b.id, a.id), else_=b.id)
    second = case((a.id < b.id, b.id), else_=a.id)
    matches = [(HitMatch.EXACT, a.keyed == b.keyed)]
    if possible:
        matches.append((HitMatch.POSSIBLE, and_(a.phonetic_keyed == b.phonetic_keyed, a.keyed != b.keyed)))
    for kind, same in matches:
        already = exists().where(Hit.first_id == first, Hit.second_id == second, Hit.match == kind)
        pairs = select(a.operation_id, literal(kind.value), first, second, literal(now, UTCDateTime())).join(
            b, and_(same, b.operation_id == a.operation_id)).where(
            probe(a), a.operation_id == operation_id, a.removed_at.is_(None), b.removed_at.is_(None),
            or_(b.id < a.id, not_(probe(b))),  # each pair once, when both sides are probed
            not_(and_(a.record_entity == b.record_entity, a.record_id == b.record_id)),
            not_(_excluded(a)), not_(_excluded(b)), not_(already))
        session.execute(insert(Hit).from_select(["operation_id", "match", "first_id", "second_id", "found_at"],
                                                pairs))
    return _audit_hits(session, principal, "hit found", Hit.id > last)


def close_hits(session: Session, principal: Principal, which: ColumnElement[bool], reason: HitClosed) -> int:
    """Close the open hits `which` selects (an identifier removed, a value excluded), each audited."""
    ids = list(session.scalars(select(Hit.id).where(which, Hit.closed_at.is_(None))))
    for start in range(0, len(ids), 5000):
        session.execute(update(Hit).where(Hit.id.in_(ids[start:start + 5000]))
                        .values(closed_at=utcnow(), closed_reason=reason))
    return _audit_hits(session, principal, f"hit closed ({reason.value})", Hit.id.in_(ids)) if ids else 0


def _audit_hits(session: Session, principal: Principal, action: str, which: ColumnElement[bool]) -> int:
    """One event per hit, naming its kind, match and the agencies on either side: never a value."""
    first, second = aliased(Identifier), aliased(Identifier)
    one, two = aliased(Agency), aliased(Agency)
    rows = session.execute(
        select(Hit.id, Hit.match, first.kind, one.code, two.code)
        .join(first, first.id == Hit.first_id).join(second, second.id == Hit.second_id)
        .join(one, one.id == first.owning_agency_id).join(two, two.id == second.owning_agency_id)
        .where(which).order_by(Hit.id)).all()
    if not rows:
        return 0
    audit.record_many(session, [
        audit.NewEvent(principal, action, Hit.entity, hit_id, after={
            "kind": kind, "match": hit_match, "agencies": sorted({code_one, code_two})})
        for hit_id, hit_match, kind, code_one, code_two in rows])
    return len(rows)


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
    operation = current_operation(session)
    keyed = key.keyed(normal.kind.value, normal.value)
    existing = session.scalar(select(Exclusion).where(Exclusion.operation_id == operation.id,
                                                      Exclusion.keyed == keyed))
    if existing is not None:
        return existing
    exclusion = Exclusion(operation_id=operation.id, kind=normal.kind, normalised=normal.value, keyed=keyed,
                          reason=reason, added_by_id=principal.user_id, added_at=utcnow())
    session.add(exclusion)
    session.flush()
    audit.record(session, audit.NewEvent(principal, "add exclusion", Exclusion.entity, exclusion.id, after={
        "kind": normal.kind, "value": normal.value, "reason": reason}))
    close_hits(session, principal, _on_keyed(operation.id, keyed), HitClosed.EXCLUDED)
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
        raise NotFound(f"exclusion {shown(str(exclusion_id))} does not exist")
    operation_id, keyed = exclusion.operation_id, exclusion.keyed
    audit.record(session, audit.NewEvent(principal, "remove exclusion", Exclusion.entity, exclusion.id, before={
        "kind": exclusion.kind, "value": exclusion.normalised, "reason": exclusion.reason}))
    session.delete(exclusion)
    session.flush()
    first, second = aliased(Identifier), aliased(Identifier)
    reopen = list(session.scalars(
        select(Hit.id).join(first, first.id == Hit.first_id).join(second, second.id == Hit.second_id).where(
            Hit.closed_reason == HitClosed.EXCLUDED, _on_keyed(operation_id, keyed),
            first.removed_at.is_(None), second.removed_at.is_(None), not_(_excluded(first)), not_(_excluded(second)))))
    for start in range(0, len(reopen), 5000):
        session.execute(update(Hit).where(Hit.id.in_(reopen[start:start + 5000]))
                        .values(closed_at=None, closed_reason=None))
    if reopen:
        _audit_hits(session, principal, "hit reopened", Hit.id.in_(reopen))
    match(session, principal, lambda side: and_(side.operation_id == operation_id, side.keyed == keyed))
