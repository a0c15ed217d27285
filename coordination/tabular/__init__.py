"""Reading and writing the spreadsheets liaisons exchange: CSV (UTF-8) and XLSX.

Reading checks what the file is by its content, not its name, and reads it as a stream under hard
caps checked as it goes, so a hostile file is refused in bounded time and memory before anything
is materialised: rows, columns, characters per cell and per row, non-blank cells and the table's
text; for a workbook also its ZIP directory (entries, each entry's declared and actual unpacked
size and ratio) and its XML (no document type declarations, a bounded number of elements, depth
and item size). A file-level problem is one plain message (`TableError`) naming at most a few
items. CSV is read as spreadsheets read it (RFC 4180, double quotes only); only the delimiter
(comma, semicolon or tab) is detected, from the header line. A workbook's first sheet is read by
expat with the workbook's own shared strings and date styles, without padding to its declared
size: only rows with a value are produced.

Writing neutralises cells a spreadsheet would run as a formula, and reading undoes exactly that,
so an exported file can be edited and imported back unchanged.

This package is the table a file makes, whatever its format: which format it is, the header, the
rows and the table's caps, checked line by line. Its rooms: `budget` (every cap, and `TableError`),
`conventions` (neutralising, the marking line), `delimited` (CSV) and `xlsx` (workbooks).
"""

from __future__ import annotations

import codecs
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import NamedTuple

from coordination.fields import shown
from coordination.tabular import delimited, xlsx
from coordination.tabular.budget import (
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_LINES,
    MAX_ROW_CHARS,
    MAX_ROWS,
    MAX_TEXT_BYTES,
    SHOWN_NAMES,
    TableError,
)
from coordination.tabular.conventions import FORMULA_STARTS, MARKING_PREFIX, NEUTRALISER, neutralise, restore
from coordination.tabular.delimited import write_csv
from coordination.tabular.xlsx import write_xlsx

__all__ = ["FORMULA_STARTS", "MAX_CELLS", "MAX_COLUMNS", "MAX_ROWS", "MAX_TEXT_BYTES", "Cells", "Row", "Table",
           "TableError", "check_columns", "kind_of", "listed", "neutralise", "read_table", "restore", "write_csv",
           "write_xlsx"]

SEPARATOR = "\x00"  # between a row's cells in memory; no cell holds it (CSV: refused; XML: cannot)


class Cells(Mapping[str, str]):
    """One row's cells by column name (blank cells are ""), held as one UTF-8 string: a table of
    200,000 rows takes about its file's size, where a dict per row would take ten times that."""

    __slots__ = ("_index", "_data")

    def __init__(self, index: Mapping[str, int], data: bytes):
        self._index = index  # column name -> position, shared by every row of the table
        self._data = data

    def values_list(self) -> list[str]:
        return self._data.decode("utf-8", "surrogatepass").split(SEPARATOR)

    def __getitem__(self, name: str) -> str:
        return self.values_list()[self._index[name]]

    def get(self, name: str, default=None):
        position = self._index.get(name)
        return default if position is None else self.values_list()[position]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, name: object) -> bool:
        return name in self._index

    def items(self):  # one decode for the whole row
        return list(zip(self._index, self.values_list(), strict=True))

    def values(self):
        return self.values_list()

    def __repr__(self) -> str:
        return repr(dict(self.items()))


class Row(NamedTuple):
    number: int  # the row number a spreadsheet shows, for messages
    cells: Mapping[str, str]  # by column name; blank cells are ""


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[Row]


def listed(names: Sequence[str]) -> str:
    """At most SHOWN_NAMES names, each cut short, then how many more."""
    text = ", ".join(shown(name) for name in names[:SHOWN_NAMES])
    return text + (f" and {len(names) - SHOWN_NAMES:,} more" if len(names) > SHOWN_NAMES else "")


def kind_of(content: bytes) -> str:
    """'xlsx' or 'csv' by content; TableError for anything else."""
    if content.startswith(b"PK\x03\x04"):
        with xlsx.open_zip(content) as archive:
            if "xl/workbook.xml" in archive.NameToInfo:
                return "xlsx"
        raise TableError("the file is a ZIP archive but not an Excel workbook (.xlsx)")
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise TableError("the file is UTF-16 text; in Excel save as \"CSV UTF-8\"")
    if b"\x00" in content:
        raise TableError("the file is not a CSV or XLSX spreadsheet (it holds binary data)")
    return "csv"


def read_table(name: str, content: bytes) -> Table:
    """Rows of the file's first sheet, as text keyed by column name."""
    if len(content) > MAX_FILE_BYTES:
        raise TableError(f"the file is {len(content) / 1e6:.1f} MB; at most {MAX_FILE_BYTES // 2**20} MB are accepted")
    if not content.strip():
        raise TableError("the file is empty")
    kind = kind_of(content)
    claimed = PurePath(name).suffix.lower().lstrip(".")
    if claimed in ("csv", "xlsx") and claimed != kind:
        raise TableError(f"the file is named .{claimed} but holds {'an Excel workbook' if kind == 'xlsx' else 'text'}")
    if claimed not in ("csv", "xlsx", "txt", ""):
        raise TableError(f"'.{shown(claimed)}' files are not accepted; use CSV (UTF-8) or XLSX")
    return _to_table(delimited.lines(content) if kind == "csv" else xlsx.lines(content))


# --- the table ----------------------------------------------------------------------------------

def _to_table(lines: Iterable[tuple[int, list[str]]]) -> Table:
    """Numbered lines of cells -> the table, every cap checked line by line."""
    header: list[str] | None = None
    index: dict[str, int] = {}
    rows: list[Row] = []
    cells = text = 0
    for number, line in lines:
        if number > MAX_LINES:
            raise TableError(f"row {number:,} is past row {MAX_LINES:,}: a file holds at most {MAX_ROWS:,} rows; "
                             "split it")
        end = len(line)
        while end and not line[end - 1].strip():
            end -= 1  # blank cells at the end of a line mean nothing
        if not end:
            continue
        if end > MAX_COLUMNS:
            raise TableError(f"row {number:,} has {end:,} cells; at most {MAX_COLUMNS} columns are read")
        del line[end:]
        if header is None:
            if line[0].startswith(MARKING_PREFIX):
                continue  # the marking line above the header
            header = _header(line)
            index = {name: position for position, name in enumerate(header)}
            continue
        if len(rows) >= MAX_ROWS:
            raise TableError(f"the file has more than {MAX_ROWS:,} rows; split it")
        if end > len(header):
            raise TableError(f"row {number:,} has {end} cells but the header names {len(header)} columns")
        cells += end - line.count("")
        if cells > MAX_CELLS:
            raise TableError(f"the file has more than {MAX_CELLS:,} filled cells; split it")
        joined = SEPARATOR.join(line) + SEPARATOR * (len(header) - end)
        if NEUTRALISER in joined:  # rarely: undo what an export neutralised
            joined = SEPARATOR.join(map(restore, line)) + SEPARATOR * (len(header) - end)
        if len(joined) > MAX_ROW_CHARS:
            raise TableError(f"row {number:,} holds more than {MAX_ROW_CHARS:,} characters")
        if len(joined) > MAX_CELL_CHARS and max(map(len, line)) > MAX_CELL_CHARS:
            raise TableError(f"row {number:,} has a cell of more than {MAX_CELL_CHARS:,} characters, "
                             "which no spreadsheet holds")
        if joined.count(SEPARATOR) != len(header) - 1:
            raise TableError(f"row {number:,} holds a NUL character")
        data = joined.encode("utf-8", "surrogatepass")
        text += len(data)
        if text > MAX_TEXT_BYTES:
            raise TableError(f"the file holds more than {MAX_TEXT_BYTES // 2**20} MB of text; split it")
        rows.append(Row(number, Cells(index, data)))
    if header is None:
        raise TableError("the file is empty")
    if not rows:
        raise TableError("the file has a header but no rows")
    return Table(header, rows)


def _header(line: list[str]) -> list[str]:
    header = [cell.strip().lstrip("\ufeff").strip().lower().replace(" ", "_") for cell in line]
    if "" in header:
        raise TableError(f"column {header.index('') + 1} of the header has no name")
    duplicates = [name for name, count in Counter(header).items() if count > 1]
    if duplicates:
        raise TableError(f"the header names {listed(duplicates)} more than once")
    return header


def check_columns(table: Table, known: Sequence[str], required: Sequence[str]) -> None:
    known_names = set(known)
    unknown = [name for name in table.columns if name not in known_names]
    missing = [name for name in required if name not in set(table.columns)]
    problems = []
    if unknown:
        problems.append(f"unknown column(s) {listed(unknown)} (expected: {', '.join(known)})")
    if missing:
        problems.append(f"missing column(s) {listed(missing)}")
    if problems:
        raise TableError("; ".join(problems))
