"""Which tables only services may change, and the session-level guard that refuses bulk ORM
UPDATE and DELETE on them (the database's own triggers guard the append-only tables; see
`coordination/append_only.py`)."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from coordination.errors import RefusedWrite
from coordination.models.action_day import (
    ConflictAcknowledgement,
    PackageConflict,
    PackageStatusChange,
    PackageSubject,
    TargetPackage,
)
from coordination.models.audit import AuditEvent
from coordination.models.decisions import Decision, DecisionPin
from coordination.models.operation import Membership, Operation, OperationPartner
from coordination.models.people import User
from coordination.models.records import (
    OPERATIONAL_RECORDS,
    Acquisition,
    AcquisitionCustodyEvent,
    Briefing,
    CustodyEvent,
    Recipient,
    TaskUpdate,
)

# Tables whose rows change only through services, one row at a time, each with its audit event.
AUDITED_TABLES = frozenset(
    m.__table__ for m in (*OPERATIONAL_RECORDS, CustodyEvent, Acquisition, AcquisitionCustodyEvent,
                          TaskUpdate, User, Operation, Membership, OperationPartner, Briefing, Recipient,
                          AuditEvent, Decision, DecisionPin,
                          TargetPackage, PackageSubject, PackageStatusChange, PackageConflict,
                          ConflictAcknowledgement))
APPEND_ONLY = (CustodyEvent, AcquisitionCustodyEvent, TaskUpdate, AuditEvent, Decision, DecisionPin,
               PackageStatusChange)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state: ORMExecuteState) -> None:
    """Bulk ORM UPDATE/DELETE would change audited rows without their audit events."""
    table = getattr(state.statement, "table", None)  # update(Suspect) and update(Suspect.__table__) alike
    if (state.is_update or state.is_delete) and table in AUDITED_TABLES:
        kind = "UPDATE" if state.is_update else "DELETE"
        raise RefusedWrite(f"bulk {kind} of {table.name} is refused: "
                           "change rows one by one through coordination.services")
