"""The briefing's reads, by name: what `coordination.briefing.contents` lists, counts and names.

Each read takes the document's `Scope`: per kind, what its reader may read (`policy.visible`, which
applies the reader's `up_to`, the highest marking the author chose) within the page's filters. So no
table, sentence, change or marking of the document can reach past it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ColumnElement, Row, Select, and_, exists, false, func, or_, select
from sqlalchemy.orm import Session

from coordination import markings
from coordination.kinds import KINDS
from coordination.models import (
    Agency,
    Arrest,
    AuditEvent,
    Briefing,
    Decision,
    EvidenceItem,
    EvidenceStatus,
    Jurisdiction,
    MarkedRecord,
    Operation,
    Outcome,
    Suspect,
    SuspectStatus,
    SuspectTier,
    TargetPackage,
    Task,
    TaskStatus,
    TaskUpdate,
    User,
    overdue_at,
)
from coordination.policy import visible
from coordination.principal import Principal
from coordination.queries import decisions
from coordination.queries.contact_requests import grant_columns
from coordination.queries.picture import Filters, agency_filter, arrest_filters, jurisdiction_filter

KEY_TIERS = (SuspectTier.ADMINISTRATOR, SuspectTier.DEVELOPER)
CHANGE_ACTIONS = ("create", "update", "transfer custody")

Scope = dict[type[MarkedRecord], list[ColumnElement[bool]]]


def scope(reader: Principal, filters: Filters) -> Scope:
    """Per kind, what the document counts, lists and names: what the reader may read, within the
    page's filters and the chosen highest marking (changes included, so a change is never about a
    record the document's marking does not cover)."""
    return {Suspect: [visible(Suspect, reader), *agency_filter(Suspect, filters)],
            Arrest: [visible(Arrest, reader), *arrest_filters(filters)],
            EvidenceItem: [visible(EvidenceItem, reader), *agency_filter(EvidenceItem, filters)],
            Task: [visible(Task, reader), *agency_filter(Task, filters)],
            TargetPackage: [visible(TargetPackage, reader), *agency_filter(TargetPackage, filters),
                            *jurisdiction_filter(TargetPackage, filters)]}


def operation(session: Session, reader: Principal) -> Operation | None:
    """The operation the document is of: its reader's (None: they take part in none)."""
    return session.get(Operation, reader.operation_id) if reader.operation_id is not None else None


def _content(reader: Principal, in_scope: Scope) -> dict[type[MarkedRecord], ColumnElement[bool]]:
    """Per kind, the records the document holds: those in scope, and the pinned decisions."""
    return {model: and_(*where) for model, where in in_scope.items()} | {Decision: decisions.pinned_where(reader)}


def highest_marking(session: Session, reader: Principal,
                    in_scope: Scope) -> tuple[markings.TLP, markings.Classification]:
    """The highest TLP and classification among the content, asking from the top down whether any
    record carries each (an index lookup each), instead of grouping every record by marking."""
    wheres = _content(reader, in_scope)

    def present(column, value) -> bool:
        return any(session.scalar(select(exists().where(where, column(model) == value)))
                   for model, where in wheres.items())

    tlp = next((t for t in reversed(markings.TLP) if present(lambda m: m.tlp, t)), markings.TLP.CLEAR)
    classification = next((c for c in reversed(markings.Classification) if present(lambda m: m.classification, c)),
                          markings.Classification.OFFICIAL)
    return tlp, classification


def reads_any_red(session: Session, reader: Principal, in_scope: Scope, person: Principal) -> bool:
    """Whether `person` may read any of the TLP:RED records the document (read as `reader`) holds."""
    return any(session.scalar(select(exists().where(where, model.tlp == markings.TLP.RED, visible(model, person))))
               for model, where in _content(reader, in_scope).items())


def arrests_by_jurisdiction(session: Session, in_scope: Scope, since: datetime | None) -> list[Row]:
    """(jurisdiction name, arrests) of the arrests in scope made since `since` (None: ever), most first."""
    return list(session.execute(
        select(Jurisdiction.name, func.count()).join(Arrest, Arrest.jurisdiction_id == Jurisdiction.id)
        .where(*in_scope[Arrest], *([Arrest.arrested_at >= since] if since else []))
        .group_by(Jurisdiction.name).order_by(func.count().desc(), Jurisdiction.name)).all())


# --- the listings: the first `limit` rows, each ending with `grant_columns` (a record read under
# another agency's grant carries its handling condition), and how many there are ---------------

def _listed(session: Session, query: Select, model: type[MarkedRecord], where: list[ColumnElement[bool]],
            limit: int) -> tuple[list[Row], int]:
    return (list(session.execute(query.limit(limit)).all()),
            session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def late_tasks(session: Session, reader: Principal, in_scope: Scope, today: date,
               limit: int) -> tuple[list[Row], int]:
    """(agency, reference, title, status, priority, due date) of the tasks overdue on `today` (the
    model's `overdue_at`) or blocked, most overdue first."""
    where = [*in_scope[Task], or_(overdue_at(today), Task.status == TaskStatus.BLOCKED)]
    return _listed(session, select(Agency.code, Task.reference, Task.title, Task.status, Task.priority, Task.due_date)
                   .join(Agency, Agency.id == Task.owning_agency_id).where(*where)
                   .order_by(Task.due_date.is_(None), Task.due_date, Agency.code, Task.reference)
                   .add_columns(*grant_columns(Task, reader)), Task, where, limit)


def awaiting_analysis(session: Session, reader: Principal, in_scope: Scope, limit: int) -> tuple[list[Row], int]:
    """(exhibit, type, holding agency, holder, seized at, description) of the evidence awaiting analysis."""
    where = [*in_scope[EvidenceItem], EvidenceItem.status == EvidenceStatus.AWAITING_ANALYSIS]
    return _listed(session, select(EvidenceItem.reference, EvidenceItem.item_type, Agency.code,
                                   EvidenceItem.holder_name, EvidenceItem.seized_at, EvidenceItem.description)
                   .join(Agency, Agency.id == EvidenceItem.holder_agency_id).where(*where)
                   .order_by(EvidenceItem.seized_at, EvidenceItem.reference)
                   .add_columns(*grant_columns(EvidenceItem, reader)), EvidenceItem, where, limit)


def key_suspects(session: Session, reader: Principal, in_scope: Scope, limit: int) -> tuple[list[Row], int]:
    """(reference, name, aliases, tier, status, agency) of the site's administrators and developers
    not closed with no further action."""
    where = [*in_scope[Suspect], Suspect.tier.in_(KEY_TIERS), Suspect.status != SuspectStatus.NO_FURTHER_ACTION]
    return _listed(session, select(Suspect.reference, Suspect.full_name, Suspect.aliases, Suspect.tier,
                                   Suspect.status, Agency.code).join(Agency, Agency.id == Suspect.owning_agency_id)
                   .where(*where).order_by(Suspect.tier, Suspect.reference)
                   .add_columns(*grant_columns(Suspect, reader)), Suspect, where, limit)


def package_ids(session: Session, in_scope: Scope) -> set[int]:
    """The target packages in scope (the action day's section names no other)."""
    return set(session.scalars(select(TargetPackage.id).where(*in_scope[TargetPackage])))


# --- changes: the audit trail's events about records in scope ---------------------------------

def last_briefing(session: Session, author: Principal) -> Row | None:
    """(audit_head_seq, created_at) of the author's last briefing, if any."""
    return session.execute(select(Briefing.audit_head_seq, Briefing.created_at)
                           .where(Briefing.author_id == author.user_id,
                                  Briefing.operation_id == author.operation_id)
                           .order_by(Briefing.id.desc()).limit(1)).first()


def _events_in_scope(reader: Principal, in_scope: Scope) -> ColumnElement[bool]:
    """Audit events about records in the document's scope (task notes: through their task)."""
    clauses = [and_(AuditEvent.entity == model.entity, exists().where(model.id == AuditEvent.entity_id, *where))
               for model, where in in_scope.items()]
    clauses.append(and_(AuditEvent.entity == TaskUpdate.entity, exists().where(
        TaskUpdate.id == AuditEvent.entity_id, Task.id == TaskUpdate.task_id, *in_scope[Task])))
    return or_(*clauses) if reader.role else false()


def changes(session: Session, reader: Principal, in_scope: Scope, since_seq: int, limit: int) -> tuple[list[Row], int]:
    """The last `limit` changes (created, updated, custody transferred) after audit event `since_seq`
    to records in scope, newest first, and how many there are."""
    where = [AuditEvent.seq > since_seq, AuditEvent.outcome == Outcome.OK, AuditEvent.action.in_(CHANGE_ACTIONS),
             _events_in_scope(reader, in_scope)]
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(*where)) or 0
    events = session.execute(select(AuditEvent.seq, AuditEvent.occurred_at, AuditEvent.actor_issuer,
                                    AuditEvent.actor_subject, AuditEvent.action, AuditEvent.outcome,
                                    AuditEvent.entity, AuditEvent.entity_id, AuditEvent.before, AuditEvent.after)
                             .where(*where).order_by(AuditEvent.seq.desc()).limit(limit)).all()
    return list(events), total


def record_names(session: Session, events) -> dict[tuple[str, int], str]:
    """(entity, id) -> the reference people use for it, for the records the events are about (only
    changes in scope are listed: their records are the reader's to name)."""
    names: dict[tuple[str, int], str] = {}
    for model, column in ((kind.model, getattr(kind.model, kind.key)) for kind in KINDS.values()):
        ids = {e.entity_id for e in events if e.entity == model.entity}
        if ids:
            names.update({(model.entity, i): f"{model.entity} {ref}" for i, ref in session.execute(
                select(model.id, column).where(model.id.in_(ids)))})
    notes = {e.entity_id for e in events if e.entity == TaskUpdate.entity}
    if notes:
        names.update({(TaskUpdate.entity, i): f"{Task.entity} {ref}" for i, ref in session.execute(
            select(TaskUpdate.id, Task.reference).join(Task, Task.id == TaskUpdate.task_id)
            .where(TaskUpdate.id.in_(notes)))})
    return names


def people(session: Session, identities: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(issuer, subject) -> "Name (AGENCY)", for the people who made the changes listed."""
    subjects = {subject for _, subject in identities}
    if not subjects:
        return {}
    rows = session.execute(select(User.issuer, User.subject, User.display_name, Agency.code)
                           .join(Agency, Agency.id == User.agency_id).where(User.subject.in_(subjects)))
    return {(issuer, subject): f"{name} ({code})" for issuer, subject, name, code in rows}
