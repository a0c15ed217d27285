"""Reference data every page names: the operation, agency codes, jurisdiction codes, names and zones."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.models import Agency, Jurisdiction, Operation, OperationPartner

NO_OPERATION = "Takedown coordination"  # before sign-in, or for someone of no operation


def operation_name(session: Session, operation_id: int | None) -> str:
    """The name of the operation read (`Principal.operation_id`): no other operation's name is ever
    shown, so without one the page is named for the deployment."""
    found = session.scalar(select(Operation.code_name).where(Operation.id == operation_id)) \
        if operation_id is not None else None
    return found or NO_OPERATION


def agency_codes(session: Session) -> list[str]:
    return list(session.scalars(select(Agency.code).order_by(Agency.code)))


def partner_codes(session: Session, operation_id: int | None) -> list[str]:
    """The codes of the agencies taking part in the operation (its `OperationPartner`s): what a picker
    of an agency taking part offers (the deployment's other agencies are refused by the services)."""
    return list(session.scalars(select(Agency.code).join(OperationPartner, OperationPartner.agency_id == Agency.id)
                                .where(OperationPartner.operation_id == operation_id).order_by(Agency.code)))


def jurisdiction_codes(session: Session) -> list[str]:
    return list(session.scalars(select(Jurisdiction.code).order_by(Jurisdiction.code)))


def jurisdiction_names(session: Session) -> dict[str, str]:
    """Jurisdiction code -> its name ("United States (California)"): what a picker shows."""
    return dict(session.execute(select(Jurisdiction.code, Jurisdiction.name)).all())


def jurisdiction_zones(session: Session) -> dict[str, str]:
    """Jurisdiction code -> its IANA time zone: where a planned H-hour is read in local time."""
    return dict(session.execute(select(Jurisdiction.code, Jurisdiction.time_zone)).all())


def agency_ids(session: Session) -> dict[str, int]:
    """Agency code -> id: what the policy is asked with, where a row names agencies by code."""
    return dict(session.execute(select(Agency.code, Agency.id)).all())


def agency_codes_by_id(session: Session) -> dict[int, str]:
    """Agency id -> code: how a figure or an export names an agency a row holds by id."""
    return dict(session.execute(select(Agency.id, Agency.code)).all())


def jurisdiction_codes_by_id(session: Session) -> dict[int, str]:
    """Jurisdiction id -> code: how an export names a jurisdiction a row holds by id."""
    return dict(session.execute(select(Jurisdiction.id, Jurisdiction.code)).all())
