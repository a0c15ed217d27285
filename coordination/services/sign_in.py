"""From a signed-in OpenID Connect identity to a principal, on every interaction.

Streamlit proves who the browser belongs to (a signed cookie holding the ID token's claims) but
keeps that cookie for 30 days and never checks expiry. So on every run the app asks `admit`:
is this (issuer, subject) a provisioned, active user, and is this sign-in still alive (idle
timeout, absolute lifetime, not signed out)? The answer lives in the database, so every replica
gives the same one. The user is matched by issuer and subject, never by email.

The principal reads the operation the run asks for (`operation`, a code: the address's or the tab's
choice) when the person takes part in it, else their default one (`Principal.of`); the admission also
carries the operations they may switch to (`choosing.choices`).

`admit` and `sign_out` write (the sign-in, its expiry, a refusal) and never commit: the caller runs
each in one transaction (`services.admit`, `services.sign_out`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination import audit
from coordination.models import Outcome, Role, User, UserSession
from coordination.principal import Principal, find_user, membership_named
from coordination.services.choosing import Choice, choices
from coordination.services.users import ENDED_BY_ADMIN, end_sign_ins, record_sign_in

LAST_SEEN_EVERY = timedelta(seconds=30)  # write the idle clock at most this often
CLOCK_SKEW = timedelta(minutes=5)  # how far ahead of ours an identity provider's clock may run


class Status(enum.StrEnum):
    ADMITTED = "admitted"
    NOT_PROVISIONED = "not provisioned"
    DISABLED = "disabled"
    IDLE = "idle timeout"
    LIFETIME = "absolute lifetime"
    SIGNED_OUT = "signed out"
    REVOKED = ENDED_BY_ADMIN  # the user was disabled during this sign-in, perhaps enabled again since
    NOT_YET_VALID = "issued in the future"  # the token's issue time is ahead of our clock by more than the skew
    NO_ISSUE_TIME = "no issue time"  # the token does not say when it was issued


MESSAGES = {
    Status.NOT_PROVISIONED: "Access pending: your identity is not provisioned here yet. Give an admin the "
                            "identity below.",
    Status.DISABLED: "Access pending: your account is disabled. Ask an admin to enable it.",
    Status.IDLE: "You were signed out after {idle} minutes without activity. Sign in again to continue.",
    Status.LIFETIME: "You were signed out: a sign-in lasts at most {lifetime} hours. Sign in again to continue.",
    Status.SIGNED_OUT: "You signed out of this session. Sign in again to continue.",
    Status.REVOKED: "This sign-in was ended because an admin disabled your account. Sign in again to continue.",
    Status.NOT_YET_VALID: "Your sign-in could not be accepted: it is dated ahead of this server's clock. "
                          "Sign in again; if this persists, tell an admin the clocks differ.",
    Status.NO_ISSUE_TIME: "Your sign-in could not be accepted: your identity provider did not say when it was "
                          "issued. Sign in again; if this persists, tell an admin.",
}


@dataclass(frozen=True)
class Identity:
    """What the identity provider says about the person in front of the browser."""

    issuer: str
    subject: str
    name: str
    email: str | None
    signed_in_at: datetime | None  # the ID token's iat; None when it has none (refused)

    @classmethod
    def from_claims(cls, claims: dict[str, Any], now: datetime) -> Identity:
        """`now` is unused since a token without an issue time is refused, not dated now (which would
        make every run a fresh sign-in that never expires); kept for callers."""
        try:
            signed_in_at = datetime.fromtimestamp(int(claims["iat"]), UTC)
        except (KeyError, TypeError, ValueError, OverflowError, OSError):
            signed_in_at = None
        return cls(str(claims.get("iss", "")), str(claims.get("sub", "")), str(claims.get("name") or ""),
                   claims.get("email"), signed_in_at)

    def as_anonymous_principal(self) -> Principal:
        """For auditing a refused identity: no user, no role, no agency."""
        return Principal(None, self.issuer, self.subject, self.name or self.subject, None, "", None)


@dataclass(frozen=True)
class Admission:
    status: Status
    principal: Principal | None
    message: str = ""
    choices: tuple[Choice, ...] = ()  # the operations the person may switch to, the one read among them

    @property
    def admitted(self) -> bool:
        return self.status is Status.ADMITTED

    @property
    def in_no_operation(self) -> bool:
        """Admitted, but taking part in no operation: nothing to read (an admin still has the users page)."""
        return (self.principal is not None and self.principal.operation_id is None
                and self.principal.role is not Role.ADMIN)


@dataclass(frozen=True)
class Limits:
    idle: timedelta
    lifetime: timedelta


def admit(session: Session, identity: Identity, now: datetime, limits: Limits,
          record_refusal: bool = True, active: bool = True, operation: str | None = None) -> Admission:
    """Decide and record what needs recording (sign-in, expiry, refusal). A page that reruns for
    the same refused sign-in passes `record_refusal=False` to audit it only once. A run the page made
    by itself (a self-refreshing fragment's) passes `active=False`: it is checked like any other but
    does not count as activity, so an idle page that refreshes itself is signed out like any other."""
    user = find_user(session, identity.issuer, identity.subject)
    if user is None or not user.active:
        status = Status.NOT_PROVISIONED if user is None else Status.DISABLED
        if user is not None:  # disabled before disabling ended sign-ins itself: end them now
            end_sign_ins(session, user, now, void_unseen=False)
        if record_refusal:
            _refusal(session, identity, status)
        return Admission(status, None, MESSAGES[status])
    record = _record_of(session, identity)
    principal = _reader(user, operation)
    if record is None:
        unusable = _unusable_token(identity, user, now, limits)
        if unusable is not None:  # never recorded: a sign-in that could never have been alive
            if record_refusal:
                _refusal(session, identity, unusable)
            return Admission(unusable, None, _message(unusable, limits))
        session.add(UserSession(user_id=user.id, issuer=identity.issuer, subject=identity.subject,
                                signed_in_at=identity.signed_in_at, last_seen_at=now))
        record_sign_in(session, principal)
        return _admitted(user, principal)
    status = _expiry(record, now, limits)
    if status is not None:
        if record.ended_at is None:
            _end(session, record, principal, now, status)
        return Admission(status, None, _message(status, limits))
    if active and now - record.last_seen_at >= LAST_SEEN_EVERY:
        record.last_seen_at = now
    return _admitted(user, principal)


def still_admitted(session: Session, identity: Identity, now: datetime, limits: Limits,
                   operation: str | None = None) -> Admission | None:
    """Read only, for a run the page makes by itself: the admission while this sign-in is alive (its user
    active, not idle, not too old, not signed out), else None. Recording an ending is `admit`'s."""
    record = _record_of(session, identity)
    if record is None or _expiry(record, now, limits) is not None:
        return None
    user = session.get(User, record.user_id)
    return _admitted(user, _reader(user, operation)) if user is not None and user.active else None


def _reader(user: User, operation: str | None) -> Principal:
    """`user` reading the operation coded `operation` if they take part in it, else their default one."""
    membership = membership_named(user, operation)
    return Principal.of(user, membership.operation_id if membership is not None else None)


def _admitted(user: User, principal: Principal) -> Admission:
    return Admission(Status.ADMITTED, principal, choices=choices(user, principal.operation_id))


def has_ended(session: Session, identity: Identity, now: datetime, limits: Limits) -> bool:
    """Has this sign-in ended (idle, too old, signed out elsewhere, its user disabled)?"""
    return still_admitted(session, identity, now, limits) is None


def _record_of(session: Session, identity: Identity) -> UserSession | None:
    """This sign-in's row, if it was ever admitted."""
    return None if identity.signed_in_at is None else session.scalar(select(UserSession).where(
        UserSession.issuer == identity.issuer, UserSession.subject == identity.subject,
        UserSession.signed_in_at == identity.signed_in_at))


def _message(status: Status, limits: Limits) -> str:
    return MESSAGES[status].format(idle=int(limits.idle.total_seconds() // 60),
                                   lifetime=f"{limits.lifetime.total_seconds() / 3600:g}")


def _unusable_token(identity: Identity, user: User, now: datetime, limits: Limits) -> Status | None:
    """Refuse, before it is ever recorded, a sign-in that could never be alive: undated, dated in the
    future, older than the absolute lifetime, or issued before the user was last disabled."""
    issued = identity.signed_in_at
    if issued is None:
        return Status.NO_ISSUE_TIME
    if issued > now + CLOCK_SKEW:
        return Status.NOT_YET_VALID
    if now - issued > limits.lifetime:
        return Status.LIFETIME
    if user.sign_ins_void_before is not None and issued < user.sign_ins_void_before:
        return Status.REVOKED
    return None


def _expiry(record: UserSession, now: datetime, limits: Limits) -> Status | None:
    if record.ended_at is not None:
        return Status(record.end_reason) if record.end_reason in Status._value2member_map_ else Status.SIGNED_OUT
    if now - record.signed_in_at > limits.lifetime:
        return Status.LIFETIME
    if now - record.last_seen_at > limits.idle:
        return Status.IDLE
    return None


def _end(session: Session, record: UserSession, principal: Principal, now: datetime, status: Status) -> None:
    record.ended_at, record.end_reason = now, status.value
    action = "sign out" if status is Status.SIGNED_OUT else "session expired"
    audit.record(session, audit.NewEvent(principal, action, "user", principal.user_id, detail=status.value))


def _refusal(session: Session, identity: Identity, status: Status) -> None:
    audit.record(session, audit.NewEvent(identity.as_anonymous_principal(), "sign in", "user", None,
                                         outcome=Outcome.REFUSED, detail=status.value))


def sign_out(session: Session, identity: Identity, now: datetime) -> None:
    """End this sign-in on every replica; the cookie is cleared by st.logout afterwards."""
    user = find_user(session, identity.issuer, identity.subject)
    record = session.scalar(select(UserSession).where(
        UserSession.issuer == identity.issuer, UserSession.subject == identity.subject,
        UserSession.signed_in_at == identity.signed_in_at, UserSession.ended_at.is_(None)))
    if user is not None and record is not None:
        _end(session, record, Principal.of(user), now, Status.SIGNED_OUT)
