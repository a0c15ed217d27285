"""Telling people of deconfliction as it happens: a hit on their agency's record, a request for
contact about it, and the answer to their own request. Each notification is about the reader's own
agency's record (so it says nothing they may not read, and is checked again when read) and carries no
identifier, value or other agency's record."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination import notices
from coordination.markings import TLP
from coordination.models import ContactRequest, Hit, Identifier
from coordination.principal import Principal
from coordination.services.notifications import notify, notify_each


def tell_of_hits(session: Session, principal: Principal, hits: Sequence[tuple]) -> None:
    """Each side's agency hears of a new hit on its record, by the telling rule: a hit on a RED record
    is told to the RED record's owner only; a hit within one agency is a possible duplicate, told once.
    `hits` holds each hit's id and what it copies of its sides (record entity, record id, agency id,
    TLP label: first side, then second): no identifier is read."""
    told = []  # (entity, record id, agency id, event key) of each side told
    for hit_id, *sides in hits:
        mine, other = sides[:4], sides[4:]
        for this, that in ((mine, other), (other, mine)) if mine[2] != other[2] else ((mine, other),):
            if that[3] is not TLP.RED or this[3] is TLP.RED:
                told.append((this[0], this[1], this[2], f"hit {hit_id}"))
    notify_each(session, notices.HIT_FOUND, told, actor=principal)


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
