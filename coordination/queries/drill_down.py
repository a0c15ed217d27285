"""The records behind a bar or a point of the operation picture."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from coordination import exports
from coordination.models import Agency, Arrest, EvidenceItem, Jurisdiction, Task
from coordination.principal import Principal


class DrillDown(NamedTuple):
    kind: str  # the records it opens
    heading: str  # put before the selected names
    condition: Callable[[list[str]], ColumnElement[bool]]  # on the codes the person selected


def _in_jurisdictions(codes: list[str]) -> ColumnElement[bool]:
    return Arrest.jurisdiction_id.in_(select(Jurisdiction.id).where(Jurisdiction.code.in_(codes)))


def _of_agencies(column) -> Callable[[list[str]], ColumnElement[bool]]:
    return lambda codes: column.in_(select(Agency.id).where(Agency.code.in_(codes)))


# chart name (as in coordination.charts.ALL) -> what selecting in it opens
DRILL_DOWN = {
    "arrests_by_jurisdiction": DrillDown("arrests", "Arrests in", _in_jurisdictions),
    "arrests_map": DrillDown("arrests", "Arrests in", _in_jurisdictions),
    "tasks_by_agency": DrillDown("tasks", "Tasks of", _of_agencies(Task.owning_agency_id)),
    "evidence_by_holder": DrillDown("evidence", "Evidence held by", _of_agencies(EvidenceItem.holder_agency_id)),
}


def records_behind(session: Session, principal: Principal, chart: str, codes: list[str],
                   limit: int) -> exports.Export:
    """The first `limit` records the principal may read behind the selected bars or points."""
    drill = DRILL_DOWN[chart]
    return exports.build(session, principal, drill.kind, [drill.condition(codes)], limit=limit)
