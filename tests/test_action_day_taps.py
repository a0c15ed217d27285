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
from coordination.ui import gate
from tests.helpers import open_page, provision
from tests.test_action_day import counts, create, step, version, walk
from tests.test_action_day_pages import day, package  # noqa: F401 (day: the pages' fixture, for `riley`)

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


# --- on the page (AppTest, SQLite) ------------------------------------------------------------

def buttons(at, store, ref: str) -> list[str]:
    """The card's buttons a person sees (not its previous ones, drawn hidden for a tap on its way)."""
    found = package(store, ref)

    def seen(key: str) -> bool:
        drawn = re.search(r"-v(\d+)-to-", key)
        return drawn is None or int(drawn.group(1)) == found.version
    return [b.label for b in at.button if b.key and b.key.startswith(f"package-{found.id}-") and seen(b.key)]


def press(at, store, ref: str, label: str):
    prefix = f"package-{package(store, ref).id}-"
    next(b for b in at.button if b.key and b.key.startswith(prefix) and b.label == label).click().run()
    assert not at.exception
    return at


def said(at) -> str:
    return " ".join(m.value.replace("\\", "") for m in [*at.warning, *at.error, *at.info, *at.success])


@pytest.fixture
def riley(request):
    """The pages' day (tests/test_action_day_pages.py), with MET's second liaison, Riley Liaison."""
    store = request.getfixturevalue("day")
    provision(store, "liaison.met2", "Riley Liaison", "MET", "liaison")
    return store


def moved_by_riley(store, ref: str, status: str) -> None:
    found = package(store, ref)
    with store.writer() as s:
        services.change_package_status(s, store.principal("liaison.met2"), found.id, found.version, status)


def test_a_stale_tap_on_the_page_is_refused_in_words_on_its_card_and_writes_nothing(riley):
    store = riley
    at = open_page("liaison.met", "my_packages")
    assert buttons(at, store, "P-1")[:2] == ["Briefed", "Abort"]
    moved_by_riley(store, "P-1", "briefed")  # while the phone still shows P-1 planned
    before = package(store, "P-1").version
    press(at, store, "P-1", "Briefed")  # the old button: heard by its callback, as it was pressed
    assert re.search(rf"P-1 is already briefed \(Riley Liaison, MET, {WHEN}\)\. Nothing recorded\.", said(at)), \
        said(at)
    assert package(store, "P-1").version == before
    assert buttons(at, store, "P-1")[:2] == ["Deployed", "Abort"]  # the card as it is now
    at.run()  # the words stay on the card until the next tap on it
    assert "P-1 is already briefed" in said(at)
    press(at, store, "P-1", "Deployed")
    assert package(store, "P-1").status is PackageStatus.DEPLOYED and "already briefed" not in said(at)


def test_a_stale_outcome_tap_is_refused_before_any_confirmation(riley):
    store = riley
    at = open_page("liaison.met", "my_packages")
    moved_by_riley(store, "P-2", "nil: subject not present")  # P-2 was entered on the phone
    press(at, store, "P-2", "Arrest made")
    assert "P-2 is already nil: subject not present (Riley Liaison, MET" in said(at), said(at)
    assert "Confirm: arrest made" not in buttons(at, store, "P-2")


def test_an_arrest_waits_for_its_confirmation_and_back_records_nothing(riley):
    store = riley
    at = open_page("liaison.met", "my_packages")
    before = package(store, "P-2").version
    press(at, store, "P-2", "Arrest made")
    assert package(store, "P-2").version == before  # one tap: nothing written
    assert buttons(at, store, "P-2") == ["Confirm: arrest made", "Back: record nothing"]
    assert any("An arrest is recorded now for S-1" in c.value.replace("\\", "") for c in at.caption)
    press(at, store, "P-2", "Back: record nothing")
    assert package(store, "P-2").version == before and "Arrest made" in buttons(at, store, "P-2")
    press(at, store, "P-2", "Arrest made")
    press(at, store, "P-2", "Confirm: arrest made")
    assert package(store, "P-2").status is PackageStatus.ARREST_MADE
    assert "P-2 is now arrest made (was entered)." in said(at)


def test_a_confirmation_on_a_package_moved_meanwhile_is_refused_in_words(riley):
    store = riley
    at = open_page("liaison.met", "my_packages")
    press(at, store, "P-2", "Arrest made")
    moved_by_riley(store, "P-2", "searched: nothing found")
    at.run()  # the page redrawn (by itself): the step stays open, saying the package changed
    assert "P-2 has changed since you tapped 'Arrest made'" in said(at)
    press(at, store, "P-2", "Confirm: arrest made")
    assert "P-2 is already searched: nothing found (Riley Liaison, MET" in said(at), said(at)
    assert package(store, "P-2").status is PackageStatus.NOTHING_FOUND
    assert buttons(at, store, "P-2") == ["Close"]


def test_an_abort_waits_for_its_reason_and_its_confirmation(riley):
    store = riley
    at = open_page("liaison.met", "my_packages")
    press(at, store, "P-1", "Abort")
    press(at, store, "P-1", "Operation compromised")  # chosen, not recorded
    assert package(store, "P-1").status is PackageStatus.PLANNED
    press(at, store, "P-1", "Confirm: abort P-1")
    assert package(store, "P-1").status is PackageStatus.ABORTED


def test_the_page_follows_the_day_by_itself_and_keeps_a_typed_note(riley):
    store = riley
    at = open_page("liaison.met", "my_packages")
    note = f"package-{package(store, 'P-1').id}-note"
    at.text_input(key=note).input("door forced, two occupants").run()
    head = at.session_state["my-packages-head"][0]
    moved_by_riley(store, "P-1", "briefed")
    at.session_state[gate.BY_ITSELF_KEY] = True  # as the page's own check reruns it
    at.run()
    assert not at.exception and at.session_state["my-packages-head"][0] > head
    assert buttons(at, store, "P-1")[:2] == ["Deployed", "Abort"]
    assert at.text_input(key=note).value == "door forced, two occupants"


def test_a_tap_on_its_way_while_the_card_is_redrawn_is_heard_and_refused_in_words(riley):
    """The phone shows P-1 planned; Riley moves it, the page redraws itself, and only then does the tap
    on "Briefed" arrive: the card's previous buttons are still there (hidden) to hear it."""
    store = riley
    at = open_page("liaison.met", "my_packages")
    prefix = f"package-{package(store, 'P-1').id}-"
    pressed = next(b.key for b in at.button if b.key and b.key.startswith(prefix) and b.label == "Briefed")
    moved_by_riley(store, "P-1", "briefed")
    at.session_state[gate.BY_ITSELF_KEY] = True
    at.run()  # redrawn for the move before the tap arrives
    assert buttons(at, store, "P-1")[:2] == ["Deployed", "Abort"]
    at.button(key=pressed).click().run()  # the tap on the button as it was drawn
    assert "P-1 is already briefed (Riley Liaison, MET" in said(at), said(at)
    assert package(store, "P-1").status is PackageStatus.BRIEFED
