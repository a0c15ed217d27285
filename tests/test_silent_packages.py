"""Silent packages told by the reminder pass, on both stores: a package with no status update for an
hour past its H-hour reaches its lead agency's liaisons and command once per silence (a RED one: its
own agency alone), never before the hour, never once it reached an outcome, never twice across passes.
The board's rule and the pass's are one rule, in Python and in SQL, and the tests check they agree."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from coordination import notices, reminder_pass
from coordination.models import PackageStatus, TargetPackage, is_silent, silent_at
from coordination.queries import action_day as q
from coordination.queries import notifications
from tests.conftest import suspect
from tests.helpers import provision
from tests.test_action_day import create, step, walk

SILENT = notices.PACKAGE_SILENT.name


def told(store, subject: str) -> list[str]:
    with store.reader() as s:
        return [e.sentence for e in notifications.inbox(s, store.principal(subject)).entries if e.event == SILENT]


def run(store, now: datetime) -> int:
    report = reminder_pass.run_pass(store.engine, now, briefing_charts=False)
    assert report.ran
    return report.reminded.silent


def soon() -> datetime:
    return (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)


def test_a_silent_package_reaches_its_agency_and_command_once_and_not_before_the_hour(store):
    h = soon()
    create(store, "liaison.met", "P-QUIET", h_hour=h.isoformat())
    create(store, "liaison.fbi", "P-LATER", h_hour=(h + timedelta(hours=2)).isoformat())
    assert run(store, h + timedelta(minutes=59)) == 0
    assert told(store, "liaison.met") == told(store, "commander.met") == []
    assert run(store, h + timedelta(minutes=61)) == 2  # MET's liaison and the commander
    assert told(store, "liaison.met") == told(store, "commander.met") == [
        "Target package MET/P-QUIET has had no status update for an hour past its H-hour."]
    assert told(store, "liaison.fbi") == told(store, "liaison.nl-police") == told(store, "analyst.europol") == []
    assert run(store, h + timedelta(minutes=62)) == 0  # the next pass: the same silence, not told again
    assert run(store, h + timedelta(minutes=90)) == 0
    assert len(told(store, "liaison.met")) == len(told(store, "commander.met")) == 1


def test_a_package_that_speaks_and_falls_silent_again_is_told_again(store):
    h = (datetime.now(UTC) - timedelta(minutes=30)).replace(microsecond=0)
    package = create(store, "liaison.met", "P-1", h_hour=h.isoformat())
    assert run(store, datetime.now(UTC) + timedelta(minutes=61)) == 2
    step(store, "liaison.met", package.id, PackageStatus.BRIEFED)
    spoke = datetime.now(UTC)
    assert run(store, spoke + timedelta(minutes=59)) == 0  # it spoke: not silent for an hour after
    assert run(store, spoke + timedelta(minutes=61)) == 2
    assert len(told(store, "liaison.met")) == 2


@pytest.mark.parametrize("outcome", [PackageStatus.NIL, PackageStatus.ABORTED, PackageStatus.CLOSED,
                                     PackageStatus.ARREST_MADE])
def test_a_package_past_its_outcome_is_never_silent(store, outcome):
    with store.writer() as s:
        suspect(s, store.principal("liaison.met"), "S-1", status="located")
    h = soon()
    package = create(store, "liaison.met", "P-DONE", h_hour=h.isoformat(), subjects="S-1")
    walk(store, package.id, outcome)
    assert run(store, h + timedelta(days=3)) == 0
    assert told(store, "liaison.met") == told(store, "commander.met") == []


def test_a_red_package_silence_is_told_to_its_own_agency_alone(store):
    h = soon()
    provision(store, "commander.nca", "Cam Commander", "NCA", "commander")  # a RED package names a commander
    create(store, "liaison.met", "P-RED", h_hour=h.isoformat(), tlp="RED", recipients="commander.nca")
    assert run(store, h + timedelta(minutes=61)) == 1
    assert len(told(store, "liaison.met")) == 1
    assert told(store, "commander.met") == []


def test_the_boards_rule_and_the_passs_rule_agree(store):
    h = soon()
    ids = {}
    for n, status in enumerate([PackageStatus.PLANNED, PackageStatus.DEPLOYED, PackageStatus.ENTERED,
                                PackageStatus.NIL, PackageStatus.CLOSED]):
        ids[create(store, "liaison.met", f"P-{n}", h_hour=(h + timedelta(minutes=20 * n)).isoformat()).id] = status
    for package_id, status in ids.items():
        walk(store, package_id, status)
    commander = store.principal("commander.met")
    for minutes in range(0, 240, 7):
        now = h + timedelta(minutes=minutes)
        with store.reader() as s:
            in_sql = set(s.scalars(select(TargetPackage.id).where(silent_at(now))))
            board = {p.id for p in q.board(s, commander, now).silent}
            rows = s.execute(select(TargetPackage.id, TargetPackage.status, TargetPackage.h_hour,
                                    TargetPackage.status_changed_at)).all()
        in_python = {row.id for row in rows if is_silent(row.status, row.h_hour, row.status_changed_at, now)}
        assert in_sql == in_python == board
    assert in_sql  # the grid did reach silences
