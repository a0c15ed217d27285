"""The spreadsheet reader: CSV read as spreadsheets read it, workbooks read as a stream without
padding, every cap checked as it goes, and messages that name at most a few things."""

from __future__ import annotations

import io
import os
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from coordination import tabular
from coordination.tabular import TableError, read_table
from tests.hostile.corpus import GOOD_ROWS, HEADER, cell, csv_file, row_xml, sheet, table_rows, workbook


def cells(table: tabular.Table) -> list[dict[str, str]]:
    return [dict(row.cells) for row in table.rows]


def work(read: Callable[[], object]) -> int:
    """The lines of the coordination/tabular package that `read()` runs: the reader's work, counted
    rather than timed (the time is bench/'s). Its C parts (csv, expat, zlib) are not counted, the Python
    they call back is."""
    package = str(Path(tabular.__file__).parent) + os.sep
    lines = 0

    def trace(frame, event, _arg):
        nonlocal lines
        if not frame.f_code.co_filename.startswith(package):
            return None
        lines += event == "line"
        return trace

    previous = sys.gettrace()
    sys.settrace(trace)
    try:
        read()
    except TableError:
        pass
    finally:
        sys.settrace(previous)
    return lines


# --- CSV: RFC 4180, double quotes only, the delimiter from the header line -------------------

def test_a_single_quote_is_never_a_quote_character():
    """The sniffer took ' for the quote when a neutralised cell and a cell ending in ' shared a line."""
    table = read_table("f.csv", csv_file("S-1,'-x,user,it's'", header="reference,full_name,tier,aliases"))
    assert cells(table) == [{"reference": "S-1", "full_name": "-x", "tier": "user", "aliases": "it's'"}]


def test_the_crafted_row_reads_as_spreadsheets_read_it():
    content = csv_file("RT-SHIFT-1,user,lead,'-Alpha,Beta'", header="reference,tier,status,full_name")
    with pytest.raises(TableError, match="row 2 has 5 cells but the header names 4 columns"):
        read_table("f.csv", content)


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_delimiter_is_the_header_lines(delimiter):
    rows = ['S-1,"Smith, Jo",user,lead'.replace(",", delimiter).replace(f"Smith{delimiter} Jo", "Smith, Jo")]
    table = read_table("f.csv", csv_file(*rows, header=HEADER.replace(",", delimiter), bom=b"\xef\xbb\xbf"))
    assert cells(table)[0]["full_name"] == "Smith, Jo"


def test_the_marking_line_does_not_decide_the_delimiter():
    content = b"# OFFICIAL TLP:GREEN - the partner community; not published\r\n" + csv_file("S-1,A,user,lead")
    assert cells(read_table("f.csv", content))[0]["reference"] == "S-1"


def test_delimiters_inside_quoted_header_names_do_not_count():
    table = read_table("f.csv", csv_file('S-1;A;user;lead', header='"reference";"full_name";"tier";"status"'))
    assert table.columns == ["reference", "full_name", "tier", "status"]


def test_a_cell_over_the_csv_modules_limit_is_a_plain_refusal():
    with pytest.raises(TableError, match="inside a cell of more than 131,072 characters"):
        read_table("f.csv", csv_file(f"S-1,{'x' * 140_000},user,lead"))


def test_a_cell_over_a_spreadsheets_limit_is_refused():
    with pytest.raises(TableError, match="a cell of more than 32,767 characters"):
        read_table("f.csv", csv_file(f"S-1,{'x' * 32_768},user,lead"))
    assert read_table("f.csv", csv_file(f"S-1,{'x' * 32_767},user,lead"))


def test_an_open_quote_is_refused_once_its_row_passes_the_row_limit():
    rows = [f"S-{i},Person {i},user,lead" for i in range(20_000)]
    with pytest.raises(TableError, match="quote left open"):
        read_table("f.csv", csv_file('S-0,"Open,user,lead', *rows))


def test_trailing_blank_cells_are_ignored_and_the_row_number_is_the_spreadsheets():
    table = read_table("f.csv", b"# OFFICIAL\r\n\r\n" + csv_file("S-1,A,user,lead,,,", "", "S-2,B,user,lead",
                                                                   header=HEADER + ",,"))
    assert table.columns == HEADER.split(",")
    assert [row.number for row in table.rows] == [4, 6]


def test_a_nul_anywhere_is_binary_data():
    with pytest.raises(TableError, match="binary data"):
        read_table("f.csv", csv_file(*(f"S-{i},A,user,lead" for i in range(1000)), "S-x,A\x00,user,lead"))


def test_invalid_utf8_names_its_line():
    content = csv_file("S-1,A,user,lead", "S-2,B,user,lead") + b"S-3,\xff,user,lead\n"
    with pytest.raises(TableError, match="line 4 is not UTF-8"):
        read_table("f.csv", content)


# --- caps and the size of messages -----------------------------------------------------------

@pytest.mark.parametrize("columns", [20_000, 40_000, 1_000_000])
def test_a_wide_header_is_refused_in_linear_time(columns, monkeypatch):
    """Refused at the column cap, before any work per column: the header's names are never looked at
    (their duplicate check was once quadratic), and the reader runs no more of its lines than for a
    header one column over the cap, but for its UTF-8 check's few lines per megabyte of the file."""
    def wide(count: int) -> bytes:
        return csv_file("S-1", header=",".join(f"c{i}" for i in range(count)))

    headers: list[int] = []  # the width of each header line whose names were looked at
    header = tabular._header
    monkeypatch.setattr(tabular, "_header", lambda line: headers.append(len(line)) or header(line))
    content = wide(columns)
    with pytest.raises(TableError) as refused:
        read_table("f.csv", content)
    assert len(str(refused.value)) < 200
    just_over = work(lambda: read_table("f.csv", wide(tabular.MAX_COLUMNS + 1)))
    assert work(lambda: read_table("f.csv", content)) <= just_over + 10 * (len(content) // 2**20 + 1)
    assert headers == []


def test_unknown_and_duplicate_columns_are_named_five_at_most_each_cut_short():
    names = [f"column_{i}_" + "y" * 60 for i in range(45)]
    table = read_table("f.csv", csv_file("S-1", header=",".join(["reference", *names])))
    with pytest.raises(TableError) as refused:
        tabular.check_columns(table, ["reference", "full_name"], ["reference"])
    message = str(refused.value)
    assert message.startswith("unknown column(s) column_0_yyy") and "and 40 more" in message
    assert "column_5_" not in message and len(message) < 400
    with pytest.raises(TableError, match=r"the header names a, b, c, d, e and 2 more more than once"):
        read_table("f.csv", csv_file("1", header="a,b,c,d,e,f,g,a,b,c,d,e,f,g"))


def test_invisible_characters_in_names_are_shown_escaped():
    table = read_table("f.csv", csv_file("S-1", header="refer\u200bence"))
    with pytest.raises(TableError, match=r"unknown column\(s\) refer\\u200bence"):
        tabular.check_columns(table, ["reference"], ["reference"])


def test_more_rows_than_the_limit_are_refused_as_soon_as_the_limit_is_passed(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_ROWS", 10)
    with pytest.raises(TableError, match="more than 10 rows"):
        read_table("f.csv", csv_file(*(f"S-{i},A,user,lead" for i in range(11))))
    assert len(read_table("f.csv", csv_file(*(f"S-{i},A,user,lead" for i in range(10)))).rows) == 10


def test_the_filled_cells_and_the_text_are_capped(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_CELLS", 7)
    with pytest.raises(TableError, match="more than 7 filled cells"):
        read_table("f.csv", csv_file("S-1,A,user,lead", "S-2,B,user,lead"))
    monkeypatch.setattr(tabular, "MAX_CELLS", 100)
    monkeypatch.setattr(tabular, "MAX_TEXT_BYTES", 20)
    with pytest.raises(TableError, match="MB of text"):
        read_table("f.csv", csv_file("S-1,A,user,lead", "S-2,B,user,lead"))


def test_rows_are_kept_small_and_read_like_dicts():
    table = read_table("f.csv", csv_file("S-1,'=1+2,user,lead", "S-2,,user,"))
    first, second = (row.cells for row in table.rows)
    assert first == {"reference": "S-1", "full_name": "=1+2", "tier": "user", "status": "lead"}
    assert second.get("full_name") == "" and second.get("nothing", "x") == "x" and second["status"] == ""
    assert "tier" in second and "nothing" not in second and len(second) == 4 and list(second) == table.columns
    assert dict(second.items()) == {"reference": "S-2", "full_name": "", "tier": "user", "status": ""}
    with pytest.raises(KeyError):
        second["nothing"]


# --- XLSX: a stream, without padding, within the caps ----------------------------------------

def test_a_workbook_is_read_without_padding_to_its_declared_size():
    content = workbook(sheet(*table_rows(*GOOD_ROWS), '<row r="40000">' + cell("A40000", "H-3")
                             + cell("B40000", "Far Down") + cell("C40000", "user") + cell("D40000", "lead") + "</row>",
                             before='<dimension ref="A1:D40000"/>'))
    table = read_table("f.xlsx", content)
    assert [row.number for row in table.rows] == [2, 3, 40000]


def test_a_declared_dimension_beyond_the_caps_is_refused_before_any_row():
    for ref, message in [("A1:XFD1048576", "declares 1,048,576 rows and 16,384 columns"),
                         ("A1:D300000", "declares 300,000 rows"), ("A1:AZ10", "52 columns")]:
        with pytest.raises(TableError, match=message):
            read_table("f.xlsx", workbook(sheet(*table_rows(*GOOD_ROWS), before=f'<dimension ref="{ref}"/>')))


def test_a_row_far_below_the_last_is_refused_and_a_blank_one_is_skipped():
    with pytest.raises(TableError, match="row 1,048,576 is past row 210,000"):
        read_table("f.xlsx", workbook(sheet(*table_rows(*GOOD_ROWS), row_xml(1_048_576, ["H-9"]))))
    blank = '<row r="1048576" customFormat="1" s="2"><c r="A1048576" s="2"/></row>'
    assert len(read_table("f.xlsx", workbook(sheet(*table_rows(*GOOD_ROWS), blank))).rows) == 2


def test_the_tester_dimension_bomb_is_refused_at_once():
    """Refused on its declared size before any row: with less work than reading a two-row workbook."""
    content = workbook(sheet(*table_rows(), row_xml(1_048_576, ["x"]), before='<dimension ref="A1:XFD1048576"/>'))
    assert len(content) < 2_000
    with pytest.raises(TableError, match="declares"):
        read_table("f.xlsx", content)
    two_rows = workbook(sheet(*table_rows(*GOOD_ROWS)))
    assert work(lambda: read_table("f.xlsx", content)) < work(lambda: read_table("f.xlsx", two_rows))


def test_shared_strings_rich_text_and_phonetic_runs():
    shared = (f'<sst xmlns="{tabular_main()}"><si><t>reference</t></si><si><r><t>full</t></r><r><t>_name</t></r>'
              '</si><si><t>S-1</t><rPh><t>ignored</t></rPh></si><si><t xml:space="preserve"> Spaced </t></si></sst>')
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>' \
           '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>'
    table = read_table("f.xlsx", workbook(sheet(rows), shared=shared))
    assert cells(table) == [{"reference": "S-1", "full_name": " Spaced "}]


def test_numbers_booleans_errors_formulas_and_dates_read_as_a_spreadsheet_shows_them():
    book = openpyxl.Workbook()
    book.active.append(["a", "b", "c", "d", "e", "f", "g"])
    from datetime import date, datetime
    book.active.append([3, 2.5, True, "=1+2", datetime(2022, 11, 7, 6, 30), date(1980, 1, 2), 1e20])
    out = io.BytesIO()
    book.save(out)
    assert cells(read_table("f.xlsx", out.getvalue())) == [{
        "a": "3", "b": "2.5", "c": "TRUE", "d": "", "e": "2022-11-07T06:30:00", "f": "1980-01-02",
        "g": "100000000000000000000"}]  # a formula without a cached value is blank, as with data_only


def test_cells_without_references_follow_one_another():
    rows = '<row><c t="inlineStr"><is><t>reference</t></is></c><c t="inlineStr"><is><t>tier</t></is></c></row>' \
           '<row><c t="inlineStr"><is><t>S-1</t></is></c><c t="inlineStr"><is><t>user</t></is></c></row>'
    assert cells(read_table("f.xlsx", workbook(sheet(rows)))) == [{"reference": "S-1", "tier": "user"}]


def test_cells_without_references_cannot_run_past_the_column_cap():
    rows = "<row>" + '<c t="inlineStr"><is><t>x</t></is></c>' * 60 + "</row>"
    with pytest.raises(TableError, match="has a value in column AY"):
        read_table("f.xlsx", workbook(sheet(rows)))


def test_an_xml_document_type_is_refused_even_in_a_small_part():
    doctype = '<?xml version="1.0"?><!DOCTYPE workbook [<!ENTITY e "x">]>'
    book = doctype + '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
    with pytest.raises(TableError, match="document type declaration"):
        read_table("f.xlsx", workbook(sheet(*table_rows(*GOOD_ROWS)), workbook_xml=book))


def test_a_part_that_lies_about_its_size_is_damaged():
    content = workbook(sheet(*table_rows(*[[f"H-{i}", "Name", "user", "lead"] for i in range(300)])))
    info = zipfile.ZipFile(io.BytesIO(content)).getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(content)
    central = data.find(b"PK\x01\x02" + data[info.header_offset + 4:info.header_offset + 6])
    while data[central + 46:central + 46 + len(info.filename)] != info.filename.encode():
        central = data.find(b"PK\x01\x02", central + 4)
    data[central + 24:central + 28] = (info.file_size // 2).to_bytes(4, "little")  # declared: half
    with pytest.raises(TableError, match="damaged"):
        read_table("f.xlsx", bytes(data))


def test_an_exported_workbook_reads_back_unchanged():
    rows = [["S-1", "=1+2", "it's'", ""], ["S-2", "\u202eAlice", "-x", "Zero\u200bWidth"]]
    content = tabular.write_xlsx(["reference", "full_name", "aliases", "notes"], rows, "OFFICIAL TLP:CLEAR", "t")
    assert [list(r.cells.values()) for r in read_table("f.xlsx", content).rows] == rows
    content = tabular.write_csv(["reference", "full_name", "aliases", "notes"], rows, "OFFICIAL TLP:CLEAR")
    assert [list(r.cells.values()) for r in read_table("f.csv", content).rows] == rows


def tabular_main() -> str:
    from tests.hostile.corpus import MAIN
    return MAIN


@pytest.mark.parametrize("encoding", ["UTF-6", "shift_jis", "rot13", "utf-32"])
def test_a_part_in_an_encoding_no_workbook_uses_is_refused(encoding):
    """Found by the fuzzer: an unknown encoding raised LookupError inside expat."""
    for xml in (sheet(*table_rows(*GOOD_ROWS), prolog=f'<?xml version="1.0" encoding="{encoding}"?>'),
                sheet(*table_rows(*GOOD_ROWS), prolog=f'<?xml version="1.0" encoding="{encoding}"?>').encode("utf-16")):
        with pytest.raises(TableError, match="text encoding"):
            read_table("f.xlsx", workbook(xml))
