"""Notifications on both stores: fired in the writing transaction, once per person and event,
scoped when read (a record raised out of its reader's reach leaves their inbox), the reminder pass
once whatever runs it twice or dies in it, and a person's settings."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from coordination import notices, reminder_pass, services
from coordination.db import make_engine, write_session
from coordination.errors import PermissionDenied, ValidationError
from coordination.models import Notification
from coordination.principal import Principal
from coordination.queries import notifications as inbox
from coordination.settings import PROJECT_ROOT
from tests.conftest import PG_SCHEMA, SHA, postgres_engine, suspect

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


def task(session, who, ref, **values):
    return services.create_task(session, who, {"reference": ref, "title": f"title of {ref}", "status": "open",
                                               "priority": "high", **values})


def events(store, subject: str) -> list[tuple[str, str]]:
    with store.reader() as session:
        return [(entry.event, entry.reference) for entry in inbox.inbox(session, store.principal(subject)).entries]


def unread(store, subject: str) -> int:
    with store.reader() as session:
        return inbox.unread_count(session, store.principal(subject))


def another_engine(store):
    """An engine of its own on the store's database, as another replica would have."""
    if store.kind == "postgresql":
        return postgres_engine(PG_SCHEMA)
    return make_engine(store.engine.url.render_as_string(hide_password=False))


def rows(store) -> int:
    with store.reader() as session:
        return session.scalar(select(func.count()).select_from(Notification))


def test_a_task_given_to_an_agency_or_a_person_tells_them_once_and_not_the_actor(store):
    commander, fbi, met = (store.principal(s) for s in ("commander.met", "liaison.fbi", "liaison.met"))
    with store.writer() as s:
        t = task(s, commander, "T-1", owning_agency="FBI")
        task(s, fbi, "T-OWN")  # a liaison's own task for their own agency tells nobody
    assert events(store, "liaison.fbi") == [(notices.TASK_ASSIGNED_TO_AGENCY.name, "FBI/T-1")]
    assert events(store, "commander.met") == [] and events(store, "liaison.met") == []
    with store.writer() as s:
        services.update_task(s, commander, t.id, t.version, {"assignee": "liaison.fbi"})
        services.update_task(s, commander, t.id, t.version + 1, {"title": "changed"})  # no new assignment
    assert [e for e, _ in events(store, "liaison.fbi")] == [notices.TASK_ASSIGNED_TO_YOU.name,
                                                          notices.TASK_ASSIGNED_TO_AGENCY.name]
    with store.reader() as session:
        entry = inbox.inbox(session, fbi).entries[0]
    assert entry.sentence == "Task FBI/T-1 was assigned to you." and entry.detail == "changed"
    assert entry.page == "tasks" and not entry.read
    assert unread(store, "liaison.fbi") == 2 and unread(store, "liaison.met") == 0
    del met


def test_notify_twice_for_one_event_delivers_once(store):
    commander = store.principal("commander.met")
    with store.writer() as s:
        t = task(s, commander, "T-1", owning_agency="FBI")
        for _ in range(2):
            services.notifications.notify(s, notices.TASK_OVERDUE, "task", t.id, agencies=[t.owning_agency_id],
                                          key="same event")
        s.commit()
    assert rows(store) == 2  # the assignment, and the overdue told once


def test_red_recipients_and_custody_handed_to_an_agency_are_told(store):
    met, fbi = store.principal("liaison.met"), store.principal("liaison.fbi")
    with store.writer() as s:
        suspect(s, met, "S-RED", tlp="RED")
        s_red = services.update_suspect(s, met, 1, 1, {"recipients": "commander.met"})
        item = services.create_evidence_item(s, met, {
            "reference": "E-1", "item_type": "phone", "description": "phone", "sha256": SHA, "seized_from": "x",
            "seized_at": "2022-11-07T06:00:00Z", "seized_place": "x", "status": "awaiting analysis",
            "holder_name": "DC Example"})
        services.transfer_custody(s, met, item.id, item.version, {
            "to_agency": "FBI", "to_holder": "SA Example", "occurred_at": "2022-11-08T06:00:00Z", "place": "x",
            "purpose": "analysis", "condition": "sealed", "hash_checked": SHA})
    assert events(store, "commander.met") == [(notices.NAMED_RECIPIENT.name, f"MET/{s_red.reference}")]
    assert events(store, "liaison.fbi") == [(notices.CUSTODY_TO_AGENCY.name, "MET/E-1")]
    assert events(store, "liaison.met") == []  # the actor
    del fbi


def test_a_record_raised_out_of_reach_leaves_the_inbox_count_and_mail_and_comes_back(store):
    commander, fbi = store.principal("commander.met"), store.principal("liaison.fbi")
    with store.writer() as s:
        t = task(s, commander, "T-SECRET-REF", owning_agency="FBI", title="Sensitive title")
    assert unread(store, "liaison.fbi") == 1
    with store.writer() as s:
        raised = services.update_task(s, commander, t.id, t.version, {"tlp": "RED", "recipients": "commander.met"})
    with store.reader() as session:
        assert inbox.unread_count(session, fbi) == 0
        shown = inbox.inbox(session, fbi)
        assert shown.entries == [] and not shown.more
        assert inbox.pending_mail(session, fbi, None) == []
        assert inbox.entries(session, fbi, session.scalars(select(Notification)).all()) == []
    with store.writer() as s:
        services.update_task(s, commander, t.id, raised.version, {"tlp": "AMBER"})
    assert events(store, "liaison.fbi") == [(notices.TASK_ASSIGNED_TO_AGENCY.name, "FBI/T-SECRET-REF")]


def test_reading_marks_only_ones_own_and_muted_kinds_are_not_counted(store):
    commander, fbi, nca = (store.principal(s) for s in ("commander.met", "liaison.fbi", "liaison.nca"))
    with store.writer() as s:
        for n in range(3):
            task(s, commander, f"T-{n}", owning_agency="FBI")
        task(s, commander, "T-NCA", owning_agency="NCA")
    with store.reader() as session:
        first = inbox.inbox(session, fbi).entries[0]
        nca_entry = inbox.inbox(session, nca).entries[0]
    with store.writer() as s:
        assert services.mark_read(s, fbi, [first.id, nca_entry.id, "x", True]) == 1
    assert unread(store, "liaison.fbi") == 2 and unread(store, "liaison.nca") == 1
    with store.reader() as session:
        assert [e.reference for e in inbox.inbox(session, fbi, unread_only=True).entries] == ["FBI/T-1", "FBI/T-0"]
        page = inbox.inbox(session, fbi, limit=2)
        older = inbox.inbox(session, fbi, limit=2, before=page.entries[-1].id)
        assert page.more and not older.more and len(older.entries) == 1
    with store.writer() as s:
        services.save_notification_settings(s, fbi, {"muted": "Tasks assigned to your agency"})
    assert unread(store, "liaison.fbi") == 0 and events(store, "liaison.fbi") == []
    with store.writer() as s:
        services.save_notification_settings(s, fbi, {"muted": ""})
        assert services.mark_all_read(s, fbi) == 2
    assert unread(store, "liaison.fbi") == 0 and len(events(store, "liaison.fbi")) == 3


def test_settings_refuse_what_they_cannot_hold_field_by_field(store):
    fbi, commander = store.principal("liaison.fbi"), store.principal("commander.met")
    with store.writer() as s, pytest.raises(ValidationError) as refused:
        services.save_notification_settings(s, fbi, {"mail": "weekly", "muted": ["nonsense", 3],
                                                     "briefing_at": "25:00", "other": 1})
    assert set(refused.value.problems) == {"mail", "muted", "briefing_at", "other"}
    with store.writer() as s, pytest.raises(ValidationError) as refused:
        services.save_notification_settings(s, fbi, {"briefing_at": "07:00"})
    assert "commanders" in refused.value.problems["briefing_at"]
    with store.writer() as s:
        services.save_notification_settings(s, commander, {"briefing_at": "07:30", "mail": "hourly digest"})
    with store.reader() as session:
        mine = inbox.settings(session, commander)
    assert (mine.briefing_at, mine.mail, mine.has_email) == ("07:30", "hourly digest", True)


# --- the reminder pass ------------------------------------------------------------------------

def clock_tasks(store) -> None:
    """Due today, overdue, due later, done; one depending on a done task; one assigned to a person."""
    commander, fbi = store.principal("commander.met"), store.principal("liaison.fbi")
    with store.writer() as s:
        task(s, fbi, "DUE-TODAY", due_date=TODAY.isoformat())
        task(s, fbi, "LATE", due_date=(TODAY - timedelta(days=3)).isoformat(), assignee="liaison.fbi")
        task(s, fbi, "LATER", due_date=(TODAY + timedelta(days=5)).isoformat())
        task(s, fbi, "LATE-DONE", due_date=(TODAY - timedelta(days=3)).isoformat(), status="done")
        task(s, fbi, "WAITING", status="blocked", depends_on="LATE-DONE")
        task(s, commander, "MET-LATE", owning_agency="MET", due_date=(TODAY - timedelta(days=1)).isoformat())


def reminder_events(store) -> list[tuple[str, str, str]]:
    with store.reader() as session:
        return sorted((row.event, str(row.entity_id), str(row.user_id)) for row in session.scalars(
            select(Notification).where(Notification.event.in_(
                [notices.TASK_DUE_SOON.name, notices.TASK_OVERDUE.name, notices.TASK_UNBLOCKED.name]))))


def test_the_pass_fires_due_overdue_and_unblocked_once_however_often_it_runs(store):
    clock_tasks(store)
    first = reminder_pass.run_pass(store.engine, NOW, briefing_charts=False)
    assert first.ran and (first.reminded.due_soon, first.reminded.overdue, first.reminded.unblocked) == (1, 2, 1)
    assert {e for e, _ in events(store, "liaison.fbi")} >= {notices.TASK_DUE_SOON.name, notices.TASK_OVERDUE.name,
                                                          notices.TASK_UNBLOCKED.name}
    assert (notices.TASK_OVERDUE.name, "MET/MET-LATE") in events(store, "liaison.met")
    again = reminder_pass.run_pass(store.engine, NOW + timedelta(minutes=1), briefing_charts=False)
    assert (again.reminded.due_soon, again.reminded.overdue, again.reminded.unblocked) == (0, 0, 0)
    skipped = reminder_pass.run_pass(store.engine, NOW + timedelta(minutes=1, seconds=5), every=timedelta(minutes=1))
    assert not skipped.ran  # ran within the minute already: another replica would skip too


def test_two_replicas_running_the_pass_at_once_tell_each_person_once(store):
    clock_tasks(store)
    engines = [another_engine(store) for _ in range(2)]
    reports, errors, start = [], [], threading.Barrier(2)

    def replica(n: int) -> None:
        try:
            start.wait()
            for minute in range(3):
                reports.append(reminder_pass.run_pass(engines[n], NOW + timedelta(minutes=minute),
                                                      holder=f"replica-{n}", briefing_charts=False))
                with write_session(engines[n]) as session:  # and without the lease: the unique key alone
                    extra = services.remind(session, Principal.system("test"), NOW)
                    reports.append(reminder_pass.PassReport(True, extra))
        except Exception as error:  # reported below
            errors.append(error)
    threads = [threading.Thread(target=replica, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for engine in engines:
        engine.dispose()
    assert errors == []
    assert sum(r.ran for r in reports) >= 1
    made = sum(r.reminded.due_soon + r.reminded.overdue + r.reminded.unblocked for r in reports if r.ran)
    # due today, overdue (LATE to its assignee, MET-LATE to MET's liaison), unblocked
    assert made == len(reminder_events(store)) == len(set(reminder_events(store))) == 4


KILLED_PASS = """
import os, signal, sys
from datetime import datetime
from coordination import reminder_pass
from coordination.db import make_engine, write_session
from coordination.services import notifications
fire = notifications.notify_from
calls = []
def fire_then_die(*args, **kwargs):
    made = fire(*args, **kwargs)
    calls.append(made)
    if len(calls) == 2:  # two kinds of reminder inserted, not committed: the process dies here
        os.kill(os.getpid(), signal.SIGKILL)
    return made
notifications.notify_from = fire_then_die
import coordination.services.reminders as r
r.notify_from = fire_then_die
engine = make_engine(sys.argv[1], **({"connect_args": {"options": sys.argv[2]}} if sys.argv[2] else {}))
reminder_pass.run_pass(engine, datetime.fromisoformat(sys.argv[3]), briefing_charts=False)
"""


def test_a_pass_killed_mid_way_leaves_nothing_and_the_next_one_does_it_all_once(store):
    clock_tasks(store)
    options = f"-csearch_path={PG_SCHEMA}" if store.kind == "postgresql" else ""
    args = [store.engine.url.render_as_string(hide_password=False), options, NOW.isoformat()]
    done = subprocess.run([sys.executable, "-c", KILLED_PASS, *args], cwd=PROJECT_ROOT, capture_output=True,
                          timeout=120)
    assert done.returncode == -9, done.stderr.decode()
    assert reminder_events(store) == []  # its transaction died with it
    rerun = reminder_pass.run_pass(store.engine, NOW, briefing_charts=False)  # the dead holder's lease is free
    assert rerun.ran and len(reminder_events(store)) == 4
    assert not reminder_pass.run_pass(store.engine, NOW, holder="someone else on another machine").reminded.overdue


def test_the_lease_is_held_by_one_at_a_time(store):
    system = Principal.system("test")
    ttl = timedelta(minutes=10)
    with store.writer() as s:
        assert services.take_lease(s, system, "x", "host-a:1", NOW, ttl)
        assert not services.take_lease(s, system, "x", "host-b:1", NOW, ttl)
        assert services.take_lease(s, system, "x", "host-b:1", NOW + ttl + timedelta(seconds=1), ttl)  # expired
        services.release_lease(s, system, "x", "host-b:1", NOW)
        assert services.take_lease(s, system, "x", "host-a:1", NOW, ttl)


def test_the_apps_loop_runs_the_pass_by_itself_until_stopped(store):
    clock_tasks(store)
    stop = reminder_pass.start_in_background(another_engine(store), timedelta(seconds=0.2), None)
    try:
        for _ in range(100):
            if reminder_events(store):
                break
            threading.Event().wait(0.1)
    finally:
        stop.set()
    assert reminder_events(store)  # today's reminders (the real clock: due dates above are around NOW)


def test_the_count_stops_at_its_cap_and_the_inbox_walks_past_what_is_out_of_reach(store):
    commander, fbi = store.principal("commander.met"), store.principal("liaison.fbi")
    with store.writer() as s:
        seen = task(s, commander, "T-SEEN", owning_agency="FBI")
        hidden = task(s, commander, "T-HIDDEN", owning_agency="FBI", tlp="RED", recipients="commander.met")
        told = services.notifications.notify
        for n in range(5):
            told(s, notices.TASK_OVERDUE, "task", seen.id, users=[fbi.user_id], key=f"seen {n}")
        for n in range(120):  # newer than those: a whole batch and more about a record FBI may not read
            told(s, notices.TASK_OVERDUE, "task", hidden.id, users=[fbi.user_id], key=f"hidden {n}")
        s.commit()
    with store.reader() as session:
        shown = inbox.inbox(session, fbi)
        assert [e.reference for e in shown.entries].count("FBI/T-SEEN") == 6 and not shown.more
        assert inbox.unread_count(session, fbi) == 6
    with store.writer() as s:
        for n in range(120):
            told(s, notices.TASK_OVERDUE, "task", seen.id, users=[fbi.user_id], key=f"many {n}")
        s.commit()
    with store.reader() as session:
        assert inbox.unread_count(session, fbi) == inbox.UNREAD_CAP
        page = inbox.inbox(session, fbi)
        assert len(page.entries) == inbox.PAGE and page.more


def test_a_person_cannot_run_the_passs_use_cases(store):
    with store.writer() as s, pytest.raises(PermissionDenied):
        services.remind(s, store.principal("commander.met"), NOW)
    with store.writer() as s, pytest.raises(PermissionDenied):
        services.take_lease(s, store.principal("liaison.fbi"), "reminders", "me:1", NOW, timedelta(minutes=1))


def test_hostile_settings_are_refused_in_words(store):
    """(No stopwatch here: a refusal that hangs fails on pytest-timeout; speed is bench's.)"""
    fbi = store.principal("liaison.fbi")
    huge = "x" * 1_000_000
    for data in ({"muted": huge}, {"muted": ["a"] * 1_000_000}, {"muted": {"a": 1}}, {"briefing_at": huge},
                 {"briefing_at": "07:00\x00"}, {"mail": huge}, {"mail": None, "muted": None, "briefing_at": 7}):
        with store.writer() as s, pytest.raises(ValidationError) as refused:
            services.save_notification_settings(s, store.principal("commander.met") if "briefing_at" in data
                                                else fbi, data)
        assert all(len(reason) < 200 for reason in refused.value.problems.values())
    with store.writer() as s:
        assert services.mark_read(s, fbi, [10**30, -1, None, "1", *range(5000)]) == 0
