"""Hostile spreadsheets, made on the fly, each with what a correct import does with it.

    .venv/bin/python -m tests.hostile.corpus DIR    # writes every file into DIR, to try by hand

Every case is imported as liaison.fbi (tests/hostile/test_corpus.py) onto a store holding one
suspect S-EXIST-1 and one task T-EXIST-1 of the FBI, so that rows naming them take the update path.
"""

from __future__ import annotations

import io
import random
import struct
import sys
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl

HEADER = "reference,full_name,tier,status"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"


@dataclass(frozen=True)
class Case:
    name: str  # the file's name as uploaded: its extension matters
    make: Callable[[], bytes]
    expect: str  # "refused" (the file as a whole), "problems" (rows named), "imported"
    says: str = ""  # a phrase the refusal or one of the problems holds
    rows: int = 0  # "imported": rows created or updated
    kind: str = "suspects"
    heavy: bool = False  # takes seconds to read: imported on one store only


# --- CSV ------------------------------------------------------------------------------------------

def csv_file(*rows: str, header: str = HEADER, newline: str = "\n", bom: bytes = b"") -> bytes:
    return bom + (newline.join([header, *rows]) + newline).encode()


def rows_of(n: int, prefix: str = "H") -> list[str]:
    return [f"{prefix}-{i},Synthetic Person {i},user,lead" for i in range(1, n + 1)]


def wide_header(columns: int) -> bytes:
    return csv_file("H-1,A,user,lead", header=",".join(f"c{i}" for i in range(columns)))


def unknown_columns() -> bytes:
    names = [f"unknown_{i:03d}_" + "x" * 100 for i in range(40)]
    return csv_file("H-1,A,user,lead" + "," * 40, header=HEADER + "," + ",".join(names))


def nul_late() -> bytes:
    return csv_file(*rows_of(400)) + b"H-9,Nul\x00Byte,user,lead\n"


def utf16() -> bytes:
    return "\ufeff".encode("utf-16-le") + csv_file("H-1,A,user,lead").decode().encode("utf-16-le")


def blank_flood() -> bytes:
    return b"\n" * 1_000_000 + csv_file("H-1,A,user,lead")


def unterminated_quote() -> bytes:
    return csv_file('H-1,"Alpha,user,lead', *rows_of(12_000, "Q"))


# --- XLSX -----------------------------------------------------------------------------------------

def cell(reference: str, value: str, extra: str = "") -> str:
    text = value.replace("&", "&amp;").replace("<", "&lt;")
    return f'<c r="{reference}" t="inlineStr"{extra}><is><t xml:space="preserve">{text}</t></is></c>'


def row_xml(number: int, values: list[str]) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return f'<row r="{number}">' + "".join(cell(f"{letters[i]}{number}", v) for i, v in enumerate(values)) + "</row>"


def sheet(*rows: str, before: str = "", after: str = "", prolog: str = '<?xml version="1.0" encoding="UTF-8"?>') -> str:
    return (f'{prolog}<worksheet xmlns="{MAIN}" xmlns:r="{RELS}">{before}<sheetData>'
            + "".join(rows) + f"</sheetData>{after}</worksheet>")


def table_rows(*rows: list[str]) -> list[str]:
    return [row_xml(n, values) for n, values in enumerate([HEADER.split(","), *rows], start=1)]


GOOD_ROWS = (["H-1", "Alpha One", "user", "lead"], ["H-2", "Beta Two", "user", "lead"])


def workbook(sheet_xml: str | bytes, *, shared: str | None = None, styles: str | None = None,
             workbook_xml: str | None = None, rels: str | None = None, extra: dict[str, bytes] | None = None,
             method: int = zipfile.ZIP_DEFLATED, level: int = 6) -> bytes:
    """A minimal workbook, written entry by entry: whatever a test needs, however wrong."""
    links = [f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>']
    if shared is not None:
        links.append(f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>')
    if styles is not None:
        links.append(f'<Relationship Id="rId3" Type="{RELS}/styles" Target="styles.xml"/>')
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                               'content-types"/>',
        "_rels/.rels": f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" Type="{RELS}/officeDocument" '
                       'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": workbook_xml or f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
                                           '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": rels or f'<Relationships xmlns="{PACKAGE}">{"".join(links)}</Relationships>',
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    if shared is not None:
        parts["xl/sharedStrings.xml"] = shared
    if styles is not None:
        parts["xl/styles.xml"] = styles
    parts.update(extra or {})
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names, on purpose
        with zipfile.ZipFile(out, "w", method, compresslevel=level if method == zipfile.ZIP_DEFLATED else None) as z:
            for name, data in parts.items():
                z.writestr(name, data)
    return out.getvalue()


def good_xlsx() -> bytes:
    return workbook(sheet(*table_rows(*GOOD_ROWS)))


def openpyxl_book(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for values in rows:
        book.active.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def dimension_bomb() -> bytes:
    """The tester's: a normal header, one cell at the last row, and the whole grid declared."""
    rows = table_rows() + [row_xml(1_048_576, ["H-9"])]
    return workbook(sheet(*rows, before='<dimension ref="A1:XFD1048576"/>'))


def far_row() -> bytes:
    return workbook(sheet(*table_rows(*GOOD_ROWS), row_xml(1_048_576, ["H-9", "Far Away", "user", "lead"])))


def far_blank_row() -> bytes:
    return workbook(sheet(*table_rows(*GOOD_ROWS), '<row r="1048576" s="1" customFormat="1"><c r="XFD1048576" s="1"/>'
                                                   '</row>'))


def zip_bomb() -> bytes:
    return workbook(sheet(*table_rows(*GOOD_ROWS), after=" " * (150 * 2**20)), level=9)


def padded_bomb() -> bytes:
    """The ratio of the whole looks tame (padding that does not compress); the sheet's does not."""
    padding = random.Random(5).randbytes(5 * 2**20)
    return workbook(sheet(*table_rows(*GOOD_ROWS), after=" " * (190 * 2**20)), level=9,
                    extra={"xl/media/image1.png": padding})


def many_rows_xlsx(n: int, columns: int = 4) -> bytes:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    header = (HEADER.split(",") + [f"x{i}" for i in range(columns)])[:columns]
    body = [row_xml(1, header)]
    for number in range(2, n + 2):
        values = ([f"H-{number}", f"Person {number}", "user", "lead"] + [f"v{number}"] * columns)[:columns]
        body.append(f'<row r="{number}">' + "".join(
            f'<c r="{letters[i]}{number}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(values))
            + "</row>")
    return workbook(sheet(*body), level=1)


def padded_rows() -> bytes:
    """A 5 MB workbook of 300,000 rows: refused at row 200,001, not after reading them all."""
    padding = random.Random(6).randbytes(3 * 2**20)
    content = many_rows_xlsx(300_000, columns=1)
    return workbook(zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml"),
                    extra={"xl/media/image1.png": padding})


def shared_strings_bomb() -> bytes:
    strings = "".join(f"<si><t>{i}</t></si>" for i in range(5_000_000))
    shared = f'<sst xmlns="{MAIN}" count="5000000" uniqueCount="5000000">{strings}</sst>'
    return workbook(sheet(*table_rows(*GOOD_ROWS)), shared=shared)


def shared_sheet(strings: list[str], cells: list[list[str]]) -> bytes:
    shared = f'<sst xmlns="{MAIN}">' + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>"
    rows = [f'<row r="{n}">' + "".join(f'<c r="{chr(65 + i)}{n}" t="s"><v>{v}</v></c>' for i, v in enumerate(values))
            + "</row>" for n, values in enumerate(cells, start=1)]
    return workbook(sheet(*rows), shared=shared)


def shared_good() -> bytes:
    return shared_sheet([*HEADER.split(","), "H-1", "Shared Name", "user", "lead"], [["0", "1", "2", "3"],
                                                                                   ["4", "5", "6", "7"]])


def billion_laughs() -> bytes:
    entities = '<!ENTITY a0 "ha">' + "".join(f'<!ENTITY a{i} "&a{i - 1};&a{i - 1};&a{i - 1};&a{i - 1};">'
                                               for i in range(1, 30))
    doctype = f"<!DOCTYPE worksheet [{entities}]>"
    return workbook(sheet(*table_rows(["H-1", "&a29;", "user", "lead"]), prolog=doctype).replace(
        "&amp;a29;", "&a29;"))


def external_entity() -> bytes:
    doctype = '<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    return workbook(sheet(*table_rows(["H-1", "&x;", "user", "lead"]), prolog=doctype).replace("&amp;x;", "&x;"))


def deep_nesting() -> bytes:
    return workbook(sheet(*table_rows(*GOOD_ROWS), after="<x>" * 100_000 + "</x>" * 100_000),
                    method=zipfile.ZIP_STORED)


def huge_attribute() -> bytes:
    return workbook(sheet(*table_rows(*GOOD_ROWS), after=f'<x a="{"y" * (2 * 2**20)}"/>'),
                    method=zipfile.ZIP_STORED)


def huge_comment() -> bytes:
    return workbook(sheet(*table_rows(*GOOD_ROWS), after=f"<!--{'<z>' * 2**20}-->"),
                    method=zipfile.ZIP_STORED)


def unique_names() -> bytes:
    return workbook(sheet(*table_rows(*GOOD_ROWS), after="".join(f"<n{i}/>" for i in range(20_000))))


def element_flood() -> bytes:
    rnd = random.Random(7)
    letters = "abdefghijklmnopquwxyz"
    flood = "".join(f"<{rnd.choice(letters)}/>" for _ in range(8_500_000))
    return workbook(sheet(*table_rows(*GOOD_ROWS), after=flood))


def dense_cells() -> bytes:
    """Rows of 14 filled cells up to the element cap: the slowest a file within the caps can be."""
    return many_rows_xlsx(200_000, columns=14)


def broken(content: bytes, at: int, length: int = 64) -> bytes:
    return content[:at] + bytes(b ^ 0x5A for b in content[at:at + length]) + content[at + length:]


def corrupt_deflate() -> bytes:
    content = workbook(sheet(*table_rows(*[[f"H-{i}", f"Person {i}", "user", "lead"] for i in range(1, 500)])))
    info = zipfile.ZipFile(io.BytesIO(content)).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    return broken(content, start + info.compress_size // 2)


def bzip2_sheet() -> bytes:
    return workbook(sheet(*table_rows(*GOOD_ROWS)), method=zipfile.ZIP_BZIP2)


def encrypted_flag() -> bytes:
    """The 'encrypted' bit set on the sheet's entries, local and central."""
    data = bytearray(good_xlsx())
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        while at >= 0:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at:name_at + 24] == b"xl/worksheets/sheet1.xml":
                flags = struct.unpack_from("<H", data, at + flag_at)[0]
                struct.pack_into("<H", data, at + flag_at, flags | 1)
            at = data.find(signature, at + 4)
    return bytes(data)


def formulas_xlsx() -> bytes:
    rows = table_rows(["H-1", "=HYPERLINK(\"http://example.invalid\")", "user", "lead"])
    rows.append('<row r="3"><c r="A3" t="inlineStr"><is><t>H-2</t></is></c>'
                '<c r="B3" t="str"><f>CONCAT("Cached ","Name")</f><v>Cached Name</v></c>'
                '<c r="C3" t="inlineStr"><is><t>user</t></is></c><c r="D3" t="inlineStr"><is><t>lead</t></is></c>'
                '</row>')
    return workbook(sheet(*rows))


def dates_xlsx() -> bytes:
    from datetime import datetime
    return openpyxl_book([[*HEADER.split(","), "date_of_birth"], ["H-1", "Dated Person", "user", "lead",
                                                                  datetime(1980, 1, 2)]])


STYLES_DATE = (f'<styleSheet xmlns="{MAIN}"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs>'
               '</styleSheet>')


def date1904() -> bytes:
    rows = table_rows(["H-1", "Mac Person", "user", "lead"])
    rows[0] = rows[0].replace("</row>", cell("E1", "date_of_birth") + "</row>")
    rows[1] = rows[1].replace("</row>", '<c r="E2" s="1"><v>27760</v></c></row>')  # 1980-01-02 from 1904
    book = f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><workbookPr date1904="1"/><sheets>' \
           '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
    return workbook(sheet(*rows), styles=STYLES_DATE, workbook_xml=book)


def bool_error() -> bytes:
    rows = table_rows()
    rows.append('<row r="2"><c r="A2" t="inlineStr"><is><t>H-1</t></is></c><c r="B2" t="b"><v>1</v></c>'
                '<c r="C2" t="e"><v>#N/A</v></c><c r="D2" t="inlineStr"><is><t>lead</t></is></c></row>')
    return workbook(sheet(*rows))


def rows_out_of_order() -> bytes:
    rows = table_rows(*GOOD_ROWS)
    return workbook(sheet(rows[0], rows[2], rows[1]))


def cells_out_of_order() -> bytes:
    return workbook(sheet(*table_rows(), '<row r="2">' + cell("C2", "user") + cell("A2", "H-1") + "</row>"))


def utf16_part() -> bytes:
    xml = sheet(*table_rows(*GOOD_ROWS), prolog='<?xml version="1.0" encoding="UTF-16"?>')
    return workbook(xml.encode("utf-16"))


def many_entries() -> bytes:
    return workbook(sheet(*table_rows(*GOOD_ROWS)), extra={f"xl/junk/{i}.xml": b"<a/>" for i in range(1_500)})


def duplicate_entries() -> bytes:
    evil = sheet(*table_rows(["H-1", "Evil Twin", "user", "lead"]))
    content = workbook(sheet(*table_rows(*GOOD_ROWS)))
    out = io.BytesIO(content)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(out, "a") as z:
            z.writestr("xl/worksheets/sheet1.xml", evil)
    return out.getvalue()


def rich_phonetic() -> bytes:
    rich = ('<c r="B2" t="inlineStr"><is><r><rPr><b/></rPr><t>Yamada </t></r><r><t>Taro</t></r>'
            '<rPh sb="0" eb="2"><t>YAMADA-PHONETIC</t></rPh></is></c>')
    rows = table_rows()
    rows.append(f'<row r="2">{cell("A2", "H-1")}{rich}{cell("C2", "user")}{cell("D2", "lead")}</row>')
    return workbook(sheet(*rows))


def chartsheet_first() -> bytes:
    book = (f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets><sheet name="Chart" sheetId="2" r:id="rId9"/>'
            '<sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>')
    rels = (f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId9" Type="{RELS}/chartsheet" '
            'Target="chartsheets/sheet1.xml"/><Relationship Id="rId1" Type="{RELS}/worksheet" '
            'Target="/xl/worksheets/sheet1.xml"/></Relationships>').replace("{RELS}", RELS)
    return workbook(sheet(*table_rows(*GOOD_ROWS)), workbook_xml=book, rels=rels,
                    extra={"xl/chartsheets/sheet1.xml": b"<chartsheet/>"})


def styled_far_right() -> bytes:
    rows = table_rows(*GOOD_ROWS)
    rows[0] = rows[0].replace("</row>", '<c r="E1" s="1"/><c r="XFD1" s="1"/></row>')
    return workbook(sheet(*rows))


def no_sheet() -> bytes:
    return workbook(sheet(*table_rows(*GOOD_ROWS)),
                    workbook_xml=f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets/></workbook>')


def missing_sheet() -> bytes:
    rels = (f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" Type="{RELS}/worksheet" '
            'Target="worksheets/nowhere.xml"/></Relationships>')
    return workbook(sheet(*table_rows(*GOOD_ROWS)), rels=rels)


def random_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("notes.txt", "not a workbook")
    return out.getvalue()


# --- the corpus -----------------------------------------------------------------------------------

L = "\u202e"  # RIGHT-TO-LEFT OVERRIDE
EXISTING = "S-EXIST-1"

CASES: list[Case] = [
    # CSV
    Case("sniffer-trap.csv", lambda: csv_file("RT-SHIFT-1,user,lead,'-Alpha,Beta'", header="reference,tier,status,"
                                              "full_name"), "refused", "has 5 cells but the header names 4"),
    Case("neutralised-and-apostrophe.csv", lambda: csv_file("H-1,'-x,user,lead,it's'",
                                                            header=HEADER + ",aliases"), "imported", rows=1),
    Case("wide-header-20k.csv", lambda: wide_header(20_000), "refused", "at most 50 columns"),
    Case("wide-header-1m.csv", lambda: wide_header(1_000_000), "refused", "characters"),
    Case("unknown-columns.csv", unknown_columns, "refused", "and 35 more"),
    Case("duplicate-columns.csv", lambda: csv_file("H-1,A,user,lead", header=HEADER + ",notes" * 30),
         "refused", "notes more than once"),
    Case("cell-200k.csv", lambda: csv_file(f"H-1,{'x' * 200_000},user,lead"), "refused", "32,767"),
    Case("cell-40k.csv", lambda: csv_file(f"H-1,{'x' * 40_000},user,lead"), "refused", "32,767"),
    Case("notes-10001.csv", lambda: csv_file(f"H-1,A,user,lead,{'n' * 10_001}", header=HEADER + ",notes"),
         "problems", "at most 10,000"),
    Case("rows-200001.csv", lambda: csv_file(*rows_of(200_001)), "refused", "more than 200,000 rows", heavy=True),
    Case("nul-late.csv", nul_late, "refused", "binary data"),
    Case("bom.csv", lambda: csv_file(*rows_of(2), bom=b"\xef\xbb\xbf"), "imported", rows=2),
    Case("double-bom.csv", lambda: csv_file(*rows_of(2), bom=b"\xef\xbb\xbf" * 2), "imported", rows=2),
    Case("utf16.csv", utf16, "refused", "UTF-16"),
    Case("latin1.csv", lambda: csv_file("H-1,Jos\xe9,user,lead").decode().encode("latin-1"), "refused",
         "line 2 is not UTF-8"),
    Case("overlong-utf8.csv", lambda: csv_file("H-1,A,user,lead") + b"H-2,\xc0\xaf,user,lead\n", "refused",
         "not UTF-8"),
    Case("mixed-delimiters.csv", lambda: csv_file("H-1;A;user;lead"), "problems", "is required"),
    Case("semicolons.csv", lambda: csv_file(*(r.replace(",", ";") for r in rows_of(2)), header="reference;"
                                            "full_name;tier;status"), "imported", rows=2),
    Case("tabs.csv", lambda: csv_file(*(r.replace(",", "\t") for r in rows_of(2)), header=HEADER.replace(",", "\t")),
         "imported", rows=2),
    Case("formulas.csv", lambda: csv_file("H-1,=1+2,user,lead", "H-2,+44 20 7946 0000,user,lead",
                                          "H-3,@SUM(A1:A2),user,lead", "H-4,-2+3,user,lead",
                                          'H-5,"=HYPERLINK(""http://example.invalid"")",user,lead'),
         "imported", rows=5),
    # a name that displays other than it is stored, or that reads like another: refused, never stripped
    Case("bidi-zero-width.csv", lambda: csv_file(f"H-1,Ali{L}ecnerolF,user,lead", "H-2,Zero\u200bWidth,user,lead",
                                                 "H-3,\u2066Isolate\u2069,user,lead"), "problems",
         "invisible or direction-changing character (U+202E, right-to-left override)"),
    Case("zero-width-header.csv", lambda: csv_file("H-1,A,user,lead", header="refer\u200bence,full_name,tier,status"),
         "refused", "refer\\u200bence"),
    Case("bidi-status.csv", lambda: csv_file(f"H-1,A,user,{L}lead"), "problems", "\\u202elead"),
    Case("blank-line-flood.csv", blank_flood, "refused", "past row 210,000"),
    Case("unterminated-quote.csv", unterminated_quote, "refused", "quote left open"),
    Case("cr-only.csv", lambda: csv_file(*rows_of(2), newline="\r"), "imported", rows=2),
    Case("trailing-commas.csv", lambda: csv_file(*(r + ",,,,,," for r in rows_of(2)), header=HEADER + ",,,"),
         "imported", rows=2),
    Case("control-chars.csv", lambda: csv_file("H-1,A\x01B,user,lead"), "problems", "control characters"),
    Case("version-superscript.csv", lambda: csv_file(f"{EXISTING},Renamed,user,lead,\u00b2",
                                                     header=HEADER + ",version"),
         "problems", "not a version number"),
    Case("version-5000-digits.csv", lambda: csv_file(f"{EXISTING},Renamed,user,lead,{'9' * 5000}",
                                                     header=HEADER + ",version"), "problems", "not a version number"),
    Case("date-year-1.csv", lambda: csv_file("H-1,A,user,lead,0001-01-01", header=HEADER + ",date_of_birth"),
         "problems", "not a plausible date (1900-2100)"),
    Case("arrest-year-1.csv", lambda: csv_file(f"A-1,{EXISTING},US-CA,0001-01-01T00:00:00+01:00,x,fraud,bailed",
                                               header="reference,suspect,jurisdiction,arrested_at,place,offences,"
                                                      "outcome"),
         "problems", "not a plausible time (1900-2100)", kind="arrests"),
    Case("arrest-year-9999.csv", lambda: csv_file(f"A-1,{EXISTING},US-CA,9999-12-31T23:59:59-01:00,x,fraud,bailed",
                                                  header="reference,suspect,jurisdiction,arrested_at,place,offences,"
                                                         "outcome"),
         "problems", "not a plausible time", kind="arrests"),
    Case("task-due-9999.csv", lambda: csv_file("T-1,Trace,open,high,9999-12-31",
                                               header="reference,title,status,priority,due_date"),
         "problems", "not a plausible date", kind="tasks"),
    Case("xlsx-named-csv.csv", good_xlsx, "refused", "named .csv but holds an Excel workbook"),
    Case("zip-named-csv.csv", random_zip, "refused", "ZIP archive but not an Excel workbook"),
    Case("empty.csv", lambda: b"", "refused", "the file is empty"),
    Case("marking-only.csv", lambda: b"# OFFICIAL TLP:CLEAR\r\n", "refused", "the file is empty"),
    Case("one-line-19mb.csv", lambda: b"a" * (19 * 2**20), "refused", "characters"),
    Case("over-20mb.csv", lambda: csv_file(*rows_of(1)) + b"#" * (21 * 2**20), "refused", "at most 20 MB"),
    Case("recipients-150.csv", lambda: csv_file("H-1,A,user,lead,RED," + '"' + ",".join(["liaison.fbi"] * 150) + '"',
                                                header=HEADER + ",tlp,recipients"), "problems", "at most 100"),
    Case("quoted-newlines.csv", lambda: csv_file('H-1,A,user,lead,"line one\nline two"', header=HEADER + ",notes"),
         "imported", rows=1),
    Case("many-small-cells.csv", lambda: csv_file("H-1,A,user,lead" + ",x" * 60), "refused", "at most 50 columns"),
    Case("tlp-5000.csv", lambda: csv_file("H-1,A,user,lead," + "AMBER" * 1000, header=HEADER + ",tlp"),
         "problems", "is not a TLP 2.0 label"),
    Case("agency-long.csv", lambda: csv_file("H-1,A,user,lead," + "FBI" * 5000, header=HEADER + ",owning_agency"),
         "problems", "is not a partner agency"),
    # XLSX
    Case("dimension-bomb.xlsx", dimension_bomb, "refused", "declares 1,048,576 rows"),
    Case("far-row.xlsx", far_row, "refused", "row 1,048,576 is past row 210,000"),
    Case("far-blank-row.xlsx", far_blank_row, "imported", rows=2),
    Case("zip-bomb.xlsx", zip_bomb, "refused", "decompression bomb"),
    Case("padded-bomb.xlsx", padded_bomb, "refused", "decompression bomb"),
    Case("padded-rows.xlsx", padded_rows, "refused", "more than 200,000 rows", heavy=True),
    Case("rows-200001.xlsx", lambda: many_rows_xlsx(200_001), "refused", "more than 200,000 rows", heavy=True),
    Case("dense-cells.xlsx", dense_cells, "refused", "4,000,000 XML elements", heavy=True),
    Case("shared-strings-bomb.xlsx", shared_strings_bomb, "refused", "XML elements", heavy=True),
    Case("shared-string-40k.xlsx", lambda: shared_sheet([*HEADER.split(","), "x" * 40_000], [["0", "1", "2", "3"]]),
         "refused", "more than 32,767 characters"),
    Case("shared-index-missing.xlsx", lambda: shared_sheet(HEADER.split(","), [["0", "1", "2", "3"], ["99999"]]),
         "refused", "names a shared string the workbook does not hold"),
    Case("shared-strings.xlsx", shared_good, "imported", rows=1),
    Case("billion-laughs.xlsx", billion_laughs, "refused", "document type declaration"),
    Case("external-entity.xlsx", external_entity, "refused", "document type declaration"),
    Case("deep-nesting.xlsx", deep_nesting, "refused", "more than 64 deep"),
    Case("huge-attribute.xlsx", huge_attribute, "refused", "one XML item of more than 1 MB"),
    Case("huge-comment.xlsx", huge_comment, "refused", "one XML item of more than 1 MB"),
    Case("unique-names.xlsx", unique_names, "refused", "different XML names"),
    Case("element-flood.xlsx", element_flood, "refused", "XML elements", heavy=True),
    Case("wide-row.xlsx", lambda: workbook(sheet(*table_rows(), '<row r="2">' + cell("BA2", "far") + "</row>")),
         "refused", "has a value in column BA"),
    Case("no-sheet.xlsx", no_sheet, "refused", "has no sheet"),
    Case("missing-sheet.xlsx", missing_sheet, "refused", "first sheet is missing"),
    Case("truncated.xlsx", lambda: good_xlsx()[:600], "refused", "not an Excel workbook"),
    Case("corrupt-deflate.xlsx", corrupt_deflate, "refused", "damaged"),
    Case("bzip2.xlsx", bzip2_sheet, "refused", "compressed in a way Excel never uses"),
    Case("encrypted-flag.xlsx", encrypted_flag, "refused", "encrypted"),
    Case("formulas.xlsx", formulas_xlsx, "imported", rows=2),
    Case("dates.xlsx", dates_xlsx, "imported", rows=1),
    Case("date1904.xlsx", date1904, "imported", rows=1),
    Case("bool-error.xlsx", bool_error, "problems", "is not one of"),
    Case("rows-out-of-order.xlsx", rows_out_of_order, "refused", "out of order"),
    Case("cells-out-of-order.xlsx", cells_out_of_order, "refused", "out of order"),
    Case("utf16-part.xlsx", utf16_part, "imported", rows=2),
    Case("many-entries.xlsx", many_entries, "refused", "more than 1,000 parts"),
    Case("duplicate-entries.xlsx", duplicate_entries, "refused", "two parts of the same name"),
    Case("bad-row-number.xlsx", lambda: workbook(sheet(*table_rows(), '<row r="1e3">' + cell("A2", "x") + "</row>")),
         "refused", "numbers a row"),
    Case("rich-phonetic.xlsx", rich_phonetic, "imported", rows=1),
    Case("nul-charref.xlsx", lambda: workbook(sheet(*table_rows(["H-1", "A", "user", "lead"])).replace(
        ">A<", ">A&#0;<")), "refused", "not well-formed"),
    Case("invalid-utf8-part.xlsx", lambda: workbook(sheet(*table_rows(["H-1", "A", "user", "lead"])).encode().replace(
        b">A<", b">\xc0\xaf<")), "refused", "not well-formed"),
    Case("xml-encoding-utf6.xlsx", lambda: workbook(sheet(*table_rows(*GOOD_ROWS), prolog='<?xml version="1.0" '
                                                          'encoding="UTF-6"?>')), "refused", "text encoding UTF-6"),
    Case("utf16-declaring-utf6.xlsx", lambda: workbook(sheet(*table_rows(*GOOD_ROWS), prolog='<?xml version="1.0" '
                                                             'encoding="UTF-6"?>').encode("utf-16")),
         "refused", "text encoding"),
    Case("chartsheet-first.xlsx", chartsheet_first, "imported", rows=2),
    Case("styled-far-right.xlsx", styled_far_right, "imported", rows=2),
    Case("bidi.xlsx", lambda: workbook(sheet(*table_rows(["H-1", f"Ali{L}ce", "user", "lead"]))), "problems",
         "direction-changing character (U+202E"),
    Case("openpyxl.xlsx", lambda: openpyxl_book([HEADER.split(","), ["H-1", "Open Pyxl", "user", "lead"]]),
         "imported", rows=1),
    Case("xlsx-formula-text.xlsx", lambda: openpyxl_book([HEADER.split(","), ["H-1", "'=1+2", "user", "lead"]]),
         "imported", rows=1),
]


def write_all(directory: Path, cases: list[Case] = CASES) -> dict[str, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for case in cases:
        path = directory / case.name
        path.write_bytes(case.make())
        paths[case.name] = path
    return paths


if __name__ == "__main__":
    for name, path in write_all(Path(sys.argv[1])).items():
        print(f"{path.stat().st_size:>12,}  {name}")

