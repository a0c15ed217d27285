"""`import identifiers` and the identifiers' export, on SQLite and PostgreSQL: hits made on import,
all or nothing with row/column/reason problems, idempotent, scoped exports that import back."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from coordination import audit, db, exports, services
from coordination.kinds import SUSPECTS
from coordination.models import AuditEvent, Hit, Identifier, Outcome
from coordination.services import identifier_imports
from tests.conftest import suspect
from tests.test_identifiers_core import LONDON, PHONE, SAME_NUMBER, make_suspect, told

HEADER = "record_kind,record_reference,identifier_kind,value,qualifier"


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def run(store, content: bytes, subject: str = "liaison.fbi", dry_run: bool = False):
    return identifier_imports.import_identifiers(store.engine, store.principal(subject), "file.csv", content,
                                                 dry_run=dry_run)


def counts(store) -> tuple[int, int, int]:
    """(identifiers, hits, audit head): what must not move when an import is refused."""
    with store.reader() as s:
        return (s.scalar(select(func.count()).select_from(Identifier)),
                s.scalar(select(func.count()).select_from(Hit)), audit.head(s)[0])


@pytest.fixture
def two_agencies(store, key_file):
    met, fbi = store.principal("liaison.met"), store.principal("liaison.fbi")
    mine = make_suspect(store, met, "M-1")
    with store.writer() as s:
        services.add_identifier(s, met, SUSPECTS, mine, PHONE, LONDON)
        for n in range(1, 4):
            suspect(s, fbi, f"F-{n}")
        suspect(s, met, "M-STRICT", tlp="AMBER+STRICT")
    return store


def test_an_import_makes_a_hit_for_both_agencies(two_agencies):
    store = two_agencies
    result = run(store, csv_bytes(f"suspect,F-1,phone number,{SAME_NUMBER},",
                                  "suspects,F-2,e-mail address,Boss@Example.com,"))
    assert result.ok and result.committed and result.created == 2
    [for_fbi] = told(store, store.principal("liaison.fbi"))
    assert (for_fbi.my_record_reference, for_fbi.other_agency_code) == ("F-1", "MET")
    [for_met] = told(store, store.principal("liaison.met"))
    assert for_met.other_agency_code == "FBI"
    with store.reader() as s:
        actions = [a for a, in s.execute(select(AuditEvent.action).order_by(AuditEvent.seq.desc()).limit(4))]
    assert actions == ["import", "hit found", "add identifiers", "add identifiers"]


def test_an_import_of_an_excluded_value_makes_no_hit(two_agencies):
    store = two_agencies
    with store.writer() as s:
        services.add_exclusion(s, store.principal("commander.met"), PHONE, LONDON, "a bank's number")
    assert run(store, csv_bytes(f"suspect,F-1,phone number,{SAME_NUMBER},")).committed
    assert told(store, store.principal("liaison.fbi")) == [] and told(store, store.principal("liaison.met")) == []


def test_each_bad_row_is_named_and_the_file_writes_nothing(two_agencies):
    store = two_agencies
    before = counts(store)
    result = run(store, csv_bytes(
        f"suspect,F-1,phone number,{SAME_NUMBER},",  # good
        "suspect,F-2,phone number,12,",  # not a phone number
        "suspect,NOBODY,phone number,+12025550143,",  # no such record
        "suspect,M-STRICT,phone number,+12025550143,",  # MET's, hidden from the FBI: the same answer
        "suspect,M-1,phone number,+12025550144,",  # MET's, readable, not the FBI's to change
        "car,F-1,phone number,+12025550145,",  # no such record kind
        "suspect,F-3,shoe size,44,"))  # no such identifier kind
    assert not result.committed
    where = [(p.row, p.column) for p in result.problems]
    assert where == [(3, "value"), (4, "record_reference"), (5, "record_reference"), (6, "record_reference"),
                     (7, "record_kind"), (8, "identifier_kind")]
    reasons = [p.reason for p in result.problems]
    assert "'12' is not" in reasons[0] and reasons[1].replace("NOBODY", "X") == reasons[2].replace("M-STRICT", "X")
    assert "may not change this suspect" in reasons[3] and result.problems[3].refused
    after = counts(store)
    assert after[:2] == before[:2] and after[2] == before[2] + 1  # only the refusal's own event
    with store.reader() as s:
        refusal = s.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
        assert (refusal.action, refusal.outcome) == ("import", Outcome.REFUSED)


def test_a_large_file_normalised_in_two_processes_reads_as_in_one(two_agencies, monkeypatch):
    """From PARALLEL_FROM rows a forked process normalises a share: the outcomes come back in row order."""
    store = two_agencies
    rows = (f"suspect,F-1,phone number,{SAME_NUMBER},", "suspect,F-2,phone number,12,",
            "suspect,F-3,shoe size,44,", *(f"suspect,F-2,e-mail address,person{n}@example.com," for n in range(8)),
            "suspect,F-3,e-mail address,nobody,")
    alone = run(store, csv_bytes(*rows), dry_run=True)
    monkeypatch.setattr(identifier_imports, "PARALLEL_FROM", 1)
    # threads other tests left behind would keep it in one process: the helper's share is plain work
    monkeypatch.setattr(identifier_imports.threading, "active_count", lambda: 1)
    pools = []

    class CountedPool(identifier_imports.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            pools.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(identifier_imports, "ProcessPoolExecutor", CountedPool)
    shared = run(store, csv_bytes(*rows), dry_run=True)
    assert [(p.row, p.column, p.reason) for p in shared.problems] == \
        [(p.row, p.column, p.reason) for p in alone.problems] == [
            (3, "value", shared.problems[0].reason), (4, "identifier_kind", shared.problems[1].reason),
            (13, "value", shared.problems[2].reason)]
    assert shared.problems[0].reason.startswith("'12' is not") and len(pools) == 1  # (so it forked)
    good = run(store, csv_bytes(*(row for n, row in enumerate(rows) if n not in (1, 2, 11))))
    assert good.committed and good.created == 9
    assert [h.other_agency_code for h in told(store, store.principal("liaison.fbi"))] == ["MET"]


class _NoProcesses:
    """A pool the system refuses to make (no processes left)."""

    def __init__(self, *args, **kwargs):
        raise OSError("Resource temporarily unavailable")


class _DyingHelper(identifier_imports.ProcessPoolExecutor):
    """A pool whose helper dies at its work (killed, out of memory)."""

    def submit(self, fn, /, *args, **kwargs):
        return super().submit(os._exit, 9)


@pytest.mark.parametrize("pool", [_NoProcesses, _DyingHelper], ids=["not made", "dies"])
def test_an_import_whose_helper_fails_does_the_work_itself(two_agencies, monkeypatch, pool):
    store = two_agencies
    rows = (f"suspect,F-1,phone number,{SAME_NUMBER},", "suspect,F-2,phone number,12,",
            *(f"suspect,F-2,e-mail address,person{n}@example.com," for n in range(6)))
    alone = run(store, csv_bytes(*rows), dry_run=True)
    monkeypatch.setattr(identifier_imports, "PARALLEL_FROM", 1)
    monkeypatch.setattr(identifier_imports.threading, "active_count", lambda: 1)
    monkeypatch.setattr(identifier_imports, "ProcessPoolExecutor", pool)
    failed = run(store, csv_bytes(*rows), dry_run=True)
    assert [(p.row, p.column, p.reason) for p in failed.problems] == \
        [(p.row, p.column, p.reason) for p in alone.problems] and len(failed.problems) == 1
    good = run(store, csv_bytes(*(row for n, row in enumerate(rows) if n != 1)))
    assert good.committed and good.created == 7
    assert [h.other_agency_code for h in told(store, store.principal("liaison.fbi"))] == ["MET"]


def test_a_dry_run_and_a_missing_column_write_nothing(two_agencies):
    store = two_agencies
    before = counts(store)
    result = run(store, csv_bytes(f"suspect,F-1,phone number,{SAME_NUMBER},"), dry_run=True)
    assert result.ok and not result.committed and counts(store) == before
    result = run(store, csv_bytes("suspect,F-1,+12025550143", header="record_kind,record_reference,value"))
    assert [str(p) for p in result.problems] == ["file: missing column(s) identifier_kind"]


def test_importing_the_same_file_twice_adds_nothing_twice(two_agencies):
    store = two_agencies
    content = csv_bytes(f"suspect,F-1,phone number,{SAME_NUMBER},", "suspect,F-1,phone number,+442079460018,",
                        "suspect,F-2,e-mail address,boss@example.com,")
    first = run(store, content)
    assert (first.created, first.unchanged) == (2, 1)  # the second row is the first's number
    before = counts(store)
    second = run(store, content)
    assert second.committed and (second.created, second.unchanged) == (0, 3)
    assert counts(store)[:2] == before[:2]


def test_export_holds_what_the_reader_may_read_and_imports_back_unchanged(two_agencies):
    store = two_agencies
    met, fbi = store.principal("liaison.met"), store.principal("liaison.fbi")
    assert run(store, csv_bytes(f"suspect,F-1,phone number,{SAME_NUMBER},")).committed
    with store.writer() as s:
        strict = s.scalar(select(SUSPECTS.model.id).where(SUSPECTS.model.reference == "M-STRICT"))
        services.add_identifier(s, met, SUSPECTS, strict, PHONE, "+12025550143")
    with store.reader() as s:
        for_fbi = exports.identifiers(s, fbi)
        for_met = exports.identifiers(s, met)
    assert sorted(tuple(row) for row in for_fbi.rows) == [("suspect", "F-1", "phone number", SAME_NUMBER, ""),
                                                          ("suspect", "MET/M-1", "phone number", LONDON, "")]
    assert for_fbi.tlp.value == "AMBER" and for_met.tlp.value == "AMBER+STRICT"
    assert ["suspect", "M-STRICT", "phone number", "+12025550143", ""] in for_met.rows
    for name, content in (("back.csv", for_met.csv()), ("back.xlsx", for_met.xlsx())):
        result = identifier_imports.import_identifiers(store.engine, met, name, content)
        assert result.committed and (result.created, result.unchanged) == (0, 3), result.problems


def test_the_command_line_imports_identifiers_and_makes_keys(tmp_path, key_file):
    db = tmp_path / "cli.db"
    url = f"sqlite:///{db}"

    def cli(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([sys.executable, "-m", "coordination", *args], capture_output=True, text=True,
                              timeout=120)
        assert (done.returncode == 0) == ok, done.stdout + done.stderr
        assert "Traceback" not in done.stderr
        return done
    made = tmp_path / "new.key"
    assert "wrote a new deconfliction key" in cli("deconflict", "make-key", str(made)).stdout
    assert "never overwritten" in cli("deconflict", "make-key", str(made), ok=False).stderr
    cli("db", "upgrade", "--database-url", url)
    cli("demo", "load", "--scale", "demo", "--database-url", url)
    file = tmp_path / "ids.csv"
    file.write_bytes(csv_bytes("suspect,NO-SUCH-REFERENCE,phone number,+12025550143,"))
    assert "row 2, record_reference" in cli("import", "identifiers", str(file), "--as", "liaison.fbi",
                                            "--database-url", url, ok=False).stderr
    with sqlite3.connect(db) as connection:
        [reference] = connection.execute("SELECT s.reference FROM suspect s JOIN agency a ON a.id = s.owning_agency_id "
                                         "WHERE a.code = 'FBI' AND s.tlp = 'AMBER' LIMIT 1").fetchone()
    file.write_bytes(csv_bytes(f"suspect,{reference},phone number,+12025550143,"))
    assert "created 1" in cli("import", "identifiers", str(file), "--as", "liaison.fbi", "--database-url", url).stdout
    out = tmp_path / "ids-out.csv"
    cli("export", "identifiers", "--as", "liaison.fbi", "--out", str(out), "--database-url", url)
    assert f"suspect,{reference},phone number,'+12025550143," in out.read_text()


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)  # the page cache is SQLite's
def test_an_import_on_sqlite_has_a_large_cache_only_while_it_writes(store, two_agencies):
    seen = []
    with store.writer() as s:  # the cache the bulk write runs with
        db.bulk_cache(s)
        seen.append(s.connection().exec_driver_sql("PRAGMA cache_size").scalar())
    assert run(store, csv_bytes(f"suspect,F-1,phone number,{SAME_NUMBER},")).committed
    for _ in range(3):  # every pooled connection is back to the everyday cache
        with store.reader() as s:
            seen.append(s.connection().exec_driver_sql("PRAGMA cache_size").scalar())
    assert seen == [-db.SQLITE_BULK_CACHE_KIB] + [db.SQLITE_DEFAULT_CACHE] * 3
