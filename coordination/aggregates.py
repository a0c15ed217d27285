"""The operation picture as SQL aggregates, for the dashboard and the briefing.

Every figure is computed in the database through the one scoping rule of `policy` (in its forms for
tallies and for records addressed to the viewer), so a chart can never count what its viewer may not
see, and nothing loads rows into Python to count them. Deconfliction's hits are the exception: the
hits told to a viewer (about 10,000 at stress scale) are read once (`told_hits`, from the hit table
alone) and counted by agency pair and pending request from that list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple, TypeVar

from sqlalchemy import ColumnElement, and_, case, func, not_, or_, select
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
    EvidenceStatus,
    EvidenceTally,
    Hit,
    Jurisdiction,
    Operation,
    Recipient,
    SuspectRedTally,
    SuspectTally,
    TaskRedTally,
    TaskStatus,
    TaskTally,
    is_closed,
    overdue_at,
)
from coordination.policy import HitSide, is_told, may_be_told, visible_as_named, visible_in_tally
from coordination.principal import Principal

OVERDUE_REQUEST = timedelta(hours=48)  # a request for contact unanswered this long shows as overdue


@dataclass(frozen=True)
class Filters:
    """What the viewer narrowed the picture to; empty means everything they may see."""

    since: date | None = None
    until: date | None = None
    agencies: tuple[str, ...] = ()  # agency codes
    jurisdictions: tuple[str, ...] = ()  # jurisdiction codes
    # (the highest marking a shareable briefing holds is the reader's: Principal.up_to, applied by policy)


class PipelineCell(NamedTuple):
    """Suspects of one tier at one status."""

    tier: str
    status: str
    suspects: int


class JurisdictionArrests(NamedTuple):
    """Arrests in one jurisdiction, with its display point for the map."""

    code: str
    name: str
    country: str
    latitude: float
    longitude: float
    arrests: int


class DayArrests(NamedTuple):
    """Arrests on one UTC day."""

    day: date
    arrests: int


class EvidenceCell(NamedTuple):
    """Evidence items of one type at one status."""

    item_type: str
    status: str
    items: int


class HolderEvidence(NamedTuple):
    """Evidence items an agency holds now."""

    agency: str  # code
    items: int


class AgencyTasks(NamedTuple):
    """Tasks an agency owns at one status, and how many of them are overdue."""

    agency: str  # code
    status: str
    tasks: int
    overdue: int


class AgencyPairHits(NamedTuple):
    """Open hits between two agencies (codes in alphabetical order); one agency twice: its possible
    duplicates."""

    first: str
    second: str
    hits: int


class PendingRequests(NamedTuple):
    """Requests for contact one agency made of another, not answered yet, and how many are overdue."""

    asking: str
    asked: str
    pending: int
    overdue: int


class _HeldEvidence(NamedTuple):
    """Evidence items by type, status and holder: both evidence charts are added up from these."""

    item_type: str
    status: str
    holder: str  # agency code
    items: int


@dataclass(frozen=True)
class Picture:
    suspects_by_status: dict[str, int]
    suspects_past_lead: int  # identified or further: every status but "lead"
    suspect_pipeline: list[PipelineCell]
    arrests_total: int
    arrests_today: int
    arrests_by_jurisdiction: list[JurisdictionArrests]  # most arrests first
    arrests_by_day: list[DayArrests]
    evidence_awaiting_analysis: int
    evidence_by_type_status: list[EvidenceCell]
    evidence_by_holder: list[HolderEvidence]
    tasks_by_agency_status: list[AgencyTasks]
    tasks_open: int
    tasks_overdue: int
    tasks_blocked: int
    action_day: date | None
    # deconfliction: counts only, of the hits the viewer is told of (policy.told), never what matched
    hits_between: list[AgencyPairHits] = field(default_factory=list)
    requests_pending: list[PendingRequests] = field(default_factory=list)

    @property
    def open_hits(self) -> int:
        return sum(row.hits for row in self.hits_between)

    @property
    def pending_requests(self) -> int:
        return sum(row.pending for row in self.requests_pending)


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


RowT = TypeVar("RowT", bound=tuple)


def _added_up(rows: Iterable, row: Callable[..., RowT], counts: int = 1) -> list[RowT]:
    """Rows of (key..., count...) from a tally and its RED twin, added up per key, as `row`s."""
    totals: dict[tuple, list[int]] = {}
    for values in rows:
        key, numbers = tuple(_value(v) for v in values[:-counts]), values[-counts:]
        total = totals.setdefault(key, [0] * counts)
        for i, number in enumerate(numbers):
            total[i] += number or 0
    return [row(*key, *total) for key, total in totals.items() if total[0]]


def _value(item):
    return getattr(item, "value", item)


def picture(session: Session, principal: Principal, filters: Filters = Filters(),
            today: date | None = None) -> Picture:
    """Every dashboard figure for this principal, in a handful of grouped queries.

    Counted from the tallies the database keeps: the non-RED counts the viewer may see, plus the
    viewer's own RED counts, so the cost follows the number of distinct figures, not of records.
    """
    today = today or datetime.now(UTC).date()

    def counted(pair, query, row: Callable[..., RowT], counts: int = 1) -> list[RowT]:
        """`query(tally, where)` run on a tally (with what the viewer may count of it) and on its RED twin,
        added up as `row`s."""
        tally, red = pair
        return _added_up([*session.execute(query(tally, visible_in_tally(tally, principal))),
                          *session.execute(query(red, and_(red.user_id == principal.user_id,
                                                           visible_as_named(red, principal))))], row, counts)

    pipeline = counted((SuspectTally, SuspectRedTally), lambda t, seen: select(t.tier, t.status, func.sum(t.n))
                       .where(seen, *agency_filter(t, filters)).group_by(t.tier, t.status), PipelineCell)
    by_status: dict[str, int] = {}
    for cell in pipeline:
        by_status[cell.status] = by_status.get(cell.status, 0) + cell.suspects

    arrests = (ArrestTally, ArrestRedTally)
    by_day = sorted(counted(arrests, lambda t, seen: select(t.day, func.sum(t.n))
                            .where(seen, *arrest_filters(filters, t)).group_by(t.day), DayArrests))
    place = (Jurisdiction.code, Jurisdiction.name, Jurisdiction.country, Jurisdiction.latitude, Jurisdiction.longitude)
    by_jurisdiction = sorted(counted(arrests, lambda t, seen: select(*place, func.sum(t.n))
                                     .join(t, t.jurisdiction_id == Jurisdiction.id)
                                     .where(seen, *arrest_filters(filters, t)).group_by(*place), JurisdictionArrests),
                             key=lambda row: (-row.arrests, row.code))

    held = counted(
        (EvidenceTally, EvidenceRedTally), lambda t, seen: select(t.item_type, t.status, Agency.code, func.sum(t.n))
        .join(Agency, Agency.id == t.holder_agency_id).where(seen, *agency_filter(t, filters))
        .group_by(t.item_type, t.status, Agency.code), _HeldEvidence)
    by_type = sorted(_added_up(((h.item_type, h.status, h.items) for h in held), EvidenceCell))
    by_holder = sorted(_added_up(((h.holder, h.items) for h in held), HolderEvidence))

    tasks = sorted(counted(
        (TaskTally, TaskRedTally), lambda t, seen: select(
            Agency.code, t.status, func.sum(t.n),
            func.sum(case((overdue_at(today, t), t.n), else_=0)))
        .join(t, t.owning_agency_id == Agency.id).where(seen, *agency_filter(t, filters))
        .group_by(Agency.code, t.status), AgencyTasks, counts=2))
    told = told_hits(session, principal, filters)

    return Picture(
        suspects_by_status=by_status,
        suspects_past_lead=sum(n for status, n in by_status.items() if status != "lead"),
        suspect_pipeline=sorted(pipeline),
        arrests_total=sum(d.arrests for d in by_day),
        arrests_today=sum(d.arrests for d in by_day if d.day == today),
        arrests_by_jurisdiction=by_jurisdiction,
        arrests_by_day=by_day,
        evidence_awaiting_analysis=sum(cell.items for cell in by_type
                                       if cell.status == EvidenceStatus.AWAITING_ANALYSIS.value),
        evidence_by_type_status=by_type,
        evidence_by_holder=by_holder,
        tasks_by_agency_status=tasks,
        tasks_open=sum(row.tasks for row in tasks if not is_closed(row.status)),
        tasks_overdue=sum(row.overdue for row in tasks),
        tasks_blocked=sum(row.tasks for row in tasks if row.status == TaskStatus.BLOCKED.value),
        action_day=session.scalar(select(Operation.action_day).order_by(Operation.id).limit(1)),
        hits_between=hits_between_agencies(session, principal, filters, told=told),
        requests_pending=pending_requests(session, principal, filters, datetime.now(UTC), told=told),
    )


CHUNK = 5_000  # ids per IN list


def _chunks(ids: list):
    return (ids[start:start + CHUNK] for start in range(0, len(ids), CHUNK))


def told_hits(session: Session, principal: Principal, filters: Filters = Filters()) -> list[tuple]:
    """(hit id, first agency id, second agency id, first identifier, second identifier, match) of the
    open hits told to the principal (as either side), narrowed to the filters' agencies and days found.

    From the hit table alone, whose rows copy each side's owner, marking and record. A hit with
    neither side RED is told exactly when `may_be_told` holds of its agencies (the rule's other
    clauses are about RED sides); the few with a RED side are asked the rule in its Python form
    (`policy.is_told`, which the tests keep equal to `told`), the recipients of their records read.
    (A join with two copies of the identifier table had PostgreSQL hash all 1,500,000 identifiers at
    stress scale; `told` in SQL, its recipient look-ups priced high, had PostgreSQL compile the query.)"""
    where = [Hit.closed_at.is_(None), may_be_told(principal, Hit)]
    if filters.agencies:
        chosen = select(Agency.id).where(Agency.code.in_(filters.agencies))
        where.append(or_(Hit.first_agency_id.in_(chosen), Hit.second_agency_id.in_(chosen)))
    if filters.since:
        where.append(Hit.found_at >= datetime.combine(filters.since, time.min, UTC))
    if filters.until:
        where.append(Hit.found_at < datetime.combine(filters.until, time.max, UTC))
    red_side = or_(Hit.first_tlp == TLP.RED, Hit.second_tlp == TLP.RED)
    sides = Hit.first_id, Hit.second_id, Hit.match
    told = [tuple(row) for row in session.execute(
        select(Hit.id, Hit.first_agency_id, Hit.second_agency_id, *sides).where(*where, not_(red_side)))]
    red = session.execute(select(
        Hit.id, Hit.first_agency_id, Hit.second_agency_id, *sides, Hit.first_tlp, Hit.second_tlp,
        Hit.first_record_entity, Hit.first_record_id, Hit.second_record_entity, Hit.second_record_id)
        .where(*where, red_side)).all()
    named = _named_on(session, principal, {(hit[entity], hit[entity + 1]) for hit in red for entity in (8, 10)})
    for hit_id, first_agency, second_agency, first_id, second_id, hit_match, first_tlp, second_tlp, *records in red:
        one = HitSide(first_agency, first_tlp, tuple(records[:2]) in named)
        two = HitSide(second_agency, second_tlp, tuple(records[2:]) in named)
        if is_told(principal, one, two) or is_told(principal, two, one):
            told.append((hit_id, first_agency, second_agency, first_id, second_id, hit_match))
    return told


def told_lines(principal: Principal, told: list[tuple]) -> list[tuple]:
    """The told hits, one per line as `queries.hits` lists them (the viewer's identifier, the other
    agency, the match): counted by hit, a line's count would tell how many records of the other
    agency hold the value. (Within one agency each hit is a line: it reads both records.)"""
    lines, seen = [], set()
    for hit in sorted(told):
        hit_id, first_agency, second_agency, first_id, second_id, hit_match = hit
        mine_first = first_agency == principal.agency_id or second_agency != principal.agency_id
        line = (first_id, second_agency, hit_match) if mine_first else (second_id, first_agency, hit_match)
        if first_agency == second_agency or line not in seen:
            seen.add(line)
            lines.append(hit)
    return lines


def _named_on(session: Session, principal: Principal, records: set[tuple[str, int]]) -> set[tuple[str, int]]:
    """The records among `records` (entity, id) that name the principal as a recipient."""
    named: set[tuple[str, int]] = set()
    for entity in {entity for entity, _ in records}:
        for ids in _chunks(sorted(record_id for named_entity, record_id in records if named_entity == entity)):
            named.update((entity, i) for i in session.scalars(select(Recipient.entity_id).where(
                Recipient.entity == entity, Recipient.entity_id.in_(ids), Recipient.user_id == principal.user_id)))
    return named


def _codes(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Agency.id, Agency.code)).all())


def hits_between_agencies(session: Session, principal: Principal, filters: Filters = Filters(),
                          told: list[tuple[int, int, int]] | None = None) -> list[AgencyPairHits]:
    """Open hits told to the principal, counted by the pair of agencies holding the identifier, most first:
    a line each (`told_lines`)."""
    codes, pairs = _codes(session), dict[tuple[str, str], int]()
    for _, one, two, *_ in told_lines(principal, told_hits(session, principal, filters) if told is None else told):
        first, second = sorted((codes[one], codes[two]))
        pairs[(first, second)] = pairs.get((first, second), 0) + 1
    return sorted((AgencyPairHits(first, second, n) for (first, second), n in pairs.items()),
                  key=lambda row: (-row.hits, row[:2]))


def pending_requests(session: Session, principal: Principal, filters: Filters = Filters(),
                     now: datetime | None = None, told: list[tuple[int, int, int]] | None = None
                     ) -> list[PendingRequests]:
    """Requests for contact not answered yet, on hits told to the principal, by asking and asked agency.
    The pending requests (a few next to the hits) are read by hit, and kept where
    the hit is told; a list of every told hit's id sent to the database cost more (150 ms on PostgreSQL
    for 10,000 hits)."""
    late = (now or datetime.now(UTC)) - OVERDUE_REQUEST
    codes, counts = _codes(session), dict[tuple[str, str], list[int]]()
    told_ids = {hit_id for hit_id, *_ in (told_hits(session, principal, filters) if told is None else told)}
    for hit_id, asking, asked, n, overdue in session.execute(
            select(ContactRequest.hit_id, ContactRequest.requesting_agency_id, ContactRequest.owner_agency_id,
                   func.count(), func.sum(case((ContactRequest.requested_at < late, 1), else_=0)))
            .where(ContactRequest.status == ContactStatus.PENDING)
            .group_by(ContactRequest.hit_id, ContactRequest.requesting_agency_id, ContactRequest.owner_agency_id)):
        if hit_id in told_ids:
            total = counts.setdefault((codes[asking], codes[asked]), [0, 0])
            total[0] += n
            total[1] += overdue or 0
    return sorted(PendingRequests(*pair, *total) for pair, total in counts.items())
