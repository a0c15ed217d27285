"""The operation's timeline: its story in sentences from the audit trail, newest first, one page at
a time, narrowed by the agency owning each record, by kind of record and by time.

Scoped like every read: an event shows only if the reader may read its record now (a task's note
through its task), and the values in its sentence only where they could read the record then
(queries.history). Events about no operational record (sign-ins, exports, users) are not part of
the operation's story. Nothing is counted: a page only says whether an older page exists.

Paging is by keyset on the audit sequence, never OFFSET: each kind's events are walked newest first
along `ix_audit_event_entity_seq` from the cursor, each checked against its record (EXISTS, so the
walk stays in sequence order and stops after a page), and the kinds merged; an agency's events of a
kind it owns few records of are looked up by record instead. A time window becomes a range of
sequence numbers (audit.first_seq_since: events are appended in time order). Measured in
bench/timeline.py at 2,000,000 events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from coordination import audit
from coordination.kinds import RECORDED, TASKS, Kind
from coordination.models import Agency, AuditEvent, MarkedRecord, Outcome, TaskUpdate
from coordination.policy import visible
from coordination.principal import Principal
from coordination.queries import history, marking_history

PAGE_SIZE = 50
FEW = 2_000  # an agency's records of a kind up to which their events are looked up rather than walked to
KINDS = RECORDED  # every kind of marked record, by name (coordination.kinds)


@dataclass(frozen=True)
class Filters:
    """What a person narrowed the timeline to; empty means everything they may read."""

    agencies: tuple[str, ...] = ()  # codes of the agencies owning the records
    kinds: tuple[str, ...] = ()  # names in KINDS
    since: datetime | None = None  # from this moment on (aware)
    until: datetime | None = None  # before this moment (aware)


class Line(NamedTuple):
    when: str  # "2026-11-26 12:04 UTC"
    who: str  # "Noor Liaison (NL-POLICE)"
    what: str  # "recorded arrest ARR-00152 in Netherlands"


@dataclass(frozen=True)
class Page:
    lines: list[Line]
    older: int | None  # the cursor of the next, older page (None: this is the oldest)


@dataclass(frozen=True)
class _Source:
    """Where events about one kind's records live: events on `entity`, whose record is `kind.model`
    (directly, or through a task note)."""

    kind: Kind
    entity: str

    def readable(self, principal: Principal, agency_ids: Sequence[int]) -> ColumnElement[bool]:
        model = self.kind.model
        where = [visible(model, principal), *([model.owning_agency_id.in_(agency_ids)] if agency_ids else [])]
        if self.entity == TaskUpdate.entity:
            record = select(TaskUpdate.id).join(model, model.id == TaskUpdate.task_id) \
                .where(TaskUpdate.id == AuditEvent.entity_id, *where)
        else:
            record = select(model.id).where(model.id == AuditEvent.entity_id, *where)
        # OFFSET 0 keeps it a check per event walked: PostgreSQL would otherwise turn it into a join that
        # reads every event of the kind for an agency's records, then sorts them (NCA: 170 ms, EUROJUST: 3 s)
        return exists(record.offset(0))


_SOURCES = [_Source(kind, kind.entity) for kind in KINDS.values()] + [_Source(TASKS, TaskUpdate.entity)]


def page(session: Session, principal: Principal, filters: Filters = Filters(), before: int | None = None,
         size: int = PAGE_SIZE) -> Page:
    """The newest `size` events the principal may read, older than the cursor `before` (None: the newest)."""
    if principal.role is None:
        return Page([], None)
    low, high = _range(session, filters, before)
    agency_ids = list(session.scalars(select(Agency.id).where(Agency.code.in_(filters.agencies)))) \
        if filters.agencies else []
    if filters.agencies and not agency_ids:
        return Page([], None)
    seqs: list[int] = []
    for source in _SOURCES:
        if not filters.kinds or source.kind.name in filters.kinds:
            seqs += _newest(session, principal, source, agency_ids, low, high, size + 1)
    seqs = sorted(seqs, reverse=True)
    shown = seqs[:size]
    events = session.scalars(select(AuditEvent).where(AuditEvent.seq.in_(shown)).order_by(AuditEvent.seq.desc())).all()
    return Page(_lines(session, principal, events), shown[-1] if len(seqs) > size else None)


def _newest(session: Session, principal: Principal, source: _Source, agency_ids: Sequence[int], low: int,
            high: int, limit: int) -> list[int]:
    """The sequence numbers of the newest `limit` events of `source` in [low, high) the principal may read.

    Walked along the index from the newest, each checked against its record; but when an agency's
    readable records of the kind are few, their events are looked up by record instead (the walk
    would read most of the kind's events to find a page of theirs, or all of them to find none)."""
    in_range = [AuditEvent.entity == source.entity, AuditEvent.seq >= low, AuditEvent.seq < high,
                AuditEvent.outcome == Outcome.OK]
    newest = select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(limit)
    if agency_ids:
        model = source.kind.model
        ids = session.scalars(select(model.id).where(model.owning_agency_id.in_(agency_ids), visible(model, principal))
                              .limit(FEW + 1)).all()
        if not ids:
            return []
        if len(ids) <= FEW and source.entity == source.kind.entity:
            return list(session.scalars(newest.where(*in_range, AuditEvent.entity_id.in_(ids))))
    return list(session.scalars(newest.where(*in_range, source.readable(principal, agency_ids))))


def _range(session: Session, filters: Filters, before: int | None) -> tuple[int, int]:
    """The sequence numbers [low, high) the filters' times and the cursor leave."""
    low = audit.first_seq_since(session, filters.since) if filters.since else 1
    high = audit.first_seq_since(session, filters.until) if filters.until else audit.head(session)[0] + 1
    return low, min(high, before) if before is not None else high


def _lines(session: Session, principal: Principal, events: Sequence[AuditEvent]) -> list[Line]:
    names = history.names(session, principal)
    notes = dict(session.execute(select(TaskUpdate.id, TaskUpdate.task_id).where(
        TaskUpdate.id.in_([e.entity_id for e in events if e.entity == TaskUpdate.entity]))).all())
    kinds = {kind.entity: kind for kind in KINDS.values()}
    about = {e.seq: (kinds[TASKS.entity], notes[e.entity_id]) if e.entity == TaskUpdate.entity
             else (kinds[e.entity], e.entity_id) for e in events}
    references, markings = _references(session, about.values()), _markings(session, about.values())
    lines = []
    for event in events:
        kind, record_id = about[event.seq]
        then = markings[(kind.entity, record_id)]
        before_ok = marking_history.readable(then.before(event.seq), principal)
        after_ok = marking_history.readable(then.after(event.seq), principal) \
            if event.action in ("create", "update") and event.entity != TaskUpdate.entity else before_ok
        what = history.sentence(kind, event, names, references[(kind.entity, record_id)], before_ok, after_ok)
        lines.append(Line(history.when(event.occurred_at), names.actor(event.actor_issuer, event.actor_subject),
                          what))
    return lines


def _references(session: Session, records) -> dict[tuple[str, int], str]:
    found = {}
    for kind in KINDS.values():
        ids = {record_id for k, record_id in records if k is kind}
        model: type[MarkedRecord] = kind.model
        if ids:
            rows = session.execute(select(model.id, getattr(model, kind.key)).where(model.id.in_(ids)))
            found |= {(kind.entity, i): reference for i, reference in rows}
    return found


def _markings(session: Session, records) -> dict[tuple[str, int], marking_history.Timeline]:
    found = {}
    for kind in KINDS.values():
        ids = sorted({record_id for k, record_id in records if k is kind})
        if ids:
            found |= {(kind.entity, i): line for i, line in marking_history.timelines(session, kind.model, ids).items()}
    return found
