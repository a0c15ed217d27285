"""Conflicts handled by command, not only shown (issue 26), on both stores.

A commander acknowledges a conflict with a required note: who and when, audited, told at once to both
lead agencies' liaisons, each reading it within what they may read (the note and its author only for
those told both packages). The acknowledgement holds for the conflict as it stood: a move of either
package lapses it (audited, told), a new conflicting package is a new, open conflict. The board lists
open conflicts first. A new conflict on a briefed package reaches its liaisons in the same transaction."""

from __future__ import annotations

import itertools
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coordination import policy, services
from coordination.briefing.contents import gather
from coordination.errors import NotFound, PermissionDenied, ValidationError
from coordination.models import AuditEvent, ConflictAcknowledgement, Outcome, PackageConflict, PackageStatus, Role
from coordination.principal import Principal
from coordination.queries import action_day as q
from coordination.queries import notifications
from tests.helpers import provision
from tests.test_action_day import H_HOUR, create, version, walk
from tests.test_action_day_conflicts import CROSS, OPERATION, PAIRS, ROLES

pytestmark = pytest.mark.usefixtures("key_file")
NOTE = "Both teams briefed, P-FBI of FBI enters first"
ADDRESS = "10 Downing Street, London"


def pair(store, fbi: dict | None = None) -> tuple[int, int, int]:
    """MET's P-MET and FBI's P-FBI at one door an hour apart: (MET's id, FBI's id, the conflict's id)."""
    met = create(store, "liaison.met", "P-MET", address=ADDRESS).id
    fbi_id = create(store, "liaison.fbi", "P-FBI", address=ADDRESS,
                    h_hour=(H_HOUR + timedelta(hours=1)).isoformat(), **(fbi or {})).id
    return met, fbi_id, only_conflict(store)


def only_conflict(store) -> int:
    with store.reader() as s:
        return s.scalars(select(PackageConflict.id)).one()


def acknowledge(store, subject: str, conflict_id, note=NOTE):
    with store.writer() as s:
        return services.acknowledge_conflict(s, store.principal(subject), conflict_id, note)


def board(store, subject: str) -> list[q.ConflictNotice]:
    with store.reader() as s:
        return q.board_conflicts(s, store.principal(subject))


def inbox(store, subject: str) -> list[notifications.Entry]:
    with store.reader() as s:
        return notifications.inbox(s, store.principal(subject)).entries


def events(store, action: str) -> int:
    with store.reader() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def move(store, subject: str, package_id: int, **changes) -> None:
    with store.writer() as s:
        services.update_package(s, store.principal(subject), package_id, version(store, package_id), changes)


def test_command_acknowledges_with_a_note_and_both_lead_agencies_read_it(store):
    met, fbi, conflict = pair(store)
    assert [n.acknowledgement for n in board(store, "liaison.met")] == [
        "Command has not acknowledged this conflict yet."]
    acknowledge(store, "commander.met", conflict)
    with store.reader() as s:
        row = s.scalar(select(ConflictAcknowledgement).filter_by(conflict_id=conflict))
        assert (row.acknowledged_by.display_name, row.note) == ("Casey Commander", NOTE)
        at = f"{row.acknowledged_at:%d %b %Y %H:%M} UTC"
    said = f"Acknowledged by command (Casey Commander (MET), {at}): {NOTE}"
    for subject, own in (("liaison.met", met), ("liaison.fbi", fbi), ("commander.met", None)):
        [notice] = board(store, subject)
        assert (notice.acknowledged, notice.acknowledgement, notice.own_id) == (True, said, own), subject
    assert events(store, "acknowledge") == 1
    for subject in ("liaison.met", "liaison.fbi"):  # told at once, the note in the inbox only
        [entry] = [e for e in inbox(store, subject) if e.event == "package conflict acknowledged"]
        assert entry.sentence.startswith("Command acknowledged a conflict: Your agency's package P-")
        assert entry.detail == said and NOTE not in entry.sentence
    assert not [e for e in inbox(store, "commander.met") if e.event == "package conflict acknowledged"]  # the actor
    for bystander in ("liaison.nl-police", "analyst.europol"):
        assert board(store, bystander) == [] and not inbox(store, bystander)


@pytest.mark.parametrize("note", ["", "   ", None, "x" * 1001, "note\u202ewith a direction change"])
def test_a_missing_or_bad_note_is_refused_beside_its_field_and_nothing_is_written(store, note):
    *_, conflict = pair(store)
    before = events(store, "acknowledge")
    with pytest.raises(ValidationError) as refused:
        acknowledge(store, "commander.met", conflict, note)
    assert list(refused.value.problems) == ["note"]
    with store.reader() as s:
        assert s.scalar(select(ConflictAcknowledgement).filter_by(conflict_id=conflict)) is None
    assert events(store, "acknowledge") == before
    assert board(store, "liaison.met")[0].acknowledged is False


def test_only_command_acknowledges_and_a_conflict_not_told_is_as_none(store):
    *_, conflict = pair(store)
    with pytest.raises(PermissionDenied):
        acknowledge(store, "liaison.met", conflict)  # told of it, but not command: refused, audited
    with store.reader() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.outcome == Outcome.REFUSED, AuditEvent.entity == PackageConflict.entity)) == 1
    for subject, conflict_id in (("liaison.nl-police", conflict), ("liaison.met", conflict + 999),
                                 ("commander.met", "1"), ("commander.met", True)):
        with pytest.raises(NotFound) as missing:
            acknowledge(store, subject, conflict_id)
        assert str(missing.value) == "this conflict does not exist or is not told to you"


def test_a_second_acknowledgement_is_refused_naming_the_first(store):
    provision(store, "commander.fbi", "Fran Commander", "FBI", "commander")
    *_, conflict = pair(store)
    acknowledge(store, "commander.met", conflict)
    with pytest.raises(ValidationError) as refused:
        acknowledge(store, "commander.fbi", conflict, "FBI enters first")
    assert refused.value.problems["note"].startswith("was not recorded: Casey Commander acknowledged this conflict")
    with store.reader() as s:
        assert s.scalar(select(ConflictAcknowledgement).filter_by(conflict_id=conflict)).note == NOTE


@pytest.mark.parametrize("marking", [{"tlp": "AMBER+STRICT"}, {"tlp": "RED", "recipients": "commander.met"}])
def test_a_liaison_who_may_not_read_the_other_package_learns_nothing_of_it_from_the_acknowledgement(store, marking):
    """The note names FBI's package; MET's liaison may not read it: the board, the card and the inbox
    (with its detail, and the mail made from it) tell them that command acknowledged it, and when."""
    met, _, conflict = pair(store, marking)
    acknowledge(store, "commander.met", conflict)
    [notice] = board(store, "liaison.met")
    assert notice.own_id == met and notice.acknowledged
    assert notice.acknowledgement.startswith("Acknowledged by command on ")
    assert notice.acknowledgement.endswith("UTC; ask command what was agreed.")
    told = [notice.sentence, notice.acknowledgement, notice.reference] + [
        text for e in inbox(store, "liaison.met") for text in (e.sentence, e.detail, e.reference)]
    for secret in ("FBI", "P-FBI", "Casey", NOTE, "enters first"):
        assert not any(secret in text for text in told), secret
    [theirs] = board(store, "liaison.fbi")  # FBI's liaison reads both: the note, and who wrote it
    assert NOTE in theirs.acknowledgement and "Casey Commander" in theirs.acknowledgement
    for subject, says_note in (("liaison.met", False), ("liaison.fbi", True)):  # the briefing tells the same
        with store.reader() as s:
            [table] = [t for t in gather(s, store.principal(subject)).tables
                       if t.title == "Action day: conflicts between packages"]
        assert [row[1] for row in table.rows] == [n.acknowledgement for n in board(store, subject)]
        assert any(NOTE in row[1] for row in table.rows) is says_note, subject


def test_a_red_conflict_command_is_not_told_of_cannot_be_acknowledged_or_learned_of(store):
    provision(store, "commander.fbi", "Fran Commander", "FBI", "commander")
    *_, conflict = pair(store, {"tlp": "RED", "recipients": "commander.fbi"})
    with pytest.raises(NotFound):
        acknowledge(store, "commander.met", conflict)  # not named on FBI's RED package: as if none
    assert board(store, "commander.met") == []
    acknowledge(store, "commander.fbi", conflict, "FBI enters first")
    assert board(store, "commander.met") == [] and not inbox(store, "commander.met")


def test_a_package_moved_lapses_the_acknowledgement_and_everyone_told_hears_it_is_open_again(store):
    met, fbi, conflict = pair(store)
    acknowledge(store, "commander.met", conflict)
    move(store, "liaison.fbi", fbi, h_hour=(H_HOUR + timedelta(minutes=10)).isoformat())  # still in overlap
    assert only_conflict(store) == conflict  # the same conflict, open again
    for subject in ("liaison.met", "liaison.fbi", "commander.met"):
        [notice] = board(store, subject)
        assert not notice.acknowledged, subject
        [entry] = [e for e in inbox(store, subject) if e.event == "package conflict reopened"]
        assert entry.sentence.startswith("A package of a conflict command had acknowledged changed; it is open again: ")
    assert events(store, "lapse acknowledgement") == 1
    acknowledge(store, "commander.met", conflict, "MET enters first")  # acknowledged afresh
    move(store, "liaison.fbi", fbi, h_hour=(H_HOUR + timedelta(days=3)).isoformat())  # apart: no conflict
    move(store, "liaison.fbi", fbi, h_hour=H_HOUR.isoformat())  # back in overlap: a new, open conflict
    [notice] = board(store, "liaison.met")
    assert not notice.acknowledged  # (SQLite may give the new row the old one's id: nothing else is the same)
    with store.reader() as s:
        assert s.scalar(select(func.count()).select_from(ConflictAcknowledgement)) == 0
    assert events(store, "lapse acknowledgement") == 2


def test_an_aborted_package_takes_its_conflict_and_the_acknowledgement_with_it(store):
    met, _, conflict = pair(store)
    acknowledge(store, "commander.met", conflict)
    walk(store, met, PackageStatus.ABORTED)
    assert board(store, "commander.met") == []
    with store.reader() as s:
        assert s.scalar(select(ConflictAcknowledgement).filter_by(conflict_id=conflict)) is None
    assert not [e for e in inbox(store, "liaison.fbi") if "conflict" in e.event]  # what it told is taken back


def test_the_board_lists_the_conflicts_command_has_not_acknowledged_first(store):
    first = pair(store)[2]
    create(store, "liaison.nca", "P-NCA", address=ADDRESS, h_hour=(H_HOUR + timedelta(hours=2)).isoformat())
    acknowledge(store, "commander.met", first)
    listed = board(store, "commander.met")
    assert [n.acknowledged for n in listed] == [False, False, True]
    assert listed[-1].conflict_id == first
    assert [n.conflict_id for n in listed[:2]] == sorted(n.conflict_id for n in listed[:2])  # oldest first


@pytest.mark.parametrize("status", [PackageStatus.BRIEFED, PackageStatus.DEPLOYED])
def test_a_new_conflict_on_a_briefed_or_deployed_package_reaches_its_liaisons_at_once(store, status):
    met = create(store, "liaison.met", "P-MET", address=ADDRESS).id
    walk(store, met, status)
    create(store, "liaison.fbi", "P-FBI", address="10 Downing St, London SW1A 2AA")  # the same door, written so
    [entry] = [e for e in inbox(store, "liaison.met") if e.event == "package conflict"]  # no reminder pass ran
    assert entry.sentence.startswith("Your agency's package P-MET conflicts (same address")
    [notice] = board(store, "liaison.met")
    assert notice.own_id == met and "FBI's package P-FBI" in notice.sentence


def test_command_lists_and_acknowledges_conflicts_on_the_command_line(sqlite_store):
    met, fbi, conflict = pair(sqlite_store)
    url = str(sqlite_store.engine.url)

    def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([sys.executable, "-m", "coordination", "deconflict", *args, "--database-url", url],
                              capture_output=True, text=True, timeout=120)
        assert (done.returncode == 0) == ok and "Traceback" not in done.stderr, done.stdout + done.stderr
        return done

    listed = run("conflicts", "--as", "liaison.met").stdout
    assert listed.splitlines()[1].strip() == "Command has not acknowledged this conflict yet."
    refused = run("acknowledge", "MET/P-MET", "FBI/P-FBI", "--note", " ", "--as", "commander.met", ok=False)
    assert "is required" in refused.stderr
    run("acknowledge", "MET/P-MET", "FBI/P-FBI", "--note", NOTE, "--as", "liaison.met", ok=False)  # not command
    missing = run("acknowledge", "MET/P-MET", "NCA/P-NONE", "--note", NOTE, "--as", "commander.met", ok=False)
    assert "no conflict between MET/P-MET and NCA/P-NONE is told to you" in missing.stderr
    said = run("acknowledge", "met/P-MET", "FBI/P-FBI", "--note", NOTE, "--as", "commander.met").stdout
    assert "both lead agencies' liaisons are told" in said
    assert NOTE in run("conflicts", "--as", "liaison.fbi").stdout
    assert [n.acknowledged for n in board(sqlite_store, "liaison.met")] == [True]


def test_the_rule_lets_command_told_of_a_conflict_acknowledge_it_and_tells_the_note_to_readers_of_both():
    """Over every role, agency and pair of sides: only a commander told of the conflict acknowledges it;
    the note (and who wrote it) is told exactly to those who may read both packages."""
    for role, agency, me, (a, b) in itertools.product(ROLES, (1, 2, 3), (10, 12), PAIRS):
        who = Principal(me, "i", "s", "n", agency, "X", role, operation_id=OPERATION)
        told = policy.what_is_told_of_conflict(who, a, b)
        assert policy.can_acknowledge_conflict(who, told) is (role is Role.COMMANDER and told is not None)
        if told is not None:
            both = all(policy.can_read(who, s.owning_agency_id, s.tlp, s.recipient_ids, s.granted_agency_ids)
                       for s in (a, b))
            assert policy.told_the_acknowledgement_note(told) is both
    for role, agency, me, (a, b) in itertools.product(ROLES, (1, 2, 3), (10, 12), CROSS):  # b of another operation
        who = Principal(me, "i", "s", "n", agency, "X", role, operation_id=OPERATION)
        told = policy.what_is_told_of_conflict(who, a, b)
        assert policy.can_acknowledge_conflict(who, told) is (role is Role.COMMANDER and told is not None)
        assert told is None or not policy.told_the_acknowledgement_note(told)  # nobody reads both sides
