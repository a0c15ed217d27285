"""Operations and who takes part in them, as a person may read it: the operations they are a member
of (an admin: every one), an operation's members, and a person's memberships (for the admin)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination import policy
from coordination.models import Agency, Membership, Operation, User
from coordination.principal import Principal


@dataclass(frozen=True)
class OperationRow:
    code: str
    code_name: str
    status: str
    lead_agency: str
    role: str | None  # the reader's role in it; None: an admin who takes no part in it


@dataclass(frozen=True)
class Member:
    operation: str  # its short code
    code_name: str
    subject: str
    name: str
    agency: str
    role: str


def operations(session: Session, principal: Principal | None) -> list[OperationRow]:
    """The operations the person takes part in, by code, with their role in each; an admin reads every
    one (None: the CLI operator, who holds the database already)."""
    roles = dict(session.execute(select(Membership.operation_id, Membership.role)
                                 .where(Membership.user_id == principal.user_id)).all()) if principal else {}
    query = select(Operation, Agency.code).join(Agency, Agency.id == Operation.lead_agency_id).order_by(Operation.code)
    if principal is not None and not policy.sees_every_operation(principal):
        query = query.where(Operation.id.in_(list(roles)))
    return [OperationRow(op.code, op.code_name, op.status.value, lead,
                         roles[op.id].value if op.id in roles else None)
            for op, lead in session.execute(query)]


def members(session: Session, principal: Principal | None, code: str) -> list[Member] | None:
    """Who takes part in the operation of `code`, by agency and subject; None when the reader may not
    read it (not acting in it, nor an admin), alike for a missing one. None reading: the CLI operator."""
    name = code.strip().upper()
    operation = session.scalar(select(Operation).where(Operation.code == name)) if name.isprintable() else None
    if operation is None or (principal is not None and not policy.sees_members(principal, operation.id)):
        return None
    return _members(session, Membership.operation_id == operation.id)


def memberships_of(session: Session, principal: Principal, user_id: int) -> list[Member]:
    """A person's memberships, for the admin who provisions them (nobody else reads them here)."""
    if not policy.can_manage_memberships(principal):
        return []
    return _members(session, Membership.user_id == user_id)


def _members(session: Session, where) -> list[Member]:
    rows = session.execute(
        select(Operation.code, Operation.code_name, User.subject, User.display_name, Agency.code, Membership.role)
        .join(Operation, Operation.id == Membership.operation_id).join(User, User.id == Membership.user_id)
        .join(Agency, Agency.id == User.agency_id).where(where).order_by(Operation.code, Agency.code, User.subject))
    return [Member(code, name, subject, person, agency, role.value)
            for code, name, subject, person, agency, role in rows]
