"""The sign-in guard with a controlled clock: provisioning, expiry, disabling, signing out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from coordination import services
from coordination.models import AuditEvent, Outcome, User
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
    assert admit(store, identity(at=START + timedelta(minutes=3)), 3).admitted


def test_signing_out_ends_the_sign_in_for_every_replica(store):
    admit(store, identity(), 0)
    with store.writer() as session:
        services.sign_out(session, identity(), START + timedelta(minutes=1))
    assert last_event(store).action == "sign out"
    assert admit(store, identity(), 2).status is Status.SIGNED_OUT
