"""The operation picture: its figures for the dashboard and the briefing, added up from the named
reads of `coordination.queries.picture`.

Every figure is computed in the database through the one scoping rule of `policy` (in its forms for
tallies and for records addressed to the viewer), so a chart can never count what its viewer may not
see, and nothing loads rows into Python to count them. Deconfliction's hits are the exception: the
hits told to a viewer (about 10,000 at stress scale) are read once (`told_hits`, from the hit table
alone) and counted by agency pair and pending request from that list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple, TypeVar

from sqlalchemy.orm import Session

from coordination.models import EvidenceStatus, TaskStatus, is_closed
from coordination.principal import Principal
from coordination.queries import picture as reads
from coordination.queries.picture import ANOTHER_OPERATION, Filters, told_hits
from coordination.queries.standing_data import agency_codes_by_id

OVERDUE_REQUEST = timedelta(hours=48)  # a request for contact unanswered this long shows as overdue


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
    pipeline = _added_up(reads.suspect_counts(session, principal, filters), PipelineCell)
    by_status: dict[str, int] = {}
    for cell in pipeline:
        by_status[cell.status] = by_status.get(cell.status, 0) + cell.suspects
    by_day = sorted(_added_up(reads.arrest_counts_by_day(session, principal, filters), DayArrests))
    by_jurisdiction = sorted(_added_up(reads.arrest_counts_by_jurisdiction(session, principal, filters),
                                       JurisdictionArrests), key=lambda row: (-row.arrests, row.code))
    held = _added_up(reads.evidence_counts(session, principal, filters), _HeldEvidence)
    by_type = sorted(_added_up(((h.item_type, h.status, h.items) for h in held), EvidenceCell))
    by_holder = sorted(_added_up(((h.holder, h.items) for h in held), HolderEvidence))
    tasks = sorted(_added_up(reads.task_counts(session, principal, filters, today), AgencyTasks, counts=2))
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
        action_day=reads.action_day(session, principal),
        hits_between=hits_between_agencies(session, principal, filters, told=told),
        requests_pending=pending_requests(session, principal, filters, datetime.now(UTC), told=told),
    )


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


def hits_between_agencies(session: Session, principal: Principal, filters: Filters = Filters(),
                          told: list[tuple[int, int, int]] | None = None) -> list[AgencyPairHits]:
    """Open hits told to the principal, counted by the pair of agencies holding the identifier, most first:
    a line each (`told_lines`)."""
    codes: dict[int | None, str] = {ANOTHER_OPERATION: "another operation"}
    codes.update(agency_codes_by_id(session))
    pairs = dict[tuple[str, str], int]()  # (another operation: never named, nor how many there are)
    for _, one, two, *_ in told_lines(principal, told_hits(session, principal, filters) if told is None else told):
        first, second = sorted((codes[one], codes[two]))
        pairs[(first, second)] = pairs.get((first, second), 0) + 1
    return sorted((AgencyPairHits(first, second, n) for (first, second), n in pairs.items()),
                  key=lambda row: (-row.hits, row[:2]))


def pending_requests(session: Session, principal: Principal, filters: Filters = Filters(),
                     now: datetime | None = None, told: list[tuple[int, int, int]] | None = None
                     ) -> list[PendingRequests]:
    """Requests for contact not answered yet, on hits told to the principal, by asking and asked agency."""
    late = (now or datetime.now(UTC)) - OVERDUE_REQUEST
    codes, counts = agency_codes_by_id(session), dict[tuple[str, str], list[int]]()
    told_ids = {hit_id for hit_id, *_ in (told_hits(session, principal, filters) if told is None else told)}
    for asking, asked, n, overdue in reads.pending_requests_on(session, told_ids, late):
        total = counts.setdefault((codes[asking], codes[asked]), [0, 0])
        total[0] += n
        total[1] += overdue
    return sorted(PendingRequests(*pair, *total) for pair, total in counts.items())
