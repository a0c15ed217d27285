"""Contact requests: a liaison told of a hit asks the other agency about its record; a liaison of that
agency approves it with a handling condition (H0-H3), which lets the asking agency read that one
record (a `RecordGrant`, read through `policy.visible`), or declines it with a reason.

Every step is audited. No audit detail holds an identifier's value, and none holds the typed reason
or conditions either (a person may quote the value there): those stay on the request, read by the
two agencies only.
"""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from coordination import audit, kinds, policy
from coordination.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from coordination.fields import MAX_ID, parse_fields
from coordination.models import (
    Agency,
    ContactRequest,
    ContactStatus,
    HandlingCondition,
    Hit,
    Identifier,
    Operation,
    RecordGrant,
    User,
    utcnow,
)
from coordination.principal import Principal
from coordination.queries.hits import contact_of
from coordination.services.authorisation import acting_as
from coordination.services.deconfliction_notices import tell_of_answer, tell_of_request
from coordination.services.loading import agency_code, current_operation, recipient_ids

ENTITY = ContactRequest.entity


def ask_for_contact(session: Session, principal: Principal, hit_id: int, reason: str) -> ContactRequest:
    """Ask the other side's agency of a hit for contact about its record. Only a person told of the
    hit learns that it exists: to anyone else it is NotFound, like a hit that is not there."""
    values = parse_fields(session, kinds.CONTACT_REQUEST, {"reason": reason})
    mine, other = _my_side(session, principal, hit_id)
    if other.operation_id != mine.operation_id:  # an approval grants reading, which needs membership there
        raise ValidationError({"hit": "this hit is with another operation, which no request reaches: "
                                      f"contact {_contact_there(session, other.operation_id)}"})
    if not policy.can_ask_for_contact(principal, True, mine.owning_agency_id, other.owning_agency_id):
        raise PermissionDenied(f"{acting_as(principal)} may not ask another agency for contact",
                               action="ask for contact", entity="hit", entity_id=hit_id)
    hit = session.get(Hit, hit_id)
    if hit.closed_at is not None:
        raise ValidationError({"hit": f"this hit was closed on {hit.closed_at:%d %b %Y} ({hit.closed_reason}): "
                                      "there is nothing to ask about"})
    line = select(Hit.id).where(Hit.match == hit.match, or_(  # the hits told as one line with this one
        and_(Hit.first_id == mine.id, Hit.second_agency_id == other.owning_agency_id),
        and_(Hit.second_id == mine.id, Hit.first_agency_id == other.owning_agency_id)))
    earlier = session.scalar(select(ContactRequest).where(
        ContactRequest.hit_id.in_(line), ContactRequest.requesting_agency_id == principal.agency_id,
        ContactRequest.status.in_([ContactStatus.PENDING, ContactStatus.APPROVED])).limit(1))
    if earlier is not None:
        raise ValidationError({"hit": f"{principal.agency_code} asked about this hit on "
                                      f"{earlier.requested_at:%d %b %Y %H:%M} UTC already; that request is "
                                      f"{earlier.status}"})
    request = ContactRequest(
        operation_id=current_operation(session, principal).id, hit_id=hit_id, requesting_agency_id=principal.agency_id,
        requested_by_id=principal.user_id, requested_at=utcnow(), reason=values["reason"],
        owner_agency_id=other.owning_agency_id, record_entity=other.record_entity, record_id=other.record_id,
        status=ContactStatus.PENDING)
    session.add(request)
    session.flush()
    audit.record(session, audit.NewEvent(principal, "ask for contact", ENTITY, request.id, after={
        "hit_id": hit_id, "requesting_agency": principal.agency_code,
        "owner_agency": agency_code(session, other.owning_agency_id), "status": request.status}))
    tell_of_request(session, principal, request)
    return request


def approve_contact(session: Session, principal: Principal, request_id: int, condition: str,
                    condition_text: str | None = None) -> ContactRequest:
    """Approve with a handling condition (H3: the conditions stated): the asking agency may then read
    the record, under that condition, unless it is RED (RED is never granted)."""
    values = parse_fields(session, kinds.CONTACT_APPROVAL, {"condition": condition, "condition_text": condition_text})
    if values["condition"] is HandlingCondition.H3 and not values["condition_text"]:
        raise ValidationError({"condition_text": "is required for H3: state the conditions"})
    if values["condition"] is not HandlingCondition.H3 and values["condition_text"]:
        raise ValidationError({"condition_text": f"is only for H3; {values['condition']} means "
                                                 f"{values['condition'].meaning}"})
    request = _decidable(session, principal, request_id, "approve")
    request.condition, request.condition_text = values["condition"], values["condition_text"]
    _decide(session, request, principal, ContactStatus.APPROVED)
    grant = session.get(RecordGrant, (request.record_entity, request.record_id, request.requesting_agency_id))
    before = {"condition": grant.condition} if grant else None
    if grant is None:  # a second approved request about the same record: its condition is the newest
        grant = RecordGrant(record_entity=request.record_entity, record_id=request.record_id,
                            agency_id=request.requesting_agency_id)
        session.add(grant)
    grant.request_id, grant.condition, grant.condition_text = request.id, request.condition, request.condition_text
    grant.granted_at = request.decided_at
    session.flush()
    audit.record(session, audit.NewEvent(principal, "approve contact", ENTITY, request.id, before=before, after={
        "status": request.status, "condition": request.condition, "conditions_stated": bool(request.condition_text),
        "requesting_agency": agency_code(session, request.requesting_agency_id), "version": request.version}))
    tell_of_answer(session, principal, request)
    return request


def decline_contact(session: Session, principal: Principal, request_id: int, reason: str) -> ContactRequest:
    values = parse_fields(session, kinds.CONTACT_DECLINE, {"reason": reason})
    request = _decidable(session, principal, request_id, "decline")
    request.decline_reason = values["reason"]
    _decide(session, request, principal, ContactStatus.DECLINED)
    audit.record(session, audit.NewEvent(principal, "decline contact", ENTITY, request.id, after={
        "status": request.status, "requesting_agency": agency_code(session, request.requesting_agency_id),
        "version": request.version}))
    tell_of_answer(session, principal, request)
    return request


def _contact_there(session: Session, operation_id: int) -> str:
    """Whom to contact in another operation, as the hit's line says (never its name)."""
    contact, lead = session.execute(select(Operation.deconfliction_contact, Agency.code).join(
        Agency, Agency.id == Operation.lead_agency_id).where(Operation.id == operation_id)).one()
    return contact_of(contact, lead)


def _my_side(session: Session, principal: Principal, hit_id: int) -> tuple[Identifier, Identifier]:
    """(the principal's agency's identifier, the other agency's) of a hit the principal is told of;
    NotFound for a hit they are not told of, within one agency, or not there."""
    hit = session.get(Hit, hit_id) if _an_id(hit_id) else None
    sides = [side for side in (session.get(Identifier, hit.first_id), session.get(Identifier, hit.second_id))
             if side is not None] if hit else []
    # the principal's agency's side in their operation (another operation's: as missing, by is_told)
    mine = [side for side in sides if side.owning_agency_id == principal.agency_id
            and side.operation_id == principal.operation_id]
    if len(mine) == 1 and len(sides) == 2:
        own = mine[0]
        other = sides[1] if own is sides[0] else sides[0]
        named = principal.user_id in recipient_ids(session, own.record_entity, own.record_id)
        if policy.is_told(principal, policy.HitSide(own.owning_agency_id, own.tlp, named, own.operation_id),
                          policy.HitSide(other.owning_agency_id, other.tlp, operation_id=other.operation_id)):
            return own, other
    raise NotFound("this hit does not exist or is not visible to you")


def _decidable(session: Session, principal: Principal, request_id: int, verb: str) -> ContactRequest:
    """The pending request, for a liaison of the agency asked: NotFound to anyone outside the two
    agencies, refused (audited) for the asking agency or other roles, a conflict once decided."""
    request = session.get(ContactRequest, request_id, populate_existing=True) if _an_id(request_id) else None
    if request is None or not policy.reads_operation(principal, request.operation_id) \
            or principal.agency_id not in (request.owner_agency_id, request.requesting_agency_id):
        raise NotFound("this contact request does not exist or is not visible to you")
    if not policy.can_decide_contact(principal, request.owner_agency_id):
        raise PermissionDenied(f"{acting_as(principal)} may not {verb} this contact request: only a liaison of "
                               f"{agency_code(session, request.owner_agency_id)} may",
                               action=f"{verb} contact", entity=ENTITY, entity_id=request.id)
    if request.status is not ContactStatus.PENDING:
        raise _decided_already(session, request)
    return request


def _decide(session: Session, request: ContactRequest, principal: Principal, status: ContactStatus) -> None:
    request.status, request.decided_by_id, request.decided_at = status, principal.user_id, utcnow()
    try:
        session.flush()  # the version column: a liaison who decided first, in another transaction, wins
    except StaleDataError:
        session.rollback()
        raise _decided_already(session, session.get(ContactRequest, request.id, populate_existing=True)) from None


def _decided_already(session: Session, request: ContactRequest) -> ConflictError:
    by = session.get(User, request.decided_by_id) if request.decided_by_id else None
    who = f"{by.display_name} ({agency_code(session, by.agency_id)})" if by else None
    return ConflictError(ENTITY, request.id, who, request.decided_at, request.version,
                         f"The contact request from {agency_code(session, request.requesting_agency_id)}")


def _an_id(value) -> bool:
    """A value that can be a row's id (anything else names nothing: NotFound, never a database error)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID
