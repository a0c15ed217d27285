"""Reference data every page names: the operation, agency codes, jurisdiction codes, names and zones."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.models import Agency, Jurisdiction, Operation

NO_OPERATION = "Takedown coordination"  # before an operation is set up


def operation_name(session: Session) -> str:
    return session.scalar(select(Operation.code_name).order_by(Operation.id).limit(1)) or NO_OPERATION


def agency_codes(session: Session) -> list[str]:
    return list(session.scalars(select(Agency.code).order_by(Agency.code)))


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
