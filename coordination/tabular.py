"""Reading and writing the spreadsheets liaisons exchange: CSV (UTF-8) and XLSX.

Reading checks what the file is by its content, not its name, refuses files that unpack to far
more than their size, and gives one plain message for a file-level problem (`TableError`).
Writing neutralises cells a spreadsheet would run as a formula, and reading undoes exactly that,
so an exported file can be edited and imported back unchanged.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath
from typing import NamedTuple

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_UNPACK_RATIO = 100  # real workbooks compress about 5-10x; a zip bomb far more
MAX_ROWS = 200_000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
NEUTRALISER = "'"
MARKING_PREFIX = "#"  # a leading line like "# OFFICIAL-SENSITIVE TLP:AMBER" is the file's marking


class TableError(ValueError):
    """The file as a whole cannot be read; the message says why in plain words."""


class Row(NamedTuple):
    number: int  # the row number a spreadsheet shows, for messages
    cells: dict[str, str]  # by column name; blank cells are ""


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[Row]


def neutralise(value: str) -> str:
    """Make a cell inert in Excel / LibreOffice (OWASP CSV injection advice)."""
    return NEUTRALISER + value if value.startswith(FORMULA_STARTS) else value


def restore(value: str) -> str:
    """Undo `neutralise`: "'=1+2" was written by us for the text "=1+2"."""
    if value.startswith(NEUTRALISER) and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def kind_of(content: bytes) -> str:
    """'xlsx' or 'csv' by content; TableError for anything else."""
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                if "xl/workbook.xml" in archive.namelist():
                    return "xlsx"
        except zipfile.BadZipFile:
            pass
        raise TableError("the file is a ZIP archive but not an Excel workbook (.xlsx)")
    if b"\x00" in content[:8192]:
        raise TableError("the file is not a CSV or XLSX spreadsheet (it holds binary data)")
    return "csv"


def read_table(name: str, content: bytes) -> Table:
    """Rows of the file's first sheet, as text keyed by column name."""
    if not content.strip():
        raise TableError("the file is empty")
    if len(content) > MAX_FILE_BYTES:
        raise TableError(f"the file is {len(content) / 1e6:.1f} MB; at most {MAX_FILE_BYTES // 2**20} MB are accepted")
    kind = kind_of(content)
    claimed = PurePath(name).suffix.lower().lstrip(".")
    if claimed in ("csv", "xlsx") and claimed != kind:
        raise TableError(f"the file is named .{claimed} but holds {'an Excel workbook' if kind == 'xlsx' else 'text'}")
    if claimed not in ("csv", "xlsx", "txt", ""):
        raise TableError(f"'.{claimed}' files are not accepted; use CSV (UTF-8) or XLSX")
    lines = _xlsx_lines(content) if kind == "xlsx" else _csv_lines(content)
    return _to_table(lines)


def _csv_lines(content: bytes) -> Iterable[list[str]]:
    try:
        text = content.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a BOM
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise TableError(f"line {line} is not UTF-8 text; in Excel save as \"CSV UTF-8\"") from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return list(csv.reader(io.StringIO(text, newline=""), dialect))


def _xlsx_lines(content: bytes) -> Iterable[list[str]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > MAX_UNPACKED_BYTES or unpacked > MAX_UNPACK_RATIO * len(content):
        raise TableError(f"the workbook unpacks to {unpacked / 1e6:.0f} MB from {len(content) / 1e6:.1f} MB; "
                         "it is refused as a possible decompression bomb")
    import openpyxl  # imported here: only imports need it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken workbook
        raise TableError(f"the workbook cannot be read ({type(error).__name__})") from None
    sheet = workbook.worksheets[0]
    return [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _to_table(lines: Iterable[list[str]]) -> Table:
    number = 0
    header: list[str] | None = None
    rows: list[Row] = []
    for line in lines:
        number += 1
        if header is None:
            if not any(cell.strip() for cell in line) or line[0].startswith(MARKING_PREFIX):
                continue  # blank lines and the marking line above the header
            header = [cell.strip().lower().replace(" ", "_") for cell in line]
            _check_header(header)
            continue
        if not any(cell.strip() for cell in line):
            continue
        if len(rows) >= MAX_ROWS:
            raise TableError(f"the file has more than {MAX_ROWS:,} rows; split it")
        if len(line) > len(header):
            raise TableError(f"row {number} has {len(line)} cells but the header names {len(header)} columns")
        cells = [restore(cell) for cell in line] + [""] * (len(header) - len(line))
        rows.append(Row(number, dict(zip(header, cells, strict=True))))
    if header is None:
        raise TableError("the file is empty")
    if not rows:
        raise TableError("the file has a header but no rows")
    return Table(header, rows)


def _check_header(header: list[str]) -> None:
    if "" in header:
        raise TableError(f"column {header.index('') + 1} of the header has no name")
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise TableError(f"the header names {', '.join(duplicates)} more than once")


def check_columns(table: Table, known: Sequence[str], required: Sequence[str]) -> None:
    unknown = [name for name in table.columns if name not in known]
    missing = [name for name in required if name not in table.columns]
    problems = []
    if unknown:
        problems.append(f"unknown column(s) {', '.join(unknown)} (expected: {', '.join(known)})")
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}")
    if problems:
        raise TableError("; ".join(problems))


def write_csv(columns: Sequence[str], rows: Iterable[Sequence[str]], marking_line: str) -> bytes:
    out = io.StringIO(newline="")
    out.write(f"{MARKING_PREFIX} {marking_line}\r\n")
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def write_xlsx(columns: Sequence[str], rows: Iterable[Sequence[str]], marking_line: str, title: str) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.oddHeader.center.text = marking_line  # printed at the top and bottom of every page
    sheet.oddFooter.center.text = marking_line
    workbook.properties.title = f"{title} ({marking_line})"
    workbook.properties.keywords = marking_line
    sheet.append([f"{MARKING_PREFIX} {marking_line}"])
    sheet.append(list(columns))
    for row in rows:
        sheet.append([neutralise(cell) for cell in row])  # stored as text, never as a formula
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
