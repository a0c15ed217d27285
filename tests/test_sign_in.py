"""The sign-in guard with a controlled clock: provisioning, expiry, disabling, signing out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from coordination import services
from coordination.models import AuditEvent, Outcome, User, UserSession
from coordination.principal import Principal
from coordination.services import sign_in
from coordination.services.sign_in import Identity, Limits, Status
from tests.conftest import TEST_ISSUER

START = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
LIMITS = Limits(idle=timedelta(minutes=30), lifetime=timedelta(hours=12))


def identity(subject: str = "liaison.fbi", email: str | None = None, at: datetime = START) -> Identity:
    return Identity(TEST_ISSUER, subject, "Someone", email, at)


def admit(store, who: Identity, minutes: float) -> sign_in.Admission:
    with store.writer() as session:
        return services.admit(session, who, START + timedelta(minutes=minutes), LIMITS)


def last_event(store) -> AuditEvent:
    with store.reader() as session:
        return session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))


def test_a_provisioned_user_is_admitted_and_the_sign_in_is_audited(store):
    admission = admit(store, identity(), 0)
    assert admission.admitted and admission.principal.subject == "liaison.fbi"
    event = last_event(store)
    assert (event.action, event.actor_subject, event.outcome) == ("sign in", "liaison.fbi", Outcome.OK)
    with store.reader() as session:
        assert session.scalar(select(User.last_sign_in_at).where(User.subject == "liaison.fbi")) is not None


def test_the_user_is_found_by_issuer_and_subject_never_by_email(store):
    assert admit(store, identity(email="changed@elsewhere.invalid"), 0).principal.subject == "liaison.fbi"
    stranger = Identity("http://other-provider.invalid", "liaison.fbi", "Impostor", "liaison.fbi@demo.invalid",
                        START)
    assert admit(store, stranger, 0).status is Status.NOT_PROVISIONED


def test_an_unknown_identity_gets_access_pending_and_the_refusal_is_audited(store):
    admission = admit(store, identity("stranger"), 0)
    assert admission.status is Status.NOT_PROVISIONED and admission.principal is None
    assert "Access pending" in admission.message
    event = last_event(store)
    assert (event.action, event.actor_subject, event.outcome) == ("sign in", "stranger", Outcome.REFUSED)


@pytest.mark.parametrize(("minutes", "expected"), [(29, Status.ADMITTED), (31, Status.IDLE)])
def test_idle_timeout(store, minutes, expected):
    admit(store, identity(), 0)
    assert admit(store, identity(), minutes).status is expected


def test_runs_a_page_makes_by_itself_are_checked_but_are_not_activity(store):
    admit(store, identity(), 0)
    for minute in range(1, 30):  # a board redrawing itself every minute, nobody at it
        with store.writer() as session:
            assert services.admit(session, identity(), START + timedelta(minutes=minute), LIMITS,
                                  active=False).admitted
    with store.reader() as session:
        assert not sign_in.has_ended(session, identity(), START + timedelta(minutes=29), LIMITS)
        assert sign_in.has_ended(session, identity(), START + timedelta(minutes=31), LIMITS)
        assert sign_in.has_ended(session, identity("liaison.met"), START, LIMITS)  # never admitted
    with store.writer() as session:
        idle = services.admit(session, identity(), START + timedelta(minutes=31), LIMITS, active=False)
    assert idle.status is Status.IDLE and last_event(store).action == "session expired"


def test_a_person_at_the_page_keeps_it_alive_whatever_it_does_by_itself(store):
    admit(store, identity(), 0)
    assert admit(store, identity(), 20).admitted  # a click
    with store.reader() as session:
        assert not sign_in.has_ended(session, identity(), START + timedelta(minutes=49), LIMITS)
        assert sign_in.has_ended(session, identity(), START + timedelta(minutes=51), LIMITS)


def test_activity_keeps_a_sign_in_alive_until_its_absolute_lifetime(store):
    for minute in range(0, 12 * 60, 20):  # active every 20 minutes for 12 hours
        assert admit(store, identity(), minute).admitted, minute
    late = admit(store, identity(), 12 * 60 + 1)
    assert late.status is Status.LIFETIME and "12" in late.message
    assert last_event(store).action == "session expired"
    assert admit(store, identity(), 12 * 60 + 2).status is Status.LIFETIME  # stays expired


def test_an_expired_sign_in_needs_a_new_sign_in(store):
    admit(store, identity(), 0)
    assert admit(store, identity(), 45).status is Status.IDLE
    assert admit(store, identity(at=START + timedelta(minutes=50)), 50).admitted


def test_a_user_disabled_while_signed_in_loses_access_at_the_next_interaction(store):
    assert admit(store, identity(), 0).admitted
    with store.writer() as session:
        fbi = session.scalar(select(User).where(User.subject == "liaison.fbi"))
        services.disable_user(session, Principal.system("test"), fbi.id, fbi.version)
    assert admit(store, identity(), 1).status is Status.DISABLED
    assert last_event(store).outcome is Outcome.REFUSED
    with store.writer() as session:
        fbi = session.scalar(select(User).where(User.subject == "liaison.fbi"))
        services.update_user(session, Principal.system("test"), fbi.id, fbi.version, {"active": True})
    again = admit(store, identity(), 2)  # enabled again: the old sign-in stays ended, with the reason
    assert again.status is Status.REVOKED and "Sign in again" in again.message
    fresh = datetime.now(UTC) + timedelta(seconds=1)  # a sign-in after the user was enabled again
    with store.writer() as session:
        assert services.admit(session, identity(at=fresh), fresh, LIMITS).admitted


def test_signing_out_ends_the_sign_in_for_every_replica(store):
    admit(store, identity(), 0)
    with store.writer() as session:
        services.sign_out(session, identity(), START + timedelta(minutes=1))
    assert last_event(store).action == "sign out"
    assert admit(store, identity(), 2).status is Status.SIGNED_OUT


# --- issue 15 -----------------------------------------------------------------------------------

def set_active(store, subject: str, active: bool) -> None:
    with store.writer() as session:
        user = session.scalar(select(User).where(User.subject == subject))
        services.update_user(session, Principal.system("test"), user.id, user.version, {"active": active})


def test_disabling_a_user_ends_their_sign_ins_at_once_even_if_they_are_enabled_before_coming_back(store):
    """No admit in between: disabling itself ends the sign-in, for good."""
    assert admit(store, identity(), 0).admitted
    set_active(store, "liaison.fbi", False)
    with store.reader() as session:
        open_ones = session.scalars(select(UserSession).where(UserSession.subject == "liaison.fbi",
                                                              UserSession.ended_at.is_(None))).all()
    assert open_ones == []
    set_active(store, "liaison.fbi", True)
    assert admit(store, identity(), 2).status is Status.REVOKED


def test_a_sign_in_issued_before_the_user_was_disabled_is_void_even_when_first_seen_after(store):
    """Another browser's token, never seen before the user was disabled and enabled again."""
    issued = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
    set_active(store, "liaison.fbi", False)
    set_active(store, "liaison.fbi", True)
    with store.writer() as session:
        old = services.admit(session, identity(at=issued), issued + timedelta(minutes=11), LIMITS)
    assert old.status is Status.REVOKED
    fresh = datetime.now(UTC) + timedelta(seconds=1)
    with store.writer() as session:
        assert services.admit(session, identity(at=fresh), fresh, LIMITS).admitted


@pytest.mark.parametrize(("issued_minutes_ago", "expected"), [
    (20 * 24 * 60, Status.LIFETIME),  # a token from 20 days ago, never seen before
    (12 * 60 + 1, Status.LIFETIME),
    (12 * 60 - 1, Status.ADMITTED),
    (-4, Status.ADMITTED),  # within the clock skew
    (-6, Status.NOT_YET_VALID),  # from the future
])
def test_a_first_seen_sign_in_must_be_within_its_lifetime_and_not_from_the_future(store, issued_minutes_ago,
                                                                                   expected):
    issued = START - timedelta(minutes=issued_minutes_ago)
    admission = admit(store, identity(at=issued), 0)
    assert admission.status is expected
    if expected is not Status.ADMITTED:
        assert admission.principal is None and "Sign in again" in admission.message
        event = last_event(store)
        assert (event.action, event.outcome) == ("sign in", Outcome.REFUSED)
        with store.reader() as session:
            assert session.scalar(select(UserSession).where(UserSession.subject == "liaison.fbi")) is None


def test_a_token_without_an_issue_time_is_refused_not_dated_now():
    identity_ = Identity.from_claims({"iss": TEST_ISSUER, "sub": "liaison.fbi"}, START)
    assert identity_.signed_in_at is None


def test_a_token_without_an_issue_time_is_never_admitted(store):
    undated = Identity(TEST_ISSUER, "liaison.fbi", "Someone", None, None)
    assert admit(store, undated, 0).status is Status.NO_ISSUE_TIME
