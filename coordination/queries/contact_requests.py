"""Contact requests as each side reads them, the overdue ones command watches, and the grant under
which a person reads another agency's record (with its handling condition).

A request names records only through `policy.visible`: the record asked about is named to the agency
asked (when the reader may read it) and to the asking agency once a grant lets it read it; never
before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session, aliased

from coordination import kinds, policy
from coordination.markings import TLP
from coordination.models import (
    OPERATIONAL_RECORDS,
    Agency,
    ContactRequest,
    ContactStatus,
    HandlingCondition,
    Hit,
    Identifier,
    MarkedRecord,
    RecordGrant,
    User,
    utcnow,
)
from coordination.principal import Principal

RECORD_MODELS: dict[str, type[MarkedRecord]] = {model.entity: model for model in OPERATIONAL_RECORDS}
OVERDUE_AFTER = timedelta(hours=48)
LISTED = 200  # the newest requests a list shows


def condition_words(condition: HandlingCondition, condition_text: str | None = None) -> str:
    """'H2: not to be passed on without permission'; H3 with the conditions stated."""
    return f"{condition}: {condition_text}" if condition is HandlingCondition.H3 and condition_text \
        else f"{condition}: {condition.meaning}"


@dataclass(frozen=True)
class RequestRow:
    id: int
    hit_id: int
    version: int
    status: ContactStatus
    requesting_agency: str  # agency codes
    owner_agency: str
    requested_by: str  # "Frankie Liaison (FBI)"
    requested_at: datetime
    reason: str  # as typed: show it escaped
    asked_about: str | None  # the record asked about, "suspect M-3", if the reader may read it
    asked_from: str | None  # the asking agency's own record on the hit, if the reader may read it
    condition: str | None  # condition_words, once approved
    decline_reason: str | None
    decided_by: str | None
    decided_at: datetime | None

    @property
    def sentence(self) -> str:
        about = f" about {self.asked_about}" if self.asked_about else ""
        asked = f"{self.requested_by} asked {self.owner_agency} for contact{about} on {self.requested_at:%d %b %Y}"
        if self.status is ContactStatus.PENDING:
            return f"{asked}: not answered yet"
        return f"{asked}: {self.status} by {self.decided_by} on {self.decided_at:%d %b %Y}" + \
            (f" ({self.condition})" if self.condition else "")


@dataclass(frozen=True)
class OverdueRow:
    id: int
    requesting_agency: str
    owner_agency: str
    requested_at: datetime
    hours_pending: int

    @property
    def sentence(self) -> str:
        return (f"{self.requesting_agency} asked {self.owner_agency} for contact {self.hours_pending // 24} days "
                f"{self.hours_pending % 24} hours ago; not answered")


@dataclass(frozen=True)
class GrantRow:
    owner_agency: str
    condition: HandlingCondition
    condition_text: str | None
    granted_at: datetime

    @property
    def words(self) -> str:
        return condition_words(self.condition, self.condition_text)

    @property
    def sentence(self) -> str:
        return (f"Read under a contact request {self.owner_agency} approved on {self.granted_at:%d %b %Y}. "
                f"Handling condition {self.words}.")


def incoming(session: Session, principal: Principal) -> list[RequestRow]:
    """Requests to the reader's agency about its records they may read, pending first, newest first."""
    if not policy.sees_contact_requests(principal):
        return []
    rows = _requests(session, principal, ContactRequest.owner_agency_id == principal.agency_id)
    return [row for row in rows if row.asked_about is not None]


def outgoing(session: Session, principal: Principal) -> list[RequestRow]:
    """Requests the reader's agency made, pending first, newest first."""
    if not policy.sees_contact_requests(principal):
        return []
    return _requests(session, principal, ContactRequest.requesting_agency_id == principal.agency_id)


def overdue(session: Session, principal: Principal, now: datetime | None = None) -> list[OverdueRow]:
    """Requests pending more than 48 hours, oldest first, for command: on hits command is told of
    (neither side RED)."""
    if not policy.sees_overdue_contact_requests(principal):
        return []
    now = now or utcnow()
    first, second = aliased(Identifier), aliased(Identifier)
    asking, asked = aliased(Agency), aliased(Agency)
    found = session.execute(
        select(ContactRequest.id, asking.code, asked.code, ContactRequest.requested_at)
        .join(Hit, Hit.id == ContactRequest.hit_id)
        .join(first, first.id == Hit.first_id).join(second, second.id == Hit.second_id)
        .join(asking, asking.id == ContactRequest.requesting_agency_id)
        .join(asked, asked.id == ContactRequest.owner_agency_id)
        .where(policy.in_operation(ContactRequest, principal), ContactRequest.status == ContactStatus.PENDING,
               ContactRequest.requested_at < now - OVERDUE_AFTER, first.tlp != TLP.RED, second.tlp != TLP.RED)
        .order_by(ContactRequest.requested_at, ContactRequest.id).limit(LISTED))
    return [OverdueRow(i, asking_code, asked_code, at, int((now - at).total_seconds() // 3600))
            for i, asking_code, asked_code, at in found]


def grant_on_record(session: Session, principal: Principal, entity: str, record_id: int) -> GrantRow | None:
    """The grant under which the reader's agency reads this record, if it does (and may read it)."""
    model = RECORD_MODELS.get(entity)
    if model is None or principal.agency_id is None or session.scalar(
            select(model.id).where(model.id == record_id, policy.visible(model, principal))) is None:
        return None
    found = session.execute(
        select(Agency.code, RecordGrant.condition, RecordGrant.condition_text, RecordGrant.granted_at)
        .select_from(RecordGrant).join(model, model.id == RecordGrant.record_id)
        .join(Agency, Agency.id == model.owning_agency_id)
        .where(RecordGrant.record_entity == entity, RecordGrant.record_id == record_id,
               RecordGrant.agency_id == principal.agency_id)).first()
    return GrantRow(*found) if found else None


def grant_columns(model: type[MarkedRecord], principal: Principal) -> tuple[ColumnElement, ColumnElement]:
    """For a query of `model`'s records: the condition and the conditions stated of the grant under which
    the reader's agency reads each one (NULL for its own records and those read without a grant)."""
    def column(attribute) -> ColumnElement:
        return select(attribute).where(
            RecordGrant.record_entity == model.entity, RecordGrant.record_id == model.id,
            RecordGrant.agency_id == principal.agency_id, model.owning_agency_id != principal.agency_id,
        ).correlate(model).scalar_subquery()
    return column(RecordGrant.condition), column(RecordGrant.condition_text)


def conditions_for(session: Session, principal: Principal, entity: str, record_ids: list[int]) -> dict[int, str]:
    """record id -> the condition words of the grant the reader's agency holds on it (exports, briefings;
    the caller has read the records through `policy.visible`)."""
    found: dict[int, str] = {}
    ids = sorted(set(record_ids))
    for start in range(0, len(ids), 5000):
        found.update({record_id: condition_words(condition, text) for record_id, condition, text in session.execute(
            select(RecordGrant.record_id, RecordGrant.condition, RecordGrant.condition_text).where(
                RecordGrant.record_entity == entity, RecordGrant.record_id.in_(ids[start:start + 5000]),
                RecordGrant.agency_id == principal.agency_id))})
    return found


def _requests(session: Session, principal: Principal, which) -> list[RequestRow]:
    asking, asked = aliased(Agency), aliased(Agency)
    requester, decider = aliased(User), aliased(User)
    requester_agency, decider_agency = aliased(Agency), aliased(Agency)
    own_side = aliased(Identifier)  # the asking agency's identifier on the hit
    found = session.execute(
        select(ContactRequest, asking.code, asked.code, requester.display_name, requester_agency.code,
               decider.display_name, decider_agency.code, own_side.record_entity, own_side.record_id)
        .join(asking, asking.id == ContactRequest.requesting_agency_id)
        .join(asked, asked.id == ContactRequest.owner_agency_id)
        .join(requester, requester.id == ContactRequest.requested_by_id)
        .join(requester_agency, requester_agency.id == requester.agency_id)
        .outerjoin(decider, decider.id == ContactRequest.decided_by_id)
        .outerjoin(decider_agency, decider_agency.id == decider.agency_id)
        .join(Hit, Hit.id == ContactRequest.hit_id)
        .join(own_side, and_(or_(own_side.id == Hit.first_id, own_side.id == Hit.second_id),
                             own_side.owning_agency_id == ContactRequest.requesting_agency_id))
        .where(which, policy.in_operation(ContactRequest, principal))
        .order_by(ContactRequest.status != ContactStatus.PENDING, ContactRequest.requested_at.desc(),
                  ContactRequest.id.desc()).limit(LISTED)).all()
    names = _record_names(session, principal, {(r[0].record_entity, r[0].record_id) for r in found}
                          | {(r.record_entity, r.record_id) for r in found})
    return [RequestRow(
        request.id, request.hit_id, request.version, request.status, asking_code, asked_code,
        f"{requester_name} ({requester_code})", request.requested_at, request.reason,
        names.get((request.record_entity, request.record_id)), names.get((own_entity, own_id)),
        condition_words(request.condition, request.condition_text) if request.condition else None,
        request.decline_reason, f"{decider_name} ({decider_code})" if decider_name else None, request.decided_at)
        for request, asking_code, asked_code, requester_name, requester_code, decider_name, decider_code,
        own_entity, own_id in found]


def _record_names(session: Session, principal: Principal, records: set[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """(entity, id) -> "suspect M-3" for the records the reader may read; the others are left out."""
    names = {}
    for entity, model in RECORD_MODELS.items():
        ids = sorted(record_id for which, record_id in records if which == entity)
        if not ids:
            continue
        key = getattr(model, kinds.of(model).key)
        names.update({(entity, record_id): f"{entity} {reference}" for record_id, reference in session.execute(
            select(model.id, key).where(model.id.in_(ids), policy.visible(model, principal)))})
    return names
