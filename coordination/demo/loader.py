"""`demo load`: Operation Elaborate and, beside it, Operation Saltmarsh, in one transaction.

Both operations are written by the same generator (coordination.demo.operation), each from its own
seeded random stream, and their audit events are chained together at the end in the order things
happened, so the trail of the deployment reads as one. Elaborate alone (`second=False`) is the
database of one operation that an upgrade from before operations starts from.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session

from coordination import audit, migrate, settings, standing_data, tallies
from coordination.db import write_session
from coordination.deconfliction_key import MatchingKey
from coordination.demo import second_operation
from coordination.demo.operation import (
    EPOCH,
    SCALES,
    Generator,
    Progress,
    empty_database,
    is_empty,
    table_counts,
    timeline_shift,
)
from coordination.errors import CoordinationError
from coordination.models import Identifier, MailMode, NotificationSettings, Role, TargetPackage, User
from coordination.principal import Principal
from coordination.services import action_day, identifiers


def load(engine: Engine, scale: str = "demo", seed: int = 7, reset: bool = False, issuer: str | None = None,
         progress: Progress | None = None, as_of: date | None = None, key: MatchingKey | None = None,
         live_from: datetime | None = None, second: bool = True) -> dict[str, int]:
    """Load the operations; returns the number of rows in each table that has any.

    `scale` is Operation Elaborate's; Operation Saltmarsh (`second`) is smaller at every scale
    (second_operation.SCALE). With the deconfliction `key`, suspects and evidence items hold
    identifiers keyed under it (and each operation keeps its fingerprint); without one, no identifiers.

    `live_from` (the moment `make run` loads it) adds the action day's second wave, planned to start
    shortly after it, so that the board is live (see coordination.demo.action_day).

    `as_of` moves the whole timeline by whole weeks so that the data set's "now" (END) is that day or
    up to six days before it (the action day stays a Monday):
    a demo loaded today reads like a live operation (tasks due around today, a third of them late)
    instead of one that ended in 2023. Without it the data are dated as the real case was.
    """
    if scale not in SCALES:
        raise CoordinationError(f"unknown scale '{scale}'; choose one of {', '.join(SCALES)}")
    if reset:
        empty_database(engine)
    elif "operation" not in inspect(engine).get_table_names():
        migrate.upgrade(engine)
    if not is_empty(engine):
        raise CoordinationError("the database holds an operation already; add --reset to replace it")
    issuer = issuer or settings.load().demo_issuer
    with write_session(engine) as session:
        shift = timeline_shift(as_of) if as_of else timedelta(0)
        standing_data.seed(session, issuer, at=EPOCH + shift, action_day=standing_data.ACTION_DAY + shift)
        if second:
            second_operation.seed(session, issuer, at=EPOCH + shift, action_day=standing_data.ACTION_DAY + shift)
        session.flush()
        with tallies.counted_at_the_end(session):
            first = Generator(session, SCALES[scale], random.Random(seed), progress or (lambda *_: None), shift, key,
                              live_from)
            first.run()
            if second:  # its own stream: Elaborate is the same with or without it
                other = second_operation.generator(session, random.Random(f"{seed}-{second_operation.CODE}"), shift,
                                                   key, live_from)
                other.run()
                first.events += other.events
            first.finish()
        if second and key is not None:
            _match_between_operations(session, other.base[Identifier] + 1, other.operation_id)
        _notification_settings(session)
        session.commit()
    return table_counts(engine)


def _match_between_operations(session: Session, first_of_the_second: int, second: int) -> None:
    """What Saltmarsh shares with Elaborate, matched across the two as the services match it (each
    operation's own hits and conflicts are the generator's): the values both hold are hits, and its
    packages are deconflicted (one stands at a building of Elaborate's), each told to both sides as
    "another operation", found when the demo is loaded, audited and told as any hit or conflict is."""
    loader = Principal.system("demo loader")
    found = identifiers.match(session, "since", {"since": first_of_the_second}, possible=False)
    audit.record_many(session, identifiers.found_hits(session, loader, found))
    for package in session.scalars(select(TargetPackage).where(TargetPackage.operation_id == second)):
        action_day.deconflict(session, package)  # the first keys every package of both, once


def _notification_settings(session: Session) -> None:
    """The demo's people want mail (kept by `make run`'s mail sink in data/mail/): liaisons an hourly
    digest, commanders a daily one and a briefing every morning. Loaded, not decided: no audit events."""
    now = datetime.now(UTC)
    choices = {Role.LIAISON: (MailMode.HOURLY, None), Role.COMMANDER: (MailMode.DAILY, "07:00")}
    session.add_all(NotificationSettings(user_id=user.id, mail=choices[user.role][0], muted="", mail_since=now,
                                         briefing_at=choices[user.role][1])
                    for user in session.scalars(select(User).where(User.role.in_(list(choices)))))
    session.flush()
