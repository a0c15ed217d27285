"""Deconfliction as a person reads it: the hits they are told of (through `policy.told`), the
identifiers on a record they may read, and the exclusion list (commanders).

A hit row names the viewer's own record and only the other side's agency: never the other record's
reference, content, marking or value. Hits are listed newest first (ids are given in time order,
writers being serialised); `before` is the id of the last hit of the previous page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, and_, exists, or_, select
from sqlalchemy.orm import Session, aliased

from coordination import policy
from coordination.kinds import ARRESTS, EVIDENCE, SUSPECTS
from coordination.models import (
    Agency,
    ContactRequest,
    ContactStatus,
    Exclusion,
    Hit,
    HitMatch,
    Identifier,
    IdentifierKind,
    Recipient,
    User,
)
from coordination.principal import Principal

HOLDERS = {kind.entity: kind for kind in (SUSPECTS, EVIDENCE, ARRESTS)}
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
    since: datetime  # when the other side added it
    found_at: datetime
    possible_duplicate: bool  # both sides are one agency's
    request_status: ContactStatus | None  # of the viewer's agency's latest request about this hit
    sentence: str


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


def sentence(match: HitMatch, kind: IdentifierKind, my_agency: str, other_agency: str, since: datetime) -> str:
    """"NL-POLICE also holds this phone number (since 12 Nov 2026)", and its kin."""
    when = f"(since {_day(since)})"
    if match is HitMatch.POSSIBLE:
        who = f"Another record of {my_agency}" if my_agency == other_agency else other_agency
        what = "a possible duplicate" if my_agency == other_agency else "a possible match"
        return f"{who} holds a person whose name sounds alike, born the same day: {what} {when}"
    if my_agency == other_agency:
        return f"Another record of {my_agency} also holds this {kind.value}: a possible duplicate {when}"
    return f"{other_agency} also holds this {kind.value} {when}"


def _named(principal: Principal, side):
    return exists().where(Recipient.entity == side.record_entity, Recipient.entity_id == side.record_id,
                          Recipient.user_id == principal.user_id)


def _side(identifier: Identifier, named: bool) -> policy.HitSide:
    return policy.HitSide(identifier.owning_agency_id, identifier.tlp, named)


def _rows(session: Session, principal: Principal, found: list[Row], mine_of) -> list[HitRow]:
    """Hit rows from (hit, first, second, first named, second named, request status) rows; `mine_of`
    picks the viewer's side of each."""
    agencies = dict(session.execute(select(Agency.id, Agency.code)).all())
    chosen = [(hit, *mine_of(first, second, named_first, named_second), status)
              for hit, first, second, named_first, named_second, status in found]
    references: dict[tuple[str, int], str] = {}
    for entity, kind in HOLDERS.items():
        ids = {mine.record_id for _, mine, _, _ in chosen if mine.record_entity == entity}
        if ids:
            key = getattr(kind.model, kind.key)
            references.update({(entity, i): reference for i, reference in
                               session.execute(select(kind.model.id, key).where(kind.model.id.in_(ids)))})
    rows = []
    for hit, mine, other, status in chosen:
        mine_code, other_code = agencies[mine.owning_agency_id], agencies[other.owning_agency_id]
        rows.append(HitRow(
            hit.id, hit.match, mine.kind, references.get((mine.record_entity, mine.record_id), ""),
            HOLDERS[mine.record_entity].name, mine.record_id, mine_code, other_code, other.added_at, hit.found_at,
            mine.owning_agency_id == other.owning_agency_id, ContactStatus(status) if status else None,
            sentence(hit.match, mine.kind, mine_code, other_code, other.added_at)))
    return rows


def _request_status(principal: Principal):
    """The status of the viewer's agency's latest contact request about the hit."""
    return (select(ContactRequest.status).where(ContactRequest.hit_id == Hit.id,
                                                ContactRequest.requesting_agency_id == principal.agency_id)
            .order_by(ContactRequest.id.desc()).limit(1).scalar_subquery())


def _hits(principal: Principal, first, second):
    return (select(Hit, first, second, _named(principal, first), _named(principal, second),
                   _request_status(principal))
            .join(first, first.id == Hit.first_id).join(second, second.id == Hit.second_id)
            .where(Hit.closed_at.is_(None)))


def hits_for_agency(session: Session, principal: Principal, *, limit: int = PAGE,
                    before: int | None = None) -> list[HitRow]:
    """The open hits the principal is told of, newest first: their agency's, and for commanders every
    hit where neither side is RED."""
    first, second = aliased(Identifier), aliased(Identifier)
    query = _hits(principal, first, second).where(
        or_(policy.told(principal, first, second), policy.told(principal, second, first)))
    if before is not None:
        query = query.where(Hit.id < before)
    found = session.execute(query.order_by(Hit.id.desc()).limit(limit)).all()

    def mine_of(one, two, named_one, named_two):
        views = [(mine, other) for mine, other, named_mine, named_other in
                 ((one, two, named_one, named_two), (two, one, named_two, named_one))
                 if policy.is_told(principal, _side(mine, named_mine), _side(other, named_other))]
        own = [view for view in views if view[0].owning_agency_id == principal.agency_id]
        return (own or views)[0]  # the viewer's own agency's side first
    return _rows(session, principal, found, mine_of)


def hits_on_record(session: Session, principal: Principal, entity: str, record_id: int) -> list[HitRow]:
    """The open hits on one record that the principal is told of, newest first."""
    if entity not in HOLDERS or not _readable(session, principal, entity, record_id):
        return []
    first, second = aliased(Identifier), aliased(Identifier)
    on_first = and_(first.record_entity == entity, first.record_id == record_id,
                    policy.told(principal, first, second))
    on_second = and_(second.record_entity == entity, second.record_id == record_id,
                     policy.told(principal, second, first))
    found = session.execute(_hits(principal, first, second).where(or_(on_first, on_second))
                            .order_by(Hit.id.desc())).all()

    def mine_of(one, two, named_one, named_two):
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
                           .order_by(Exclusion.kind, Exclusion.normalised)).all()
    return [ExclusionRow(e.id, e.kind, e.normalised, e.reason, e.added_at, name or "system") for e, name in rows]
