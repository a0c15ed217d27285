"""Telling people of deconfliction as it happens: a hit on their agency's record, a request for
contact about it, and the answer to their own request. Each notification is about the reader's own
agency's record (so it says nothing they may not read, and is checked again when read) and carries no
identifier, value or other agency's record."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from coordination import notices
from coordination.markings import TLP
from coordination.models import ContactRequest, Hit, HitMatch, Identifier
from coordination.principal import Principal
from coordination.services.notifications import notify, notify_each


def tell_of_hits(session: Session, principal: Principal, hits: Sequence[tuple]) -> None:
    """Each side's agency hears of a new hit on its record, by the telling rule: a hit on a RED record
    is told to the RED record's owner only; a hit within one agency of one operation is a possible
    duplicate, told once. A side hears only of a new line (`queries.hits`: one per identifier of
    theirs, other agency (or another operation, whichever) and match): another record of the other
    agency holding the value already told, it hears nothing, or the count of what it heard would tell
    how many records the other agency holds it on. Each side hears in its own operation, by its
    agency's hearers there (`notify_each` reads the record's operation); a hit with another operation
    is told as such (HIT_ELSEWHERE), never naming it.
    `hits` holds each hit's id, match and identifiers, and what it copies of its sides (record entity,
    record id, agency id, TLP label, operation id: first side, then second): no identifier is read."""
    told: dict[bool, list] = {False: [], True: []}  # elsewhere? -> (entity, record id, agency id, event key)
    lines = _lines_told(session, hits)
    for hit_id, hit_match, first_id, second_id, *sides in hits:
        mine, other = (first_id, *sides[:5]), (second_id, *sides[5:])
        apart = mine[3] != other[3] or mine[5] != other[5]
        for this, that in ((mine, other), (other, mine)) if apart else ((mine, other),):
            if that[4] is not TLP.RED or this[4] is TLP.RED:
                line = (this[0], _counterparty(this[5], that[3], that[5]), hit_match)
                if apart and line in lines:
                    continue
                lines.add(line)
                told[this[5] != that[5]].append((this[1], this[2], this[3], f"hit {hit_id}"))
    notify_each(session, notices.HIT_FOUND, told[False], actor=principal)
    notify_each(session, notices.HIT_ELSEWHERE, told[True], actor=principal)


def _counterparty(operation_id: int, other_agency_id: int, other_operation_id: int) -> int | None:
    """Who a side's line is with: the other agency of its operation, or None for another operation
    (every other operation one line, as `queries.hits` lists it)."""
    return other_agency_id if other_operation_id == operation_id else None


def _lines_told(session: Session, hits: Sequence[tuple]) -> set[tuple[int, int | None, HitMatch]]:
    """(identifier, other agency or None, match) of the lines between agencies or operations that
    earlier open hits on the identifiers of `hits` tell already (a statement per 5,000 identifiers,
    however many hits)."""
    new = {hit[0] for hit in hits}
    ids = sorted({identifier for hit in hits for identifier in hit[2:4]})
    lines = set()
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        for (hit_id, first_id, second_id, hit_match, first_agency, second_agency, first_tlp, second_tlp,
             first_operation, second_operation) in session.execute(
                select(Hit.id, Hit.first_id, Hit.second_id, Hit.match, Hit.first_agency_id, Hit.second_agency_id,
                       Hit.first_tlp, Hit.second_tlp, Hit.first_operation_id, Hit.second_operation_id)
                .where(or_(Hit.first_id.in_(chunk), Hit.second_id.in_(chunk)), Hit.closed_at.is_(None),
                       or_(Hit.first_agency_id != Hit.second_agency_id,
                           Hit.first_operation_id != Hit.second_operation_id))):
            if hit_id in new:
                continue
            if first_tlp is not TLP.RED or second_tlp is TLP.RED:  # told to the second side
                lines.add((second_id, _counterparty(second_operation, first_agency, first_operation), hit_match))
            if second_tlp is not TLP.RED or first_tlp is TLP.RED:  # told to the first side
                lines.add((first_id, _counterparty(first_operation, second_agency, second_operation), hit_match))
    return lines


def tell_of_request(session: Session, principal: Principal, request: ContactRequest) -> None:
    """The agency asked hears of the request, about its own record."""
    notify(session, notices.CONTACT_ASKED, request.record_entity, request.record_id,
           agencies=[request.owner_agency_id], key=f"contact request {request.id}", actor=principal)


def tell_of_answer(session: Session, principal: Principal, request: ContactRequest) -> None:
    """The asking agency hears the answer, about ITS side of the hit (the other record may stay
    unreadable to it: a declined request must still reach them)."""
    hit = session.get(Hit, request.hit_id)
    theirs = session.scalar(select(Identifier).where(
        Identifier.id.in_([hit.first_id, hit.second_id]),
        Identifier.owning_agency_id == request.requesting_agency_id).limit(1))
    if theirs is not None:
        notify(session, notices.CONTACT_ANSWERED, theirs.record_entity, theirs.record_id,
               agencies=[request.requesting_agency_id], key=f"contact request {request.id} {request.status}",
               actor=principal)
