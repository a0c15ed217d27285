"""Deconfliction as a person reads it: the hits they are told of (through `policy.told`), the
identifiers on a record they may read, and the exclusion list (commanders).

A hit row names the viewer's own record and only the other side's agency: never the other record's
reference, content, marking or value, nor when the other agency entered it. A row is a line: one
per identifier of the viewer's side, other agency and match, however many records of the other
agency hold the value (a line per record would tell how many), shown by the oldest open hit of the
line (so another record of theirs holding it later changes nothing the viewer sees). Lines are
listed newest first (ids are given in time order, writers being serialised); `before` is the id of
the last line of the previous page.

A hit with another operation (identifiers match across operations) names the viewer's own record
and "another operation": never its name, records, agency or value, nor how many operations hold the
value (one line per identifier of the viewer's side and match for every other operation together),
with whom to contact there (its deconfliction contact, else its lead agency's deconfliction desk),
and no contact request (an approval grants reading, which needs membership there).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, false, not_, or_, select, true
from sqlalchemy.orm import Session, aliased

from coordination import policy
from coordination.kinds import ARRESTS, EVIDENCE, SUSPECTS
from coordination.markings import TLP
from coordination.models import (
    Agency,
    ContactRequest,
    ContactStatus,
    Exclusion,
    Hit,
    HitMatch,
    Identifier,
    IdentifierKind,
    Operation,
    Recipient,
    User,
)
from coordination.principal import Principal

HOLDERS = {kind.entity: kind for kind in (SUSPECTS, EVIDENCE, ARRESTS)}
FIRST, SECOND = aliased(Identifier, name="first_side"), aliased(Identifier, name="second_side")  # made once
EARLIER, LINE = aliased(Hit, name="earlier_hit"), aliased(Hit, name="line_hit")
PAGE = 50


@dataclass(frozen=True)
class HitRow:
    id: int
    match: HitMatch
    kind: IdentifierKind
    my_record_reference: str
    my_record_kind: str  # Kind.name: suspects, evidence, arrests
    my_record_id: int
    my_agency_code: str  # the agency of that record (a commander is told of other agencies' hits too)
    other_agency_code: str
    found_at: datetime  # when the line's hit was found (never when the other agency entered its value)
    possible_duplicate: bool  # both sides are one agency's, in one operation
    request_status: ContactStatus | None  # of the viewer's agency's latest request about this hit
    sentence: str
    contact: str | None = None  # the other side is of another operation: whom to contact there

    @property
    def of_another_operation(self) -> bool:
        return self.contact is not None


@dataclass(frozen=True)
class IdentifierRow:
    id: int
    kind: IdentifierKind
    value: str  # as entered, on a record the reader may read
    qualifier: str | None
    added_at: datetime
    added_by: str


@dataclass(frozen=True)
class ExclusionRow:
    id: int
    kind: IdentifierKind
    value: str  # normalised
    reason: str
    added_at: datetime
    added_by: str


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%b %Y}"


ANOTHER_OPERATION = "another operation"  # the other side's agency, when it is of another operation


def contact_of(deconfliction_contact: str | None, lead_agency_code: str) -> str:
    """Whom to contact in another operation: its deconfliction contact, else its lead agency's desk."""
    return deconfliction_contact or f"the {lead_agency_code} deconfliction desk"


def sentence(match: HitMatch, kind: IdentifierKind, my_agency: str, other_agency: str, found: datetime,
             contact: str | None = None) -> str:
    """"NL-POLICE also holds this phone number (hit found 12 Nov 2026)", and its kin: that the other
    agency holds it, never on how many records nor since when. Of another operation (`contact`):
    "Another operation also holds this phone number (hit found ...); contact: the NCA deconfliction
    desk", never which operation nor which agency there."""
    when = f"(hit found {_day(found)})"
    if contact is not None:
        return f"{_elsewhere(match, kind)} {when}; contact: {contact}"
    if match is HitMatch.POSSIBLE:
        who = f"Another record of {my_agency}" if my_agency == other_agency else other_agency
        what = "a possible duplicate" if my_agency == other_agency else "a possible match"
        return f"{who} holds a person whose name sounds alike, born the same day: {what} {when}"
    if match is HitMatch.SAME_BUILDING:  # another flat of one building: one door, one stairwell
        who = f"Another record of {my_agency}" if my_agency == other_agency else other_agency
        return f"{who} holds an address in the same building as this one (another flat) {when}"
    written = ", written another way" if match is HitMatch.SAME_ADDRESS else ""
    if my_agency == other_agency:
        return f"Another record of {my_agency} also holds this {kind.value}{written}: a possible duplicate {when}"
    return f"{other_agency} also holds this {kind.value}{written} {when}"


def _elsewhere(match: HitMatch, kind: IdentifierKind) -> str:
    if match is HitMatch.POSSIBLE:
        return "Another operation holds a person whose name sounds alike, born the same day: a possible match"
    if match is HitMatch.SAME_BUILDING:
        return "Another operation holds an address in the same building as this one (another flat)"
    written = ", written another way" if match is HitMatch.SAME_ADDRESS else ""
    return f"Another operation also holds this {kind.value}{written}"


@dataclass(frozen=True)
class _Side:
    """What a hit row needs of one side (never its value)."""

    kind: IdentifierKind
    record_entity: str
    record_id: int
    owning_agency_id: int
    tlp: TLP
    operation_id: int


_SIDE = [name for name in _Side.__dataclass_fields__]


def _named_on(session: Session, principal: Principal, sides: list[_Side]) -> set[tuple[str, int]]:
    """The RED records among `sides` that name the principal as a recipient (one small query a kind)."""
    red: dict[str, set[int]] = {}
    for side in sides:
        if side.tlp is TLP.RED:
            red.setdefault(side.record_entity, set()).add(side.record_id)
    named = set()
    for entity, ids in red.items():
        named.update((entity, i) for i in session.scalars(select(Recipient.entity_id).where(
            Recipient.entity == entity, Recipient.entity_id.in_(ids), Recipient.user_id == principal.user_id)))
    return named


def _side(identifier: _Side, named: set[tuple[str, int]]) -> policy.HitSide:
    return policy.HitSide(identifier.owning_agency_id, identifier.tlp,
                          (identifier.record_entity, identifier.record_id) in named, identifier.operation_id)


def _rows(session: Session, principal: Principal, found: list[tuple], mine_of) -> list[HitRow]:
    """Hit rows from (hit, first, second, request status) rows; `mine_of(first, second, named)` picks
    the viewer's side of each (`named`: the RED records naming the viewer)."""
    agencies = dict(session.execute(select(Agency.id, Agency.code)).all())
    contacts = {operation_id: contact_of(contact, agencies[lead]) for operation_id, contact, lead in session.execute(
        select(Operation.id, Operation.deconfliction_contact, Operation.lead_agency_id))}
    named = _named_on(session, principal, [side for _, _, _, first, second, _ in found for side in (first, second)])
    chosen = [((hit_id, match, found_at), *mine_of(first, second, named), status)
              for hit_id, match, found_at, first, second, status in found]
    references: dict[tuple[str, int], str] = {}
    for entity, kind in HOLDERS.items():
        ids = {mine.record_id for _, mine, _, _ in chosen if mine.record_entity == entity}
        if ids:
            key = getattr(kind.model, kind.key)
            references.update({(entity, i): reference for i, reference in
                               session.execute(select(kind.model.id, key).where(kind.model.id.in_(ids)))})
    rows = []
    for (hit_id, match, found_at), mine, other, status in chosen:
        elsewhere = other.operation_id != mine.operation_id
        contact = contacts[other.operation_id] if elsewhere else None
        mine_code = agencies[mine.owning_agency_id]
        other_code = ANOTHER_OPERATION if elsewhere else agencies[other.owning_agency_id]
        rows.append(HitRow(
            hit_id, match, mine.kind, references.get((mine.record_entity, mine.record_id), ""),
            HOLDERS[mine.record_entity].name, mine.record_id, mine_code, other_code, found_at,
            not elsewhere and mine.owning_agency_id == other.owning_agency_id,
            None if elsewhere else ContactStatus(status) if status else None,
            sentence(match, mine.kind, mine_code, other_code, found_at, contact), contact))
    return rows


def _in_line(sibling, mine_first: ColumnElement[bool]) -> ColumnElement[bool]:
    """Does `sibling` (an alias of Hit) tell the viewer the line the hit does: the viewer's identifier
    on it (the first side where `mine_first`), the same other agency of the same operation or, for
    another operation, any other operation, the same match, and told like it (its other side RED:
    only to a RED side)? From the hit rows' copies alone."""
    def of(mine_id, mine_tlp, mine_operation, other_agency_id, other_operation) -> ColumnElement[bool]:
        def counterparty(agency, operation) -> ColumnElement[bool]:
            return or_(and_(other_operation != mine_operation, operation != mine_operation),
                       and_(other_operation == mine_operation, operation == mine_operation, agency == other_agency_id))
        return or_(and_(sibling.first_id == mine_id,
                        counterparty(sibling.second_agency_id, sibling.second_operation_id),
                        or_(sibling.second_tlp != TLP.RED, mine_tlp == TLP.RED)),
                   and_(sibling.second_id == mine_id,
                        counterparty(sibling.first_agency_id, sibling.first_operation_id),
                        or_(sibling.first_tlp != TLP.RED, mine_tlp == TLP.RED)))
    return and_(sibling.match == Hit.match, or_(
        and_(mine_first, of(Hit.first_id, Hit.first_tlp, Hit.first_operation_id, Hit.second_agency_id,
                            Hit.second_operation_id)),
        and_(not_(mine_first), of(Hit.second_id, Hit.second_tlp, Hit.second_operation_id, Hit.first_agency_id,
                                  Hit.first_operation_id))))


def _first_of_its_line(mine_first: ColumnElement[bool]) -> ColumnElement[bool]:
    """The hit shows its line: no earlier open hit is in it. (Within one agency of one operation, each
    possible duplicate is a line of its own: the agency reads both records.)"""
    duplicate = and_(Hit.first_agency_id == Hit.second_agency_id, Hit.first_operation_id == Hit.second_operation_id)
    return or_(duplicate, not_(exists().where(
        EARLIER.id < Hit.id, EARLIER.closed_at.is_(None), _in_line(EARLIER, mine_first))))


def _mine_first(principal: Principal) -> ColumnElement[bool]:
    """Is the viewer's side of a hit its first? The side of their operation; of two such, their agency's;
    of a hit between two other agencies (command), the first (as `hits_for_agency` picks it)."""
    return and_(Hit.first_operation_id == principal.operation_id, or_(
        Hit.second_operation_id != principal.operation_id,
        Hit.first_agency_id == principal.agency_id, Hit.second_agency_id != principal.agency_id))


def _request_status(principal: Principal, mine_first: ColumnElement[bool]):
    """The status of the viewer's agency's latest contact request about the line (any hit of it, so
    that the line reads the same when the hit showing it changes)."""
    return (select(ContactRequest.status).where(
        ContactRequest.requesting_agency_id == principal.agency_id,
        ContactRequest.hit_id.in_(select(LINE.id).where(_in_line(LINE, mine_first))))
            .order_by(ContactRequest.id.desc()).limit(1).scalar_subquery())


def _hits(principal: Principal, first, second, mine_first: ColumnElement[bool]):
    """The open hits that show a line, with both sides' columns and the viewer's agency's request
    status: plain rows, no entities to build."""
    return (select(Hit.id, Hit.match, Hit.found_at, *(getattr(first, name) for name in _SIDE),
                   *(getattr(second, name) for name in _SIDE), _request_status(principal, mine_first))
            .join(first, first.id == Hit.first_id).join(second, second.id == Hit.second_id)
            .where(Hit.closed_at.is_(None), _first_of_its_line(mine_first)))


def _found(session: Session, query) -> list[tuple]:
    """(hit id, match, found at, first side, second side, request status) of each row."""
    width = len(_SIDE)
    return [(row[0], row[1], row[2], _Side(*row[3:3 + width]), _Side(*row[3 + width:3 + 2 * width]), row[-1])
            for row in session.execute(query)]


def hits_for_agency(session: Session, principal: Principal, *, limit: int = PAGE,
                    before: int | None = None) -> list[HitRow]:
    """The lines of open hits the principal is told of, newest first: their agency's, and for
    commanders every hit where neither side is RED."""
    first, second = FIRST, SECOND
    query = _hits(principal, first, second, _mine_first(principal)).where(
        policy.may_be_told(principal, Hit),  # before reading the sides
        or_(policy.told(principal, first, second), policy.told(principal, second, first)))
    if before is not None:
        query = query.where(Hit.id < before)
    found = _found(session, query.order_by(Hit.id.desc()).limit(limit))

    def mine_of(one, two, named):
        views = [(mine, other) for mine, other in ((one, two), (two, one))
                 if policy.is_told(principal, _side(mine, named), _side(other, named))]
        own = [view for view in views if view[0].owning_agency_id == principal.agency_id]
        return (own or views)[0]  # the viewer's own agency's side first
    return _rows(session, principal, found, mine_of)


def hits_on_record(session: Session, principal: Principal, entity: str, record_id: int) -> list[HitRow]:
    """The lines of open hits on one record that the principal is told of, newest first. The record
    can be either side of a hit: one query for each, each starting from the record's identifiers (an
    OR of the two would read every hit)."""
    if entity not in HOLDERS or not _readable(session, principal, entity, record_id):
        return []
    found = []
    for mine, other in ((FIRST, SECOND), (SECOND, FIRST)):
        mine_first = true() if mine is FIRST else false()
        found += _found(session, _hits(principal, FIRST, SECOND, mine_first).where(
            mine.record_entity == entity, mine.record_id == record_id, policy.told(principal, mine, other)))
    found.sort(key=lambda row: row[0], reverse=True)

    def mine_of(one, two, named):
        return (one, two) if (one.record_entity, one.record_id) == (entity, record_id) else (two, one)
    return _rows(session, principal, found, mine_of)


def _readable(session: Session, principal: Principal, entity: str, record_id: int) -> bool:
    model = HOLDERS[entity].model
    return session.scalar(select(model.id).where(model.id == record_id,
                                                 policy.visible(model, principal))) is not None


def identifiers_on_record(session: Session, principal: Principal, entity: str, record_id: int) -> list[IdentifierRow]:
    """The identifiers on a record the principal may read, oldest first; none on a record they may not."""
    if entity not in HOLDERS or not _readable(session, principal, entity, record_id):
        return []
    rows = session.execute(
        select(Identifier, User.display_name).outerjoin(User, User.id == Identifier.added_by_id)
        .where(Identifier.record_entity == entity, Identifier.record_id == record_id,
               Identifier.removed_at.is_(None)).order_by(Identifier.id)).all()
    return [IdentifierRow(i.id, i.kind, i.value, i.qualifier, i.added_at, name or "system") for i, name in rows]


def exclusions(session: Session, principal: Principal) -> list[ExclusionRow]:
    """The exclusion list, for those who keep it (commanders); empty for everyone else."""
    if not policy.can_manage_exclusions(principal):
        return []
    rows = session.execute(select(Exclusion, User.display_name).outerjoin(User, User.id == Exclusion.added_by_id)
                           .where(policy.in_operation(Exclusion, principal))
                           .order_by(Exclusion.kind, Exclusion.normalised)).all()
    return [ExclusionRow(e.id, e.kind, e.normalised, e.reason, e.added_at, name or "system") for e, name in rows]
