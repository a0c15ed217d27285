"""What a briefing says, read in one transaction through the one scoping function.

Everything is read as its reader reads it (the author, or for a preview the stand-in of another
agency's liaison), within the page's filters and the highest marking the author chose (the reader's
`up_to`, which `policy` applies to every read below, so no section can leave it out):
the figures are the dashboard's own (`aggregates.picture`); the summary's sentences are counted from
them and from the arrests in the window; the tables list at most LIST_LIMIT rows each and say how
many more there are; "changes" come from the audit trail, in the words of a record's history, only
for records in that scope, and values from a time a record was beyond it read as restricted. The
marking is the highest of every record the document counts, lists or names. The reads themselves are
named in `coordination.queries.briefing`; this module words and tabulates what they return.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from coordination import audit, markings
from coordination.aggregates import Filters, Picture, picture
from coordination.errors import ValidationError
from coordination.exports import cell_text
from coordination.models import OUTCOMES, Arrest, EvidenceItem, PackageStatus, Suspect, Task, TaskStatus, TaskUpdate
from coordination.principal import Principal
from coordination.queries import action_day, decisions, history, marking_history
from coordination.queries import briefing as reads
from coordination.queries.briefing import Scope
from coordination.queries.contact_requests import condition_words
from coordination.record_references import RESTRICTED as RESTRICTED_RECORD

LIST_LIMIT = 50
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
    since: str  # in words, for the heading and the summary: "since your last briefing at 07:00 UTC on ..."
    since_at: datetime | None  # None: since the start
    since_seq: int
    lines: list[tuple[str, str, str, str]]  # when (with its zone), who, which record, what; newest first
    total: int


@dataclass(frozen=True)
class Contents:
    operation: str
    action_day: date | None
    author: Principal
    reader: Principal  # whose view it holds (the author's or a preview's stand-in), within its up_to
    made_at: datetime
    filters: Filters  # the page's
    distribution: tuple[str, ...]  # people and agencies named on the cover
    picture: Picture
    summary: list[str]  # sentences up front
    tables: list[Table]
    changes: Changes
    tlp: markings.TLP
    classification: markings.Classification
    head_seq: int
    head_hash: str

    @property
    def previewed(self) -> bool:
        """Made as another agency's liaison would receive it (not as its author reads)."""
        return self.reader.subject != self.author.subject


def gather(session: Session, author: Principal, filters: Filters = Filters(), since_last: bool = False,
           now: datetime | None = None, reader: Principal | None = None,
           distribution: tuple[str, ...] = ()) -> Contents:
    """Everything the briefing shows, as `reader` (the author unless previewing) may read it within
    the filters, as of one audit head."""
    now = now or datetime.now(UTC)
    reader = reader or author
    head_seq, head_hash = audit.head(session)
    operation = reads.operation(session, reader)
    seen = picture(session, reader, filters, now.date())
    scope = reads.scope(reader, filters)
    changes = _changes(session, author, reader, scope, since_last, now)
    tlp, classification = reads.highest_marking(session, reader, scope)
    action_day = operation.action_day if operation else None
    return Contents(
        operation=operation.code_name if operation else "(no operation)", action_day=action_day, author=author,
        reader=reader, made_at=now, filters=filters, distribution=distribution, picture=seen,
        summary=_summary(session, scope, seen, changes, action_day, now.date()),
        tables=[_arrests_by_jurisdiction(seen), _late_tasks_by_agency(seen),
                _late_tasks(session, reader, scope, now.date()), _awaiting_analysis(session, reader, scope),
                _key_suspects(session, reader, scope), *_deconfliction(seen),
                _pinned_decisions(session, reader), *_action_day(session, reader, scope, now)],
        changes=changes, tlp=tlp, classification=classification, head_seq=head_seq, head_hash=head_hash)


def refuse_unread_recipients(session: Session, contents: Contents, people: tuple[Principal, ...]) -> None:
    """A TLP:RED briefing is for named people who may read its RED content: refuse, in words, to make
    one for a person named on its distribution who may read none of its RED records (they could not
    be handed it, and a copy addressed to them would tell them that such records exist)."""
    if contents.tlp is not markings.TLP.RED:
        return
    scope = reads.scope(contents.reader, contents.filters)
    shut_out = [person.label for person in people
                if not reads.reads_any_red(session, contents.reader, scope, person)]
    if shut_out:
        who = shut_out[0] if len(shut_out) == 1 else f"{', '.join(shut_out[:-1])} and {shut_out[-1]}"
        raise ValidationError({"people": f"{who} may read none of this briefing's TLP:RED records: leave them off "
                                         "the distribution, or make a version up to AMBER+STRICT for them"})


def _summary(session: Session, scope: Scope, seen: Picture, changes: Changes, action_day: date | None,
             today: date) -> list[str]:
    """A few sentences up front: arrests in the window (and where most were made), late tasks (and
    whose most are), evidence waiting, changes, the action day; all within the document's scope."""
    arrests = reads.arrests_by_jurisdiction(session, scope, changes.since_at)
    overdue: dict[str, int] = {}
    for row in seen.tasks_by_agency_status:
        overdue[row.agency] = overdue.get(row.agency, 0) + row.overdue
    most_overdue = max(sorted(overdue.items()), key=lambda item: item[1], default=None)
    sentences = [
        f"{changes.since[0].upper()}{changes.since[1:]}: "
        f"{_with_most(sum(n for _, n in arrests), 'arrest', arrests[0] if arrests else None, 'in {}')}.",
        f"Overdue now: {_with_most(seen.tasks_overdue, 'task', most_overdue, 'owned by {}')}; "
        f"blocked: {_counted(seen.tasks_blocked, 'task')}.",
        f"Awaiting analysis: {_counted(seen.evidence_awaiting_analysis, 'evidence item')}. In all: "
        f"{_counted(seen.arrests_total, 'arrest')}, {_counted(seen.suspects_past_lead, 'suspect')} past lead.",
        f"{_counted(changes.total, 'change')} to these records {changes.since}, listed at the end."]
    sentences = [sentence[0].upper() + sentence[1:] for sentence in sentences]
    if action_day:
        days = (action_day - today).days
        when = {0: "is today", 1: "is tomorrow", -1: "was yesterday"}.get(
            days, f"is in {days} days" if days > 0 else f"was {-days} days ago")
        sentences.append(f"The action day, {action_day:%A} {action_day.day} {action_day:%B %Y}, {when}.")
    return sentences


def _counted(n: int, singular: str) -> str:
    return f"{n:,} {singular}" if n == 1 else f"{n:,} {singular}s" if n else f"no {singular}s"


def _with_most(total: int, singular: str, largest: tuple[str, int] | None, where: str) -> str:
    """'12 arrests, 9 of them in England and Wales': a total and its largest part, worded by `where`."""
    if not largest or not largest[1]:
        return _counted(total, singular)
    share = "" if total == 1 else "all " if largest[1] == total else f"{largest[1]:,} of them "
    return f"{_counted(total, singular)}, {share}{where.format(largest[0])}"


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


def _listing(title: str, columns: dict[str, int], listed: tuple[list, int], named_at: int = 0) -> Table:
    """The rows a read listed (at most LIST_LIMIT of them, and how many there are) as text;
    `columns` maps each heading to its width. Each row ends with `grant_columns`: a record read under
    another agency's grant carries its handling condition after its name (the column `named_at`)."""
    found, total = listed
    rows = []
    for *values, condition, stated in found:
        cells = [_text(value) for value in values]
        if condition:
            cells[named_at] += f" (handling condition {condition_words(condition, stated)})"
        rows.append(tuple(cells))
    return Table(title, tuple(columns), rows, total, tuple(columns.values()))


def _late_tasks(session: Session, reader: Principal, scope: Scope, today: date) -> Table:
    return _listing("Overdue and blocked tasks, most overdue first",
                    {"Agency": 2, "Task": 2, "Title": 6, "Status": 2, "Priority": 2, "Due": 2},
                    reads.late_tasks(session, reader, scope, today, LIST_LIMIT), named_at=1)


def _awaiting_analysis(session: Session, reader: Principal, scope: Scope) -> Table:
    return _listing("Evidence awaiting analysis",
                    {"Exhibit": 2, "Type": 2, "Holder": 2, "Held by": 2, "Seized (UTC)": 3, "Item": 5},
                    reads.awaiting_analysis(session, reader, scope, LIST_LIMIT))


def _key_suspects(session: Session, reader: Principal, scope: Scope) -> Table:
    return _listing("Key suspects (site administrators and developers)",
                    {"Reference": 2, "Name": 4, "Aliases": 4, "Tier": 2, "Status": 2, "Agency": 2},
                    reads.key_suspects(session, reader, scope, LIST_LIMIT))


def _action_day(session: Session, reader: Principal, scope: Scope, now: datetime) -> list[Table]:
    """The action day's section: where each jurisdiction's packages stand, the arrests made, the
    packages that ended nil or aborted with their reasons, and the conflicts as the board tells them
    to the reader (those naming only packages within the document's scope)."""
    in_scope = reads.package_ids(session, scope)
    packages = [p for p in action_day.board(session, reader, now).packages if p.id in in_scope]
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
    conflicts = [c for c in action_day.conflict_notices(session, reader) if set(c.named_ids) <= in_scope]
    return [
        Table("Action day: target packages by jurisdiction (outcome reached, or live)", heading, rows, len(rows),
              (3, 1, 1, 1, 1, 1, 1, 1)),
        Table("Action day: arrests made", ("Package", "Agency", "Jurisdiction", "Subjects", "Recorded (UTC)"),
              [(p.reference, p.agency, p.jurisdiction, ", ".join(ref for _, ref in p.subjects) or "-",
                _text(p.outcome_at)) for p in arrests[:LIST_LIMIT]], len(arrests), (2, 2, 2, 4, 3)),
        Table("Action day: nil and aborted, with reasons", ("Package", "Agency", "Jurisdiction", "Outcome", "Reason"),
              [(p.reference, p.agency, p.jurisdiction, p.outcome.value, p.reason or "-")
               for p in stopped[:LIST_LIMIT]], len(stopped), (2, 2, 2, 3, 6)),
        Table("Action day: conflicts between packages", ("As you are told of it", "Command"),
              [(c.sentence, c.acknowledgement) for c in conflicts[:LIST_LIMIT]], len(conflicts), (3, 2)),
    ]


def _pinned_decisions(session: Session, reader: Principal) -> Table:
    """The decision log's pinned entries the reader may read (within the document's marking), newest first."""
    rows = [(e.reference, e.decided_at.removesuffix(" UTC"), e.decided_by, e.decision, e.rationale, e.marking)
            for e in decisions.pinned(session, reader)]
    return Table("Pinned decisions", ("Entry", "Decided (UTC)", "Decided by", "Decision", "Rationale", "Marking"),
                 rows[:LIST_LIMIT], len(rows), (3, 3, 3, 6, 6, 5))


def _since(session: Session, author: Principal, since_last: bool, now: datetime) -> tuple[int, datetime | None, str]:
    """Where the changes start: the audit sequence, the moment, and the words for it."""
    if not since_last:
        since_at = now - DEFAULT_CHANGE_WINDOW
        return (audit.first_seq_since(session, since_at) - 1, since_at,
                f"in the last {DEFAULT_CHANGE_WINDOW.total_seconds() / 3600:.0f} hours")
    last = reads.last_briefing(session, author)
    if last is None:
        return 0, None, "since the start (you have made no briefing before)"
    return last.audit_head_seq, last.created_at, f"since your last briefing at {_moment(last.created_at)}"


def _moment(at: datetime) -> str:
    """'07:00 UTC on Thursday 26 November 2026'"""
    return f"{at:%H:%M} UTC on {at:%A} {at.day} {at:%B %Y}"


def _changes(session: Session, author: Principal, reader: Principal, scope: Scope, since_last: bool,
             now: datetime) -> Changes:
    since_seq, since_at, since = _since(session, author, since_last, now)
    events, total = reads.changes(session, reader, scope, since_seq, LIST_LIMIT)
    names = reads.record_names(session, events)
    people = reads.people(session, {(e.actor_issuer, e.actor_subject) for e in events})
    said = history.sentences(session, reader, events, _readable_then(session, reader, events))
    lines = [(f"{e.occurred_at:%Y-%m-%d %H:%M} UTC", people.get((e.actor_issuer, e.actor_subject), e.actor_subject),
              names.get((e.entity, e.entity_id), f"{e.entity} {RESTRICTED_RECORD}"), said[e.seq]) for e in events]
    return Changes(since, since_at, since_seq, lines, total)


def _readable_then(session: Session, reader: Principal, events) -> dict[int, tuple[bool, bool]]:
    """seq -> (could the reader read the record just before the event, just after it, within the
    chosen highest marking): a change's values from a time its record was above the reader's reach
    are not shown (a note's, through its task's marking when it was written)."""
    notes = {e.seq: json.loads(e.after).get("task_id") for e in events
             if e.entity == TaskUpdate.entity and e.after}
    lines = {}
    for model in (Suspect, Arrest, EvidenceItem, Task):
        ids = {e.entity_id for e in events if e.entity == model.entity}
        if model is Task:
            ids |= {task_id for task_id in notes.values() if task_id is not None}
        for record_id, timeline in marking_history.timelines(session, model, sorted(ids)).items():
            lines[(model.entity, record_id)] = timeline
    readable = {}
    for e in events:
        if e.entity == TaskUpdate.entity:
            timeline = lines.get((Task.entity, notes.get(e.seq)))
            then = marking_history.readable(timeline.before(e.seq), reader) if timeline else False
            readable[e.seq] = (then, then)
            continue
        timeline = lines.get((e.entity, e.entity_id))
        if timeline is None:
            readable[e.seq] = (False, False)
            continue
        after = timeline.after(e.seq) if e.action in ("create", "update") else timeline.before(e.seq)
        readable[e.seq] = (marking_history.readable(timeline.before(e.seq), reader),
                           marking_history.readable(after, reader))
    return readable


def _text(value) -> str:
    """As an export writes it, but times to the minute for reading on paper."""
    return f"{value:%Y-%m-%d %H:%M}" if isinstance(value, datetime) else cell_text(value)  # headed "(UTC)"


def _deconfliction(seen: Picture) -> list[Table]:
    """Open hits by agency pair and requests for contact not answered yet: counts of what the author is
    told of, never an identifier or a record."""
    hits = [(f"{row.first} and {row.second}" if row.first != row.second else f"within {row.first} "
             "(possible duplicates)", f"{row.hits:,}") for row in seen.hits_between]
    pending = [(row.asking, row.asked, f"{row.pending:,}", f"{row.overdue:,}") for row in seen.requests_pending]
    return [Table("Deconfliction: open hits between agencies", ("Agencies", "Open hits"), hits, len(hits), (4, 1)),
            Table("Deconfliction: requests for contact not answered", ("Asked by", "Asked of", "Pending",
                                                                        "Over 48 hours"), pending, len(pending),
                  (2, 2, 1, 1))]
