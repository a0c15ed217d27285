"""Mail from the reminder pass, received by a real SMTP server on loopback (the demo's mail sink),
on both stores: the kind of event, the reference and a link, never the record's content; immediately
or as a digest; mailed once; and daily briefings made by the same pass."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from coordination import devstack, mail, notices, reminder_pass, services
from coordination.queries import notifications as inbox
from coordination.settings import PROJECT_ROOT
from tests.browser.conftest import held_ports

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
SECRET_TITLE = "Serve the request on Hoster Example Ltd"
SECRET_NOTE = "the admin's home address is 1 Example Road"


def assign(store, ref: str):
    with store.writer() as s:
        return services.create_task(s, store.principal("commander.met"), {
            "reference": ref, "title": SECRET_TITLE, "description": SECRET_NOTE, "status": "open",
            "priority": "high", "owning_agency": "FBI"})


def mail_as(store, subject: str, mode: str, at: datetime = NOW) -> None:
    with store.writer() as s:
        services.notifications.save_settings(s, store.principal(subject), {"mail": mode}, now=at)
        s.commit()


def body(message) -> str:
    return message.get_body().get_content()


def test_mail_carries_the_event_reference_and_link_and_nothing_of_the_record(store, smtp):
    settings, keeper = smtp
    mail_as(store, "liaison.fbi", "immediately", NOW - timedelta(minutes=5))
    assign(store, "T-MAIL")
    assign(store, "T-MAIL-2")
    report = reminder_pass.run_pass(store.engine, NOW, settings, briefing_charts=False)
    assert report.mails == 2 and len(keeper.received) == 2
    first = keeper.received[0]
    assert first["To"] == "liaison.fbi@demo.invalid"
    assert first["Subject"] == "Operation Elaborate: Task FBI/T-MAIL was assigned to your agency."
    assert "https://coord.example/tasks?open=FBI%2FT-MAIL&operation=ELABORATE" in body(first)  # opens its operation
    for message in keeper.received:
        whole = message.as_string()
        assert SECRET_TITLE not in whole and SECRET_NOTE not in whole and "Hoster" not in whole
    reminder_pass.run_pass(store.engine, NOW + timedelta(minutes=1), settings, briefing_charts=False)
    assert len(keeper.received) == 2  # mailed once


def test_mail_only_what_came_after_it_was_turned_on_and_not_what_the_reader_may_no_longer_read(store, smtp):
    settings, keeper = smtp
    assign(store, "T-BEFORE")
    mail_as(store, "liaison.fbi", "immediately", datetime.now(UTC) + timedelta(seconds=1))
    raised = assign(store, "T-RAISED")
    with store.writer() as s:
        services.update_task(s, store.principal("commander.met"), raised.id, raised.version,
                             {"tlp": "RED", "recipients": "commander.met"})
    reminder_pass.run_pass(store.engine, datetime.now(UTC), settings, briefing_charts=False)
    assert keeper.received == []


def test_a_digest_gathers_an_hour_of_notifications_in_one_mail(store, smtp):
    settings, keeper = smtp
    mail_as(store, "liaison.fbi", "hourly digest", NOW - timedelta(hours=2))
    for n in range(3):
        assign(store, f"T-{n}")
    reminder_pass.run_pass(store.engine, NOW, settings, briefing_charts=False)
    assert len(keeper.received) == 1
    digest = keeper.received[0]
    assert digest["Subject"] == "Operation Elaborate: 3 notifications"
    assert all(f"open=FBI%2FT-{n}" in body(digest) for n in range(3))
    assign(store, "T-LATER")
    reminder_pass.run_pass(store.engine, NOW + timedelta(minutes=30), settings, briefing_charts=False)
    assert len(keeper.received) == 1  # within the hour
    reminder_pass.run_pass(store.engine, NOW + timedelta(minutes=61), settings, briefing_charts=False)
    assert len(keeper.received) == 2 and "FBI/T-LATER" in keeper.received[1]["Subject"]


def test_a_mail_server_that_is_down_loses_nothing(store, smtp):
    settings, keeper = smtp
    mail_as(store, "liaison.fbi", "immediately", NOW - timedelta(minutes=5))
    assign(store, "T-WAIT")
    with held_ports(1) as [nobody]:  # held, so that nothing listens on it
        down = mail.MailSettings(host="127.0.0.1", port=nobody, app_url=settings.app_url, timeout_s=2)
        assert reminder_pass.run_pass(store.engine, NOW, down, briefing_charts=False).mails == 0
    assert reminder_pass.run_pass(store.engine, NOW + timedelta(minutes=1), settings, briefing_charts=False).mails == 1
    assert "FBI/T-WAIT" in keeper.received[0]["Subject"]


def test_a_commanders_daily_briefing_is_made_once_a_day_at_their_time_and_is_theirs_alone(store, smtp):
    settings, keeper = smtp
    commander = store.principal("commander.met")
    with store.writer() as s:
        services.save_notification_settings(s, commander, {"briefing_at": "07:00", "mail": "immediately"})
    morning = datetime(2026, 11, 26, 6, 59, tzinfo=UTC)  # London is on GMT in November
    assert reminder_pass.run_pass(store.engine, morning, settings, briefing_charts=False).briefings == 0
    made = reminder_pass.run_pass(store.engine, morning + timedelta(minutes=2), settings, briefing_charts=False)
    assert made.briefings == 1
    later = reminder_pass.run_pass(store.engine, morning + timedelta(hours=3), settings, briefing_charts=False)
    assert later.briefings == 0
    with store.reader() as session:
        [entry] = inbox.inbox(session, commander).entries
        assert entry.event == notices.BRIEFING_READY.name and entry.reference.endswith(".pdf")
        name, pdf = inbox.briefing_pdf(session, commander, entry.entity_id)
        assert pdf.startswith(b"%PDF") and name == entry.reference
        assert inbox.briefing_pdf(session, store.principal("liaison.met"), entry.entity_id) is None
    [letter] = keeper.received
    assert letter["To"] == "commander.met@demo.invalid" and "https://coord.example/inbox" in body(letter)
    assert reminder_pass.run_pass(store.engine, morning + timedelta(days=1, minutes=2), settings,
                              briefing_charts=False).briefings == 1



def test_the_demo_mail_sink_keeps_what_it_is_sent_as_files(tmp_path):
    command = [*devstack.mail_sink_command(0)[:-1], str(tmp_path / "mail")]  # port 0: one the system chooses
    sink = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            cwd=PROJECT_ROOT)
    try:
        said = sink.stdout.readline()  # once it listens: "keeping mail sent to 127.0.0.1:PORT in ..."
        port = int(said.split("127.0.0.1:", 1)[1].split()[0])
        settings = mail.MailSettings(host="127.0.0.1", port=port, app_url="http://127.0.0.1:8501")
        entry = inbox.Entry(1, notices.TASK_OVERDUE.name, "Task FBI/T-1 is overdue.", "FBI/T-1", "", "tasks", 1,
                            NOW, False)
        mail.send(settings, [mail.message(settings, "someone@demo.invalid", "Operation Elaborate", [entry])])
    finally:
        devstack.stop(sink)
        sink.stdout.close()
    [kept] = (tmp_path / "mail").glob("*.eml")
    assert "Task FBI/T-1 is overdue." in kept.read_text()


def test_notify_run_on_the_command_line_reminds_and_mails_once(sqlite_store, smtp):
    settings, keeper = smtp
    mail_as(sqlite_store, "liaison.fbi", "immediately", datetime.now(UTC) - timedelta(minutes=1))
    assign(sqlite_store, "T-CLI")
    env = {**os.environ, "COORD_SMTP_HOST": settings.host, "COORD_SMTP_PORT": str(settings.port),
           "COORD_APP_URL": "https://coord.example"}
    for expected_mails in (1, 0):
        done = subprocess.run([sys.executable, "-m", "coordination", "notify", "run", "--no-charts",
                               "--database-url", str(sqlite_store.engine.url)], capture_output=True, text=True,
                              env=env, timeout=120)
        assert done.returncode == 0, done.stderr
        assert f"{expected_mails} mails sent" in done.stdout
    assert [m["Subject"] for m in keeper.received] == [
        "Operation Elaborate: Task FBI/T-CLI was assigned to your agency."]
    bad = subprocess.run([sys.executable, "-m", "coordination", "notify", "run", "--smtp-port", "99999",
                          "--database-url", str(sqlite_store.engine.url)], capture_output=True, text=True, timeout=60)
    assert bad.returncode != 0 and "Traceback" not in bad.stderr
