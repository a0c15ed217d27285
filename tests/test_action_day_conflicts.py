"""Event conflicts told by one rule (policy.what_is_told_of_conflict), on both stores.

Each lead agency's liaisons hear of a conflict with what they may read of the other package: its
reference, agency and the liaison to reach, or "another agency's package; contact command". Command
hears of it when it may read both packages or is named on one (a RED package must name a commander).
The board, the inbox (and its unread count), mail and the briefing say the same to the same person,
whichever package came first."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from coordination import policy, reminder_pass, services
from coordination.briefing.contents import gather
from coordination.errors import ValidationError
from coordination.markings import TLP
from coordination.models import PackageConflict, Recipient, Role, TargetPackage
from coordination.principal import Principal
from coordination.queries import action_day as q
from coordination.queries import notifications, timeline
from coordination.services import imports
from tests.helpers import provision
from tests.test_action_day import create, version

pytestmark = pytest.mark.usefixtures("key_file")
PEOPLE = ("liaison.met", "liaison.fbi", "liaison.nl-police", "commander.met", "commander.fbi", "analyst.europol",
          "observer.eurojust")
REFUSAL = "a RED package must name at least one commander among its recipients, so command can deconflict it"
ORDERS = ["MET's package first", "FBI's package first"]


@pytest.fixture
def command(store):
    """A second commander (FBI's), so that a RED package can name command without naming commander.met."""
    provision(store, "commander.fbi", "Fran Commander", "FBI", "commander")
    return store


def pair(store, order: str, met: dict, fbi: dict) -> None:
    """MET's package P-MET and FBI's P-FBI at one door an hour apart, created in the order given."""
    packages = [("liaison.met", "P-MET", met), ("liaison.fbi", "P-FBI", fbi | {"h_hour": "2030-11-07T07:00:00Z"})]
    for subject, ref, extra in packages if order == ORDERS[0] else packages[::-1]:
        create(store, subject, ref, address="10 Downing Street, London", **extra)


def told(store, subject: str) -> list[str]:
    """What the person is told of conflicts, after checking that the board and the inbox say the same
    and that the unread count counts what the inbox lists."""
    with store.reader() as s:
        who = store.principal(subject)
        board = q.conflict_warnings(s, who)
        inbox = [e.sentence for e in notifications.inbox(s, who).entries if e.event == "package conflict"]
        unread = len(notifications.inbox(s, who, unread_only=True).entries)
        assert notifications.unread_count(s, who) == unread, subject
    assert inbox[::-1] == board, subject  # the inbox newest first, the board oldest first
    return board


def mailed(store, smtp, subjects) -> dict[str, list[str]]:
    """Mail every one of `subjects` what they are told, by the reminder pass: the conflict sentences each
    receives."""
    settings, keeper = smtp
    with store.writer() as s:
        for subject in subjects:
            services.notifications.save_settings(s, store.principal(subject), {"mail": "immediately"},
                                                 now=datetime.now(UTC) - timedelta(hours=1))
        s.commit()
    reminder_pass.run_pass(store.engine, datetime.now(UTC), settings, briefing_charts=False)
    found: dict[str, list[str]] = {subject: [] for subject in subjects}
    for message in keeper.received:
        text = message.get_body().get_content()
        found[message["To"].removesuffix("@demo.invalid")] += [
            line.split("UTC  ", 1)[1] for line in text.splitlines() if "conflict" in line]
    return found


# --- finding 1: a RED package's conflict is told to the commanders named on it, in every channel ----

@pytest.mark.parametrize("order", ORDERS)
def test_a_red_packages_conflict_is_not_told_to_a_commander_not_named_on_it_anywhere(command, smtp, order):
    store = command
    pair(store, order, met={}, fbi={"tlp": "RED", "recipients": "commander.fbi"})
    assert told(store, "commander.met") == []  # it may read MET's side only: nothing tells it FBI's exists
    assert mailed(store, smtp, ["commander.met", "commander.fbi"]) == {"commander.met": [], "commander.fbi": [
        "FBI's package P-FBI and MET's package P-MET conflict (same address, H-hours 1 h 00 min apart). Both "
        "lead agencies have been told; FBI's liaison Frankie Liaison (liaison.fbi@demo.invalid) and MET's "
        "liaison Morgan Liaison (liaison.met@demo.invalid)."]}
    with store.reader() as s:
        briefing = gather(s, store.principal("commander.met"))
    assert not [t for t in briefing.tables if t.title == "Action day: conflicts between packages"][0].rows


@pytest.mark.parametrize("order", ORDERS)
def test_a_red_packages_conflict_is_told_to_the_commander_named_on_it_with_both_sides(command, order):
    store = command
    pair(store, order, met={}, fbi={"tlp": "RED", "recipients": "commander.fbi"})
    assert told(store, "commander.fbi") == [
        "FBI's package P-FBI and MET's package P-MET conflict (same address, H-hours 1 h 00 min apart). Both "
        "lead agencies have been told; FBI's liaison Frankie Liaison (liaison.fbi@demo.invalid) and MET's "
        "liaison Morgan Liaison (liaison.met@demo.invalid)."]
    assert told(store, "liaison.met") == [
        "Your agency's package P-MET conflicts (same address, in overlapping H-hour windows) with another "
        "agency's package; contact command."]
    assert told(store, "liaison.fbi") == [
        "Your agency's package P-FBI conflicts (same address, H-hours 1 h 00 min apart) with MET's package "
        "P-MET; contact MET's liaison Morgan Liaison (liaison.met@demo.invalid)."]
    for bystander in ("liaison.nl-police", "analyst.europol", "observer.eurojust"):
        assert told(store, bystander) == []


@pytest.mark.parametrize("order", ORDERS)
def test_two_red_packages_naming_different_commanders_are_told_to_each_without_the_other(command, order):
    store = command
    pair(store, order, met={"tlp": "RED", "recipients": "commander.met"},
         fbi={"tlp": "RED", "recipients": "commander.fbi"})
    assert told(store, "commander.met") == [
        "MET's package P-MET conflicts (same address, in overlapping H-hour windows) with another agency's "
        "package, whose lead agency has been told to contact command; MET's liaison Morgan Liaison "
        "(liaison.met@demo.invalid)."]
    assert [("P-FBI" in w, "FBI" in w) for w in told(store, "commander.fbi")] == [(True, True)]
    assert not any("MET" in w for w in told(store, "commander.fbi"))
    assert told(store, "liaison.met") == [
        "Your agency's package P-MET conflicts (same address, in overlapping H-hour windows) with another "
        "agency's package; contact command."]


# --- finding 2: what a liaison may read of the other package, the warning names -------------------

@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("marking", ["AMBER", "AMBER+STRICT", "RED"])
def test_a_liaison_is_told_the_other_package_as_the_pages_show_it(command, order, marking):
    store = command
    fbi = {"tlp": marking} | ({"recipients": "commander.fbi"} if marking == "RED" else {})
    pair(store, order, met={}, fbi=fbi)
    [warning] = told(store, "liaison.met")
    with store.reader() as s:
        met = store.principal("liaison.met")
        on_the_board = {p.reference for p in q.board(s, met, datetime.now(UTC)).packages}
        in_the_timeline = " ".join(line.what for line in timeline.page(s, met).lines)
    readable = marking == "AMBER"
    assert ("P-FBI" in on_the_board) is ("P-FBI" in in_the_timeline) is ("P-FBI" in warning) is readable
    if readable:
        assert warning == ("Your agency's package P-MET conflicts (same address, H-hours 1 h 00 min apart) with "
                           "FBI's package P-FBI; contact FBI's liaison Frankie Liaison (liaison.fbi@demo.invalid).")
    else:
        assert warning == ("Your agency's package P-MET conflicts (same address, in overlapping H-hour windows) "
                           "with another agency's package; contact command.")
        assert "FBI" not in warning and "Frankie" not in warning


def test_the_liaison_to_reach_is_the_one_who_last_changed_the_package(command):
    store = command
    provision(store, "liaison2.fbi", "Abel Second", "FBI", "liaison")  # first by name, but not the one
    pair(store, ORDERS[0], met={}, fbi={})
    assert told(store, "liaison.met")[0].endswith("contact FBI's liaison Frankie Liaison (liaison.fbi@demo.invalid).")


def test_the_briefing_tells_its_reader_what_the_board_does_within_its_scope(command):
    store = command
    pair(store, ORDERS[0], met={}, fbi={"tlp": "AMBER+STRICT"})
    for subject in ("liaison.met", "liaison.fbi", "commander.met"):
        with store.reader() as s:
            briefing = gather(s, store.principal(subject))
        [section] = [t for t in briefing.tables if t.title == "Action day: conflicts between packages"]
        assert [row[0] for row in section.rows] == told(store, subject) != [], subject
    with store.reader() as s:  # a briefing for MET only leaves out what names FBI's package
        from coordination.aggregates import Filters
        briefing = gather(s, store.principal("commander.met"), Filters(agencies=("MET",)))
    assert not [t for t in briefing.tables if t.title == "Action day: conflicts between packages"][0].rows


# --- a RED package names a commander ------------------------------------------------------------

def test_a_red_package_without_a_commander_among_its_recipients_is_refused_in_words(store):
    with pytest.raises(ValidationError) as refused:
        create(store, "liaison.met", "P-RED", tlp="RED")
    assert refused.value.problems == {"recipients": REFUSAL}
    with pytest.raises(ValidationError) as refused:
        create(store, "liaison.met", "P-RED", tlp="RED", recipients="liaison.met")
    assert refused.value.problems == {"recipients": REFUSAL}
    with store.reader() as s:
        assert s.scalar(select(func.count()).select_from(TargetPackage)) == 0
    package = create(store, "liaison.met", "P-AMBER")
    met = store.principal("liaison.met")
    with store.writer() as s, pytest.raises(ValidationError) as refused:
        services.update_package(s, met, package.id, package.version, {"tlp": "RED"})
    assert refused.value.problems == {"recipients": REFUSAL}
    with store.writer() as s:
        services.update_package(s, met, package.id, package.version, {"tlp": "RED", "recipients": "commander.met"})
    with store.writer() as s, pytest.raises(ValidationError) as refused:  # taking command off again
        services.update_package(s, met, package.id, version(store, package.id), {"recipients": "liaison.met"})
    assert refused.value.problems == {"recipients": REFUSAL}
    with store.writer() as s:  # a change of anything else is no change of who may read it
        services.update_package(s, met, package.id, version(store, package.id), {"team_call_sign": "BRAVO"})
    with store.reader() as s:
        assert s.get(TargetPackage, package.id).tlp is TLP.RED


def test_an_imported_red_package_without_a_commander_is_refused_in_words_and_nothing_is_written(store):
    header = "reference,jurisdiction,address,team_call_sign,legal_authority,h_hour,tlp,recipients"
    rows = ["P-1,GB-EAW,1 High Street,ALPHA-1,W/1,2030-11-07T06:00:00Z,AMBER,",
            "P-2,GB-EAW,2 High Street,BRAVO-1,W/2,2030-11-07T06:00:00Z,RED,liaison.met"]

    def run(*lines):
        return imports.import_file(store.engine, store.principal("liaison.met"), "packages", "tasking.csv",
                                   ("\n".join([header, *lines]) + "\n").encode())
    result = run(*rows)
    assert not result.committed and [(p.row, p.column, p.reason) for p in result.problems] == [
        (3, "recipients", REFUSAL)]
    with store.reader() as s:
        assert s.scalar(select(func.count()).select_from(TargetPackage)) == 0
    assert run(rows[0], rows[1].replace(",liaison.met", ",commander.met")).committed


# --- the rule itself ----------------------------------------------------------------------------

OPERATION = 1  # the sides' operation, which the readers read (but where said otherwise)

SIDES = [policy.ConflictSide(agency, tlp, frozenset(named), frozenset(granted), OPERATION)
         for agency in (1, 2) for tlp in TLP for named in ((), (10,), (11,)) for granted in ((), (1,), (2,))
         if (tlp is TLP.RED) == bool(named)]
ROLES = [*Role, None]
PAIRS = [(a, b) for a, b in itertools.product(SIDES, SIDES) if a.owning_agency_id != b.owning_agency_id]
# the second side of another operation: any agency (two operations of one agency do not know of each other)
CROSS = [(a, replace(b, operation_id=OPERATION + 1)) for a, b in itertools.product(SIDES, SIDES)]


LIMITS = (None, TLP.AMBER, TLP.AMBER_STRICT)  # a page, and shareable documents


def test_the_rule_is_the_same_whichever_side_comes_first():
    for role, agency, me, (a, b), up_to in itertools.product(ROLES, (1, 2, 3), (10, 12), PAIRS + CROSS, LIMITS):
        who = Principal(me, "i", "s", "n", agency, "X", role, up_to, operation_id=OPERATION)
        one, other = policy.what_is_told_of_conflict(who, a, b), policy.what_is_told_of_conflict(who, b, a)
        assert (one is None) == (other is None)
        if one is not None:
            assert one.named == other.named[::-1]
            assert one.own == (None if other.own is None else 1 - other.own)
            assert one.elsewhere == (None if other.elsewhere is None else 1 - other.elsewhere)


def test_the_rule_across_operations_never_names_the_other_side_and_keeps_the_markings():
    """The second side of another operation: never named; a lead agency's liaison told of their own
    side; command told of its side unless only the other side is RED; a reader of the OTHER operation
    (a member there) told nothing through this one's side."""
    for role, agency, me, (a, b), up_to in itertools.product(ROLES, (1, 2, 3), (10, 12), CROSS, LIMITS):
        who = Principal(me, "i", "s", "n", agency, "X", role, up_to, operation_id=OPERATION)
        mine = policy.can_read(who, a.owning_agency_id, a.tlp, a.recipient_ids, a.granted_agency_ids)
        result = policy.what_is_told_of_conflict(who, a, b)
        if up_to is not None and any(s.tlp.rank > up_to.rank for s in (a, b)):
            assert result is None
        elif role is Role.LIAISON:
            told = mine and a.owning_agency_id == agency
            assert result == (policy.ToldOfConflict((True, False), 0, 1) if told else None)
        elif role is Role.COMMANDER:
            told = mine and (b.tlp is not TLP.RED or a.tlp is TLP.RED)
            assert result == (policy.ToldOfConflict((True, False), None, 1) if told else None)
        else:
            assert result is None
        there = replace(who, operation_id=OPERATION + 2)  # a third operation: neither side is its own
        assert policy.what_is_told_of_conflict(there, a, b) is None


def test_the_rule_names_only_what_its_reader_may_read_and_tells_command_only_what_it_can_deconflict():
    for role, agency, me, (a, b), up_to in itertools.product(ROLES, (1, 2, 3), (10, 12), PAIRS, LIMITS):
        who = Principal(me, "i", "s", "n", agency, "X", role, up_to, operation_id=OPERATION)
        readable = tuple(policy.can_read(who, s.owning_agency_id, s.tlp, s.recipient_ids, s.granted_agency_ids)
                         for s in (a, b))
        result = policy.what_is_told_of_conflict(who, a, b)
        if result is not None:
            assert result.named == readable  # named exactly where readable
        if up_to is not None and any(s.tlp.rank > up_to.rank for s in (a, b)):
            assert result is None  # a shareable document tells of no conflict with a side above its limit
        elif role is Role.LIAISON:
            mine = [n for n, s in enumerate((a, b)) if s.owning_agency_id == agency and readable[n]]
            assert result == (policy.ToldOfConflict(readable, mine[0]) if mine else None)
        elif role is Role.COMMANDER:
            named_on = any(s.tlp is TLP.RED and me in s.recipient_ids for s in (a, b))
            assert (result is not None) is (all(readable) or named_on)
        else:
            assert result is None


def test_the_sql_twin_tells_exactly_whom_the_rule_tells(command):
    """Every pair of markings of MET's and FBI's packages (RED naming one commander or the other),
    each pair at its own door; every person's view in SQL and in Python."""
    store = command
    markings = [{}, {"tlp": "AMBER+STRICT"}, {"tlp": "RED", "recipients": "commander.met"},
                {"tlp": "RED", "recipients": "commander.fbi"}]
    for n, (met, fbi) in enumerate(itertools.product(markings, markings)):
        create(store, "liaison.met", f"M-{n}", address=f"{n} Pair Street", **met)
        create(store, "liaison.fbi", f"F-{n}", address=f"{n} pair st", **fbi)
    first, second = aliased(TargetPackage), aliased(TargetPackage)
    with store.reader() as s:
        rows = s.execute(select(PackageConflict.id, first, second).join(first, first.id == PackageConflict.first_id)
                         .join(second, second.id == PackageConflict.second_id)).all()
        named = {}
        for package_id, user_id in s.execute(select(Recipient.entity_id, Recipient.user_id).where(
                Recipient.entity == TargetPackage.entity)):
            named.setdefault(package_id, set()).add(user_id)
        assert len(rows) == len(markings) ** 2
        for subject, up_to in itertools.product(PEOPLE, LIMITS):
            who = store.principal(subject).within(up_to)
            in_sql = set(s.scalars(select(PackageConflict.id).join(first, first.id == PackageConflict.first_id)
                                   .join(second, second.id == PackageConflict.second_id)
                                   .where(policy.conflicts_told(who, first, second))))
            in_python = {i for i, a, b in rows if policy.what_is_told_of_conflict(
                who, *(policy.ConflictSide(p.owning_agency_id, p.tlp, frozenset(named.get(p.id, ())),
                                           operation_id=p.operation_id)
                       for p in (a, b))) is not None}
            assert in_sql == in_python, (subject, up_to)
            elsewhere = replace(who, operation_id=who.operation_id + 1)  # the same person reading another operation
            assert not s.scalar(select(func.count()).select_from(PackageConflict)
                                .join(first, first.id == PackageConflict.first_id)
                                .join(second, second.id == PackageConflict.second_id)
                                .where(policy.conflicts_told(elsewhere, first, second)))
            assert not any(policy.what_is_told_of_conflict(elsewhere, *(policy.ConflictSide(
                p.owning_agency_id, p.tlp, frozenset(named.get(p.id, ())), operation_id=p.operation_id)
                for p in (a, b))) for _, a, b in rows)
            if up_to is None:
                assert len(told(store, subject)) == len(in_python), subject


def test_two_packages_at_the_same_h_hour_are_told_so_in_words(command):
    """Not 'H-hours 0 min apart'."""
    for subject, ref in (("liaison.met", "P-MET"), ("liaison.fbi", "P-FBI")):  # both at the default H-hour
        create(command, subject, ref, address="10 Downing Street, London")
    [warning] = told(command, "liaison.met")
    assert warning.startswith("Your agency's package P-MET conflicts (same address, at the same H-hour) with ")
