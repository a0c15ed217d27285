"""Exports: reading what a person may see into a file, and recording that it left the system.

`export_file` is the one way an export is made (the records pages and `python -m coordination
export` call it): it reads the rows in a read transaction, which holds no writers' lock (SQLite's
`BEGIN IMMEDIATE`, PostgreSQL's advisory lock), so however long a large export reads, every other
liaison's save goes on; then it records the export (its audit event) in a short write transaction
of its own; then it hands back the file. A caller that writes the file somewhere does so only after
that, so no file leaves without its record.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from coordination import audit, exports, markings
from coordination.db import write_session
from coordination.exports import Export
from coordination.principal import Principal
from coordination.services.runner import allowed_when_closed, run

FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class ExportFile:
    """A made and recorded export: the file's name and bytes, and what it holds."""

    name: str
    data: bytes
    rows: int
    tlp: markings.TLP
    classification: markings.Classification
    as_of_seq: int  # the audit head the rows were read at: the file holds the records as they stood after it
    event_seq: int  # the export's own audit event


@allowed_when_closed  # taking out what a closed operation holds is reading it
def record_export(session: Session, principal: Principal, export: Export, file_format: str,
                  as_of_seq: int | None = None) -> int:
    """Who took how many rows of what, in which format, at which marking (and, when known, as of
    which audit head); returns the event's sequence number."""
    after = {"rows": len(export.rows), "format": file_format, "tlp": export.tlp,
             "classification": export.classification}
    if as_of_seq is not None:
        after["audit_head_seq"] = as_of_seq
    return audit.record(session, audit.NewEvent(principal, "export", export.kind.name, None, after=after))


def export_file(engine: Engine, principal: Principal, kind_name: str, file_format: str) -> ExportFile:
    """The records of `kind_name` (or "identifiers") the principal may read, as a CSV or XLSX file
    marked with their highest marking, recorded in the audit trail before it is handed back.

    Consistency: the rows are read from one snapshot (`_snapshot`) and the audit event is appended
    just after, in its own transaction, so saves that commit in between land in the trail before
    the export's event although the file does not hold them. The event says so: it records the
    audit head the read saw (`audit_head_seq`, as a briefing does), so the trail tells exactly which
    state the file holds. Holding the writers' lock across the read to close that gap would stop
    every save for as long as a large export reads, which is what this use case is for avoiding."""
    if file_format not in FORMATS:
        raise ValueError(f"an export is written as {' or '.join(FORMATS)}, not {file_format!r}")
    with _snapshot(engine) as session:
        as_of_seq = audit.head(session)[0]  # the snapshot's first read: the rows below are as of this head
        export = exports.identifiers(session, principal) if kind_name == "identifiers" else \
            exports.build(session, principal, kind_name)
    data = export.csv() if file_format == "csv" else export.xlsx()  # made before it is recorded
    with write_session(engine) as session:
        event_seq = run(session, principal, record_export, export, file_format, as_of_seq)
    return ExportFile(export.file_name(file_format), data, len(export.rows), export.tlp, export.classification,
                      as_of_seq, event_seq)


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Session]:
    """A read session whose statements all see one state of the database, without the writers' lock.
    SQLite (WAL): its one read transaction sees the database as of its first read, whatever commits
    meanwhile. PostgreSQL: READ COMMITTED would give each statement its own, so the rows and what
    is read after them (linked references, recipients, the handling conditions of grants) could
    disagree; REPEATABLE READ gives the whole transaction the first statement's, and a read-only
    transaction at that level never fails for serialisation."""
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    with Session(engine) as session:
        yield session
