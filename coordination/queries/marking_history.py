"""Who could read a record when: its marking at each audit event, rebuilt from the trail.

A record's values before it was lowered to a marking the reader may read, or after it was raised
above it, must not reach the reader through its history, the briefing's changes or its task notes.
The audit events carry what changed: the create event the record's first owning agency, TLP and
RED recipients, and each update the ones it changed (before and after). `timeline` replays them.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination import policy
from coordination.markings import TLP
from coordination.models import AuditEvent, MarkedRecord, Outcome
from coordination.principal import Principal

REDACTED = "(restricted at the time)"  # what the reader sees instead of values they could not read then


@dataclass(frozen=True)
class Marking:
    owning_agency_id: int | None
    tlp: TLP | None
    recipients: frozenset[int]
    operation_id: int | None = None  # the record's (it never changes): another operation's reads nothing

    def readable_by(self, principal: Principal) -> bool:
        if self.owning_agency_id is None or self.tlp is None or self.operation_id is None:
            return False
        return policy.reads_operation(principal, self.operation_id) and policy.can_read(
            principal, self.owning_agency_id, self.tlp, self.recipients)


def _values(text: str | None) -> dict[str, Any]:
    return json.loads(text) if text else {}


def _applied(marking: Marking | None, action: str, after: dict[str, Any], operation_id: int | None) -> Marking | None:
    if action == "create":
        return Marking(after.get("owning_agency_id"), TLP(after["tlp"]) if after.get("tlp") else None,
                       frozenset(after.get("recipients") or ()), operation_id)
    if marking is None:
        return None
    if "owning_agency_id" in after:
        marking = replace(marking, owning_agency_id=after["owning_agency_id"])
    if "tlp" in after:
        marking = replace(marking, tlp=TLP(after["tlp"]) if after["tlp"] else None)
    if "recipients" in after:
        marking = replace(marking, recipients=frozenset(after["recipients"] or ()))
    return marking


@dataclass(frozen=True)
class Timeline:
    """A record's marking after each of its successful events, by sequence number."""

    seqs: list[int]
    markings: list[Marking | None]

    def before(self, seq: int) -> Marking | None:
        """The marking just before the event `seq` (after every earlier event)."""
        at = bisect.bisect_left(self.seqs, seq)
        return self.markings[at - 1] if at else None

    def after(self, seq: int) -> Marking | None:
        at = bisect.bisect_right(self.seqs, seq)
        return self.markings[at - 1] if at else None


def timeline(events: Iterable[Any], operation_id: int | None) -> Timeline:
    """From a record's audit events (oldest first; anything with seq, action, after, outcome) and the
    record's operation (which its events do not carry)."""
    seqs: list[int] = []
    markings: list[Marking | None] = []
    marking = None
    for event in events:
        if event.outcome != Outcome.OK or event.action not in ("create", "update"):
            continue
        marking = _applied(marking, event.action, _values(event.after), operation_id)
        seqs.append(event.seq)
        markings.append(marking)
    return Timeline(seqs, markings)


def timelines(session: Session, model: type[MarkedRecord], ids: Sequence[int]) -> dict[int, Timeline]:
    """The timelines of several records of one kind, from one query (and one for their operations)."""
    found: dict[int, list] = {record_id: [] for record_id in ids}
    id_list = sorted(found)
    operations: dict[int, int] = {}
    for start in range(0, len(id_list), 1000):
        operations.update(session.execute(select(model.id, model.operation_id).where(
            model.id.in_(id_list[start:start + 1000]))).all())
        for event in session.execute(
                select(AuditEvent.entity_id, AuditEvent.seq, AuditEvent.action, AuditEvent.after, AuditEvent.outcome)
                .where(AuditEvent.entity == model.entity, AuditEvent.entity_id.in_(id_list[start:start + 1000]),
                       AuditEvent.action.in_(("create", "update")), AuditEvent.outcome == Outcome.OK)):
            found[event.entity_id].append(event)
    # sorted here, not in SQL: ordered by seq, SQLite would walk all of a kind's events along
    # ix_audit_event_entity_seq instead of looking these records' events up by id
    return {record_id: timeline(sorted(events, key=lambda e: e.seq), operations.get(record_id))
            for record_id, events in found.items()}


def readable(marking: Marking | None, principal: Principal) -> bool:
    return marking is not None and marking.readable_by(principal)
