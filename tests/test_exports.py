"""Exports as one use case (`services.exports.export_file`), on both stores: an export reads without
the writers' lock, so a liaison's save in the middle of its read commits without waiting for it; the
rows are of one state, which the export's audit event names; the CLI writes its file only once that
event is committed, and no file when recording fails.

Nothing here times anything (speed lives in bench/): the export is held in the middle of its read, in a
thread, and the test sees the save commit while it is held."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from coordination import deconfliction_key, exports, services, tabular
from coordination.cli import cli
from coordination.errors import CoordinationError
from coordination.kinds import SUSPECTS
from coordination.models import AuditEvent, Suspect
from coordination.services import exports as export_service
from tests.conftest import suspect
from tests.test_briefing import cli_url

WAIT = 30  # seconds; generous: only so that a regression fails instead of hanging


class Hold:
    """Holds an export at `step` of `coordination.exports` (a step of its read that comes after rows
    were read: the `skip`+1-th call; "reads.x": `x` of the named reads it calls) until `release` is set."""

    def __init__(self, monkeypatch, step: str, skip: int = 0):
        self.held, self.release, self.resumed = threading.Event(), threading.Event(), threading.Event()
        owner, _, name = step.rpartition(".")
        module = getattr(exports, owner) if owner else exports
        original, calls = getattr(module, name), []

        def held(*args, **kwargs):
            calls.append(step)
            if len(calls) == skip + 1:
                self.held.set()
                self.release.wait(WAIT)
                self.resumed.set()
            return original(*args, **kwargs)
        monkeypatch.setattr(module, name, held)


def in_thread(call) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def target():
        try:
            outcome["made"] = call()
        except BaseException as error:  # handed to the test's thread
            outcome["error"] = error
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, outcome


def last_event(store) -> tuple:
    with store.reader() as session:
        event = session.execute(select(AuditEvent.seq, AuditEvent.action, AuditEvent.entity, AuditEvent.actor_subject,
                                       AuditEvent.after).order_by(AuditEvent.seq.desc()).limit(1)).one()
    return event.seq, event.action, event.entity, event.actor_subject, json.loads(event.after or "{}")


@pytest.fixture
def held_records(store, tmp_path, monkeypatch):
    """MET's suspects S-0..S-2 with a phone number each (the identifiers export reads them too)."""
    monkeypatch.setenv(deconfliction_key.ENVIRONMENT, str(deconfliction_key.make_key_file(tmp_path / "key")))
    met = store.principal("liaison.met")
    with store.writer() as session:
        for n in range(3):
            record = suspect(session, met, f"S-{n}")
            services.add_identifier(session, met, SUSPECTS, record.id, "phone number", f"+44 20 7946 01{n:02d}")
    return store


@pytest.mark.parametrize(("kind_name", "step", "skip"), [
    ("suspects", "_linkers", 0),  # after the suspects were read, before their links
    ("identifiers", "reads.identifiers", 1),  # after the suspects' identifiers, before the evidence items'
])
def test_a_save_in_the_middle_of_an_export_commits_without_waiting_for_it(held_records, monkeypatch, kind_name,
                                                                         step, skip):
    store = held_records
    met, nca = store.principal("liaison.met"), store.principal("liaison.nca")
    hold = Hold(monkeypatch, step, skip)
    thread, outcome = in_thread(lambda: export_service.export_file(store.engine, met, kind_name, "csv"))
    try:
        assert hold.held.wait(WAIT), outcome
        with store.writer() as session:  # held under the writers' lock, this would wait (or fail) here
            suspect(session, nca, "N-SAVED")
        assert not hold.resumed.is_set(), "the save committed only once the export had gone on"
        saved_seq = last_event(store)[0]
    finally:
        hold.release.set()
        thread.join(WAIT)
    assert not thread.is_alive() and "error" not in outcome, outcome
    made = outcome["made"]
    assert made.as_of_seq < saved_seq < made.event_seq  # read before the save, recorded after it
    assert b"N-SAVED" not in made.data and b"S-2" in made.data and made.rows == 3
    assert made.name.endswith(".csv") and made.name.startswith(kind_name)
    seq, action, entity, subject, after = last_event(store)
    assert (seq, action, entity, subject) == (made.event_seq, "export", kind_name, "liaison.met")
    assert after == {"rows": 3, "format": "csv", "tlp": made.tlp.value,
                     "classification": made.classification.value, "audit_head_seq": made.as_of_seq}


def test_an_export_reads_one_state_of_the_records(held_records, monkeypatch):
    """Its rows and what is read after them (here the reference of the suspect an arrest names) are of
    one moment, though a save renames that suspect in between (PostgreSQL's READ COMMITTED would not)."""
    store = held_records
    met = store.principal("liaison.met")
    with store.writer() as session:
        services.create_arrest(session, met, {"reference": "A-1", "suspect": "S-0", "jurisdiction": "GB-EAW",
                                              "arrested_at": "2022-11-07T06:00:00Z", "place": "London",
                                              "offences": "fraud", "outcome": "bailed"})
    with store.reader() as session:
        named = session.execute(select(Suspect.id, Suspect.version).where(Suspect.reference == "S-0")).one()
    hold = Hold(monkeypatch, "_linkers")  # the arrests are read; the references they link to not yet
    thread, outcome = in_thread(lambda: export_service.export_file(store.engine, met, "arrests", "xlsx"))
    try:
        assert hold.held.wait(WAIT), outcome
        with store.writer() as session:
            services.update_suspect(session, met, named.id, named.version, {"reference": "S-RENAMED"})
    finally:
        hold.release.set()
        thread.join(WAIT)
    assert "error" not in outcome, outcome
    made = outcome["made"]
    [row] = tabular.read_table(made.name, made.data).rows
    assert (row.cells["reference"], row.cells["suspect"]) == ("A-1", "S-0")  # as named when A-1 was read
    with store.reader() as session:
        assert exports.build(session, met, "arrests").rows[0][1] == "S-RENAMED"


def test_the_cli_writes_its_file_only_once_the_export_is_recorded(held_records, tmp_path, monkeypatch):
    store = held_records
    out, seen = tmp_path / "suspects.csv", []
    write_bytes = Path.write_bytes

    def watched(path, data):
        if path == out:
            seen.append(last_event(store))
        return write_bytes(path, data)
    monkeypatch.setattr(Path, "write_bytes", watched)
    result = CliRunner().invoke(cli, ["export", "suspects", "--as", "liaison.met", "--out", str(out),
                                      "--database-url", cli_url(store)])
    assert result.exit_code == 0, result.output
    [(_seq, action, entity, subject, after)] = seen  # committed, seen from another session, before the write
    assert (action, entity, subject, after["rows"], after["format"]) == ("export", "suspects", "liaison.met", 3, "csv")
    assert b"S-2" in out.read_bytes()


def test_when_the_export_cannot_be_recorded_the_cli_writes_no_file(held_records, tmp_path, monkeypatch):
    store = held_records
    before = last_event(store)

    def refused(*_args, **_kwargs):
        raise CoordinationError("the audit trail is not writable")
    monkeypatch.setattr(export_service, "record_export", refused)
    out = tmp_path / "identifiers.xlsx"
    result = CliRunner().invoke(cli, ["export", "identifiers", "--as", "liaison.met", "--out", str(out),
                                      "--database-url", cli_url(store)])
    assert result.exit_code == 1 and "the audit trail is not writable" in result.output
    assert not out.exists() and last_event(store) == before
