"""XLSX: a workbook's first sheet, read by expat as a stream with the workbook's own shared strings and
date styles, without padding to its declared size (only rows with a value are produced), under the
caps of `tabular.budget` checked as it goes: its ZIP directory (entries, each entry's declared and
actual unpacked size and ratio) and its XML (no document type declarations, a bounded number of
elements, depth and item size). Writing stores every cell as text, never as a formula."""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, time
from xml.parsers import expat

from coordination.fields import shown
from coordination.tabular.budget import (
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_LINES,
    MAX_PART_BYTES,
    MAX_ROWS,
    MAX_STYLES,
    MAX_TEXT_BYTES,
    MAX_UNPACK_RATIO,
    MAX_UNPACKED_BYTES,
    MAX_XML_DEPTH,
    MAX_XML_ELEMENTS,
    MAX_XML_ITEM_BYTES,
    MAX_XML_NAMES,
    MAX_ZIP_ENTRIES,
    RATIO_FREE_BYTES,
    Budget,
    TableError,
)
from coordination.tabular.conventions import MARKING_PREFIX, neutralise

CHUNK = 64 * 1024


def open_zip(content: bytes) -> zipfile.ZipFile:
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


def lines(content: bytes) -> Iterator[tuple[int, list[str]]]:
    """The first sheet's rows that hold a value, numbered as the sheet numbers them; a damaged
    workbook is a TableError, whichever part of it is damaged."""
    try:
        yield from _lines(content)
    except TableError:
        raise
    except expat.ExpatError as error:
        raise TableError(f"the workbook is damaged: its XML is not well-formed ({expat.ErrorString(error.code)}, "
                         f"line {error.lineno:,})") from None
    except (zipfile.BadZipFile, zlib.error, struct.error, EOFError, OSError, NotImplementedError,
            RuntimeError) as error:
        raise TableError(f"the workbook is damaged and cannot be unpacked ({type(error).__name__})") from None


def _lines(content: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900  # only imports need these

    with open_zip(content) as archive:
        for info in archive.infolist():
            if info.flag_bits & 0x1:
                raise TableError("the workbook is encrypted; save it without a password")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise TableError("the workbook is compressed in a way Excel never uses; save it again in Excel")
        budget = Budget()
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


def _feed(archive: zipfile.ZipFile, name: str, parser, budget: Budget, limit: int) -> Iterator[None]:
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


def _read_part(archive: zipfile.ZipFile, name: str, budget: Budget, start: Callable[[str, dict[str, str]], None],
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


def _workbook(archive: zipfile.ZipFile, budget: Budget) -> tuple[list[str], bool]:
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


def _relationships(archive: zipfile.ZipFile, budget: Budget) -> dict[str, tuple[str, str]]:
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


def _date_styles(archive: zipfile.ZipFile, name: str | None, budget: Budget) -> frozenset[str]:
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


class _Stream:
    """What the handlers of the two large parts share (the shared strings, and the sheet: up to 200 MB
    of XML each): each element counted against the caps as it opens, its local name (kept once met),
    and the text of the string or cell being read, collected under MAX_CELL_CHARS. They run for every
    element and every piece of text: they are written for speed."""

    __slots__ = ("name", "budget", "tags", "depth", "elements", "pieces", "size", "capturing", "phonetic")

    def __init__(self, name: str, budget: Budget) -> None:
        self.name, self.budget = name, budget
        self.tags: dict[str, str] = {}  # qualified name -> local name
        self.depth = self.size = 0
        self.phonetic = 0  # inside how many phonetic runs (<rPh>), whose text is not the value's
        self.elements = budget.elements
        self.pieces: list[str] = []  # the current string's or cell's text so far
        self.capturing = False

    def opened(self, qualified: str) -> str:
        """An element opens: counted against the caps; its local name."""
        self.depth += 1
        self.elements += 1
        if self.depth > MAX_XML_DEPTH or self.elements > MAX_XML_ELEMENTS:
            _too_complex(self.name, self.depth)
        try:
            return self.tags[qualified]
        except KeyError:
            tag = self.tags[qualified] = qualified.rpartition(":")[2]
            return tag

    def closed(self, qualified: str) -> str:
        self.depth -= 1
        return self.tags[qualified]

    def data(self, text: str) -> None:
        if self.capturing:
            self.size += len(text)
            if self.size > MAX_CELL_CHARS:
                raise TableError(self.too_long())
            self.pieces.append(text)

    def too_long(self) -> str:
        raise NotImplementedError

    def text(self) -> str:
        pieces = self.pieces
        return pieces[0] if len(pieces) == 1 else "".join(pieces)

    def begin(self) -> None:
        """A new string or cell: its text starts empty."""
        if self.pieces:
            self.pieces.clear()
        self.size = 0

    def parse(self, archive: zipfile.ZipFile, start: Callable[[str, dict[str, str]], None],
              end: Callable[[str], None]) -> Iterator[None]:
        """Parse the part with these handlers, yielding after each chunk of it."""
        parser = _parser()
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = self.data
        yield from _feed(archive, self.name, parser, self.budget, MAX_UNPACKED_BYTES)
        self.budget.elements = self.elements


class _SharedStringsPart(_Stream):
    """The shared strings: each <si>'s <t> texts, not those of its phonetic runs (<rPh>)."""

    __slots__ = ("strings",)

    def __init__(self, name: str, budget: Budget) -> None:
        super().__init__(name, budget)
        self.strings = _SharedStrings()

    def too_long(self) -> str:
        return f"a shared string of the workbook holds more than {MAX_CELL_CHARS:,} characters"

    def start(self, qualified: str, _attributes: dict[str, str]) -> None:
        tag = self.opened(qualified)
        if tag == "t":
            self.capturing = not self.phonetic
        elif tag == "si":
            self.begin()
        elif tag == "rPh":
            self.phonetic += 1

    def end(self, qualified: str) -> None:
        tag = self.closed(qualified)
        if tag == "t":
            self.capturing = False
        elif tag == "si":
            self.strings.add(self.text())
        elif tag == "rPh":
            self.phonetic -= 1


def _shared_strings(archive: zipfile.ZipFile, name: str | None, budget: Budget) -> _SharedStrings:
    if name is None or name not in archive.NameToInfo:
        return _SharedStrings()
    part = _SharedStringsPart(name, budget)
    for _ in part.parse(archive, part.start, part.end):
        pass
    return part.strings


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


class _SheetPart(_Stream):
    """The sheet's rows that hold a value, as they are parsed (`ready`, taken after each chunk)."""

    __slots__ = ("strings", "dates", "epoch", "ready", "line", "row", "column", "cell_type", "cell_style",
                 "reference", "inline")

    def __init__(self, name: str, budget: Budget, strings: _SharedStrings, dates: frozenset[str], epoch) -> None:
        super().__init__(name, budget)
        self.strings, self.dates, self.epoch = strings, dates, epoch
        self.ready: list[tuple[int, list[str]]] = []
        self.line: list[str] = []  # the current row's values so far
        self.row = 0  # the current row's number; rows must come in order
        self.column = -1  # the current cell's position in its row
        self.cell_type: str | None = None
        self.cell_style: str | None = None
        self.reference: str | None = None
        self.inline = False

    def too_long(self) -> str:
        return f"cell {column_letters(self.column)}{self.row} holds more than {MAX_CELL_CHARS:,} characters"

    def start(self, qualified: str, attributes: dict[str, str]) -> None:
        tag = self.opened(qualified)
        if tag == "c":
            self._cell(attributes)
        elif tag == "v":
            self.capturing = True
        elif tag == "t":
            self.capturing = self.inline and not self.phonetic
        elif tag == "is":
            self.inline = True
        elif tag == "row":
            self._row(attributes.get("r"))
        elif tag == "rPh":
            self.phonetic += 1
        elif tag == "dimension":
            _check_dimension(attributes.get("ref", ""))

    def _cell(self, attributes: dict[str, str]) -> None:
        reference = self.reference = attributes.get("r")
        if reference:
            try:
                position = _COLUMNS[reference.rstrip("0123456789")]
            except KeyError:
                position = _column(reference.rstrip("0123456789"), reference)
            if position <= self.column:
                raise TableError(f"row {self.row:,} of the sheet names its cells out of order; it is damaged")
            self.column = position
        else:
            self.column += 1
        self.cell_type = attributes.get("t")
        self.cell_style = attributes.get("s")
        self.begin()
        self.inline = False

    def _row(self, number: str | None) -> None:
        if number is None:
            at = self.row + 1
        elif number.isascii() and number.isdigit() and len(number) <= 7:
            at = int(number)
        else:
            raise TableError(f"the sheet numbers a row '{shown(number)}'; it is damaged")
        if at <= self.row:
            raise TableError(f"the sheet's rows are out of order (row {at:,} after row {self.row:,}); it is damaged")
        self.row = at
        self.column = -1
        self.line = []

    def end(self, qualified: str) -> None:
        tag = self.closed(qualified)
        if tag == "t" or tag == "v":
            self.capturing = False
        elif tag == "c":
            self._value()
        elif tag == "is":
            self.inline = False
        elif tag == "row":
            if self.line:
                self.ready.append((self.row, self.line))
                self.line = []
        elif tag == "rPh":
            self.phonetic -= 1

    def _value(self) -> None:
        """The cell closes: its value, if it has one, goes in its column of the row."""
        text, cell_type = self.text(), self.cell_type
        if cell_type == "inlineStr" or cell_type == "str":
            pass
        elif cell_type == "s":
            text = self.strings.get(text, shown(self.reference))
        else:
            text = _cell_value(text, cell_type, self.cell_style in self.dates, self.epoch)
        if text:
            column, line = self.column, self.line
            if column >= MAX_COLUMNS:
                raise TableError(f"row {self.row:,} has a value in column {column_letters(column)}; at most "
                                 f"{MAX_COLUMNS} columns are read")
            if column != len(line):
                line.extend([""] * (column - len(line)))
            line.append(text)


def _sheet_rows(archive: zipfile.ZipFile, name: str, strings: _SharedStrings, dates: frozenset[str], epoch,
                budget: Budget) -> Iterator[tuple[int, list[str]]]:
    """The sheet's rows that hold a value, numbered as the sheet numbers them, as they are parsed."""
    sheet = _SheetPart(name, budget, strings, dates, epoch)
    ready = sheet.ready
    for _ in sheet.parse(archive, sheet.start, sheet.end):
        yield from ready
        ready.clear()


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
