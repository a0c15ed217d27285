"""A kind's table, one record, and a record's history: what the record pages show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from coordination import exports, references
from coordination.kinds import Kind
from coordination.links import choose_link, link_candidates
from coordination.models import Agency, AuditEvent, MarkedRecord
from coordination.policy import visible
from coordination.principal import Principal
from coordination.queries import marking_history


@dataclass(frozen=True)
class TableFilters:
    """What a person narrowed a table to; empty means everything they may see."""

    search: str = ""
    agencies: tuple[str, ...] = ()  # owning agency codes
    markings: tuple[str, ...] = ()  # TLP labels
    statuses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    total: int  # rows the principal may see that match the filters
    shown: exports.Export  # the first of them, by key, as text


@dataclass(frozen=True)
class RecordView:
    """One record as its page shows it: its export row (the spreadsheet's text) and what policy needs."""

    id: int
    key: str
    values: dict[str, str]  # column -> text, as an export holds it
    owning_agency_id: int
    holder_agency_id: int | None  # evidence items: the agency holding it now


def statuses(kind: Kind) -> list[str]:
    """The statuses a kind's records can be in, for a filter ([] when it has none)."""
    status = kind.fields.get("status")
    return list(getattr(status.parse, "options", [])) if status else []


def _conditions(kind: Kind, filters: TableFilters) -> list[ColumnElement[bool]]:
    model = kind.model
    where = []
    if filters.search.strip():
        pattern = f"%{filters.search.strip()}%"
        where.append(or_(*(getattr(model, column).ilike(pattern) for column in kind.search)))
    if filters.agencies:
        where.append(model.owning_agency_id.in_(select(Agency.id).where(Agency.code.in_(filters.agencies))))
    if filters.markings:
        where.append(model.tlp.in_(filters.markings))
    if filters.statuses and statuses(kind):
        where.append(model.status.in_(filters.statuses))
    return where


def table(session: Session, principal: Principal, kind: Kind, filters: TableFilters, limit: int) -> Table:
    """The count of matching records the principal may see, and the first `limit` of them by key."""
    where = _conditions(kind, filters)
    model = kind.model
    total = session.scalar(select(func.count()).select_from(model).where(visible(model, principal), *where))
    return Table(total, exports.build(session, principal, kind.name, where, limit=limit))


def find(session: Session, principal: Principal, kind: Kind, key: str) -> RecordView | None:
    """The record named `key` (REFERENCE, or AGENCY/REFERENCE where several agencies use it), if the
    principal may read it; None alike for hidden, missing and, among several agencies' records that
    are not the principal's own agency's, ambiguous (the page names rows as AGENCY/REFERENCE)."""
    model = kind.model
    name = references.normalise(key)
    try:
        record_id = choose_link(model, name, link_candidates(session, principal, model, [name])[name],
                                principal.agency_id)
    except ValueError:
        return None
    record: MarkedRecord = session.get(model, record_id)
    one = exports.build(session, principal, kind.name, [model.id == record.id])
    return RecordView(record.id, key, dict(zip(one.columns, one.rows[0], strict=True)), record.owning_agency_id,
                      getattr(record, "holder_agency_id", None))


def readable(session: Session, principal: Principal, kind: Kind, record_id: int) -> bool:
    model = kind.model
    return session.scalar(select(model.id).where(model.id == record_id, visible(model, principal))) is not None


def history(session: Session, principal: Principal, kind: Kind, record_id: int) -> list[dict[str, Any]]:
    """The audit events of a record the principal may read, oldest first. Values from a time the
    principal could not read the record (before it was lowered to a marking they may read, after it
    was raised above one) are shown as REDACTED."""
    if not readable(session, principal, kind, record_id):
        return []
    events = session.scalars(select(AuditEvent).where(AuditEvent.entity == kind.entity,
                                                      AuditEvent.entity_id == record_id)
                             .order_by(AuditEvent.seq)).all()
    markings = marking_history.timeline(events)

    def shown(values: str | None, marking) -> str:
        if not values:
            return ""
        return values if marking_history.readable(marking, principal) else marking_history.REDACTED
    return [{"when (UTC)": e.occurred_at.strftime("%Y-%m-%d %H:%M:%S"), "who": e.actor_subject, "what": e.action,
             "outcome": e.outcome.value, "before": shown(e.before, markings.before(e.seq)),
             "after": shown(e.after, markings.after(e.seq) if e.action in ("create", "update")
                            else markings.before(e.seq))}
            for e in events]
