"""Choosing the operation a person reads: the operations they may choose among, and the choice itself.

A person reads one operation at a time (`Principal.operation_id`). The app opens on the one they last
chose (`User.last_operation_id`, read by `Principal.of`), the address may name another
(`?operation=ELABORATE`), and the sidebar's picker switches it: `choose_operation` records the choice, so
the next sign-in opens there. An operation they take part in under no membership is answered like one
that does not exist (`no_such`), so a link never tells whether it does.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from coordination import audit
from coordination.errors import NotFound
from coordination.fields import shown
from coordination.models import OperationStatus, Role, User
from coordination.principal import Principal, membership_named


@dataclass(frozen=True)
class Choice:
    """An operation a person may switch to, as the picker names it."""

    code: str  # what the address carries: ELABORATE
    name: str  # Operation Elaborate
    role: Role  # theirs there

    @property
    def label(self) -> str:
        return f"{self.name}, {self.role.value}"


def no_such(code: str) -> str:
    """The one answer to an operation a person may not read, whether it exists or not."""
    return f"There is no operation {shown(code, 32)} you take part in."


def choices(user: User, current: int | None = None) -> tuple[Choice, ...]:
    """The operations `user` takes part in and may pick, by name: every one not archived, and the one
    being read (`current`) even when it is (an archived operation leaves the picker, but stays readable
    to its members, through a link)."""
    kept = [m for m in user.memberships
            if m.operation.status is not OperationStatus.ARCHIVED or m.operation_id == current]
    return tuple(sorted((Choice(m.operation.code, m.operation.code_name, m.role) for m in kept),
                        key=lambda choice: choice.name.casefold()))


def choose_operation(session: Session, principal: Principal, code: str) -> Principal:
    """Read the operation whose code is `code` from now on, and open on it at the next sign-in; returns
    the person as its reader (their role there). Refused, as a missing one, when they take part in no
    such operation."""
    user = session.get(User, principal.user_id) if principal.user_id is not None else None
    membership = membership_named(user, code) if user is not None and user.active else None
    if user is None or membership is None:
        raise NotFound(no_such(code))
    before = user.last_operation_id
    user.last_operation_id = membership.operation_id
    chosen = Principal.of(user, membership.operation_id)
    audit.record(session, audit.NewEvent(chosen, "choose operation", "user", user.id,
                                         before={"operation_id": before},
                                         after={"operation_id": membership.operation_id}))
    return chosen
