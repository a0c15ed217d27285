"""Bulk import of suspects, arrests, tasks and target packages from CSV or XLSX: all or nothing.

Each row goes through the same service code as a form (validation, authorisation, version check,
audit event), inside one transaction; a row that fails is rolled back to its savepoint and
reported with its row number, column and reason. If any row fails, or on a dry run, the whole
transaction is rolled back: nothing is half-applied. Rows are matched by their external reference,
so importing a file twice, or twice at once, creates nothing twice.

The transaction is `runner.run_bulk`'s: this module checks the rows in it (a savepoint per row that
goes through a use case), and the runner commits, rolls back (a dry run, any bad row) or records a
refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine, and_, false, func, insert, inspect, or_, select
from sqlalchemy.orm import Session

from coordination import audit, policy, record_references
from coordination.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from coordination.exports import HANDLING_CONDITION
from coordination.fields import shown
from coordination.kinds import IMPORTABLE, KINDS, Kind, LinksTo, LinkTo
from coordination.links import link_candidates
from coordination.models import Agency, Jurisdiction, Recipient, User, utcnow
from coordination.principal import Principal
from coordination.services import use_cases
from coordination.services.loading import current_operation
from coordination.services.pipeline import prepare_create
from coordination.services.runner import Checked, record_refused_file, run_bulk
from coordination.services.unique_references import clash
from coordination.tabular import Row, Table, TableError, check_columns, read_table

MAX_PROBLEMS = 1_000
# the use cases a row goes through, inside the import's one transaction, are the kind's (use_cases.of);
# a kind with bulk rules has its new rows checked one by one and inserted in batches
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Problem:
    row: int  # 0: the file as a whole
    column: str
    reason: str
    refused: bool = False  # a permission refusal, audited as such

    def __str__(self) -> str:
        where = f"row {self.row}, {self.column}" if self.row else "file"
        return f"{where}: {self.reason}"


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def refusals(self) -> list[str]:
        """The problems that are permission refusals, audited as such."""
        return [str(problem) for problem in self.problems if problem.refused]


def import_file(engine: Engine, principal: Principal, kind_name: str, file_name: str, content: bytes,
                dry_run: bool = False, progress: Progress | None = None) -> ImportResult:
    """Read, check and (unless `dry_run` or any row is bad) commit the whole file."""
    result = ImportResult(kind_name)
    if kind_name not in IMPORTABLE:
        result.problems.append(Problem(0, "kind", f"'{kind_name}' cannot be imported; use {', '.join(IMPORTABLE)}"))
        return result
    kind = KINDS[kind_name]
    try:
        table = read_table(file_name, content)
        check_columns(table, [*kind.columns, HANDLING_CONDITION], [kind.key])  # the condition: ignored
    except TableError as error:
        result.problems.append(Problem(0, "file", str(error)))
        record_refused_file(engine, principal, kind_name, file_name, str(error))
        return result
    result.rows = len(table.rows)

    def check(session: Session) -> Checked:
        try:
            _apply(session, principal, kind, table, result, progress)
        finally:
            session.info.clear()  # the pre-loaded names and rows are this transaction's only
        return Checked(result.ok, result.refusals, lambda _: {
            "file": file_name, "rows": result.rows, "created": result.created, "updated": result.updated})

    result.committed = run_bulk(engine, principal, kind_name, check, dry_run)
    return result


def _apply(session: Session, principal: Principal, kind: Kind, table: Table, result: ImportResult,
           progress: Progress | None) -> None:
    """Rows name their records by (owning agency, reference): the row's owning_agency column, or the
    importer's agency when blank. A reference is matched among the importer's agency's records and the
    other agencies' records the importer may read; another agency's record they may not read is not
    there for them (the row is a new record of that agency, which a liaison may not create)."""
    agencies = {code: agency_id for agency_id, code in session.execute(select(Agency.id, Agency.code))}
    rows = [(row, _named(row, kind, agencies, principal)) for row in table.rows]
    existing = _existing(session, principal, kind, {named for _, named in rows if named[1]})
    seen: dict[tuple[int | None, str], int] = {}
    bulk = use_cases.of(kind).bulk_rules is not None
    taken: dict[tuple[int, str], tuple[str, int]] = {}  # (agency, skeleton) -> (reference, its row or 0)
    if bulk or not _links_to_itself(kind):
        _preload(session, principal, kind, table, fresh=bulk)
    if bulk:
        taken = _own_skeletons(session, principal, kind)
    new: list[tuple[dict, list[int] | None]] = []
    new_rows: list[int] = []  # the row number of each of `new`
    for done, (row, named) in enumerate(rows, start=1):
        agency_id, key = named
        if len(result.problems) >= MAX_PROBLEMS:  # a bounded answer to a file that is wrong everywhere
            result.problems.append(Problem(row.number, "file", f"more than {MAX_PROBLEMS:,} problems: checking "
                                                               "stopped here; correct these first"))
            break
        if named in seen:
            result.problems.append(Problem(row.number, kind.key, f"'{shown(key)}' is also on row {seen[named]}"))
            continue
        seen[named] = row.number
        if bulk and key and named not in existing:
            if not _looks_taken(kind, row, named, taken, result, agencies):
                _check_new_row(session, principal, kind, row, new, result)
                new_rows += [row.number] * (len(new) - len(new_rows))
        else:
            _apply_row(session, principal, kind, row, existing.get(named), result)
        if progress and (done % 500 == 0 or done == len(table.rows)):
            progress(done, len(table.rows))
    if new and result.ok:
        refused = _insert_new(session, principal, kind, new)
        result.problems += [Problem(new_rows[n], column, reason)
                            for n, problems in sorted(refused.items()) for column, reason in problems.items()]
        result.created += len(new)


def _named(row: Row, kind: Kind, agencies: dict[str, int], principal: Principal) -> tuple[int | None, str]:
    """(owning agency id, reference) a row names; the agency is None for a code that is no agency."""
    code = row.cells.get("owning_agency", "").strip().upper()
    named = record_references.normalise(row.cells.get(kind.key, ""))
    return (agencies.get(code) if code else principal.agency_id), named


def _own_skeletons(session: Session, principal: Principal, kind: Kind) -> dict[tuple[int, str], tuple[str, int]]:
    """The skeletons of the importer's agency's references in their operation (references are unique per
    operation and agency): a new row may not look like one of them."""
    column = getattr(kind.model, kind.key)
    return {(principal.agency_id, skeleton): (reference, 0) for skeleton, reference in session.execute(
        select(kind.model.reference_skeleton, column).where(kind.model.owning_agency_id == principal.agency_id,
                                                            policy.in_operation(kind.model, principal)))}


def _looks_taken(kind: Kind, row: Row, named: tuple[int | None, str], taken: dict[tuple[int, str], tuple[str, int]],
                 result: ImportResult, agencies: dict[str, int]) -> bool:
    """A new row whose reference is, or looks like, one its agency uses (stored, or on an earlier row
    of the file). Only the importer's agency's stored references are looked at: rows for other
    agencies are refused as creations anyway."""
    agency_id, key = named
    if agency_id is None:
        return False
    shape = (agency_id, record_references.skeleton(key))
    if shape not in taken:
        taken[shape] = (key, row.number)
        return False
    existing, on_row = taken[shape]
    code = next((c for c, i in agencies.items() if i == agency_id), "this agency")
    reason = clash(kind, key, existing, code) + (f" on row {on_row}" if on_row else "")
    result.problems.append(Problem(row.number, kind.key, reason))
    return True


def _links_to_itself(kind: Kind) -> bool:
    """Whether a row may link to a record of its own kind (a task depending on a task): one made by an
    earlier row of the file, which a pre-loaded answer would not know."""
    return any(isinstance(spec.parse, (LinkTo, LinksTo)) and spec.parse.links_to is kind.model
               for spec in kind.fields.values())


def _preload(session: Session, principal: Principal, kind: Kind, table: Table, fresh: bool) -> None:
    """One query per linked table instead of one per row: the names this file uses (a package's
    subjects too), and the operation, pinned for this transaction. `fresh`: the rows this transaction
    loads are current (the writers' lock is held) and need not be read again."""
    lookups = session.info["lookups"] = {}
    for model in (Agency, Jurisdiction):
        lookups.update({(model.__name__, code): i for i, code in session.execute(select(model.id, model.code))})
    lookups.update({("User", subject): i for i, subject in
                    session.execute(select(User.id, User.subject).where(User.active.is_(True)))})
    links = session.info["links"] = {}
    for name, spec in kind.fields.items():  # the records the rows link to, among those the importer may read
        if isinstance(spec.parse, (LinkTo, LinksTo)):
            model = spec.parse.links_to
            cells = [row.cells.get(name, "") for row in table.rows]
            if isinstance(spec.parse, LinksTo):
                cells = [item for cell in cells for item in cell.split(",")]
            names = {record_references.normalise(cell) for cell in cells} - {"", record_references.RESTRICTED}
            links |= {(model.__name__, named): found
                      for named, found in link_candidates(session, principal, model, names).items()}
    session.info["loaded_in_this_transaction"] = fresh


def _check_new_row(session: Session, principal: Principal, kind: Kind, row: Row,
                   new: list[tuple[dict, list[int] | None]], result: ImportResult) -> None:
    """The same validation and authorisation as the create service, without writing yet."""
    data = {name: value for name, value in row.cells.items() if name in kind.fields}
    rules = use_cases.of(kind).bulk_rules

    def check(values: dict) -> None:
        if rules is not None:
            rules(session, principal, values)
    try:
        new.append(prepare_create(session, principal, kind, data, check))
    except ValidationError as error:
        result.problems += [Problem(row.number, column, reason) for column, reason in error.problems.items()]
    except PermissionDenied as error:
        result.problems.append(Problem(row.number, "owning_agency", str(error), refused=True))
    except NotFound as error:
        result.problems.append(Problem(row.number, kind.key, str(error)))


def _insert_new(session: Session, principal: Principal, kind: Kind,
                new: list[tuple[dict, list[int] | None]]) -> dict[int, dict[str, str]]:
    """Insert the checked rows in batches, then their recipients and one audit event each, then what
    the kind writes besides (`bulk_inserted`); the problems of rows refused at that point, by index."""
    model, operation_id, now = kind.model, current_operation(session, principal).id, utcnow()
    columns = {column.name for column in inspect(model).local_table.columns}  # (not a package's subjects)
    rows = [{name: value for name, value in values.items() if name in columns}
            | {"operation_id": operation_id, "updated_by_id": principal.user_id, "version": 1,
               "created_at": now, "updated_at": now} for values, _ in new]
    if session.get_bind().dialect.name == "sqlite":
        # the writer holds SQLite's one write lock since BEGIN IMMEDIATE: the next ids are ours to take,
        # and a plain executemany is several times faster than RETURNING row by row
        first = (session.scalar(select(func.max(model.id))) or 0) + 1
        ids = list(range(first, first + len(rows)))
        session.execute(insert(model.__table__), [row | {"id": i} for row, i in zip(rows, ids, strict=True)])
    else:
        ids = []
        for start in range(0, len(rows), 5000):
            ids += session.scalars(insert(model.__table__).returning(model.id, sort_by_parameter_order=True),
                                   rows[start:start + 5000]).all()
    named = [{"entity": model.entity, "entity_id": record_id, "user_id": user_id}
             for record_id, (_, recipients) in zip(ids, new, strict=True) for user_id in recipients or ()]
    if named:
        session.execute(insert(Recipient.__table__), named)
    audit.record_many(session, [
        audit.NewEvent(principal, "create", model.entity, record_id,
                       after=values | ({"recipients": recipients} if recipients else {}))
        for record_id, (values, recipients) in zip(ids, new, strict=True)])
    inserted = use_cases.of(kind).bulk_inserted
    if inserted is None:
        return {}
    return inserted(session, principal, [(record_id, values, recipients)
                                         for record_id, (values, recipients) in zip(ids, new, strict=True)])


def _existing(session: Session, principal: Principal, kind: Kind,
              named: set[tuple[int | None, str]]) -> dict[tuple[int | None, str], tuple[int, int]]:
    """(owning agency, reference) -> (id, version) of the records the file names that exist: the
    importer's agency's, and other agencies' that the importer may read, of the importer's operation (the
    same reference is another record in another operation)."""
    model, column = kind.model, getattr(kind.model, kind.key)
    found: dict[tuple[int | None, str], tuple[int, int]] = {}
    keys_list = sorted({key for _, key in named})
    mine = (and_(model.owning_agency_id == principal.agency_id, policy.in_operation(model, principal))
            if principal.agency_id is not None else false())
    for start in range(0, len(keys_list), 5000):
        rows = session.execute(select(model.owning_agency_id, column, model.id, model.version).where(
            column.in_(keys_list[start:start + 5000]), or_(mine, policy.visible(model, principal))))
        found.update({(agency_id, key): (record_id, version) for agency_id, key, record_id, version in rows
                      if (agency_id, key) in named})
    return found


def _apply_row(session: Session, principal: Principal, kind: Kind, row: Row, existing: tuple[int, int] | None,
               result: ImportResult) -> None:
    data = {name: value for name, value in row.cells.items() if name in kind.fields}
    try:
        with session.begin_nested():
            if existing is None:
                use_cases.of(kind).create(session, principal, data)
                result.created += 1
                return
            record_id, current = existing
            seen_version = _version(row, current)
            changes = {name: value for name, value in data.items() if name != kind.key}
            record = use_cases.of(kind).update(session, principal, record_id, seen_version, changes)
            if record.version != current:
                result.updated += 1
            else:
                result.unchanged += 1
    except ValidationError as error:
        result.problems += [Problem(row.number, column, reason) for column, reason in error.problems.items()]
    except PermissionDenied as error:
        result.problems.append(Problem(row.number, "owning_agency", str(error), refused=True))
    except ConflictError as error:
        result.problems.append(Problem(row.number, "version", str(error)))
    except NotFound:  # only a record of the importer's own agency can be there and unreadable
        result.problems.append(Problem(row.number, kind.key, "names a record of your agency that you may not read"))


def _version(row: Row, current: int) -> int:
    """The version the file was exported at; without one, the file speaks for the current version."""
    text = row.cells.get("version", "").strip()
    if not text:
        return current
    if not (text.isascii() and text.isdigit()) or len(text) > 9:  # "²" is a digit to str.isdigit()
        raise ValidationError({"version": f"'{shown(text)}' is not a version number"})
    return int(text)
