"""A record's story in sentences, from the audit trail: what changed, from what to what, who did it
and when, with labels, references and names (never ids, column names or JSON), including a task's
notes and an evidence item's custody transfers. Values from a time the reader could not read the
record are shown as restricted (see marking_history). A decision's correction names the nearest entry
of its chain the reader may read, or none, as the decision log does (queries.decisions)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.kinds import DECISIONS, KINDS, TASKS, Kind
from coordination.models import Agency, AuditEvent, Decision, Jurisdiction, Outcome, Suspect, Task, TaskUpdate, User
from coordination.policy import visible
from coordination.principal import Principal
from coordination.queries import marking_history
from coordination.queries.marking_history import REDACTED
from coordination.queries.records import readable
from coordination.record_references import RESTRICTED as RESTRICTED_RECORD


class Entry(NamedTuple):
    when: str  # "2026-11-26 12:04 UTC"
    who: str  # "Noor Liaison (NL-POLICE)"
    what: str  # "changed priority low → critical"


def history(session: Session, principal: Principal, kind: Kind, record_id: int) -> list[Entry]:
    """The story of a record the principal may read, oldest first ([] for any other)."""
    if not readable(session, principal, kind, record_id):
        return []
    own = session.scalars(select(AuditEvent).where(AuditEvent.entity == kind.entity,
                                                   AuditEvent.entity_id == record_id)).all()
    markings = marking_history.timeline(sorted(own, key=lambda e: e.seq), principal.operation_id)  # read: theirs
    notes = session.scalars(select(AuditEvent).where(
        AuditEvent.entity == TaskUpdate.entity, AuditEvent.action == "create",
        AuditEvent.entity_id.in_(select(TaskUpdate.id).where(TaskUpdate.task_id == record_id)))).all() \
        if kind is TASKS else []
    names = _Names(session, principal)
    entries = []
    for event in sorted([*own, *notes], key=lambda e: e.seq):
        before_readable = marking_history.readable(markings.before(event.seq), principal)
        after_readable = marking_history.readable(
            markings.after(event.seq) if event.action in ("create", "update") else markings.before(event.seq),
            principal)
        what = _sentence(kind, event, names, before_readable, after_readable)
        entries.append(Entry(when(event.occurred_at), names.actor(event.actor_issuer, event.actor_subject), what))
    return entries


def when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def _sentence(kind: Kind, event: AuditEvent, names: _Names, before_ok: bool, after_ok: bool) -> str:
    before, after = kind.as_now(_values(event.before)), kind.as_now(_values(event.after))
    if event.outcome is Outcome.REFUSED:
        return f"was refused: {event.detail or event.action}"
    if event.entity == TaskUpdate.entity:
        return "added a note" + _note(after, after_ok)
    if event.action == "create":
        if not after_ok:
            return f"created it {REDACTED}"
        said = {column: names.value(column, after[column]) for column in _in_field_order(kind, after)
                if after[column] not in (None, "", [])}
        return "created it: " + ", ".join(f"{_label(kind, column)} {value}" for column, value in said.items()
                                          if value is not None)
    if event.action == "update":
        return "changed " + _changes(kind, before, after, names, before_ok, after_ok)
    if event.action == "transfer custody":
        if not after_ok:
            return f"recorded a custody transfer {REDACTED}"
        return f"passed it {_transfer(after, names)}"
    if event.action in ACQUISITION_ACTIONS:
        return _acquisition(event.action, after, names) if after_ok else f"{event.action} {REDACTED}"
    if event.action == "change status":
        return "moved it " + (_moved(before, after) if after_ok else REDACTED)
    return event.action


def _note(after: dict[str, Any], after_ok: bool) -> str:
    """': “Body” and moved it open → done', after 'added a note' (or the note restricted)."""
    if not after_ok:
        return f" {REDACTED}"
    status = (f" and moved it {after['status_from']} → {after['status_to']}" if after.get("status_to") else "")
    return f": “{after.get('body', '')}”{status}"


def _changes(kind: Kind, before: dict[str, Any], after: dict[str, Any], names: _Names, before_ok: bool,
             after_ok: bool) -> str:
    """'priority low → critical; status open → done', values the reader could not read then restricted."""
    def said(column: str, value: Any, ok: bool) -> str:
        return (names.value(column, value) or NONE) if ok else REDACTED
    return "; ".join(f"{_label(kind, column)} {said(column, before.get(column), before_ok)} → "
                     f"{said(column, value, after_ok)}" for column, value in after.items())


def _moved(before: dict[str, Any], after: dict[str, Any]) -> str:
    """'entered → arrest made: “door forced”', a package's step (the records its outcome wrote are
    told by their own events, to those who may read them)."""
    note = f": “{after['note']}”" if after.get("note") else ""
    return f"{before.get('status', '?')} → {after.get('status', '?')}{note}"


ACQUISITION_ACTIONS = ("record acquisition", "transfer acquisition")  # audited on the exhibit


def _acquisition(action: str, after: dict[str, Any], names: _Names) -> str:
    """'recorded acquisition ACQ-E1-1 (physical image, UFED 7.69, by DC Forensic, SHA-256 ab12...)', or
    its image passed on."""
    if action == "transfer acquisition":
        return f"passed acquisition {after.get('reference')} {_transfer(after, names)}"
    return (f"recorded acquisition {after.get('reference')} ({after.get('method')}, {after.get('tool')} "
            f"{after.get('tool_version')}, by {after.get('examiner')}, SHA-256 {after.get('sha256')})")


def _transfer(after: dict[str, Any], names: _Names) -> str:
    """'from FBI lab to NCA lab (analysis, custody event 3)'."""
    return (f"from {names.agency(after.get('from_agency_id'))} {after.get('from_holder') or ''} to "
            f"{names.agency(after.get('to_agency_id'))} {after.get('to_holder')} ({after.get('purpose')}, "
            f"custody event {after.get('sequence')})").replace("  ", " ")


# --- the operation's timeline: one sentence per event, naming its record ----------------------

def sentence(kind: Kind | None, event: AuditEvent, names: _Names, record: str, before_ok: bool = True,
             after_ok: bool = True) -> str:
    """What `event` did, as a sentence after its actor's name that names its record (`record`, its
    reference; for a task note, its task's): "recorded arrest ARR-00152 in England and Wales",
    "changed task T-3: priority low → critical". Events about no record (sign-ins, exports,
    imports, users) read in words too. Values from a time the reader could not read the record are
    restricted, as in a record's own history."""
    before, after = _values(event.before), _values(event.after)
    if event.outcome is Outcome.REFUSED:
        return f"was refused: {event.detail or event.action}"
    if kind is None:
        return _about_no_record(event, after)
    named = f"{kind.entity} {record}"
    if event.entity == TaskUpdate.entity:
        return f"added a note to task {record}" + _note(after, after_ok)
    if event.action == "create":
        return f"recorded {named}" + (_created(kind, after, names) if after_ok else f" {REDACTED}")
    if event.action == "update":
        return f"changed {named}: " + _changes(kind, before, after, names, before_ok, after_ok)
    if event.action == "transfer custody":
        return f"passed {named} " + (_transfer(after, names) if after_ok else REDACTED)
    if event.action in ACQUISITION_ACTIONS:
        return (_acquisition(event.action, after, names) if after_ok else f"{event.action} {REDACTED}") \
            + f" of {named}"
    if event.action == "change status":
        return f"moved {named} " + (_moved(before, after) if after_ok else REDACTED)
    if event.action in ("pin", "unpin"):
        return f"pinned {named} into the briefing" if event.action == "pin" else f"unpinned {named}"
    return f"{event.action} {named}"


def _created(kind: Kind, after: dict[str, Any], names: _Names) -> str:
    """What a new record is, in a few words after its reference."""
    if kind.entity == "arrest":
        return f" in {names.jurisdiction_name(after.get('jurisdiction_id'))}"
    if kind.entity == "suspect":
        return f" ({after.get('tier')}, {after.get('status')})"
    if kind.entity == "evidence item":
        return f" ({after.get('item_type')}), held by {names.agency(after.get('holder_agency_id'))} " \
               f"{after.get('holder_name') or ''}".rstrip()
    if kind.entity == "task":
        return f" for {names.agency(after.get('owning_agency_id'))}: {after.get('title')}"
    if kind.entity == "decision":
        corrects = names.correction(after.get("corrects_id"))
        return f": “{after.get('decision')}”" + (f", correcting {corrects}" if corrects else "")
    return ""


def _about_no_record(event: AuditEvent, after: dict[str, Any]) -> str:
    """Sign-ins, exports, imports and the reference data, in words."""
    action, entity = event.action, event.entity
    if action == "export" and entity == "briefing":
        return f"made a briefing marked {after.get('classification', '')} TLP:{after.get('tlp', '')}".rstrip()
    if action == "export":
        return f"exported {after.get('rows', 0):,} {entity} ({after.get('format', 'a file')})"
    if action == "import":
        return (f"imported {entity} from {after.get('file', 'a file')}: {after.get('created', 0):,} created, "
                f"{after.get('updated', 0):,} updated")
    if action in ("sign in", "sign out"):
        return {"sign in": "signed in", "sign out": "signed out"}[action]
    if action == "session expired":
        return f"was signed out ({event.detail or 'expired'})"
    if entity == "user":
        return "provisioned a user" if action == "create" else "changed a user's account"
    if action == "create" and entity in ("agency", "operation"):
        return f"set up {entity} {after.get('code') or after.get('code_name') or ''}".rstrip()
    return f"{action} {entity}".strip()


def _values(text: str | None) -> dict[str, Any]:
    return json.loads(text) if text else {}


def _in_field_order(kind: Kind, values: dict[str, Any]) -> list[str]:
    """Columns as the record's form lists its fields (anything else after them)."""
    columns = [field.column or name for name, field in kind.fields.items()]
    return [c for c in columns if c in values] + sorted(c for c in values if c not in columns)


def _label(kind: Kind, column: str) -> str:
    """A column's label: the field that writes it (owning_agency_id is the owning agency)."""
    for name, field in kind.fields.items():
        if (field.column or name) == column:
            return kind.label(name).lower() if name != "tlp" else "TLP marking"
    return column.removesuffix("_id").replace("_", " ")


NONE = "(none)"


class _Names:
    """Ids as people read them: agency codes, jurisdiction codes, people's names, record references
    (of records the reader may read; any other linked record is a restricted record, as in exports).

    A decision's correction is named as the decision log names it (queries.decisions): the nearest
    entry of the chain the reader may read, or nothing when there is none, so a correction of an
    entry they may not read reads exactly as if that entry did not exist."""

    def __init__(self, session: Session, principal: Principal):
        self.session, self.principal = session, principal
        self.agencies = dict(session.execute(select(Agency.id, Agency.code)).all())
        self.jurisdictions = dict(session.execute(select(Jurisdiction.id, Jurisdiction.code)).all())
        self.jurisdiction_names = dict(session.execute(select(Jurisdiction.id, Jurisdiction.name)).all())
        self.people: dict[int, tuple[str, str, str]] = {}  # id -> subject, name, agency code
        self.by_subject: dict[tuple[str, str], str] = {}

    def _person(self, user_id: int) -> tuple[str, str, str] | None:
        if user_id not in self.people:
            row = self.session.execute(select(User.subject, User.display_name, User.agency_id)
                                       .where(User.id == user_id)).first()
            self.people[user_id] = (row.subject, row.display_name, self.agencies.get(row.agency_id, "")) \
                if row else None
        return self.people[user_id]

    def actor(self, issuer: str, subject: str) -> str:
        if (issuer, subject) not in self.by_subject:
            row = self.session.execute(select(User.display_name, User.agency_id).where(
                User.issuer == issuer, User.subject == subject)).first()
            self.by_subject[(issuer, subject)] = (f"{row.display_name} ({self.agencies.get(row.agency_id, '')})"
                                                  if row else subject)
        return self.by_subject[(issuer, subject)]

    def reference(self, model, record_id: Any) -> str | None:
        """The linked record's reference, if the reader may read it (None: missing or not theirs)."""
        if not isinstance(record_id, int) or isinstance(record_id, bool):
            return None
        return self.session.scalar(select(model.reference).where(model.id == record_id,
                                                                 visible(model, self.principal)))

    def link(self, model, record_id: Any) -> str:
        return self.reference(model, record_id) or RESTRICTED_RECORD

    def links(self, model, record_ids: Any) -> str:
        """Several linked records (a package's subjects) as the record's export names them: the
        references the reader may read, and one restricted record for any others."""
        return ", ".join(sorted({self.link(model, record_id) for record_id in record_ids or ()})) or NONE

    def correction(self, decision_id: Any) -> str | None:
        """The entry a correction corrects, as the reader may know it: `decision_id`'s reference if
        they may read it, else that of the nearest earlier entry of its chain they may read; None
        when there is none (as if the correction corrected nothing)."""
        seen = set()
        while isinstance(decision_id, int) and decision_id not in seen:
            seen.add(decision_id)
            reference = self.reference(Decision, decision_id)
            if reference is not None:
                return reference
            decision_id = self.session.scalar(select(Decision.corrects_id).where(Decision.id == decision_id))
        return None

    def jurisdiction_name(self, jurisdiction_id: Any) -> str:
        return self.jurisdiction_names.get(jurisdiction_id, "?")

    def agency(self, agency_id: Any) -> str:
        return self.agencies.get(agency_id, "") if agency_id is not None else ""

    def value(self, column: str, value: Any) -> str | None:
        """How a value reads (None: it is not to be mentioned at all)."""
        if column == "corrects_id":
            return self.correction(value)
        if value in (None, "", []):
            return NONE
        if column in ("owning_agency_id", "holder_agency_id", "to_agency_id", "from_agency_id", "agency_id"):
            return self.agency(value)
        if column == "jurisdiction_id":
            return self.jurisdictions.get(value, "?")
        if column in ("assignee_id",):
            person = self._person(value)
            return f"{person[1]} ({person[2]})" if person else "?"
        if column == "recipients":
            people = [self._person(user_id) for user_id in value]
            return ", ".join(f"{p[1]} ({p[2]})" for p in people if p)
        if column in ("suspect_id", "depends_on_id"):
            return self.link(Suspect if column == "suspect_id" else Task, value)
        if column == "subject_ids":
            return self.links(Suspect, value)
        if isinstance(value, bool):
            return "yes" if value else "no"
        return str(value)


def names(session: Session, principal: Principal) -> _Names:
    """Ids as the principal reads them (for `sentence`)."""
    return _Names(session, principal)


def sentences(session: Session, principal: Principal, events: Iterable,
              readable_then: dict[int, tuple[bool, bool]]) -> dict[int, str]:
    """seq -> what each event did, worded as a record's history words it, for lists of changes across
    records (the briefing's). `readable_then[seq]`: could the reader read the record just before and
    just after the event (within the reader's limit, as every read here)."""
    names = _Names(session, principal)
    kinds = {kind.entity: kind for kind in (*KINDS.values(), DECISIONS)} | {TaskUpdate.entity: TASKS}
    return {event.seq: _sentence(kinds[event.entity], event, names, *readable_then[event.seq]) for event in events}
