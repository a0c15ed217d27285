"""Bulk import of identifiers from CSV or XLSX, matched in the same transaction: all or nothing.

The conventions of `imports` (problems by row, column and reason, at most MAX_PROBLEMS; a refused
row audited; a dry run writes nothing; importing a file twice adds nothing twice), at the speed a
seized server's 100,000 identifiers need: every row is checked in memory against records and
identifiers loaded once, the new identifiers go in as one executemany of plain rows, their audit
events as one append, and the hits as one INSERT ... SELECT per kind of match joining on the keyed
value (addresses also on their building's keys: `identifiers.match`). Each row names its record by
kind and reference (REFERENCE, or AGENCY/REFERENCE where several agencies use it) among those the
importer may read, and adding to it is authorised as an update of that record, as the form does.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from coordination import audit, policy, record_references
from coordination.db import bulk_cache, insert_rows, one_of
from coordination.deconfliction_key import KeyMissing, MatchingKey
from coordination.errors import ValidationError
from coordination.exports import HANDLING_CONDITION
from coordination.fields import shown
from coordination.kinds import IDENTIFIER_COLUMNS, IDENTIFIERS
from coordination.links import choose_link, link_candidates
from coordination.models import Agency, Identifier, IdentifierKind, utcnow
from coordination.principal import Principal
from coordination.services import answers
from coordination.services.authorisation import refusal_message
from coordination.services.identifiers import (
    ADDRESS_COLUMNS,
    HOLDERS,
    address_columns,
    found_hits,
    holder,
    key_unread_addresses,
    match,
    normalised,
    operation_key,
    phonetic_keyed,
)
from coordination.services.imports import MAX_PROBLEMS, ImportResult, Problem, Progress
from coordination.services.loading import current_operation
from coordination.services.runner import Checked, record_refused_file, run_bulk
from coordination.tabular import Row, TableError, check_columns, read_table

KIND = IDENTIFIERS.fields["identifier_kind"].parse  # "phone number", "IMEI", in any case
REQUIRED = [name for name, field in IDENTIFIERS.fields.items() if field.required]
BATCH = 5000
PARALLEL_FROM = 20_000  # rows: from here a second process normalises a share (below, starting it costs more)


@dataclass(frozen=True)
class _Record:
    id: int
    entity: str
    owning_agency_id: int
    tlp: object
    changeable: bool  # may the importer add to it (an update of the record)?


def import_identifiers(engine: Engine, principal: Principal, file_name: str, content: bytes,
                       dry_run: bool = False, progress: Progress | None = None) -> ImportResult:
    """Read, check, match and (unless `dry_run` or any row is bad) commit the whole file."""
    result = ImportResult("identifiers")
    try:
        table = read_table(file_name, content)
        check_columns(table, [*IDENTIFIER_COLUMNS, HANDLING_CONDITION], REQUIRED)  # the condition: ignored
    except TableError as error:
        result.problems.append(Problem(0, "file", str(error)))
        record_refused_file(engine, principal, "identifiers", file_name, str(error))
        return result
    result.rows = len(table.rows)

    def check(session: Session) -> Checked:
        bulk_cache(session)
        try:
            key = operation_key(session, principal)
        except KeyMissing as error:  # no row can be checked: nothing to write
            result.problems.append(Problem(0, "file", str(error)))
            return Checked(False, [], lambda _: {})
        spent = None if dry_run else answers.refusal(session, principal, "import identifiers")
        if spent is not None:  # before any row is read: the refusal says nothing of the file's values
            result.problems.append(Problem(0, "file", spent, refused=True))
            new = []
        else:
            new = _check(session, principal, key, table.rows, result, progress)
        if dry_run:
            result.created = len(new)

        def write(session: Session) -> dict:
            _insert(session, principal, key, new)
            result.created = len(new)
            return {"file": file_name, "rows": result.rows, "created": result.created}

        return Checked(result.ok, result.refusals, write)

    result.committed = run_bulk(engine, principal, "identifiers", check, dry_run)
    return result


def _check(session: Session, principal: Principal, key: MatchingKey, rows: list[Row], result: ImportResult,
           progress: Progress | None) -> list[dict]:
    """The identifiers the rows add, as plain rows to insert; a problem per bad cell."""
    cells_of = [dict(row.cells.items()) for row in rows]  # each row's text decoded once
    names = [_named(cells) for cells in cells_of]
    records = _records(session, principal, set(names))
    countries = dict(session.execute(select(Agency.id, Agency.country)).all())
    kinds: dict[str, IdentifierKind | Problem] = {}
    typed = [_typed(cells, records[name], kinds, countries) for cells, name in zip(cells_of, names, strict=True)]
    named = {(record.entity, record.id) for record in records.values() if isinstance(record, _Record)}
    jobs = [job for job in typed if not isinstance(job[0], Problem)]
    if len(rows) >= PARALLEL_FROM:  # what the records hold is read while the helper normalises
        outcomes, (held, written) = _keyed_ahead(key, jobs, lambda: _held(session, named))
    else:
        outcomes, (held, written) = _keyed_all(key, jobs), _held(session, named)
    ahead = iter(outcomes)
    checked: list[tuple[Row, _Record, str, str | None, Keyed]] = []
    for done, (row, cells, name, job) in enumerate(zip(rows, cells_of, names, typed, strict=True), start=1):
        if progress and (done % 500 == 0 or done == len(rows)):
            progress(done, len(rows))
        if len(result.problems) >= MAX_PROBLEMS:  # a bounded answer to a file that is wrong everywhere
            result.problems.append(Problem(row.number, "file", f"more than {MAX_PROBLEMS:,} problems: checking "
                                                               "stopped here; correct these first"))
            break
        record = records[name]
        problems = []
        if isinstance(record, Problem):
            problems.append(Problem(row.number, record.column, record.reason, record.refused))
            record = None
        kind, value, qualifier, _ = job
        if isinstance(kind, Problem):
            problems.append(Problem(row.number, kind.column, kind.reason))
        else:
            outcome = next(ahead)
            if isinstance(record, _Record) and (record.entity, record.id, kind, value) in written:
                result.unchanged += 1  # on the record as written, however it reads today: unchanged
                continue
            if isinstance(outcome, dict):
                problems += [Problem(row.number, column, f"'{shown(cells.get(column, ''))}' {reason}")
                             for column, reason in outcome.items()]
        if problems:
            result.problems += problems
        else:
            checked.append((row, record, value, qualifier, outcome))
    operation_id, now = current_operation(session, principal).id, utcnow()
    new: list[dict] = []
    for row, record, value, qualifier, (kind, normal, keyed, sound, building) in checked:
        if (record.entity, record.id, keyed) in held:
            result.unchanged += 1  # there already, or earlier in this file: whoever owns the record
        elif not record.changeable:
            result.problems.append(Problem(row.number, "record_reference", refusal_message(
                principal, policy.Action.UPDATE, record.entity), refused=True))
        else:
            held.add((record.entity, record.id, keyed))
            new.append({"operation_id": operation_id, "kind": kind, "value": value, "qualifier": qualifier,
                        "normalised": normal, "keyed": keyed, "phonetic_keyed": sound,
                        "record_entity": record.entity, "record_id": record.id,
                        "owning_agency_id": record.owning_agency_id, "tlp": record.tlp,
                        "added_by_id": principal.user_id, "added_at": now, **(building or _NO_BUILDING)})
    result.problems.sort(key=lambda problem: problem.row)  # refusals are found in the second pass
    return new


Job = tuple[IdentifierKind | Problem, str, str | None, str | None]  # kind, value, qualifier, region
# kind, normal form, keyed value, keyed sound (people), country and building keys (addresses)
Keyed = tuple[IdentifierKind, str, str, str | None, dict[str, str | None] | None]
_NO_BUILDING = dict.fromkeys(ADDRESS_COLUMNS)
Normal = Keyed | dict[str, str]  # a job's normal form keyed, or its problems by column
T = TypeVar("T")


def _typed(cells: dict[str, str], record: _Record | Problem, kinds: dict[str, IdentifierKind | Problem],
           countries: dict[int, str]) -> Job:
    """What a row asks to normalise: its kind (or the problem with it), value, qualifier, and region
    (the country of the record's owner)."""
    region = countries.get(record.owning_agency_id) if isinstance(record, _Record) else None
    return (_kind(kinds, cells.get("identifier_kind", "")), cells.get("value", "").strip(),
            cells.get("qualifier", "").strip() or None, region)


def _keyed_all(key: MatchingKey, jobs: list[Job]) -> list[Normal]:
    """Each job's normal form and keyed values, or its problems by column (plain tuples: they cross
    from the helper process several times faster than Normalised objects)."""
    keyed, outcomes = key.keying(), []
    for job in jobs:
        try:
            normal = normalised(*job)
        except ValidationError as error:
            outcomes.append(error.problems)
            continue
        value_keyed = keyed(normal.kind.value, normal.value)
        building = address_columns(key, normal, job[1]) if normal.kind is IdentifierKind.ADDRESS else None
        outcomes.append((normal.kind, normal.value, value_keyed, phonetic_keyed(key, normal), building))
    return outcomes


def _keyed_ahead(key: MatchingKey, jobs: list[Job], meanwhile: Callable[[], T]) -> tuple[list[Normal], T]:
    """Each job's outcome, in order, a large file's shared with a second process (normalising is
    most of an import's time: 25 us a phone number, 20 us an e-mail address), and what `meanwhile`
    returns, run here while the helper works (the helper takes the larger share for it). The helper
    is forked, so only from a process with no other thread (one could hold a lock the copy never
    sees released: the app's uploads are normalised here); where no process can be made, all are
    done here."""
    if (os.cpu_count() or 1) < 2 or threading.active_count() > 1:
        return _keyed_all(key, jobs), meanwhile()
    split, got = len(jobs) * 3 // 5, None  # the helper's share
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            theirs = pool.submit(_keyed_all, key, jobs[:split])
            got = (meanwhile(),)
            mine = _keyed_all(key, jobs[split:])
            return theirs.result() + mine, got[0]
    except (OSError, BrokenProcessPool):
        return _keyed_all(key, jobs), got[0] if got else meanwhile()


def _kind(seen: dict[str, IdentifierKind | Problem], text: str) -> IdentifierKind | Problem:
    """The kind of identifier a cell names (parsed once per different text in the file)."""
    if text not in seen:
        try:
            seen[text] = KIND(None, text)
        except ValueError as error:
            seen[text] = Problem(0, "identifier_kind", str(error))
    return seen[text]


def _named(cells: dict[str, str]) -> tuple[str, str]:
    return cells.get("record_kind", "").strip().lower(), record_references.normalise(cells.get("record_reference", ""))


def _records(session: Session, principal: Principal,
             names: set[tuple[str, str]]) -> dict[tuple[str, str], _Record | Problem]:
    """(record kind, reference) -> the record the rows name, or the problem with naming it: no such
    kind, or no record the importer may read (a hidden record and no record alike). A row that adds
    to a record the importer may not change is refused when checked (one already there is unchanged,
    so an export imports back whoever owns its rows). One query per kind, which reads what the
    identifiers copy of their records too."""
    wanted: dict[str, set[str]] = {}
    named: dict[tuple[str, str], _Record | Problem] = {}
    for kind_text, reference in names:
        kind = holder(kind_text) if kind_text else None
        if kind is None:
            named[(kind_text, reference)] = Problem(0, "record_kind", f"'{shown(kind_text)}' is not one of: "
                                                    + ", ".join(kind.entity for kind in HOLDERS))
        elif not reference:
            named[(kind_text, reference)] = Problem(0, "record_reference", "is required")
        else:
            wanted.setdefault(kind.name, set()).add(reference)
    for kind in HOLDERS:
        references_named = wanted.get(kind.name, set())
        if not references_named:
            continue
        candidates = link_candidates(session, principal, kind.model, references_named)
        by_id = {candidate[0]: candidate for found in candidates.values() for candidate in found}
        changeable: dict[int, bool] = {}  # by owning agency
        for reference in references_named:
            try:
                chose = choose_link(kind.model, reference, candidates[reference], principal.agency_id)
            except ValueError as error:
                record = Problem(0, "record_reference", str(error))
            else:
                _, agency, tlp = by_id[chose]
                if agency not in changeable:
                    changeable[agency] = policy.can_write(principal, policy.Action.UPDATE, kind=kind,
                                                          owning_agency_id=agency)
                record = _Record(chose, kind.entity, agency, tlp, changeable[agency])
            for name in (kind.name, kind.entity):
                named[(name, reference)] = record
    return named


def _held(session: Session, records: set[tuple[str, int]]) -> tuple[set[tuple[str, int, str]],
                                                                     set[tuple[str, int, IdentifierKind, str]]]:
    """The open identifiers on the records the file adds to: (entity, record id, keyed), and (entity,
    record id, kind, value as written), which is what an export writes: a row of the record's own
    export is unchanged even where its value reads otherwise today (the record moved to an agency of
    another country, whose national numbers read otherwise; a library's rules updated). (Looked up
    by record: a record's identifiers lie together in its index, where the file's keyed values lie
    anywhere in theirs. By value, 100,000 fresh values took 6 s at stress scale on PostgreSQL with a
    cold cache, one random index page each.)"""
    held: set[tuple[str, int, str]] = set()
    written: set[tuple[str, int, IdentifierKind, str]] = set()
    by_entity: dict[str, list[int]] = {}
    for entity, record_id in sorted(records):
        by_entity.setdefault(entity, []).append(record_id)
    for entity, ids in by_entity.items():
        for start in range(0, len(ids), BATCH):
            for record_id, keyed, kind, value in session.execute(
                    select(Identifier.record_id, Identifier.keyed, Identifier.kind, Identifier.value).where(
                        Identifier.record_entity == entity,
                        one_of(session, Identifier.record_id, ids[start:start + BATCH]),
                        Identifier.removed_at.is_(None))):
                held.add((entity, record_id, keyed))
                written.add((entity, record_id, kind, value))
    return held, written


def _insert(session: Session, principal: Principal, key: MatchingKey, new: list[dict]) -> None:
    """The new identifiers as one executemany of plain rows, each record owner's event (the only ones
    that carry the value; one per record) as one append, then the hits they make as one INSERT ... SELECT."""
    if not new:
        return
    key_unread_addresses(session, key, new[0]["operation_id"])  # before the new ones take their ids
    ids = _next_ids(session, len(new))
    for row, identifier_id in zip(new, ids, strict=True):
        row["id"] = identifier_id
    insert_rows(session, Identifier.__table__, new)
    first = min(ids)
    found = match(session, "since", {"since": first}, possible=any(row["phonetic_keyed"] for row in new),
                  addresses=any(row["country"] for row in new))
    added: dict[tuple[str, int], list[dict]] = {}
    for row in new:
        added.setdefault((row["record_entity"], row["record_id"]), []).append(
            {"identifier": row["id"], "kind": row["kind"], "value": row["value"], "qualifier": row["qualifier"]})
    audit.record_many(session, [  # one event per record, as a record import writes
        *(audit.NewEvent(principal, "add identifiers", entity, record_id, after={"identifiers": on_record})
          for (entity, record_id), on_record in added.items()),
        *found_hits(session, principal, found, added=range(first, first + len(ids)))])


def _next_ids(session: Session, count: int) -> list[int]:
    """Ids for new identifiers, taken before they are inserted (none is read back). Writers are
    serialised (the writers' lock), so the next ids are the importer's to take."""
    if session.get_bind().dialect.name == "sqlite":
        first = (session.scalar(select(func.max(Identifier.id))) or 0) + 1
    else:  # the sequence moved on by `count` at once (nextval row by row took 0.4 s for 100,000)
        first = session.scalar(text("SELECT setval(pg_get_serial_sequence('identifier', 'id'), "
                                    "nextval(pg_get_serial_sequence('identifier', 'id')) + :more) - :more"),
                               {"more": count - 1})
    return list(range(first, first + count))
