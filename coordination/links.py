"""Links between records (an arrest's suspect, an evidence item's suspect, a task's dependency),
resolved among the records a principal may read.

References are unique per owning agency, so a reference alone can mean several agencies' records.
A link names one as REFERENCE, or as AGENCY/REFERENCE (coordination.record_references.QUALIFIER); it is
resolved only among the records the acting principal may read, so a record they may not read and
no record at all give one and the same answer (`no_such`). Where the principal may read several
agencies' records with the reference, the linking record's own agency's is meant; otherwise the
link must say which (AGENCY/REFERENCE). Exports write links so that they resolve back.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, case, select
from sqlalchemy.orm import Session

from coordination import policy, record_references
from coordination.db import one_of
from coordination.fields import shown
from coordination.markings import TLP
from coordination.models import Agency, MarkedRecord
from coordination.principal import Principal


def no_such(model: type[MarkedRecord], name: Any) -> str:
    """The one refusal of a link to a record that is missing or that the principal may not read."""
    return f"no {model.entity} with reference '{shown(name)}'"


def in_index_order(session: Session, scope: ColumnElement[bool]) -> ColumnElement[bool]:
    """The scoping clause, phrased so that SQLite walks the index of the other condition (a page's sort
    column, a list of references) instead of the scoping clause's.

    Without statistics (nothing runs ANALYZE on an embedded file), SQLite reads the clause's OR as
    an index lookup per branch, then sorts every row the viewer may see (a liaison: 1.4 s at
    600,000 suspects; 0.56 s for 5,000 references looked up at once); the same truth inside a CASE
    leaves it one plan, the index walk that stops after the page. PostgreSQL keeps its own
    statistics and is given the clause as it is."""
    return case((scope, 1), else_=0) == 1 if session.get_bind().dialect.name == "sqlite" else scope


def link_candidates(session: Session, principal: Principal, model: type[MarkedRecord],
                    names: Collection[str]) -> dict[str, list[tuple[int, int, TLP]]]:
    """name -> [(id, owning agency id, TLP label)] of the records the principal may read that `name`
    can mean: those with that reference, and, for AGENCY/REFERENCE, that agency's record with that
    reference. (The label: what a bulk import copies of the record it adds to, without reading it again.)"""
    column = getattr(model, model.key)
    agencies = {code: agency_id for agency_id, code in session.execute(select(Agency.id, Agency.code))}
    found: dict[str, set[tuple[int, int, TLP]]] = {name: set() for name in names}
    plain = sorted(found)
    qualified = {}
    for name in plain:
        code, _, rest = name.partition(record_references.QUALIFIER)
        if rest and code.upper() in agencies:
            qualified.setdefault((agencies[code.upper()], rest), []).append(name)
    scope = in_index_order(session, policy.visible(model, principal))  # by the references' index
    for start in range(0, len(plain), 5000):
        for record_id, agency_id, tlp, key in session.execute(
                select(model.id, model.owning_agency_id, model.tlp, column)
                .where(one_of(session, column, plain[start:start + 5000]), scope)):
            found[key].add((record_id, agency_id, tlp))
    wanted = sorted(qualified)
    for start in range(0, len(wanted), 5000):
        chunk = wanted[start:start + 5000]
        for record_id, agency_id, tlp, key in session.execute(
                select(model.id, model.owning_agency_id, model.tlp, column)
                .where(column.in_({rest for _, rest in chunk}), scope,
                       model.owning_agency_id.in_({agency for agency, _ in chunk}))):
            for name in qualified.get((agency_id, key), ()):
                found[name].add((record_id, agency_id, tlp))
    return {name: sorted(candidates) for name, candidates in found.items()}


def choose_link(model: type[MarkedRecord], name: str, candidates: list[tuple[int, int, TLP]],
                owning_agency_id: int | None) -> int:
    """The record a link names: the one readable record it can mean, or, among several agencies'
    records with that reference, the linking record's own agency's. ValueError otherwise."""
    if len(candidates) == 1:
        return candidates[0][0]
    if not candidates:
        raise ValueError(no_such(model, name))
    own = [record_id for record_id, agency_id, _ in candidates if agency_id == owning_agency_id]
    if len(own) == 1:
        return own[0]
    raise ValueError(f"'{name}' is the reference of {model.entity}s of several agencies; write it as "
                     f"AGENCY{record_references.QUALIFIER}{name}")
