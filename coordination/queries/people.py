"""The users an admin provisions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination import policy
from coordination.models import Agency, User
from coordination.principal import Principal


@dataclass(frozen=True)
class Person:
    id: int
    version: int
    issuer: str
    subject: str
    name: str
    email: str | None
    agency: str
    role: str
    active: bool
    last_sign_in_at: datetime | None


def users(session: Session, principal: Principal | None) -> list[Person]:
    """Every provisioned user, by agency and subject; only for those who manage users (None: the CLI
    operator, who holds the database already)."""
    if principal is not None and not policy.can_manage_users(principal):
        return []
    rows = session.execute(select(User, Agency.code).join(Agency, Agency.id == User.agency_id)
                           .order_by(Agency.code, User.subject)).all()
    return [Person(u.id, u.version, u.issuer, u.subject, u.display_name, u.email, code, u.role.value, u.active,
                   u.last_sign_in_at) for u, code in rows]


def assignable(session: Session, principal: Principal, agency_code: str | None) -> dict[str, str]:
    """subject -> "Name (AGENCY)" of the active members of the principal's operation a task of
    `agency_code` may be assigned to (every agency's when None): nobody of another operation is named."""
    query = (select(User.subject, User.display_name, Agency.code).join(Agency, Agency.id == User.agency_id)
             .where(User.active.is_(True), policy.hears_personally(User, principal.operation_id))
             .order_by(Agency.code, User.display_name))
    if agency_code:
        query = query.where(Agency.code == agency_code)
    return {subject: f"{name} ({code})" for subject, name, code in session.execute(query)}
