"""The reminder pass: `python -m coordination notify run` (from cron), and the app every minute in
one replica. One pass takes the lease (so replicas take turns), fires the due, overdue and
unblocked reminders, makes the daily briefings that are due, mails what people asked to have
mailed, and gives the lease back.

Every step is safe to repeat: a notification is unique per (person, event key), a briefing is made
once per person and London day, and mail is claimed before it is sent. A pass killed mid-way leaves
its last transaction rolled back; the next pass (here at once: a dead holder's lease is free; on
another machine when the lease expires) does what was left.
"""

from __future__ import annotations

import logging
import smtplib
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from coordination import mail, services
from coordination.db import read_session, write_session
from coordination.models import MailMode, utcnow
from coordination.principal import Principal
from coordination.queries.standing_data import operation_name
from coordination.services.reminders import Mailbox, Reminded, briefings_due, mailboxes, this_process

LONDON = ZoneInfo("Europe/London")
LEASE = "reminders"
LEASE_TTL = timedelta(minutes=10)  # a holder that vanished without giving it back blocks others this long at most
DAILY_DIGEST_AT = 7  # London hour from which the daily digest goes out
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PassReport:
    ran: bool  # False: another replica holds the lease, or ran the pass within `every`
    reminded: Reminded | None = None
    briefings: int = 0
    mails: int = 0

    def __str__(self) -> str:
        if not self.ran:
            return "another pass is running or ran just now: nothing done"
        r = self.reminded
        return (f"reminders: {r.due_soon} due within 24 hours, {r.overdue} overdue, {r.unblocked} unblocked, "
                f"{r.silent} told of silent packages; "
                f"{self.briefings} briefings made; {self.mails} mails sent")


def run_pass(engine: Engine, now: datetime | None = None, mail_settings: mail.MailSettings | None = None,
             every: timedelta | None = None, holder: str | None = None, briefing_charts: bool = True) -> PassReport:
    """One pass at `now` (default: the clock), if this process gets the lease."""
    now = now or utcnow()
    holder = holder or this_process()
    system = Principal.system("reminder pass")
    with write_session(engine) as session:
        if not services.take_lease(session, system, LEASE, holder, now, LEASE_TTL, every):
            return PassReport(False)
    try:
        with write_session(engine) as session:
            reminded = services.remind(session, system, now)
        briefings = _briefings(engine, system, now, briefing_charts)
        mails = _mail(engine, system, now, mail_settings) if mail_settings else 0
    finally:
        with write_session(engine) as session:
            services.release_lease(session, system, LEASE, holder, now)
    return PassReport(True, reminded, briefings, mails)


def _briefings(engine: Engine, system: Principal, now: datetime, charts: bool) -> int:
    from coordination import briefing  # the PDF machinery loads only when a briefing is due

    london = now.astimezone(LONDON)
    with read_session(engine) as session:
        authors = briefings_due(session, london)
    for author in authors:
        made = briefing.export(engine, author, since_last=True, with_charts=charts)
        with write_session(engine) as session:
            services.file_briefing(session, system, author, made.briefing_id, made.file_name, made.pdf, london.date())
    return len(authors)


def _digest_due(box: Mailbox, now: datetime) -> bool:
    last = box.last_digest_at
    if box.mode is MailMode.HOURLY:
        return last is None or now - last >= timedelta(hours=1)
    london = now.astimezone(LONDON)
    return london.hour >= DAILY_DIGEST_AT and (last is None or last.astimezone(LONDON).date() < london.date())


def _mail(engine: Engine, system: Principal, now: datetime, settings: mail.MailSettings) -> int:
    with read_session(engine) as session:
        boxes = mailboxes(session)
        names = {box.person.operation_id: operation_name(session, box.person.operation_id) for box in boxes}
    sent = 0
    for box in boxes:
        digest = box.mode is not MailMode.IMMEDIATELY
        if digest and not _digest_due(box, now):
            continue
        with write_session(engine) as session:
            entries = services.claim_mail(session, system, box.person, now, digest)
        if not entries:
            continue
        groups = [entries] if digest else [[entry] for entry in entries]
        try:
            name = names[box.person.operation_id]
            mail.send(settings, [mail.message(settings, box.address, name, group, box.person.operation_code)
                                 for group in groups])
        except (OSError, smtplib.SMTPException) as error:
            log.warning("mail to %s not sent (will try again): %s", box.person.subject, error)
            with write_session(engine) as session:
                services.unclaim_mail(session, system, [entry.id for entry in entries])
            continue
        sent += len(groups)
    return sent


def keep_running(engine: Engine, every: timedelta, mail_settings: mail.MailSettings | None,
                 stop: threading.Event) -> None:
    """The app's loop: a pass every `every` in whichever replica takes the lease first (the others
    find it taken, or the pass run within the interval, and skip). A failed pass is logged, and the
    next one tries again."""
    while not stop.wait(every.total_seconds()):
        try:
            run_pass(engine, mail_settings=mail_settings, every=every * 0.9)
        except Exception:  # the loop must outlive any one pass (logged)
            log.exception("the reminder pass failed; trying again in %s", every)


def start_in_background(engine: Engine, every: timedelta, mail_settings: mail.MailSettings | None) -> threading.Event:
    """Run `keep_running` in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    threading.Thread(target=keep_running, args=(engine, every, mail_settings, stop), name="reminder-pass",
                     daemon=True).start()
    return stop
