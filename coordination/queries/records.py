"""A kind's table (one page of it, sorted and filtered in SQL), one record, and a record's history:
what the record pages show."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, Enum, Text, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from coordination import exports, record_references
from coordination.fields import Choice
from coordination.kinds import Kind
from coordination.links import choose_link, in_index_order, link_candidates
from coordination.models import (
    Agency,
    Jurisdiction,
    MarkedRecord,
    Suspect,
    Task,
    User,
)
from coordination.policy import visible, visible_as_named, visible_in_tally
from coordination.principal import Principal


@dataclass(frozen=True)
class TableFilters:
    """What a person narrowed a table to; empty means everything they may see."""

    search: str = ""
    agencies: tuple[str, ...] = ()  # owning agency codes
    markings: tuple[str, ...] = ()  # TLP labels
    statuses: tuple[str, ...] = ()


PAGE_SIZES = (25, 50, 100)  # the rows a page may hold, for a person to choose; 50 unless they do


@dataclass(frozen=True)
class TableOrder:
    """How a table is sorted: one of `sortable(kind)` ("" is the kind's key), ties broken by id."""

    column: str = ""
    descending: bool = False


@dataclass(frozen=True)
class Table:
    total: int  # rows the principal may see that match the filters
    page: int  # the page shown, from 1 (a page past the last one shows the last)
    page_size: int
    shown: exports.Export  # that page's rows, in the table's order, as text

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def first(self) -> int:
        """The row number (from 1) of the first row shown; 0 when there is none."""
        return (self.page - 1) * self.page_size + 1 if self.shown.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.shown.rows) - 1 if self.shown.rows else 0


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
    if status:
        return list(status.parse.options) if isinstance(status.parse, Choice) else []
    column = kind.model.__table__.c.get("status")  # a status changed elsewhere (a target package's)
    return list(column.type.enums) if column is not None and isinstance(column.type, Enum) else []


# A link column sorts by what a person reads in it: the linked record's code, reference or subject.
_LINKED_NAMES = {"owning_agency_id": (Agency, "code"), "holder_agency_id": (Agency, "code"),
                 "suspect_id": (Suspect, "reference"), "depends_on_id": (Task, "reference"),
                 "assignee_id": (User, "subject"), "jurisdiction_id": (Jurisdiction, "code")}


def _attribute(kind: Kind, name: str) -> str:
    """The model attribute behind a table column."""
    field = kind.fields.get(name)
    if field is not None and field.column:
        return field.column
    return "holder_agency_id" if name == "holder_agency" else name


def sortable(kind: Kind) -> list[str]:
    """The columns a table can be sorted by, in the table's order: all but the recipients and free text."""
    table = kind.model.__table__
    return [name for name in kind.columns if name != "recipients" and _attribute(kind, name) in table.c
            and not isinstance(table.c[_attribute(kind, name)].type, Text)]


def _sort_key(kind: Kind, name: str) -> tuple[ColumnElement[Any], bool]:
    """The SQL a column sorts by, and whether it can be empty (empty sorts last either way)."""
    model = kind.model
    attribute = _attribute(kind, name)
    column = model.__table__.c[attribute]
    if attribute in _LINKED_NAMES:
        linked, linked_name = _LINKED_NAMES[attribute]
        other = aliased(linked)
        return (select(getattr(other, linked_name)).where(other.id == getattr(model, attribute))
                .scalar_subquery(), column.nullable)
    if isinstance(column.type, Enum):  # a closed list sorts in its own order (lead before arrested), not A-Z
        return case({value: rank for rank, value in enumerate(column.type.enums)},
                    value=getattr(model, attribute)), column.nullable
    return getattr(model, attribute), column.nullable


def _ordering(kind: Kind, order: TableOrder) -> list[ColumnElement[Any]]:
    name = order.column or kind.key
    if name not in sortable(kind):
        raise ValueError(f"{kind.title} cannot be sorted by {kind.label(name)}")
    key, nullable = _sort_key(kind, name)
    by = key.desc() if order.descending else key.asc()
    tie = kind.model.id.desc() if order.descending else kind.model.id.asc()
    return [by.nulls_last() if nullable else by, tie]


def _narrowed(rows, kind: Kind, filters: TableFilters) -> list[ColumnElement[bool]]:
    """The agency, marking and status filters on a kind's records, or on its tallies (same columns)."""
    where = []
    if filters.agencies:
        where.append(rows.owning_agency_id.in_(select(Agency.id).where(Agency.code.in_(filters.agencies))))
    if filters.markings:
        where.append(rows.tlp.in_(filters.markings))
    if filters.statuses and statuses(kind):  # a status of another kind matches nothing
        where.append(rows.status.in_([status for status in filters.statuses if status in statuses(kind)]))
    return where


def _conditions(kind: Kind, filters: TableFilters) -> list[ColumnElement[bool]]:
    model = kind.model
    where = _narrowed(model, kind, filters)
    if filters.search.strip():
        pattern = f"%{filters.search.strip()}%"
        where.append(or_(*(getattr(model, column).ilike(pattern) for column in kind.search)))
    return where


def _total(session: Session, principal: Principal, kind: Kind, filters: TableFilters) -> int:
    """How many records the principal may see match the filters: from the tallies (the same
    scoping rule in its tally form, as the operation picture counts), unless a search reads the rows."""
    if filters.search.strip() or kind.tallies is None:  # target packages are few: counted from rows
        model = kind.model
        return session.scalar(select(func.count()).select_from(model)
                              .where(visible(model, principal), *_conditions(kind, filters))) or 0
    tally, red = kind.tallies.shared, kind.tallies.red
    counted = session.scalar(select(func.sum(tally.n)).where(visible_in_tally(tally, principal),
                                                            *_narrowed(tally, kind, filters)))
    named = session.scalar(select(func.sum(red.n)).where(red.user_id == principal.user_id,
                                                        visible_as_named(red, principal),
                                                        *_narrowed(red, kind, filters)))
    return (counted or 0) + (named or 0)


def table(session: Session, principal: Principal, kind: Kind, filters: TableFilters,
          order: TableOrder = TableOrder(), page: int = 1, page_size: int = PAGE_SIZES[1]) -> Table:
    """One page of the matching records the principal may see, sorted in SQL, and how many match.

    Offset paging: the page's ids come from one ordered query, which walks the sort column's index
    (the key's and the full name's cover the scoping columns too) and stops after the page; then
    their export rows. A page past the last shows the last."""
    model = kind.model
    conditions = _conditions(kind, filters)
    total = _total(session, principal, kind, filters)
    page = min(max(page, 1), max(1, -(-total // page_size)))
    ids = session.scalars(select(model.id).where(in_index_order(session, visible(model, principal)), *conditions)
                          .order_by(*_ordering(kind, order)).offset((page - 1) * page_size).limit(page_size)).all()
    found = exports.build(session, principal, kind.name, [model.id.in_(ids)])
    keys = dict(session.execute(select(getattr(model, kind.key), model.id).where(model.id.in_(ids))).all())
    place = {record_id: n for n, record_id in enumerate(ids)}
    rows = sorted(found.rows, key=lambda row: place[keys[row[0]]])  # an export row starts with its key
    return Table(total, page, page_size, replace(found, rows=rows))


def find(session: Session, principal: Principal, kind: Kind, key: str) -> RecordView | None:
    """The record named `key` (REFERENCE, or AGENCY/REFERENCE where several agencies use it), if the
    principal may read it; None alike for hidden, missing and, among several agencies' records that
    are not the principal's own agency's, ambiguous (the page names rows as AGENCY/REFERENCE)."""
    model = kind.model
    name = record_references.normalise(key)
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


def keys_offered(session: Session, principal: Principal, kind: Kind, limit: int = 200) -> list[str]:
    """The keys of the records of `kind` the principal may read, most recently changed first: what a
    link picker offers (a person may still type any other)."""
    model = kind.model
    return list(session.scalars(select(getattr(model, kind.key)).where(visible(model, principal))
                                .order_by(model.updated_at.desc(), model.id.desc()).limit(limit)))
