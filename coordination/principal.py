"""The acting principal: who is doing something, as every service and query sees it."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.errors import NotFound
from coordination.markings import TLP
from coordination.models import Membership, OperationStatus, Role, User

SYSTEM_ISSUER = "urn:coordination"


@dataclass(frozen=True)
class Principal:
    """Who is acting or reading, and under which limit: the one value every read of a record takes
    (ARCHITECTURE.md, "The one reader").

    `up_to` is the highest marking the page or document being made may hold (a shareable briefing
    "up to AMBER"); `policy` applies it with the rest of the rule, so a section, a count, a telling
    or a link read as this principal cannot hold more. A preview "as another agency's liaison" is a
    `stand_in`. `operation_id` is the operation read, and `role` the person's role in it (their
    membership's): `policy` reads nothing of any other operation, and a person who is a member of
    none reads nothing at all (operation None matches no record)."""

    user_id: int | None
    issuer: str
    subject: str
    display_name: str
    agency_id: int | None
    agency_code: str
    role: Role | None  # None: the system itself (migrations, demo loader), never a signed-in person
    up_to: TLP | None = None  # None: every marking the role reads
    operation_id: int | None = None
    operation_code: str = ""

    def within(self, up_to: TLP | None) -> Principal:
        """The same reader, limited to records marked at most `up_to` (never raising a limit)."""
        if up_to is None or (self.up_to is not None and self.up_to.rank <= up_to.rank):
            return self
        return replace(self, up_to=up_to)

    @property
    def limited(self) -> bool:
        return self.up_to is not None

    @property
    def label(self) -> str:
        """How the principal is named to other users (e.g. in a conflict message)."""
        return f"{self.display_name} ({self.agency_code})" if self.agency_code else self.display_name

    @classmethod
    def of(cls, user: User, operation_id: int | None = None) -> Principal:
        """`user` reading `operation_id` (default: the operation they last chose, else their first) with
        the role of their membership. Not a member of it: an admin is the deployment's admin, anyone
        else reads no operation."""
        membership = membership_in(user, operation_id)
        if membership is None:
            return cls(user.id, user.issuer, user.subject, user.display_name, user.agency_id,
                       user.agency.code, user.role if user.role is Role.ADMIN else Role.OBSERVER)
        return cls(user.id, user.issuer, user.subject, user.display_name, user.agency_id, user.agency.code,
                   membership.role, operation_id=membership.operation_id,
                   operation_code=membership.operation.code)

    def stand_in(self, role: Role, agency_id: int, agency_code: str) -> Principal:
        """Any person of `role` at that agency, in this principal's operation, named on no RED record:
        whom a preview ("as a liaison of the FBI would receive it") reads as, through the same policy.
        Never acts."""
        return Principal(None, SYSTEM_ISSUER, f"stand-in {role.value} {agency_code}",
                         f"{role.value.capitalize()} stand-in", agency_id, agency_code, role,
                         operation_id=self.operation_id, operation_code=self.operation_code)

    @classmethod
    def system(cls, what: str = "system") -> Principal:
        return cls(None, SYSTEM_ISSUER, what, what, None, "", None)


def membership_in(user: User, operation_id: int | None = None) -> Membership | None:
    """The user's membership of `operation_id`; without one named, of the operation they last chose if
    they still take part in it, else of their first operation not archived (else their first)."""
    memberships = {m.operation_id: m for m in user.memberships}
    if operation_id is not None:
        return memberships.get(operation_id)
    if user.last_operation_id in memberships:
        return memberships[user.last_operation_id]
    current = [m for m in memberships.values() if m.operation.status is not OperationStatus.ARCHIVED]
    return next(iter(current or memberships.values()), None)


def membership_named(user: User, code: str | None) -> Membership | None:
    """The user's membership of the operation whose code is `code` (any case), archived or not; None when
    they take part in none of that code, or no such operation exists (the two look alike on purpose)."""
    wanted = (code or "").strip().upper()
    return next((m for m in user.memberships if m.operation.code == wanted), None) if wanted else None


def find_user(session: Session, issuer: str, subject: str) -> User | None:
    return session.scalar(select(User).where(User.issuer == issuer, User.subject == subject))


def principal_for_subject(session: Session, subject: str, issuer: str | None = None,
                          operation: str | None = None) -> Principal:
    """For the CLI's `--as SUBJECT`: the provisioned, active user with that subject, in the operation
    whose code is `operation` (default: as `Principal.of`). An operation they are not a member of is
    answered as a missing one."""
    query = select(User).where(User.subject == subject)
    if issuer:
        query = query.where(User.issuer == issuer)
    users = session.scalars(query).all()
    if not users:
        raise NotFound(f"no provisioned user with subject '{subject}'")
    if len(users) > 1:
        raise NotFound(f"subject '{subject}' exists at several identity providers; give --issuer")
    if not users[0].active:
        raise NotFound(f"user '{subject}' is disabled")
    if operation is None:
        return Principal.of(users[0])
    membership = membership_named(users[0], operation)
    if membership is None:
        raise NotFound(f"no operation '{operation}'")
    return Principal.of(users[0], membership.operation_id)
