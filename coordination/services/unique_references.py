"""A record's reference is its agency's alone: one in use, or one that looks like it, is refused."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination import record_references
from coordination.errors import ValidationError
from coordination.kinds import Kind
from coordination.principal import Principal
from coordination.services.loading import agency_code, current_operation


def check_reference(session: Session, principal: Principal, kind: Kind, value: str, owning_agency_id: int,
                    record_id: int | None = None) -> None:
    """A record's reference is its agency's alone: refuse one already used by another record of the same
    agency, or one that looks like it (same UTS #39 skeleton). Only that agency's records are looked at,
    so nothing is told about the references of other agencies."""
    model = kind.model
    column = getattr(model, kind.key)
    query = select(column).where(model.reference_skeleton == record_references.skeleton(value),
                                 model.operation_id == current_operation(session, principal).id,
                                 model.owning_agency_id == owning_agency_id)
    if record_id is not None:
        query = query.where(model.id != record_id)
    existing = session.scalars(query.limit(2)).all()
    if existing:
        raise ValidationError({kind.key: clash(kind, value, existing[0], agency_code(session, owning_agency_id))})


def clash(kind: Kind, value: str, existing: str, agency: str) -> str:
    if existing == value:
        return f"'{value}' is already used by another {kind.entity} of {agency}"
    return f"'{value}' looks like '{existing}', already used by another {kind.entity} of {agency}"
