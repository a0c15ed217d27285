"""Bulk import and safe export: the bad-input corpus, all-or-nothing, round trips, concurrency."""

from __future__ import annotations

import io
import threading
import zipfile

import openpyxl
import pytest
from sqlalchemy import func, select

from coordination import audit, exports, services, tabular
from coordination.models import AuditEvent, Suspect, Task
from coordination.services import imports

HEADER = "reference,full_name,tier,status"
NAMES = ["Ayşe İnce", "İbrahim Işık", "Фёдор Достоевский-Синтетический", "زينب الحدّاد", "王小明", "Łukasz Żółć"]
HOSTILE = ["=1+2", "+44 20 7946 0000", "-2+3", "@SUM(A1:A2)", "\tleading tab", "<script>alert(1)</script>",
           "**bold** [link](http://example.invalid)", "=HYPERLINK(\"http://example.invalid\")"]


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def suspects(n: int, prefix: str = "S") -> bytes:
    return csv_bytes(*(f"{prefix}-{i},Synthetic Person {i},user,lead" for i in range(1, n + 1)))


def state(store) -> tuple[int, int]:
    """(suspect rows, audit head seq): what must not move when an import is refused."""
    with store.reader() as session:
        return session.scalar(select(func.count()).select_from(Suspect)), audit.head(session)[0]


def run(store, content: bytes, subject: str = "liaison.met", name: str = "file.csv", kind: str = "suspects",
        dry_run: bool = False) -> imports.ImportResult:
    return imports.import_file(store.engine, store.principal(subject), kind, name, content, dry_run=dry_run)


def xlsx(rows: list[list[str]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- file-level problems: one plain message, nothing written --------------------------------

def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (30 * 2**20))
    return out.getvalue()


@pytest.mark.parametrize(("name", "content", "message"), [
    ("empty.csv", b"", "the file is empty"),
    ("blank.csv", b"\n\n  \n", "the file is empty"),
    ("header.csv", csv_bytes(), "header but no rows"),
    ("unknown.csv", csv_bytes("S-1,A,user,lead,x", header=HEADER + ",shoe_size"), "unknown column(s) shoe_size"),
    ("missing.csv", csv_bytes("A,user,lead", header="full_name,tier,status"), "missing column(s) reference"),
    ("latin1.csv", csv_bytes("S-1,Jos\xe9,user,lead").decode().encode("latin-1"), "not UTF-8"),
    ("named.csv", xlsx([HEADER.split(","), ["S-1", "A", "user", "lead"]]), "named .csv but holds an Excel"),
    ("named.xlsx", suspects(1), "named .xlsx but holds text"),
    ("picture.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
    ("archive.xlsx", b"PK\x03\x04" + b"\x00" * 40, "not an Excel workbook"),
    ("bomb.xlsx", zip_bomb(), "decompression bomb"),
    ("report.pdf", b"%PDF-1.7 ...", "'.pdf' files are not accepted"),
    ("duplicate-header.csv", csv_bytes("S-1,A,user,lead,lead", header=HEADER + ",status"), "more than once"),
])
def test_a_bad_file_is_refused_with_a_plain_message_and_audited(store, name, content, message):
    before = state(store)
    result = run(store, content, name=name)
    assert not result.ok and not result.committed
    assert result.problems[0].row == 0 and message in result.problems[0].reason
    assert state(store) == (before[0], before[1] + 1)  # nothing written but the refusal itself
    with store.reader() as session:
        last = session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
    assert (last.action, last.outcome.value) == ("import", "refused") and message in last.detail


# --- row-level problems: every bad row listed, nothing written ---------------------------------

@pytest.mark.parametrize(("row", "column", "reason"), [
    ("S-9,A,user,lead,03/04/2022", "date_of_birth", "YYYY-MM-DD"),
    ("S-9,A,user,lead,2022-02-30", "date_of_birth", "YYYY-MM-DD"),
    ("S-9,A,user,kidnapped,", "status", "is not one of"),
    ("S-9," + "x" * 201 + ",user,lead,", "full_name", "at most 200"),
    (",A,user,lead,", "reference", "is required"),
])
def test_each_bad_row_is_named_and_the_file_writes_nothing(store, row, column, reason):
    before = state(store)
    content = csv_bytes("S-1,Good Row,user,lead,", row, header=HEADER + ",date_of_birth")
    result = run(store, content)
    assert not result.committed
    assert [(p.row, p.column) for p in result.problems] == [(3, column)]
    assert reason in result.problems[0].reason
    assert state(store) == before


def test_a_secret_marking_is_refused(store):
    result = run(store, csv_bytes("S-1,A,user,lead,SECRET", header=HEADER + ",classification"))
    assert [(p.row, p.column) for p in result.problems] == [(2, "classification")]
    assert "not accredited" in result.problems[0].reason


def test_duplicate_rows_inside_one_file_are_refused(store):
    result = run(store, csv_bytes("S-1,A,user,lead", "S-2,B,user,lead", "S-1,C,user,lead"))
    assert [(p.row, p.column) for p in result.problems] == [(4, "reference")]
    assert "also on row 2" in result.problems[0].reason


def test_rows_for_another_agency_are_refused_for_a_liaison_and_audited(store):
    before = state(store)
    result = run(store, csv_bytes("S-1,A,user,lead,MET", "S-2,B,user,lead,FBI", header=HEADER + ",owning_agency"),
                 subject="liaison.fbi")
    assert [(p.row, p.column) for p in result.problems] == [(2, "owning_agency")]
    assert state(store)[0] == before[0]
    with store.reader() as session:
        last = session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
    assert (last.action, last.outcome.value, last.actor_subject) == ("import", "refused", "liaison.fbi")


# --- good files ------------------------------------------------------------------------------

def test_import_commits_all_rows_with_one_audit_event_each(store):
    before = state(store)
    result = run(store, suspects(25))
    assert result.committed and result.created == 25
    rows, head = state(store)
    assert rows == before[0] + 25
    assert head == before[1] + 26  # a create per row and the import itself
    with store.reader() as session:
        assert audit.verify(session).ok


def test_dry_run_reports_but_writes_nothing(store):
    before = state(store)
    result = run(store, suspects(5), dry_run=True)
    assert result.ok and result.created == 5 and not result.committed
    assert state(store) == before


def test_importing_the_same_file_twice_creates_nothing_twice(store):
    assert run(store, suspects(10)).created == 10
    again = run(store, suspects(10))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 10)
    assert state(store)[0] == 10


def test_importing_the_same_file_twice_at_once_creates_nothing_twice(store):
    results = []
    content = suspects(200)
    threads = [threading.Thread(target=lambda: results.append(run(store, content))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(r.ok for r in results), [r.problems[:3] for r in results]
    assert sorted(r.created for r in results) == [0, 200]
    assert state(store)[0] == 200


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_names_in_many_scripts_and_hostile_text_round_trip(store, file_format):
    texts = NAMES + HOSTILE
    content = csv_bytes(*(",".join([f"S-{i}", '"' + t.replace('"', '""') + '"', "user", "lead"])
                          for i, t in enumerate(texts)))
    assert run(store, content).created == len(texts)
    liaison = store.principal("liaison.met")
    with store.writer() as session:
        stored = dict(session.execute(select(Suspect.reference, Suspect.full_name)).all())
        export = exports.build(session, liaison, "suspects")
    assert stored == {f"S-{i}": t.strip() for i, t in enumerate(texts)}
    data = export.csv() if file_format == "csv" else export.xlsx()
    for hostile in HOSTILE:
        assert not _cells(data, file_format).isdisjoint({tabular.neutralise(hostile.strip())})
    assert not any(c.startswith(tabular.FORMULA_STARTS) for c in _cells(data, file_format))
    again = run(store, data, name=f"export.{file_format}")
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(texts)), again.problems[:3]


def _cells(data: bytes, file_format: str) -> set[str]:
    if file_format == "csv":
        import csv
        return {cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for cell in row}
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    return {str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None}


def test_an_exported_file_edited_and_imported_back_updates_exactly_the_changed_rows(store):
    run(store, suspects(6))
    liaison = store.principal("liaison.met")
    with store.writer() as session:
        data = exports.build(session, liaison, "suspects").csv().decode("utf-8-sig")
    edited = data.replace("Synthetic Person 2,", "Synthetic Person Two,")
    edited = edited.replace("S-4,Synthetic Person 4,,,,,user,lead", "S-4,Synthetic Person 4,,,,,user,located")
    result = run(store, edited.encode())
    assert (result.created, result.updated, result.unchanged) == (0, 2, 4), result.problems
    with store.reader() as session:
        assert session.scalar(select(Suspect.status).where(Suspect.reference == "S-4")).value == "located"


def test_a_stale_row_is_a_conflict_not_a_silent_overwrite(store):
    run(store, suspects(2))
    liaison = store.principal("liaison.met")
    with store.writer() as session:
        data = exports.build(session, liaison, "suspects").csv().decode("utf-8-sig")
    run(store, csv_bytes("S-1,Changed Meanwhile,user,lead"))
    result = run(store, data.replace("Synthetic Person 1,", "Mine,").encode())
    assert [(p.row, p.column) for p in result.problems] == [(3, "version")]
    assert "Morgan Liaison (MET)" in result.problems[0].reason


def test_export_holds_only_what_the_principal_may_read_and_carries_its_highest_marking(store):
    content = csv_bytes("S-1,Open,user,lead,AMBER", "S-2,Strict,user,lead,AMBER+STRICT", header=HEADER + ",tlp")
    assert run(store, content).committed
    with store.writer() as session:
        own = exports.build(session, store.principal("liaison.met"), "suspects")
        other = exports.build(session, store.principal("liaison.fbi"), "suspects")
        services.record_export(session, store.principal("liaison.fbi"), other, "csv")
    assert [r[0] for r in own.rows] == ["S-1", "S-2"] and own.tlp.value == "AMBER+STRICT"
    assert [r[0] for r in other.rows] == ["S-1"] and other.tlp.value == "AMBER"
    assert other.csv().decode("utf-8-sig").startswith("# OFFICIAL-SENSITIVE TLP:AMBER ")
    with store.reader() as session:
        last = session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
    assert (last.action, last.entity, last.actor_subject) == ("export", "suspects", "liaison.fbi")


def test_tasks_and_arrests_import_with_their_links(store):
    assert run(store, suspects(1)).committed
    arrests = csv_bytes("A-1,S-1,GB-EAW,2022-11-07T06:00:00Z,London,fraud,bailed",
                        header="reference,suspect,jurisdiction,arrested_at,place,offences,outcome")
    result = run(store, arrests, kind="arrests")
    assert result.committed, result.problems
    tasks = csv_bytes("T-1,Trace wallet,open,high,,", "T-2,Image server,blocked,medium,T-1,liaison.met",
                      header="reference,title,status,priority,depends_on,assignee")
    assert run(store, tasks, kind="tasks").committed
    with store.reader() as session:
        second = session.scalar(select(Task).where(Task.reference == "T-2"))
        assert second.depends_on.reference == "T-1" and second.assignee.subject == "liaison.met"


# --- issue 15 -----------------------------------------------------------------------------------

def test_an_unchanged_export_imports_back_whoever_owns_its_rows(store):
    """liaison.fbi exports suspects, other agencies' AMBER ones included, and imports the same file."""
    assert run(store, suspects(3, "MET")).committed
    assert run(store, suspects(2, "FBI"), subject="liaison.fbi").committed
    with store.writer() as session:
        data = exports.build(session, store.principal("liaison.fbi"), "suspects").csv()
    result = run(store, data, subject="liaison.fbi")
    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 0, 5), result.problems[:3]
    changed = data.decode("utf-8-sig").replace("MET-1,Synthetic Person 1,", "MET-1,Renamed,").encode()
    refused = run(store, changed, subject="liaison.fbi")  # a real change to MET's row is still refused
    assert [(p.row, p.refused) for p in refused.problems] == [(5, True)]
    assert "a liaison of FBI may not change this suspect" in refused.problems[0].reason


def test_a_file_wrong_everywhere_gets_a_bounded_answer(store):
    """A thousand problems are enough to start correcting; the rest are not checked, nothing written."""
    lines = ["reference,full_name,tier,status"] + [f"S-{n},x,no such tier,lead" for n in range(1_500)]
    result = run(store, "\n".join(lines).encode())
    assert len(result.problems) == imports.MAX_PROBLEMS + 1 and not result.committed
    assert result.problems[-1].reason.startswith("more than 1,000 problems: checking stopped here")


def test_times_are_written_zero_padded_iso_8601():
    """A record stored before dates were bounded still exports as text its import can read."""
    from datetime import UTC, datetime

    assert exports.cell_text(datetime(1, 1, 1, tzinfo=UTC)) == "0001-01-01T00:00:00Z"
    assert exports.cell_text(datetime(2022, 11, 7, 6, 30, tzinfo=UTC)) == "2022-11-07T06:30:00Z"
