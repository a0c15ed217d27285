"""Telling people what happened: `notify` (called by the other use cases, in their transaction),
and a person's own use cases on their inbox: mark read, mark all read, their settings.

A notification is unique per (person, event key), inserted with "on conflict do nothing": the same
event fired twice (two replicas, a rerun after a crash) reaches each person once. Reading one's own
inbox (marking read) changes no operational record and is not audited; a change of settings is.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from coordination import audit, policy
from coordination import fields as f
from coordination.errors import ValidationError
from coordination.fields import Field, parse_fields
from coordination.kinds import KINDS
from coordination.models import (
    Briefing,
    MailMode,
    Notification,
    NotificationSettings,
    PackageConflict,
    User,
    UTCDateTime,
    utcnow,
)
from coordination.notices import EVENTS, Event
from coordination.principal import Principal
from coordination.queries import notifications as inbox

_BRIEFING_TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


def notify(session: Session, event: Event, entity: str, entity_id: int | None, *, users: Iterable[int] = (),
           agencies: Iterable[int] = (), key: str | None = None, actor: Principal | None = None,
           operation_id: int | None = None) -> None:
    """Tell `users`, and the people who act for each of `agencies` (policy.hears_for_agency), that
    `event` happened to the record (`entity`, `entity_id`), in the caller's transaction.

    Only members of the record's operation are told (those of `agencies` by their role THERE): a
    person is told nothing of an operation they do not take part in. `key` names the event; by
    default it is the audit sequence of the write just recorded (call `notify` after `audit.record`),
    so each write tells each person once. The `actor` is not told of what they did themselves.
    `operation_id`: the operation whose people are told, when it is not the record's own (a conflict
    between packages of two operations tells each side's people in theirs).
    Whether a person may read the record is checked when they read the notification, not here: a
    marking can change in between."""
    if key is None:
        key = f"audit {audit.latest(session)[0]}"
    if operation_id is not None:  # one event told in two operations: once in each (a person in both hears both)
        key = f"{key} in operation {operation_id}"
    else:
        operation_id = operations_of(session, [(entity, entity_id)]).get((entity, entity_id)) \
            if entity_id is not None else None
    if operation_id is None:
        return
    people: set[int] = set()
    users = set(users)
    if users:
        people |= set(session.scalars(select(User.id).where(
            User.id.in_(users), policy.hears_personally(User, operation_id))))
    agencies = set(agencies)
    if agencies:
        people |= set(session.scalars(select(User.id).where(User.agency_id.in_(agencies), User.active,
                                                            policy.hears_for_agency(User, operation_id))))
    people.discard(actor.user_id if actor else None)
    if not people:
        return
    now = utcnow()
    rows = [{"user_id": person, "event": event.name, "entity": entity, "entity_id": entity_id,
             "operation_id": operation_id, "event_key": f"{event.name}: {key}", "created_at": now}
            for person in sorted(people)]
    session.execute(_new_only(session), rows)


def notify_each(session: Session, event: Event, told: Iterable[tuple[str, int, int, str]], *,
                actor: Principal | None = None) -> None:
    """`notify` for many records at once, each told to one agency's people of the record's operation:
    `told` holds (entity, record id, agency id, event key) for each; a query per operation finds the
    people, one statement tells them all."""
    told = list(told)
    if not told:
        return
    operations = operations_of(session, [(entity, entity_id) for entity, entity_id, _, _ in told])
    hearers: dict[tuple[int, int], list[int]] = {}  # (operation, agency) -> people
    agencies = {agency_id for _, _, agency_id, _ in told}
    for operation_id in set(operations.values()):
        for user_id, agency_id in session.execute(select(User.id, User.agency_id).where(
                User.agency_id.in_(agencies), User.active, policy.hears_for_agency(User, operation_id))):
            if actor is None or user_id != actor.user_id:
                hearers.setdefault((operation_id, agency_id), []).append(user_id)
    now = utcnow()
    rows = [{"user_id": person, "event": event.name, "entity": entity, "entity_id": entity_id,
             "operation_id": operations.get((entity, entity_id)), "event_key": f"{event.name}: {key}",
             "created_at": now}
            for entity, entity_id, agency_id, key in told
            for person in sorted(hearers.get((operations.get((entity, entity_id), 0), agency_id), ()))]
    if rows:
        session.execute(_new_only(session), rows)


def _told_about() -> dict[str, Any]:
    """entity -> the model of what a notification may name, each of one operation."""
    return {kind.entity: kind.model for kind in KINDS.values()} | {
        PackageConflict.entity: PackageConflict, "briefing": Briefing}


def operations_of(session: Session, records: Iterable[tuple[str, int | None]]) -> dict[tuple[str, int], int]:
    """(entity, id) -> the operation of each record named (a query per entity, 5,000 ids at a time)."""
    models = _told_about()
    wanted: dict[str, set[int]] = {}
    for entity, entity_id in records:
        if entity in models and entity_id is not None:
            wanted.setdefault(entity, set()).add(entity_id)
    found: dict[tuple[str, int], int] = {}
    for entity, ids in wanted.items():
        model, ordered = models[entity], sorted(ids)
        for start in range(0, len(ordered), 5000):
            found.update({(entity, i): operation_id for i, operation_id in session.execute(
                select(model.id, model.operation_id).where(model.id.in_(ordered[start:start + 5000])))})
    return found


def notify_from(session: Session, event: Event, entity: str, query: Select, key: str) -> int:
    """Tell, in one statement, every (person, record id) pair `query` selects, each under the event
    key `{event}: {key}` where `key` is a SQL expression in `query` (the reminder pass: thousands
    at a time). `query` selects user_id, entity_id, key. Returns how many were new."""
    rows = query.subquery()
    model = _told_about()[entity]
    operation = select(model.operation_id).where(model.id == rows.c.entity_id).scalar_subquery()
    statement = _new_only(session).from_select(
        ["user_id", "event", "entity", "entity_id", "operation_id", "event_key", "created_at"],
        select(rows.c.user_id, literal(event.name), literal(entity), rows.c.entity_id, operation,
               literal(f"{event.name}: ") + rows.c[key], literal(utcnow(), UTCDateTime))
        .where(rows.c.user_id.is_not(None)))
    return len(session.execute(statement.returning(Notification.id)).all())  # rowcount: -1 on psycopg here


def forget(session: Session, entity: str, entity_id: int) -> None:
    """Take back what was told about something that no longer holds (a conflict between packages that
    was removed), in the caller's transaction: nobody reads of it any more, and a later row that
    happens to take its id is never read as the subject of what was told before."""
    session.execute(delete(Notification).where(Notification.entity == entity, Notification.entity_id == entity_id))


def _new_only(session: Session):
    """INSERT into notification that skips the (person, event key) pairs already there, even when
    another transaction inserted them a moment ago."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    return insert(Notification).on_conflict_do_nothing(index_elements=["user_id", "event_key"])


# --- a person's inbox -------------------------------------------------------------------------

def mark_read(session: Session, principal: Principal, notification_ids: Collection[int]) -> int:
    """Mark some of the principal's own notifications read; ids of anyone else's change nothing."""
    ids = [n for n in notification_ids if isinstance(n, int) and not isinstance(n, bool) and 0 < n <= f.MAX_ID][:1000]
    if not ids:
        return 0
    return session.execute(update(Notification).where(
        Notification.user_id == principal.user_id, Notification.id.in_(ids), Notification.read_at.is_(None))
        .values(read_at=utcnow())).rowcount


def mark_all_read(session: Session, principal: Principal) -> int:
    """Mark read all the principal's notifications of the operation they read (another's stay unread)."""
    return session.execute(update(Notification).where(
        Notification.user_id == principal.user_id, inbox.of_operation(principal),
        Notification.read_at.is_(None)).values(read_at=utcnow())).rowcount


# --- settings ---------------------------------------------------------------------------------

def _event_names(_session: Session, value: Any) -> list[str]:
    """Event labels (or names) as a list or comma-separated text."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple | set | frozenset) or len(items) > len(EVENTS):
        raise ValueError("must be a list of kinds of event")
    by_label = {event.label.lower(): event.name for event in EVENTS.values()} | {name: name for name in EVENTS}
    names, unknown = [], []
    for item in items:
        text = item.strip().lower() if isinstance(item, str) else None
        if text and text in by_label:
            names.append(by_label[text])
        elif text != "":
            unknown.append(f.shown(item))
    if unknown:
        raise ValueError(f"unknown kind of event: {', '.join(unknown[:3])}")
    return sorted(set(names))


def _briefing_time(_session: Session, value: Any) -> str:
    text = value.strip() if isinstance(value, str) else None
    if text is None or not _BRIEFING_TIME.fullmatch(text):
        raise ValueError("must be a time of day as HH:MM (London time), for example 07:00")
    return text


SETTINGS_FIELDS = {
    "mail": Field(f.choice(MailMode), label="Mail"),
    "muted": Field(_event_names, label="Kinds of event you are not told about"),
    "briefing_at": Field(_briefing_time, label="Daily briefing at (London time)"),
}


def settings_of(session: Session, user_id: int) -> NotificationSettings:
    """A person's settings row, or the defaults (not added to the session)."""
    return session.get(NotificationSettings, user_id) or NotificationSettings(
        user_id=user_id, mail=MailMode.OFF, muted="", briefing_at=None)


def save_settings(session: Session, principal: Principal, data: Mapping[str, Any],
                  now: datetime | None = None) -> NotificationSettings:
    """Change the principal's own settings (only the fields given). A daily briefing is for those
    the policy lets have one; turning mail on mails only what comes after."""
    if principal.user_id is None:
        raise ValidationError({"settings": "only a signed-in person has notification settings"})
    values = parse_fields(session, SETTINGS_FIELDS, data, partial=True)
    if values.get("briefing_at") and not policy.can_schedule_briefing(principal):
        raise ValidationError({"briefing_at": "daily briefings are made for commanders only"})
    row = session.get(NotificationSettings, principal.user_id)
    if row is None:
        row = NotificationSettings(user_id=principal.user_id, mail=MailMode.OFF, muted="")
        session.add(row)
    before = {"mail": row.mail, "muted": row.muted, "briefing_at": row.briefing_at}
    if "mail" in values:
        mode = values["mail"] or MailMode.OFF
        if mode is not MailMode.OFF and row.mail in (None, MailMode.OFF):
            row.mail_since = now or utcnow()
        row.mail = mode
    if "muted" in values:
        row.muted = ",".join(values["muted"] or [])
    if "briefing_at" in values:
        row.briefing_at = values["briefing_at"]
    session.flush()
    after = {"mail": row.mail, "muted": row.muted, "briefing_at": row.briefing_at}
    changed = {name: value for name, value in after.items() if before[name] != value}
    if changed:
        audit.record(session, audit.NewEvent(principal, "update", "notification settings", principal.user_id,
                                             before={name: before[name] for name in changed}, after=changed))
    return row
