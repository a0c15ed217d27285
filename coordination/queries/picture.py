"""The operation picture's reads, by name: counts from the tally tables the database keeps, and the
hits told to the viewer. `coordination.aggregates` adds them up into the figures.

Every read goes through the one scoping rule of `policy` in its forms for tallies (`visible_in_tally`;
`visible_as_named` for the viewer's own RED counts) and for hits (`may_be_told`, `is_told`), within
the viewer's filters, so no figure can count what its viewer may not see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, case, func, not_, or_, select
from sqlalchemy.orm import Session

from coordination.markings import TLP
from coordination.models import (
    Agency,
    Arrest,
    ArrestRedTally,
    ArrestTally,
    ContactRequest,
    ContactStatus,
    EvidenceRedTally,
    EvidenceTally,
    Hit,
    Jurisdiction,
    Operation,
    Recipient,
    SuspectRedTally,
    SuspectTally,
    TaskRedTally,
    TaskTally,
    overdue_at,
)
from coordination.policy import HitSide, is_told, may_be_told, visible_as_named, visible_in_tally
from coordination.principal import Principal


@dataclass(frozen=True)
class Filters:
    """What the viewer narrowed the picture to; empty means everything they may see."""

    since: date | None = None
    until: date | None = None
    agencies: tuple[str, ...] = ()  # agency codes
    jurisdictions: tuple[str, ...] = ()  # jurisdiction codes
    # (the highest marking a shareable briefing holds is the reader's: Principal.up_to, applied by policy)


def agency_filter(model, filters: Filters) -> list[ColumnElement[bool]]:
    """The filter every kind of record (or its tally) shares: the owning agencies chosen."""
    if not filters.agencies:
        return []
    codes = select(Agency.id).where(Agency.code.in_(filters.agencies))
    return [model.owning_agency_id.in_(codes)]


def arrest_filters(filters: Filters, model=Arrest) -> list[ColumnElement[bool]]:
    """The filters on arrests, or on an arrest tally (whose `day` is the arrest's UTC day)."""
    where = agency_filter(model, filters)
    tally = model is not Arrest
    if filters.since:
        where.append(model.day >= filters.since if tally
                     else Arrest.arrested_at >= datetime.combine(filters.since, time.min, UTC))
    if filters.until:
        where.append(model.day <= filters.until if tally
                     else Arrest.arrested_at < datetime.combine(filters.until, time.max, UTC))
    if filters.jurisdictions:
        where.append(model.jurisdiction_id.in_(select(Jurisdiction.id).where(
            Jurisdiction.code.in_(filters.jurisdictions))))
    return where


def jurisdiction_filter(model, filters: Filters) -> list[ColumnElement[bool]]:
    """The jurisdictions chosen, on a record that is in one (a target package)."""
    if not filters.jurisdictions:
        return []
    codes = select(Jurisdiction.id).where(Jurisdiction.code.in_(filters.jurisdictions))
    return [model.jurisdiction_id.in_(codes)]


# --- counts from the tallies: rows of (key..., count...), the shared tally's and the viewer's RED
# tally's, so one key may come twice (`aggregates` adds them up) ---------------------------------

def _tallied(session: Session, principal: Principal, pair: tuple[Any, Any],
             query: Callable[[Any, ColumnElement[bool]], Select]) -> list[Row]:
    """`query(tally, where)` run on a tally (with what the viewer may count of it) and on its RED twin
    (the viewer's own RED counts)."""
    tally, red = pair
    return [*session.execute(query(tally, visible_in_tally(tally, principal))),
            *session.execute(query(red, and_(red.user_id == principal.user_id, visible_as_named(red, principal))))]


def suspect_counts(session: Session, principal: Principal, filters: Filters) -> list[Row]:
    """(tier, status, suspects)"""
    return _tallied(session, principal, (SuspectTally, SuspectRedTally), lambda t, seen: select(
        t.tier, t.status, func.sum(t.n)).where(seen, *agency_filter(t, filters)).group_by(t.tier, t.status))


def arrest_counts_by_day(session: Session, principal: Principal, filters: Filters) -> list[Row]:
    """(UTC day, arrests)"""
    return _tallied(session, principal, (ArrestTally, ArrestRedTally), lambda t, seen: select(
        t.day, func.sum(t.n)).where(seen, *arrest_filters(filters, t)).group_by(t.day))


def arrest_counts_by_jurisdiction(session: Session, principal: Principal, filters: Filters) -> list[Row]:
    """(jurisdiction code, name, country, latitude, longitude, arrests)"""
    place = (Jurisdiction.code, Jurisdiction.name, Jurisdiction.country, Jurisdiction.latitude, Jurisdiction.longitude)
    return _tallied(session, principal, (ArrestTally, ArrestRedTally), lambda t, seen: select(
        *place, func.sum(t.n)).join(t, t.jurisdiction_id == Jurisdiction.id)
        .where(seen, *arrest_filters(filters, t)).group_by(*place))


def evidence_counts(session: Session, principal: Principal, filters: Filters) -> list[Row]:
    """(item type, status, holding agency's code, items)"""
    return _tallied(session, principal, (EvidenceTally, EvidenceRedTally), lambda t, seen: select(
        t.item_type, t.status, Agency.code, func.sum(t.n)).join(Agency, Agency.id == t.holder_agency_id)
        .where(seen, *agency_filter(t, filters)).group_by(t.item_type, t.status, Agency.code))


def task_counts(session: Session, principal: Principal, filters: Filters, today: date) -> list[Row]:
    """(owning agency's code, status, tasks, of them overdue on `today`: the model's `overdue_at`)"""
    return _tallied(session, principal, (TaskTally, TaskRedTally), lambda t, seen: select(
        Agency.code, t.status, func.sum(t.n), func.sum(case((overdue_at(today, t), t.n), else_=0)))
        .join(t, t.owning_agency_id == Agency.id).where(seen, *agency_filter(t, filters))
        .group_by(Agency.code, t.status))


def action_day(session: Session, principal: Principal) -> date | None:
    """The action day of the principal's operation, when it has one."""
    return session.scalar(select(Operation.action_day).where(Operation.id == principal.operation_id)) \
        if principal.operation_id is not None else None


# --- deconfliction: the hits told to the viewer, and the requests for contact on them ------------

CHUNK = 5_000  # ids per IN list


def _chunks(ids: list):
    return (ids[start:start + CHUNK] for start in range(0, len(ids), CHUNK))


ANOTHER_OPERATION = None  # the agency of a side of another operation, as a told hit carries it: never named


def told_hits(session: Session, principal: Principal, filters: Filters = Filters()) -> list[tuple]:
    """(hit id, first agency id, second agency id, first identifier, second identifier, match) of the
    open hits told to the principal (as either side), narrowed to the filters' agencies and days found.
    A hit with another operation is told as its side of the principal's operation first and the other's
    agency ANOTHER_OPERATION: what an agency holds elsewhere is never counted under its name.

    From the hit table alone, whose rows copy each side's owner, marking, record and operation. A hit
    with neither side RED is told exactly when `may_be_told` holds of its agencies (the rule's other
    clauses are about RED sides); the few with a RED side are asked the rule in its Python form
    (`policy.is_told`, which the tests keep equal to `told`), the recipients of their records read.
    (A join with two copies of the identifier table had PostgreSQL hash all 1,500,000 identifiers at
    stress scale; `told` in SQL, its recipient look-ups priced high, had PostgreSQL compile the query.)"""
    where = [Hit.closed_at.is_(None), may_be_told(principal, Hit)]
    if filters.agencies:  # an agency's side in the principal's operation: another operation's is not named
        chosen = select(Agency.id).where(Agency.code.in_(filters.agencies))
        where.append(or_(and_(Hit.first_operation_id == principal.operation_id, Hit.first_agency_id.in_(chosen)),
                         and_(Hit.second_operation_id == principal.operation_id, Hit.second_agency_id.in_(chosen))))
    if filters.since:
        where.append(Hit.found_at >= datetime.combine(filters.since, time.min, UTC))
    if filters.until:
        where.append(Hit.found_at < datetime.combine(filters.until, time.max, UTC))
    red_side = or_(Hit.first_tlp == TLP.RED, Hit.second_tlp == TLP.RED)
    sides = Hit.first_id, Hit.second_id, Hit.match
    operations = Hit.first_operation_id, Hit.second_operation_id
    told = [_as_told(principal, *row) for row in session.execute(
        select(Hit.id, Hit.first_agency_id, Hit.second_agency_id, *sides, *operations).where(*where, not_(red_side)))]
    red = session.execute(select(
        Hit.id, Hit.first_agency_id, Hit.second_agency_id, *sides, Hit.first_tlp, Hit.second_tlp,
        Hit.first_record_entity, Hit.first_record_id, Hit.second_record_entity, Hit.second_record_id,
        *operations).where(*where, red_side)).all()
    named = _named_on(session, principal, {(hit[entity], hit[entity + 1]) for hit in red for entity in (8, 10)})
    for hit_id, first_agency, second_agency, first_id, second_id, hit_match, first_tlp, second_tlp, *records in red:
        *records, first_operation, second_operation = records
        one = HitSide(first_agency, first_tlp, tuple(records[:2]) in named, first_operation)
        two = HitSide(second_agency, second_tlp, tuple(records[2:]) in named, second_operation)
        if is_told(principal, one, two) or is_told(principal, two, one):
            told.append(_as_told(principal, hit_id, first_agency, second_agency, first_id, second_id, hit_match,
                                 first_operation, second_operation))
    return told


def _as_told(principal: Principal, hit_id: int, first_agency: int, second_agency: int, first_id: int,
             second_id: int, hit_match, first_operation: int, second_operation: int) -> tuple:
    """A told hit's row: a side of another operation second, its agency not named."""
    if first_operation != principal.operation_id:
        return hit_id, second_agency, ANOTHER_OPERATION, second_id, first_id, hit_match
    if second_operation != principal.operation_id:
        return hit_id, first_agency, ANOTHER_OPERATION, first_id, second_id, hit_match
    return hit_id, first_agency, second_agency, first_id, second_id, hit_match


def _named_on(session: Session, principal: Principal, records: set[tuple[str, int]]) -> set[tuple[str, int]]:
    """The records among `records` (entity, id) that name the principal as a recipient."""
    named: set[tuple[str, int]] = set()
    for entity in {entity for entity, _ in records}:
        for ids in _chunks(sorted(record_id for named_entity, record_id in records if named_entity == entity)):
            named.update((entity, i) for i in session.scalars(select(Recipient.entity_id).where(
                Recipient.entity == entity, Recipient.entity_id.in_(ids), Recipient.user_id == principal.user_id)))
    return named


def pending_requests_on(session: Session, told_ids: set[int], late: datetime) -> list[tuple[int, int, int, int]]:
    """(asking agency id, asked agency id, pending, of them asked before `late`) per hit, for the
    requests for contact not answered yet on the hits in `told_ids` (those told to the viewer).
    The pending requests (a few next to the hits) are read by hit and kept where the hit is told; a
    list of every told hit's id sent to the database cost more (150 ms on PostgreSQL for 10,000 hits)."""
    return [(asking, asked, n, overdue or 0) for hit_id, asking, asked, n, overdue in session.execute(
        select(ContactRequest.hit_id, ContactRequest.requesting_agency_id, ContactRequest.owner_agency_id,
               func.count(), func.sum(case((ContactRequest.requested_at < late, 1), else_=0)))
        .where(ContactRequest.status == ContactStatus.PENDING)
        .group_by(ContactRequest.hit_id, ContactRequest.requesting_agency_id, ContactRequest.owner_agency_id))
        if hit_id in told_ids]
