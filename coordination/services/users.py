"""Provisioning users. Only admins do it, and the last active admin cannot be removed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coordination import audit, policy
from coordination.errors import NotFound, ValidationError
from coordination.fields import is_blank, parse_fields
from coordination.kinds import USER
from coordination.models import Membership, Operation, Role, User, UserSession, utcnow
from coordination.principal import Principal
from coordination.services import operations
from coordination.services.authorisation import authorise, is_system
from coordination.services.merge import check_version, flush_or_conflict
from coordination.services.pipeline import snapshot
from coordination.services.runner import allowed_when_closed

USER_COLUMNS = ("issuer", "subject", "display_name", "email", "agency_id", "role", "active")
ENDED_BY_ADMIN = "ended by an admin"  # a UserSession's end reason when its user was disabled


def create_user(session: Session, principal: Principal, data: dict[str, Any]) -> User:
    """A person who may sign in; `operations` (codes, optional): the operations they take part in, in
    their role, each membership recorded after the user in the same transaction."""
    data = dict(data)
    codes = data.pop("operations", None) or None  # none named (an empty list too): as before
    values = parse_fields(session, USER, data)
    if values.get("active") is None:
        values["active"] = True
    if session.scalar(select(User.id).where(User.issuer == values["issuer"], User.subject == values["subject"])):
        raise ValidationError({"subject": f"'{values['subject']}' at this identity provider is already provisioned"})
    if not is_system(principal):  # the system provisions the first admin; an unprovisioned person nothing
        authorise(principal, policy.Action.MANAGE_USERS, None, entity="user")
    user = User(**values)
    session.add(user)
    session.flush()
    joined = _follow_in_the_only_operation(session, user) if is_blank(codes) else {}
    audit.record(session, audit.NewEvent(principal, "create", "user", user.id,
                                         after=snapshot(user, USER_COLUMNS) | joined))
    operations.join_operations(session, principal, user, codes)
    return user


def _follow_in_the_only_operation(session: Session, user: User) -> dict[str, Any]:
    """A deployment of one operation keeps provisioning as it was: a person's role is their role in it
    (a member in that role, changed with it), recorded in the user's own event (returned, to add to
    it). With several operations, memberships are provisioned one by one."""
    operations = session.scalars(select(Operation.id).limit(2)).all()
    if len(operations) != 1 or user.role is Role.ADMIN:
        return {}
    membership = session.scalar(select(Membership).where(Membership.user_id == user.id))
    if membership is None:
        session.add(Membership(operation_id=operations[0], user_id=user.id, role=user.role))
    elif membership.role is not user.role:
        membership.role = user.role
    else:
        return {}
    session.flush()
    return {"membership": {"operation_id": operations[0], "role": user.role}}


def update_user(session: Session, principal: Principal, user_id: int, expected_version: int,
                changes: dict[str, Any]) -> User:
    """Change a user's name, email, agency, role, or disable them. The identity never changes."""
    fixed = {"issuer", "subject"} & set(changes)
    if fixed:
        raise ValidationError({name: "is the user's identity and cannot change; provision a new user"
                               for name in sorted(fixed)})
    values = parse_fields(session, USER, changes, partial=True)
    if not is_system(principal):
        authorise(principal, policy.Action.MANAGE_USERS, None, user_id, entity="user")
    user = session.get(User, user_id, populate_existing=True)
    if user is None:
        raise NotFound("this user does not exist")
    check_version(user, expected_version)
    changed = {name: value for name, value in values.items() if getattr(user, name) != value}
    if not changed:
        return user
    if user.role is Role.ADMIN and user.active and (changed.get("active") is False or "role" in changed):
        audit.lock_head(session)  # two admins demoting each other at once must not both count two admins
        admins = session.scalar(select(func.count()).where(User.role == Role.ADMIN, User.active.is_(True)))
        if admins <= 1:
            raise ValidationError({"role" if "role" in changed else "active":
                                   "this is the last active admin; provision another admin first"})
    before = snapshot(user, changed)
    for name, value in changed.items():
        setattr(user, name, value)
    ended = end_sign_ins(session, user, utcnow()) if changed.get("active") is False else 0
    flush_or_conflict(session, User, user.id)
    followed = _follow_in_the_only_operation(session, user) if "role" in changed else {}
    audit.record(session, audit.NewEvent(principal, "update", "user", user.id, before=before,
                                         after=changed | followed,
                                         detail=f"{ended} open sign-in(s) ended" if ended else None))
    return user


def end_sign_ins(session: Session, user: User, now, void_unseen: bool = True) -> int:
    """End every sign-in of a user being disabled, for good: enabling the account again needs a fresh
    sign-in. Sign-ins not seen yet (another browser) are void too: none issued before now is admitted."""
    if void_unseen:
        user.sign_ins_void_before = now
    ended = 0
    for record in session.scalars(select(UserSession).where(UserSession.user_id == user.id,
                                                            UserSession.ended_at.is_(None))):
        record.ended_at, record.end_reason = now, ENDED_BY_ADMIN
        ended += 1
    return ended


def disable_user(session: Session, principal: Principal, user_id: int, expected_version: int) -> User:
    return update_user(session, principal, user_id, expected_version, {"active": False})


@allowed_when_closed  # signing in writes nothing of the operation
def record_sign_in(session: Session, principal: Principal) -> None:
    """A provisioned user signed in: stamp the time and audit it."""
    user = session.get(User, principal.user_id)
    user.last_sign_in_at = utcnow()
    audit.record(session, audit.NewEvent(principal, "sign in", "user", user.id))
