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
"""

from __future__ import annotations

import codecs
import csv
import io
import posixpath
import re
import struct
import zipfile
import zlib
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import PurePath
from typing import NamedTuple
from xml.parsers import expat

from coordination.fields import shown

# --- the caps: a file beyond any of them is refused with a plain message ----------------------
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000  # rows of data
MAX_LINES = MAX_ROWS + 10_000  # numbered lines or sheet rows, blank ones and the marking line included
MAX_COLUMNS = 50  # an importable kind has at most 15
MAX_CELL_CHARS = 32_767  # a spreadsheet cell's own limit (Excel's)
MAX_ROW_CHARS = 256 * 1024
MAX_CELLS = 4_000_000  # non-blank cells: 200,000 rows of 20
MAX_TEXT_BYTES = 32 * 1024 * 1024  # the table's text (UTF-8), as a workbook's shared strings may repeat
# workbooks only
MAX_ZIP_ENTRIES = 1_000  # a workbook has about ten
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_UNPACK_RATIO = 100  # real workbooks compress about 5-20x; a zip bomb far more
RATIO_FREE_BYTES = 1024 * 1024  # a part this small may compress as well as it likes
MAX_PART_BYTES = 16 * 1024 * 1024  # the workbook, its relationships and its styles
# over the parts read, about 93,000 rows of 14 cells (a 100,000-row file of 5 columns holds 2,100,000):
# refused within 4-5.5 s of CPU here. At 6,000,000 it took 6-8 s, and over 10 s on a busy CI machine.
MAX_XML_ELEMENTS = 4_000_000
MAX_XML_DEPTH = 64
MAX_XML_ITEM_BYTES = 1024 * 1024  # one tag, comment or instruction as the XML parser holds it
MAX_XML_NAMES = 10_000  # different element and attribute names in a part (a sheet uses about 30)
MAX_STYLES = 65_536  # Excel's own limit is 64,000 cell formats
# error messages name at most this many items
SHOWN_NAMES = 5

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
NEUTRALISER = "'"
MARKING_PREFIX = "#"  # a leading line like "# OFFICIAL-SENSITIVE TLP:AMBER" is the file's marking
DELIMITERS = (",", ";", "\t")  # in this order of preference on a tie
SEPARATOR = "\x00"  # between a row's cells in memory; no cell holds it (CSV: refused; XML: cannot)
CHUNK = 64 * 1024


class TableError(ValueError):
    """The file as a whole cannot be read; the message says why in plain words."""


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


def neutralise(value: str) -> str:
    """Make a cell inert in Excel / LibreOffice (OWASP CSV injection advice)."""
    return NEUTRALISER + value if value.startswith(FORMULA_STARTS) else value


def restore(value: str) -> str:
    """Undo `neutralise`: "'=1+2" was written by us for the text "=1+2"."""
    if value.startswith(NEUTRALISER) and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def listed(names: Sequence[str]) -> str:
    """At most SHOWN_NAMES names, each cut short, then how many more."""
    text = ", ".join(shown(name) for name in names[:SHOWN_NAMES])
    return text + (f" and {len(names) - SHOWN_NAMES:,} more" if len(names) > SHOWN_NAMES else "")


def kind_of(content: bytes) -> str:
    """'xlsx' or 'csv' by content; TableError for anything else."""
    if content.startswith(b"PK\x03\x04"):
        with _open_zip(content) as archive:
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
    if kind == "csv":
        return _to_table(_csv_lines(content))
    try:
        return _to_table(_xlsx_lines(content))
    except TableError:
        raise
    except expat.ExpatError as error:
        raise TableError(f"the workbook is damaged: its XML is not well-formed ({expat.ErrorString(error.code)}, "
                         f"line {error.lineno:,})") from None
    except (zipfile.BadZipFile, zlib.error, struct.error, EOFError, OSError, NotImplementedError,
            RuntimeError) as error:
        raise TableError(f"the workbook is damaged and cannot be unpacked ({type(error).__name__})") from None


# --- CSV ----------------------------------------------------------------------------------------

def _csv_lines(content: bytes) -> Iterator[tuple[int, list[str]]]:
    _check_utf8(content)
    text = io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig", newline="")
    pending = 0  # characters read since the last whole row: bounds a row before csv makes its cells

    def physical_lines() -> Iterator[str]:
        nonlocal pending
        number = 0
        while piece := text.readline(MAX_ROW_CHARS + 2):
            number += 1
            pending += len(piece)
            if pending > MAX_ROW_CHARS or (len(piece) > MAX_ROW_CHARS and not piece.endswith(("\n", "\r"))):
                raise TableError(f"line {number:,} of the file is part of a row of more than "
                                 f"{MAX_ROW_CHARS:,} characters (is a quote left open?)")
            yield piece

    reader = csv.reader(physical_lines(), delimiter=_delimiter(content), quotechar='"', doublequote=True,
                        skipinitialspace=False, strict=False)
    number = 0
    while True:
        try:
            line = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "field limit" in str(error):
                raise TableError(f"line {reader.line_num:,} of the file is inside a cell of more than "
                                 f"{csv.field_size_limit():,} characters (is a quote left open?); a cell holds at "
                                 f"most {MAX_CELL_CHARS:,}") from None
            raise TableError(f"line {reader.line_num:,} cannot be read as CSV ({shown(str(error), 60)})") from None
        number += 1
        pending = 0
        yield number, line


def _check_utf8(content: bytes) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")()
    for start in range(0, len(content), 1024 * 1024):
        held = len(decoder.getstate()[0])
        try:
            decoder.decode(content[start:start + 1024 * 1024], final=start + 1024 * 1024 >= len(content))
        except UnicodeDecodeError as error:
            line = content[:max(start - held + error.start, 0)].count(b"\n") + 1
            raise TableError(f"line {line:,} is not UTF-8 text; in Excel save as \"CSV UTF-8\"") from None


def _delimiter(content: bytes) -> str:
    """Comma, semicolon or tab: whichever the header line (the first that is neither blank nor the
    marking) holds most of outside double quotes; a comma when it holds none."""
    head = content[:MAX_ROW_CHARS].decode("utf-8-sig", "replace")
    for line in re.split(r"\r\n|\r|\n", head):
        if line.strip() and not line.startswith(MARKING_PREFIX):
            bare = re.sub(r'"[^"]*"?', "", line)
            counts = [bare.count(d) for d in DELIMITERS]
            return DELIMITERS[counts.index(max(counts))] if max(counts) else ","
    return ","


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


# --- XLSX ---------------------------------------------------------------------------------------

def _open_zip(content: bytes) -> zipfile.ZipFile:
    """The archive, once its directory is known to be small: each entry of a ZIP's directory
    starts with the signature counted here, so zipfile can never read more entries than that."""
    if content.count(b"PK\x01\x02") > MAX_ZIP_ENTRIES:
        raise TableError(f"the file is a ZIP archive of more than {MAX_ZIP_ENTRIES:,} parts; "
                         "no workbook has so many")
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zlib.error, struct.error, EOFError, OSError, ValueError, OverflowError,
            NotImplementedError):
        raise TableError("the file is a ZIP archive but not an Excel workbook (.xlsx)") from None
    infos = archive.infolist()
    unpacked = 0
    for info in infos:
        unpacked += info.file_size
        if info.file_size > RATIO_FREE_BYTES and info.file_size > MAX_UNPACK_RATIO * info.compress_size:
            raise TableError(f"a part of the workbook unpacks to {info.file_size / 1e6:.0f} MB from "
                             f"{info.compress_size / 1e6:.2f} MB; it is refused as a possible decompression bomb")
    if unpacked > MAX_UNPACKED_BYTES or unpacked > MAX_UNPACK_RATIO * len(content):
        raise TableError(f"the workbook unpacks to {unpacked / 1e6:.0f} MB from {len(content) / 1e6:.1f} MB; "
                         "it is refused as a possible decompression bomb")
    if len(archive.NameToInfo) != len(infos):
        raise TableError("the workbook holds two parts of the same name; it is refused as damaged or crafted")
    return archive


class _Budget:
    """What the parts read so far have used of the workbook's caps."""

    def __init__(self) -> None:
        self.elements = 0
        self.unpacked = 0


def _xlsx_lines(content: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900  # only imports need these

    with _open_zip(content) as archive:
        for info in archive.infolist():
            if info.flag_bits & 0x1:
                raise TableError("the workbook is encrypted; save it without a password")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise TableError("the workbook is compressed in a way Excel never uses; save it again in Excel")
        budget = _Budget()
        sheets, date1904 = _workbook(archive, budget)
        links = _relationships(archive, budget)
        sheet = next((links[rid][1] for rid in sheets if rid in links and links[rid][0] == "worksheet"), None)
        if sheet is None:
            raise TableError("the workbook has no sheet")
        if sheet not in archive.NameToInfo:
            raise TableError("the workbook's first sheet is missing from the file")
        parts = {kind: target for kind, target in links.values()}
        dates = _date_styles(archive, parts.get("styles"), budget)
        strings = _shared_strings(archive, parts.get("sharedStrings"), budget)
        epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
        yield from _sheet_rows(archive, sheet, strings, dates, epoch, budget)


def _parser() -> expat.XMLParserType:
    parser = expat.ParserCreate()  # names as written ("c", "x:c"); namespace processing costs a tenth more
    parser.buffer_text = True
    parser.buffer_size = CHUNK
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse_declarations(*_args) -> None:
        raise TableError("the workbook holds an XML document type declaration, which no workbook needs; "
                         "it is refused")

    parser.StartDoctypeDeclHandler = refuse_declarations
    parser.EntityDeclHandler = refuse_declarations
    return parser


def _feed(archive: zipfile.ZipFile, name: str, parser, budget: _Budget, limit: int) -> Iterator[None]:
    """Unpack one part as a stream into `parser`, counting what it unpacks to as it goes, and
    refusing an XML item the parser would have to hold whole beyond MAX_XML_ITEM_BYTES and more
    than MAX_XML_NAMES different names (expat and pyexpat keep every name they meet)."""
    size = 0
    try:
        opened = archive.open(archive.NameToInfo[name])
    except (zipfile.BadZipFile, zlib.error, struct.error, EOFError, OSError, ValueError, OverflowError,
            NotImplementedError, RuntimeError):  # a local header that is not where the directory says
        raise TableError(f"the workbook is damaged: its part {shown(name)} cannot be unpacked") from None
    with opened as stream:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            budget.unpacked += len(chunk)
            if size > limit or budget.unpacked > MAX_UNPACKED_BYTES:
                raise TableError(f"a part of the workbook ({shown(name)}) unpacks to more than "
                                 f"{min(limit, MAX_UNPACKED_BYTES) // 2**20} MB; it is refused")
            if size == len(chunk):
                _check_encoding(name, chunk)
            try:
                parser.Parse(chunk, False)
            except TableError:
                raise
            except (LookupError, ValueError):  # an encoding Python does not know or expat cannot use
                raise TableError(f"a part of the workbook ({shown(name)}) is in a text encoding no workbook uses; "
                                 "it is refused") from None
            if size - parser.CurrentByteIndex > MAX_XML_ITEM_BYTES:
                raise TableError(f"a part of the workbook ({shown(name)}) holds one XML item of more than "
                                 f"{MAX_XML_ITEM_BYTES // 2**20} MB; it is refused")
            if len(parser.intern) > MAX_XML_NAMES:
                raise TableError(f"a part of the workbook ({shown(name)}) uses more than {MAX_XML_NAMES:,} "
                                 "different XML names; it is refused")
            yield
    parser.Parse(b"", True)
    yield


_DECLARED_ENCODING = re.compile(rb"\A(?:\xef\xbb\xbf)?<\?xml\s[^?>]*?encoding\s*=\s*[\"']([^\"']*)[\"']")
XML_ENCODINGS = ("utf-8", "utf8", "utf-16", "utf16", "us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1")


def _check_encoding(name: str, start: bytes) -> None:
    """Only the encodings expat reads itself: any other goes through a Python codec (UTF-6 is a
    LookupError, a multi-byte one a ValueError) and no workbook needs one."""
    declared = _DECLARED_ENCODING.match(start)
    encoding = declared.group(1).decode("ascii", "replace") if declared else "utf-8"
    if encoding.lower() not in XML_ENCODINGS:
        raise TableError(f"a part of the workbook ({shown(name)}) is in the text encoding {shown(encoding)}, "
                         "which no workbook uses; it is refused")


def _read_part(archive: zipfile.ZipFile, name: str, budget: _Budget, start: Callable[[str, dict[str, str]], None],
               end: Callable[[str], None] | None = None, data: Callable[[str], None] | None = None,
               limit: int = MAX_PART_BYTES) -> None:
    """Parse a part with `start(local_name, attributes)` (and `end(local_name)`, `data(text)`)."""
    parser = _parser()
    depth = 0

    def on_start(tag: str, attributes: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        budget.elements += 1
        if depth > MAX_XML_DEPTH or budget.elements > MAX_XML_ELEMENTS:
            _too_complex(name, depth)
        start(tag.rpartition(":")[2], attributes)

    def on_end(tag: str) -> None:
        nonlocal depth
        depth -= 1
        if end is not None:
            end(tag.rpartition(":")[2])

    parser.StartElementHandler = on_start
    parser.EndElementHandler = on_end
    parser.CharacterDataHandler = data
    for _ in _feed(archive, name, parser, budget, limit):
        pass


def _too_complex(name: str, depth: int):
    if depth > MAX_XML_DEPTH:
        raise TableError(f"a part of the workbook ({shown(name)}) nests XML elements more than {MAX_XML_DEPTH} "
                         "deep; it is refused")
    raise TableError(f"the workbook holds more than {MAX_XML_ELEMENTS:,} XML elements (about "
                     f"{MAX_XML_ELEMENTS // 43:,} rows of 14 cells); split it")


def _workbook(archive: zipfile.ZipFile, budget: _Budget) -> tuple[list[str], bool]:
    """The relationship ids of the sheets in their order, and whether dates count from 1904."""
    sheets: list[str] = []
    date1904 = False

    def start(tag: str, attributes: dict[str, str]) -> None:
        nonlocal date1904
        if tag == "sheet":
            sheets.extend(value for key, value in attributes.items() if key.endswith(":id"))
        elif tag == "workbookPr":
            date1904 = attributes.get("date1904", "").lower() in ("1", "true")

    _read_part(archive, "xl/workbook.xml", budget, start)
    return sheets, date1904


def _relationships(archive: zipfile.ZipFile, budget: _Budget) -> dict[str, tuple[str, str]]:
    """relationship id -> (kind, part name) for the workbook's own parts."""
    name = "xl/_rels/workbook.xml.rels"
    if name not in archive.NameToInfo:
        raise TableError("the workbook is damaged: it has no list of its parts")
    links: dict[str, tuple[str, str]] = {}

    def start(tag: str, attributes: dict[str, str]) -> None:
        target = attributes.get("Target", "")
        if tag == "Relationship" and attributes.get("TargetMode") != "External" and target:
            path = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            links[attributes.get("Id", "")] = (attributes.get("Type", "").rpartition("/")[2], path)

    _read_part(archive, name, budget, start)
    return links


def _date_styles(archive: zipfile.ZipFile, name: str | None, budget: _Budget) -> frozenset[str]:
    """The cell styles (their `s` attributes) that show a number as a date or a time."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

    if name is None or name not in archive.NameToInfo:
        return frozenset()
    formats: dict[str, str] = {}
    styles: list[str] = []
    in_cell_styles = False

    def start(tag: str, attributes: dict[str, str]) -> None:
        nonlocal in_cell_styles
        if tag == "numFmt":
            formats[attributes.get("numFmtId", "")] = attributes.get("formatCode", "")[:255]
        elif tag == "cellXfs":
            in_cell_styles = True
        elif tag == "xf" and in_cell_styles:
            styles.append(attributes.get("numFmtId", "0"))
            if len(styles) > MAX_STYLES:
                raise TableError(f"the workbook has more than {MAX_STYLES:,} cell styles; it is refused")

    def end(tag: str) -> None:
        nonlocal in_cell_styles
        if tag == "cellXfs":
            in_cell_styles = False

    _read_part(archive, name, budget, start, end)
    builtin = {str(number): code for number, code in BUILTIN_FORMATS.items()}
    is_date = {fmt: is_date_format(formats.get(fmt) or builtin.get(fmt)) for fmt in set(styles)}
    return frozenset(str(position) for position, fmt in enumerate(styles) if is_date[fmt])


class _SharedStrings:
    """The workbook's shared strings as one UTF-8 buffer and where each ends: four bytes each."""

    def __init__(self) -> None:
        self.text = bytearray()
        self.ends = array("I")

    def add(self, value: str) -> None:
        text = self.text
        text += value.encode("utf-8", "surrogatepass")
        self.ends.append(len(text))
        if len(text) > MAX_TEXT_BYTES or len(self.ends) > MAX_CELLS:
            raise TableError(f"the workbook's shared strings hold more than {MAX_CELLS:,} strings or "
                             f"{MAX_TEXT_BYTES // 2**20} MB of text; split it")

    def get(self, number: str, where: str) -> str:
        number = number.strip()
        if not number:
            return ""
        position = int(number) if number.isascii() and number.isdigit() and len(number) <= 9 else -1
        if not 0 <= position < len(self.ends):
            raise TableError(f"cell {where} names a shared string the workbook does not hold; it is damaged")
        start = self.ends[position - 1] if position else 0
        return self.text[start:self.ends[position]].decode("utf-8", "surrogatepass")


def _shared_strings(archive: zipfile.ZipFile, name: str | None, budget: _Budget) -> _SharedStrings:
    """The shared strings: each <si>'s <t> texts, not those of its phonetic runs (<rPh>). Like the
    sheet's, these handlers may run for millions of elements: they are written for speed."""
    strings = _SharedStrings()
    if name is None or name not in archive.NameToInfo:
        return strings
    parser = _parser()
    tags: dict[str, str] = {}
    pieces: list[str] = []
    depth = size = phonetic = 0
    elements = budget.elements
    capturing = False

    def data(text: str) -> None:
        nonlocal size
        if capturing:
            size += len(text)
            if size > MAX_CELL_CHARS:
                raise TableError(f"a shared string of the workbook holds more than {MAX_CELL_CHARS:,} characters")
            pieces.append(text)

    def start(qualified: str, _attributes: dict[str, str]) -> None:
        nonlocal depth, elements, size, phonetic, capturing
        depth += 1
        elements += 1
        if depth > MAX_XML_DEPTH or elements > MAX_XML_ELEMENTS:
            _too_complex(name, depth)
        try:
            tag = tags[qualified]
        except KeyError:
            tag = tags[qualified] = qualified.rpartition(":")[2]
        if tag == "t":
            capturing = not phonetic
        elif tag == "si":
            pieces.clear()
            size = 0
        elif tag == "rPh":
            phonetic += 1

    def end(qualified: str) -> None:
        nonlocal depth, phonetic, capturing
        depth -= 1
        tag = tags[qualified]
        if tag == "t":
            capturing = False
        elif tag == "si":
            strings.add(pieces[0] if len(pieces) == 1 else "".join(pieces))
        elif tag == "rPh":
            phonetic -= 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    for _ in _feed(archive, name, parser, budget, MAX_UNPACKED_BYTES):
        pass
    budget.elements = elements
    return strings


_COLUMNS: dict[str, int] = {}  # column letters -> position from 0, filled as met (at most 18,278)


def _column(letters: str, reference: str) -> int:
    if not (1 <= len(letters) <= 3 and letters.isascii() and letters.isalpha() and letters.isupper()):
        raise TableError(f"the workbook names a cell '{shown(reference)}', which is not a cell reference; "
                         "it is damaged")
    position = 0
    for letter in letters:
        position = position * 26 + ord(letter) - 64
    _COLUMNS[letters] = position - 1
    return position - 1


def column_letters(position: int) -> str:
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _sheet_rows(archive: zipfile.ZipFile, name: str, strings: _SharedStrings, dates: frozenset[str], epoch,
                budget: _Budget) -> Iterator[tuple[int, list[str]]]:
    """The sheet's rows that hold a value, numbered as the sheet numbers them, as they are parsed.
    The handlers run for every element of up to 200 MB of XML: they are written for speed."""
    parser = _parser()
    tags: dict[str, str] = {}  # qualified name -> local name
    ready: list[tuple[int, list[str]]] = []
    line: list[str] = []  # the current row's values so far
    pieces: list[str] = []  # the current cell's text so far
    depth = size = phonetic = 0
    elements = budget.elements
    row = 0  # the current row's number; rows must come in order
    column = -1  # the current cell's position in its row
    cell_type = cell_style = reference = None
    inline = capturing = False

    def data(text: str) -> None:
        nonlocal size
        if capturing:
            size += len(text)
            if size > MAX_CELL_CHARS:
                raise TableError(f"cell {column_letters(column)}{row} holds more than {MAX_CELL_CHARS:,} characters")
            pieces.append(text)

    def start(qualified: str, attributes: dict[str, str]) -> None:
        nonlocal depth, elements, row, column, cell_type, cell_style, reference, inline, capturing, phonetic, size
        depth += 1
        elements += 1
        if depth > MAX_XML_DEPTH or elements > MAX_XML_ELEMENTS:
            _too_complex(name, depth)
        try:
            tag = tags[qualified]
        except KeyError:
            tag = tags[qualified] = qualified.rpartition(":")[2]
        if tag == "c":
            reference = attributes.get("r")
            if reference:
                try:
                    position = _COLUMNS[reference.rstrip("0123456789")]
                except KeyError:
                    position = _column(reference.rstrip("0123456789"), reference)
                if position <= column:
                    raise TableError(f"row {row:,} of the sheet names its cells out of order; it is damaged")
                column = position
            else:
                column += 1
            cell_type = attributes.get("t")
            cell_style = attributes.get("s")
            if pieces:
                pieces.clear()
            size = 0
            inline = False
        elif tag == "v":
            capturing = True
        elif tag == "t":
            capturing = inline and not phonetic
        elif tag == "is":
            inline = True
        elif tag == "row":
            _row(attributes.get("r"))
        elif tag == "rPh":
            phonetic += 1
        elif tag == "dimension":
            _check_dimension(attributes.get("ref", ""))

    def _row(number: str | None) -> None:
        nonlocal row, column, line
        if number is None:
            number = row + 1
        elif number.isascii() and number.isdigit() and len(number) <= 7:
            number = int(number)
        else:
            raise TableError(f"the sheet numbers a row '{shown(number)}'; it is damaged")
        if number <= row:
            raise TableError(f"the sheet's rows are out of order (row {number:,} after row {row:,}); it is damaged")
        row = number
        column = -1
        line = []

    def end(qualified: str) -> None:
        nonlocal depth, phonetic, inline, capturing, line
        depth -= 1
        tag = tags[qualified]
        if tag == "t" or tag == "v":
            capturing = False
        elif tag == "c":
            text = pieces[0] if len(pieces) == 1 else "".join(pieces)
            if cell_type == "inlineStr" or cell_type == "str":
                pass
            elif cell_type == "s":
                text = strings.get(text, shown(reference))
            else:
                text = _cell_value(text, cell_type, cell_style in dates, epoch)
            if text:
                if column >= MAX_COLUMNS:
                    raise TableError(f"row {row:,} has a value in column {column_letters(column)}; at most "
                                     f"{MAX_COLUMNS} columns are read")
                if column != len(line):
                    line.extend([""] * (column - len(line)))
                line.append(text)
        elif tag == "is":
            inline = False
        elif tag == "row":
            if line:
                ready.append((row, line))
                line = []
        elif tag == "rPh":
            phonetic -= 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    for _ in _feed(archive, name, parser, budget, MAX_UNPACKED_BYTES):
        yield from ready
        ready.clear()
    budget.elements = elements


def _check_dimension(reference: str) -> None:
    """A sheet declares its size (`<dimension ref="A1:D120"/>`): one declared beyond the caps is
    refused before any row is read, as no file within them needs it."""
    last = reference.rpartition(":")[2].replace("$", "")
    letters = last.rstrip("0123456789")
    digits = last[len(letters):]
    if not digits or not letters:
        return  # no size declared, or one the rows themselves will be checked against
    if not (letters.isascii() and letters.isalpha() and letters.isupper() and digits.isascii()):
        return
    rows = int(digits) if len(digits) <= 9 else MAX_LINES + 1
    columns = _column(letters, last) + 1 if len(letters) <= 3 else MAX_COLUMNS + 1
    if rows > MAX_LINES or columns > MAX_COLUMNS:
        raise TableError(f"the sheet declares {rows:,} rows and {columns:,} columns; at most {MAX_ROWS:,} rows "
                         f"of {MAX_COLUMNS} columns are read: split it")


def _cell_value(text: str, cell_type: str | None, is_date: bool, epoch) -> str:
    """A cell's value as text, as a spreadsheet shows it without formatting (shared and inline
    strings are read by the caller)."""
    if cell_type == "e" or cell_type == "d":
        return text
    if cell_type == "b":
        return {"1": "TRUE", "0": "FALSE"}.get(text.strip(), text)
    return _number_text(text, is_date, epoch)


def _number_text(text: str, is_date: bool, epoch) -> str:
    text = text.strip()
    if not text or (not is_date and text.isascii() and text.isdigit()):
        return text
    try:
        value = float(text)
    except ValueError:
        return text
    if is_date and 0 <= value < 2_958_466:  # up to 9999-12-31
        from openpyxl.utils.datetime import from_excel

        try:
            moment = from_excel(value, epoch)
        except (OverflowError, ValueError):
            pass
        else:
            if isinstance(moment, datetime):
                return moment.date().isoformat() if moment.time() == time(0) else moment.isoformat()
            return moment.isoformat()
    return str(int(value)) if value.is_integer() else str(value)


# --- writing ------------------------------------------------------------------------------------

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
