"""The acting principal: who is doing something, as every service and query sees it."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.errors import NotFound
from coordination.markings import TLP
from coordination.models import Role, User

SYSTEM_ISSUER = "urn:coordination"


@dataclass(frozen=True)
class Principal:
    """Who is acting or reading, and under which limit: the one value every read of a record takes
    (ARCHITECTURE.md, "The one reader").

    `up_to` is the highest marking the page or document being made may hold (a shareable briefing
    "up to AMBER"); `policy` applies it with the rest of the rule, so a section, a count, a telling
    or a link read as this principal cannot hold more. A preview "as another agency's liaison" is a
    `stand_in`; the operation joins them here when a deployment holds several."""

    user_id: int | None
    issuer: str
    subject: str
    display_name: str
    agency_id: int | None
    agency_code: str
    role: Role | None  # None: the system itself (migrations, demo loader), never a signed-in person
    up_to: TLP | None = None  # None: every marking the role reads

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
    def of(cls, user: User) -> Principal:
        return cls(user.id, user.issuer, user.subject, user.display_name, user.agency_id,
                   user.agency.code, user.role)

    @classmethod
    def stand_in(cls, role: Role, agency_id: int, agency_code: str) -> Principal:
        """Any person of `role` at that agency, named on no RED record: whom a preview ("as a liaison
        of the FBI would receive it") reads as, through the same policy. Never acts."""
        return cls(None, SYSTEM_ISSUER, f"stand-in {role.value} {agency_code}",
                   f"{role.value.capitalize()} stand-in", agency_id, agency_code, role)

    @classmethod
    def system(cls, what: str = "system") -> Principal:
        return cls(None, SYSTEM_ISSUER, what, what, None, "", None)


def find_user(session: Session, issuer: str, subject: str) -> User | None:
    return session.scalar(select(User).where(User.issuer == issuer, User.subject == subject))


def principal_for_subject(session: Session, subject: str, issuer: str | None = None) -> Principal:
    """For the CLI's `--as SUBJECT`: the provisioned, active user with that subject."""
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
    return Principal.of(users[0])
