"""A phone board that never misleads (issue 26): a tap carries the status and version it was pressed
on, and a tap on a package that has moved since is refused in words naming who moved it and when,
writing nothing (on both stores); on the page, the words stay on the card, an outcome that writes
records waits for its confirmation, and the page follows the day by itself keeping a typed note."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from coordination import services
from coordination.errors import AlreadyMoved, ConflictError, NotFound, PermissionDenied, ValidationError
from coordination.models import AuditEvent, PackageStatus, TargetPackage
from tests.helpers import provision
from tests.test_action_day import counts, create, step, version, walk

pytestmark = pytest.mark.usefixtures("key_file")
WHEN = r"\d\d:\d\d (GMT|BST)"  # the package's local time (GB-EAW: Europe/London)


@pytest.fixture
def two_liaisons(store):
    """MET's two liaisons: Morgan Liaison (liaison.met) and Riley Liaison (liaison.met2)."""
    provision(store, "liaison.met2", "Riley Liaison", "MET", "liaison")
    return store


def audit_head(store) -> int:
    with store.reader() as s:
        return s.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))


def tapped(store, subject: str, package_id: int, status, pressed_on, on_version: int, **extra):
    with store.writer() as s:
        return services.change_package_status(s, store.principal(subject), package_id, on_version, status,
                                              pressed_on=pressed_on, **extra)


@pytest.mark.parametrize("wanted", [PackageStatus.DEPLOYED, PackageStatus.ABORTED])
def test_a_stale_tap_is_refused_naming_who_moved_the_package_and_when_and_writes_nothing(two_liaisons, wanted):
    store = two_liaisons
    found = create(store, "liaison.met", "PKG-0181")
    walk(store, found.id, PackageStatus.BRIEFED)
    seen = version(store, found.id)  # Riley's phone shows it briefed, with "Deployed" and "Abort"
    step(store, "liaison.met", found.id, PackageStatus.DEPLOYED)  # Morgan moves it on meanwhile
    step(store, "liaison.met", found.id, PackageStatus.ENTERED)
    before, head, now = counts(store), audit_head(store), version(store, found.id)
    with pytest.raises(AlreadyMoved) as refused:
        tapped(store, "liaison.met2", found.id, wanted, PackageStatus.BRIEFED, seen)  # an abort without its note too
    assert re.fullmatch(rf"PKG-0181 is already entered \(Morgan Liaison, MET, {WHEN}\)\. Nothing recorded\.",
                        str(refused.value)), str(refused.value)
    assert isinstance(refused.value, ConflictError)  # said as any conflict is, by the pages and the CLI
    assert counts(store) == before and audit_head(store) == head  # no change, no event: a conflict is not audited
    assert version(store, found.id) == now
    with store.reader() as s:
        assert s.get(TargetPackage, found.id).status is PackageStatus.ENTERED


def test_a_tap_on_the_status_shown_goes_through_and_a_plan_edited_since_is_a_conflict(two_liaisons):
    store = two_liaisons
    found = create(store, "liaison.met", "P-1")
    seen = version(store, found.id)
    with store.writer() as s:
        services.update_package(s, store.principal("liaison.met2"), found.id, seen, {"team_call_sign": "BRAVO-2"})
    with pytest.raises(ConflictError) as refused:  # the status is as shown, but not the plan: reload it
        tapped(store, "liaison.met", found.id, PackageStatus.BRIEFED, PackageStatus.PLANNED, seen)
    assert not isinstance(refused.value, AlreadyMoved) and "reload it" in str(refused.value)
    change = tapped(store, "liaison.met", found.id, PackageStatus.BRIEFED, PackageStatus.PLANNED,
                    version(store, found.id))
    assert (change.status_from, change.status_to) == (PackageStatus.PLANNED, PackageStatus.BRIEFED)


def test_who_may_not_move_the_package_is_refused_for_that_and_not_told_who_moved_it(two_liaisons):
    store = two_liaisons
    found = create(store, "liaison.met", "P-1")
    seen = version(store, found.id)
    step(store, "liaison.met2", found.id, PackageStatus.BRIEFED)
    with pytest.raises((PermissionDenied, NotFound)) as refused:
        tapped(store, "liaison.fbi", found.id, PackageStatus.BRIEFED, PackageStatus.PLANNED, seen)
    assert "Riley" not in str(refused.value) and not isinstance(refused.value, AlreadyMoved)


def test_a_tap_says_what_it_was_pressed_on_in_words_the_service_checks(two_liaisons):
    store = two_liaisons
    found = create(store, "liaison.met", "P-1")
    with pytest.raises(ValidationError) as refused:
        tapped(store, "liaison.met", found.id, PackageStatus.BRIEFED, "no such status", version(store, found.id))
    assert "pressed_on" in refused.value.problems
