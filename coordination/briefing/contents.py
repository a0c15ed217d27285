"""What a briefing says, read in one transaction through the one scoping function.

The figures are the dashboard's own (`aggregates.picture`); the tables list at most LIST_LIMIT rows
each and say how many more there are; "changes" come from the audit trail, only for records the
author may read. The marking is the highest of every record the document counts, lists or names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select, true
from sqlalchemy.orm import Session

from coordination import audit, markings
from coordination.aggregates import CLOSED_TASKS, Filters, Picture, agency_filter, arrest_filters, picture
from coordination.exports import cell_text
from coordination.models import (
    OUTCOMES,
    Agency,
    Arrest,
    AuditEvent,
    Briefing,
    EvidenceItem,
    EvidenceStatus,
    Jurisdiction,
    MarkedRecord,
    Operation,
    Outcome,
    PackageStatus,
    Suspect,
    SuspectStatus,
    SuspectTier,
    TargetPackage,
    Task,
    TaskStatus,
    TaskUpdate,
    User,
)
from coordination.policy import visible
from coordination.principal import Principal
from coordination.queries import action_day, marking_history

LIST_LIMIT = 50
KEY_TIERS = (SuspectTier.ADMINISTRATOR, SuspectTier.DEVELOPER)
CHANGE_ACTIONS = ("create", "update", "transfer custody")
DEFAULT_CHANGE_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]
    total: int  # rows that match; only the first LIST_LIMIT are listed
    widths: tuple[int, ...]  # relative column widths on the page


@dataclass(frozen=True)
class Changes:
    since: str  # in words, for the heading
    since_seq: int
    lines: list[tuple[str, str, str]]  # when (UTC), who, what; newest first
    total: int


@dataclass(frozen=True)
class Contents:
    operation: str
    action_day: date | None
    author: Principal
    made_at: datetime
    filters: Filters
    picture: Picture
    tables: list[Table]
    changes: Changes
    tlp: markings.TLP
    classification: markings.Classification
    head_seq: int
    head_hash: str


def gather(session: Session, author: Principal, filters: Filters = Filters(), since_last: bool = False,
           now: datetime | None = None) -> Contents:
    """Everything the briefing shows, for this author, as of one audit head."""
    now = now or datetime.now(UTC)
    head_seq, head_hash = audit.head(session)
    operation = session.scalar(select(Operation).order_by(Operation.id).limit(1))
    seen = picture(session, author, filters, now.date())
    changes = _changes(session, author, since_last, now)
    wheres = _content(author, filters, changes.since_seq)
    tlp, classification = _highest_marking(session, wheres)
    return Contents(
        operation=operation.code_name if operation else "(no operation)",
        action_day=operation.action_day if operation else None, author=author, made_at=now, filters=filters,
        picture=seen, tables=[_arrests_by_jurisdiction(seen), _late_tasks_by_agency(seen),
                              _late_tasks(session, author, filters, now.date()),
                              _awaiting_analysis(session, author, filters), _key_suspects(session, author, filters),
                              *_action_day(session, author, filters, now)],
        changes=changes, tlp=tlp, classification=classification, head_seq=head_seq, head_hash=head_hash)


def _content(author: Principal, filters: Filters, since_seq: int) -> dict[type[MarkedRecord], ColumnElement[bool]]:
    """Per table, the records the document counts (the picture's filters) or names (changes)."""
    def changed(model: type[MarkedRecord]) -> ColumnElement[bool]:
        return model.id.in_(select(AuditEvent.entity_id).where(AuditEvent.seq > since_seq,
                                                               AuditEvent.entity == model.entity))

    noted = Task.id.in_(select(TaskUpdate.task_id).where(TaskUpdate.id.in_(select(AuditEvent.entity_id).where(
        AuditEvent.seq > since_seq, AuditEvent.entity == TaskUpdate.entity))))
    counted = {Suspect: agency_filter(Suspect, filters), Arrest: arrest_filters(filters),
               EvidenceItem: agency_filter(EvidenceItem, filters), Task: agency_filter(Task, filters),
               TargetPackage: [*agency_filter(TargetPackage, filters), *_jurisdiction_filter(filters)]}
    return {model: and_(visible(model, author),
                        or_(and_(true(), *where), changed(model), *([noted] if model is Task else [])))
            for model, where in counted.items()}


def _highest_marking(session: Session, wheres: dict[type[MarkedRecord], ColumnElement[bool]]):
    """The highest TLP and classification among the content, asking from the top down whether any
    record carries each (an index lookup each), instead of grouping every record by marking."""
    def present(column, value) -> bool:
        return any(session.scalar(select(exists().where(where, column(model) == value)))
                   for model, where in wheres.items())

    tlp = next((t for t in reversed(markings.TLP) if present(lambda m: m.tlp, t)), markings.TLP.CLEAR)
    classification = next((c for c in reversed(markings.Classification) if present(lambda m: m.classification, c)),
                          markings.Classification.OFFICIAL)
    return tlp, classification


def _arrests_by_jurisdiction(seen: Picture) -> Table:
    rows = [(row.code, row.name, row.country, f"{row.arrests:,}") for row in seen.arrests_by_jurisdiction]
    return Table("Arrests by jurisdiction", ("Code", "Jurisdiction", "Country", "Arrests"), rows, len(rows),
                 (2, 5, 1, 1))


def _late_tasks_by_agency(seen: Picture) -> Table:
    overdue: dict[str, int] = {}
    blocked: dict[str, int] = {}
    for row in seen.tasks_by_agency_status:
        overdue[row.agency] = overdue.get(row.agency, 0) + row.overdue
        blocked[row.agency] = blocked.get(row.agency, 0) + (row.tasks if row.status == TaskStatus.BLOCKED.value else 0)
    rows = [(agency, f"{overdue[agency]:,}", f"{blocked[agency]:,}") for agency in sorted(overdue)
            if overdue[agency] or blocked[agency]]
    return Table("Overdue and blocked tasks by agency", ("Agency", "Overdue", "Blocked"), rows, len(rows), (2, 1, 1))


def _listing(session: Session, title: str, columns: dict[str, int], query, total_query) -> Table:
    """The first LIST_LIMIT rows of `query` as text; `columns` maps each heading to its width."""
    rows = [tuple(_text(value) for value in row) for row in session.execute(query.limit(LIST_LIMIT))]
    return Table(title, tuple(columns), rows, session.scalar(total_query) or 0, tuple(columns.values()))


def _late_tasks(session: Session, author: Principal, filters: Filters, today: date) -> Table:
    late = or_(and_(Task.due_date < today, Task.status.not_in(CLOSED_TASKS)), Task.status == TaskStatus.BLOCKED)
    where = [visible(Task, author), *agency_filter(Task, filters), late]
    query = (select(Agency.code, Task.reference, Task.title, Task.status, Task.priority, Task.due_date)
             .join(Agency, Agency.id == Task.owning_agency_id).where(*where)
             .order_by(Task.due_date.is_(None), Task.due_date, Agency.code, Task.reference))
    return _listing(session, "Overdue and blocked tasks, most overdue first",
                    {"Agency": 2, "Task": 2, "Title": 6, "Status": 2, "Priority": 2, "Due": 2}, query,
                    select(func.count()).select_from(Task).where(*where))


def _awaiting_analysis(session: Session, author: Principal, filters: Filters) -> Table:
    where = [visible(EvidenceItem, author), *agency_filter(EvidenceItem, filters),
             EvidenceItem.status == EvidenceStatus.AWAITING_ANALYSIS]
    query = (select(EvidenceItem.exhibit_ref, EvidenceItem.item_type, Agency.code, EvidenceItem.holder_name,
                    EvidenceItem.seized_at, EvidenceItem.description)
             .join(Agency, Agency.id == EvidenceItem.holder_agency_id).where(*where)
             .order_by(EvidenceItem.seized_at, EvidenceItem.exhibit_ref))
    return _listing(session, "Evidence awaiting analysis",
                    {"Exhibit": 2, "Type": 2, "Holder": 2, "Held by": 2, "Seized": 2, "Item": 5},
                    query, select(func.count()).select_from(EvidenceItem).where(*where))


def _key_suspects(session: Session, author: Principal, filters: Filters) -> Table:
    where = [visible(Suspect, author), *agency_filter(Suspect, filters), Suspect.tier.in_(KEY_TIERS),
             Suspect.status != SuspectStatus.NO_FURTHER_ACTION]
    query = (select(Suspect.reference, Suspect.full_name, Suspect.aliases, Suspect.tier, Suspect.status,
                    Agency.code).join(Agency, Agency.id == Suspect.owning_agency_id).where(*where)
             .order_by(Suspect.tier, Suspect.reference))
    return _listing(session, "Key suspects (site administrators and developers)",
                    {"Reference": 2, "Name": 4, "Aliases": 4, "Tier": 2, "Status": 2, "Agency": 2}, query,
                    select(func.count()).select_from(Suspect).where(*where))


def _jurisdiction_filter(filters: Filters) -> list[ColumnElement[bool]]:
    if not filters.jurisdictions:
        return []
    codes = select(Jurisdiction.id).where(Jurisdiction.code.in_(filters.jurisdictions))
    return [TargetPackage.jurisdiction_id.in_(codes)]


def _action_day(session: Session, author: Principal, filters: Filters, now: datetime) -> list[Table]:
    """The action day's section: where each jurisdiction's packages stand, the arrests made, and the
    packages that ended nil or aborted with their reasons (the board's figures, as the author may read them)."""
    packages = [p for p in action_day.board(session, author, now).packages
                if (not filters.agencies or p.agency in filters.agencies)
                and (not filters.jurisdictions or p.jurisdiction in filters.jurisdictions)]
    if not packages:
        return []
    columns = ("live", *OUTCOMES)
    counts: dict[str, dict[str, int]] = {}
    for p in packages:
        column = p.outcome.value if p.outcome else "live"
        by = counts.setdefault(p.jurisdiction, {})
        by[column] = by.get(column, 0) + 1
    heading = ("Jurisdiction", "Live", "Arrest made", "Items seized", "Nothing found", "Nil", "Aborted", "Total")
    rows = [(code, *(f"{by.get(str(c), 0):,}" for c in columns), f"{sum(by.values()):,}")
            for code, by in sorted(counts.items())]
    arrests = [p for p in packages if p.outcome is PackageStatus.ARREST_MADE]
    stopped = [p for p in packages if p.outcome in (PackageStatus.NIL, PackageStatus.ABORTED)]
    return [
        Table("Action day: target packages by jurisdiction (outcome reached, or live)", heading, rows, len(rows),
              (3, 1, 1, 1, 1, 1, 1, 1)),
        Table("Action day: arrests made", ("Package", "Agency", "Jurisdiction", "Subjects", "Recorded (UTC)"),
              [(p.reference, p.agency, p.jurisdiction, ", ".join(ref for _, ref in p.subjects) or "-",
                _text(p.outcome_at)) for p in arrests[:LIST_LIMIT]], len(arrests), (2, 2, 2, 4, 3)),
        Table("Action day: nil and aborted, with reasons", ("Package", "Agency", "Jurisdiction", "Outcome", "Reason"),
              [(p.reference, p.agency, p.jurisdiction, p.outcome.value, p.reason or "-")
               for p in stopped[:LIST_LIMIT]], len(stopped), (2, 2, 2, 3, 6)),
    ]


def _visible_events(author: Principal) -> ColumnElement[bool]:
    """Audit events about records the author may read (task notes: through their task)."""
    models = (Suspect, Arrest, EvidenceItem, Task)
    clauses = [and_(AuditEvent.entity == m.entity,
                    exists().where(m.id == AuditEvent.entity_id, visible(m, author))) for m in models]
    clauses.append(and_(AuditEvent.entity == TaskUpdate.entity, exists().where(
        TaskUpdate.id == AuditEvent.entity_id, Task.id == TaskUpdate.task_id, visible(Task, author))))
    return or_(*clauses) if author.role else false()


def _changes(session: Session, author: Principal, since_last: bool, now: datetime) -> Changes:
    if since_last:
        last = session.execute(select(Briefing.audit_head_seq, Briefing.created_at)
                               .where(Briefing.author_id == author.user_id)
                               .order_by(Briefing.id.desc()).limit(1)).first()
        since_seq = last.audit_head_seq if last else 0
        since = f"since your last briefing ({last.created_at:%Y-%m-%d %H:%M} UTC)" if last else \
            "since the start (you have made no briefing before)"
    else:
        since_seq = audit.first_seq_since(session, now - DEFAULT_CHANGE_WINDOW) - 1
        since = f"in the last {DEFAULT_CHANGE_WINDOW.total_seconds() / 3600:.0f} hours"
    where = [AuditEvent.seq > since_seq, AuditEvent.outcome == Outcome.OK, AuditEvent.action.in_(CHANGE_ACTIONS),
             _visible_events(author)]
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(*where)) or 0
    events = session.execute(select(AuditEvent.seq, AuditEvent.occurred_at, AuditEvent.actor_issuer,
                                    AuditEvent.actor_subject,
                                    AuditEvent.action, AuditEvent.entity, AuditEvent.entity_id, AuditEvent.before,
                                    AuditEvent.after)
                             .where(*where).order_by(AuditEvent.seq.desc()).limit(LIST_LIMIT)).all()
    names = _record_names(session, events)
    people = _people(session, {(e.actor_issuer, e.actor_subject) for e in events})
    seen = _readable_then(session, author, events)
    lines = [(f"{e.occurred_at:%Y-%m-%d %H:%M}", people.get((e.actor_issuer, e.actor_subject), e.actor_subject),
              _describe(e, names.get((e.entity, e.entity_id), f"#{e.entity_id}"), *seen[e.seq])) for e in events]
    return Changes(since, since_seq, lines, total)


def _readable_then(session: Session, author: Principal, events) -> dict[int, tuple[bool, bool]]:
    """seq -> (could the author read the record just before the event, just after it): a change's
    values from a time its record was above the author's reach are not shown (a note's, through its
    task's marking when it was written)."""
    notes = {e.seq: json.loads(e.after).get("task_id") for e in events
             if e.entity == TaskUpdate.entity and e.after}
    lines = {}
    for model in (Suspect, Arrest, EvidenceItem, Task):
        ids = {e.entity_id for e in events if e.entity == model.entity}
        if model is Task:
            ids |= {task_id for task_id in notes.values() if task_id is not None}
        for record_id, history in marking_history.timelines(session, model, sorted(ids)).items():
            lines[(model.entity, record_id)] = history
    shown = {}
    for e in events:
        if e.entity == TaskUpdate.entity:
            history = lines.get((Task.entity, notes.get(e.seq)))
            then = marking_history.readable(history.before(e.seq), author) if history else False
            shown[e.seq] = (then, then)
            continue
        history = lines.get((e.entity, e.entity_id))
        if history is None:
            shown[e.seq] = (False, False)
            continue
        shown[e.seq] = (marking_history.readable(history.before(e.seq), author),
                        marking_history.readable(history.after(e.seq), author))
    return shown


def _record_names(session: Session, events) -> dict[tuple[str, int], str]:
    """(entity, id) -> the reference people use for it."""
    keyed = {Suspect: Suspect.reference, Arrest: Arrest.reference, EvidenceItem: EvidenceItem.exhibit_ref,
             Task: Task.reference}
    names: dict[tuple[str, int], str] = {}
    for model, column in keyed.items():
        ids = {e.entity_id for e in events if e.entity == model.entity}
        if ids:
            names.update({(model.entity, i): ref for i, ref in session.execute(
                select(model.id, column).where(model.id.in_(ids)))})
    notes = {e.entity_id for e in events if e.entity == TaskUpdate.entity}
    if notes:
        names.update({(TaskUpdate.entity, i): f"on task {ref}" for i, ref in session.execute(
            select(TaskUpdate.id, Task.reference).join(Task, Task.id == TaskUpdate.task_id)
            .where(TaskUpdate.id.in_(notes)))})
    return names


def _people(session: Session, identities: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    subjects = {subject for _, subject in identities}
    if not subjects:
        return {}
    rows = session.execute(select(User.issuer, User.subject, User.display_name, Agency.code)
                           .join(Agency, Agency.id == User.agency_id).where(User.subject.in_(subjects)))
    return {(issuer, subject): f"{name} ({code})" for issuer, subject, name, code in rows}


def _describe(event, name: str, before_shown: bool = True, after_shown: bool = True) -> str:
    """One line in words: 'updated suspect M-3: status identified -> arrested'. Values from a time
    the author could not read the record read as REDACTED."""
    before = json.loads(event.before) if event.before else {}
    after = json.loads(event.after) if event.after else {}
    if event.action == "create":
        verb = "added a note" if event.entity == TaskUpdate.entity else f"created {event.entity}"
        status = after.get("status_to") if after_shown else None
        return f"{verb} {name}" + (f": status -> {status}" if status else "")
    if not before_shown and not after_shown:
        return f"{event.action} {event.entity} {name}: {marking_history.REDACTED}"
    hidden = marking_history.REDACTED

    def value(values: dict, field: str, shown: bool) -> str:
        return _short(values.get(field)) if shown else hidden
    changed = [f"{field} {value(before, field, before_shown)} -> {value(after, field, after_shown)}"
               for field in sorted(after) if field != "version"]
    return f"{event.action} {event.entity} {name}" + (": " + "; ".join(changed[:4]) if changed else "") + \
        (f" (+{len(changed) - 4} more)" if len(changed) > 4 else "")


def _short(value) -> str:
    text = "-" if value in (None, "") else str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _text(value) -> str:
    """As an export writes it, but times to the minute for reading on paper."""
    return f"{value:%Y-%m-%d %H:%M}" if isinstance(value, datetime) else cell_text(value)
