"""Action-day conflicts between operations (issue 27), on SQLite and PostgreSQL: packages of two
operations at one building in overlapping windows conflict (their address keys are under the
deployment's one key). Each side is told that ANOTHER operation plans an entry there and whom to
contact (its deconfliction contact, else its lead agency's desk), never that operation's name,
package, agency, team or address; the marking rules apply on top. Operation A is the seeded
Elaborate (lead MET); B is Operation Launder (lead NCA)."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import aliased

from coordination import policy, services
from coordination.briefing.contents import gather
from coordination.models import Notification, Operation, PackageConflict, Recipient, TargetPackage
from coordination.principal import Principal
from coordination.queries import action_day as q
from coordination.queries import notifications
from tests.operations import LAUNDER_CONTACT, add_launder, reading
from tests.test_action_day import H_HOUR, package_data

pytestmark = pytest.mark.usefixtures("key_file")
B_CONTACT = LAUNDER_CONTACT  # B's deconfliction contact: names no agency
B_SECRETS = ("LAUNDER", "Launder", "NCA", "N-1", "Acacia", "BRAVO")  # what no reader of A may see of B
A_SECRETS = ("ELABORATE", "Elaborate", "M-1", "Downing", "ALPHA")  # nor any reader of B of A
TOGETHER = "in overlapping H-hour windows"


@pytest.fixture
def launder(store) -> int:
    return add_launder(store)


def package(store, who: Principal, ref: str, address: str, hours: float = 0, **extra) -> int:
    with store.writer() as session:
        return services.create_package(session, who, package_data(
            ref, address=address, h_hour=(H_HOUR + timedelta(hours=hours)).isoformat(), **extra)).id


def plans(store, a: dict | None = None, b: dict | None = None, hours: float = 1) -> None:
    """MET's M-1 in A at 10 Downing Street and NCA's N-1 in B at the same door, `hours` later."""
    package(store, reading(store, "liaison.met"), "M-1", "10 Downing Street, London", **(a or {}))
    package(store, reading(store, "liaison.nca", "LAUNDER"), "N-1", "10 downing st, london", hours,
            team_call_sign="BRAVO-2", **(b or {}))


def told(store, who: Principal) -> list[str]:
    """The board's sentences, after checking that the inbox and the unread count say the same."""
    with store.reader() as s:
        board = q.conflict_warnings(s, who)
        inbox = [e.sentence for e in notifications.inbox(s, who).entries if e.event == "package conflict"]
        assert notifications.unread_count(s, who) == len(notifications.inbox(s, who, unread_only=True).entries)
    assert inbox[::-1] == board
    return board


def test_packages_of_two_operations_at_one_door_tell_each_side_another_operation(store, launder):
    plans(store)
    with store.reader() as s:
        assert len(s.scalars(select(PackageConflict)).all()) == 1
    a_contact = reading(store, "commander.met")
    with store.reader() as s:
        a_desk = q.contact_of(s.get(Operation, a_contact.operation_id).deconfliction_contact, "MET")
    [for_met] = told(store, reading(store, "liaison.met"))
    assert for_met == (f"Your agency's package M-1 conflicts (same address, {TOGETHER}): another operation plans "
                       f"an entry there; contact: {B_CONTACT}.")
    [for_nca] = told(store, reading(store, "liaison.nca", "LAUNDER"))
    assert for_nca == (f"Your agency's package N-1 conflicts (same address, {TOGETHER}): another operation plans "
                       f"an entry there; contact: {a_desk}.")
    # command of each operation: its own package and "another operation" (MET's commander is of both,
    # and reads each as that operation's member)
    [for_a_command] = told(store, reading(store, "commander.met"))
    assert for_a_command.startswith(f"MET's package M-1 conflicts (same address, {TOGETHER}): another operation")
    [for_b_command] = told(store, reading(store, "commander.met", "LAUNDER"))
    assert for_b_command.startswith(f"NCA's package N-1 conflicts (same address, {TOGETHER}): another operation")
    assert not any(secret in sentence for sentence in (for_met, for_a_command) for secret in B_SECRETS)
    assert not any(secret in sentence for sentence in (for_nca, for_b_command) for secret in A_SECRETS)
    # nobody else: NCA's liaison reading A (no package there), FBI's liaison in either, the analyst
    for who in (reading(store, "liaison.nca"), reading(store, "liaison.fbi"), reading(store, "liaison.fbi", "LAUNDER"),
                reading(store, "analyst.europol")):
        assert told(store, who) == [], who.subject
    # each notified in their own operation only: NCA's liaison once, read in B
    with store.reader() as s:
        nca = reading(store, "liaison.nca")
        assert len(s.scalars(select(Notification).where(Notification.user_id == nca.user_id)).all()) == 1


def test_the_board_and_the_briefing_say_it_in_words(store, launder):
    plans(store)
    for who in (reading(store, "commander.met"), reading(store, "liaison.met"),
                reading(store, "commander.met", "LAUNDER")):
        with store.reader() as s:
            board = [notice.sentence for notice in q.board_conflicts(s, who)]
            briefing = gather(s, who)
        [section] = [t for t in briefing.tables if t.title == "Action day: conflicts between packages"]
        assert [row[0] for row in section.rows] == board == told(store, who) != []
        assert all(row[1] == "Command has not acknowledged this conflict yet." for row in section.rows)


def test_packages_outside_the_window_do_not_conflict(store, launder):
    plans(store, hours=25)  # the windows are H-hour +/- 12 h
    with store.reader() as s:
        assert s.scalars(select(PackageConflict)).all() == []
    assert told(store, reading(store, "liaison.met")) == told(store, reading(store, "liaison.nca", "LAUNDER")) == []


def test_a_red_package_of_the_other_operation_is_told_as_todays_rules_allow(store, launder):
    """NCA's package RED, naming NCA's liaison and MET's commander (B's command): MET's liaison is told
    (a lead agency always is), A's command is not (it may not read the other side, RED), B's command
    named on it is, and so is NCA's liaison named on it."""
    plans(store, b={"tlp": "RED", "recipients": "commander.met, liaison.nca"})
    assert told(store, reading(store, "liaison.met")) != []
    assert told(store, reading(store, "commander.met")) == []
    assert told(store, reading(store, "commander.met", "LAUNDER")) != []
    assert told(store, reading(store, "liaison.nca", "LAUNDER")) != []


def test_python_and_sql_tell_the_same_across_operations(store, launder):
    """Every pair of markings of MET's package in A and NCA's in B, each pair at its own door; every
    reader in each operation, told in SQL exactly when in Python."""
    markings = [{}, {"tlp": "AMBER+STRICT"}, {"tlp": "RED", "recipients": "commander.met, liaison.nca"}]
    in_a = [*markings[:2], {"tlp": "RED", "recipients": "commander.met, liaison.met"}]
    met, nca = reading(store, "liaison.met"), reading(store, "liaison.nca", "LAUNDER")
    for n, (a, b) in enumerate(itertools.product(in_a, markings)):
        package(store, met, f"M-{n}", f"{n} Pair Street, London", **a)
        package(store, nca, f"N-{n}", f"{n} pair st, london", 1, **b)
    first, second = aliased(TargetPackage), aliased(TargetPackage)
    readers = [reading(store, subject, code) for subject, code in (
        ("liaison.met", "ELABORATE"), ("liaison.nca", "ELABORATE"), ("liaison.nca", "LAUNDER"),
        ("commander.met", "ELABORATE"), ("commander.met", "LAUNDER"), ("liaison.fbi", "LAUNDER"))]
    with store.reader() as s:
        rows = s.execute(select(PackageConflict.id, first, second).join(first, first.id == PackageConflict.first_id)
                         .join(second, second.id == PackageConflict.second_id)).all()
        assert len(rows) == len(markings) ** 2
        named: dict[int, set[int]] = {}
        for package_id, user_id in s.execute(select(Recipient.entity_id, Recipient.user_id).where(
                Recipient.entity == TargetPackage.entity)):
            named.setdefault(package_id, set()).add(user_id)
        for who in readers:
            in_sql = set(s.scalars(select(PackageConflict.id).join(first, first.id == PackageConflict.first_id)
                                   .join(second, second.id == PackageConflict.second_id)
                                   .where(policy.conflicts_told(who, first, second))))
            in_python = {i for i, a, b in rows if policy.what_is_told_of_conflict(who, *(policy.ConflictSide(
                p.owning_agency_id, p.tlp, frozenset(named.get(p.id, ())), operation_id=p.operation_id)
                for p in (a, b))) is not None}
            assert in_sql == in_python, (who.subject, who.operation_code)
            told_as = [policy.what_is_told_of_conflict(who, *(policy.ConflictSide(
                p.owning_agency_id, p.tlp, frozenset(named.get(p.id, ())), operation_id=p.operation_id)
                for p in (a, b))) for _, a, b in rows]
            for result in filter(None, told_as):  # the other operation's side is never named
                assert result.elsewhere is not None and not result.named[result.elsewhere]


def test_each_operations_command_acknowledges_its_own_side(store, launder):
    """A's command acknowledges for A: A reads it (the note only where both sides are named: across
    operations, nobody), B still reads the conflict open and acknowledges for B; a move lapses both."""
    plans(store)
    a_command, b_command = reading(store, "commander.met"), reading(store, "commander.met", "LAUNDER")

    def notice(who: Principal) -> q.ConflictNotice:
        with store.reader() as s:
            [found] = q.board_conflicts(s, who)
        return found
    with store.writer() as s:
        services.acknowledge_conflict(s, a_command, notice(a_command).conflict_id, "MET enters first, NCA told")
    for_a, for_b = notice(a_command), notice(b_command)
    assert for_a.acknowledged and for_a.acknowledgement.endswith("ask command what was agreed.")
    assert "NCA told" not in for_a.acknowledgement + for_b.acknowledgement
    assert not for_b.acknowledged and not notice(reading(store, "liaison.nca", "LAUNDER")).acknowledged
    assert notice(reading(store, "liaison.met")).acknowledged
    with store.writer() as s:
        services.acknowledge_conflict(s, b_command, for_b.conflict_id, "NCA waits for MET's all clear")
    assert notice(b_command).acknowledged and notice(reading(store, "liaison.nca", "LAUNDER")).acknowledged
    nca = reading(store, "liaison.nca", "LAUNDER")
    with store.writer() as s:  # N-1 moves an hour: the pair still conflicts, open again on both sides
        moved = s.scalar(select(TargetPackage).where(TargetPackage.reference == "N-1"))
        services.update_package(s, nca, moved.id, moved.version,
                                {"h_hour": (H_HOUR + timedelta(hours=2)).isoformat()})
    assert not notice(a_command).acknowledged and not notice(b_command).acknowledged
