"""Time-boxed fuzzing of the spreadsheet reader: `make fuzz` (FUZZ_SECONDS=60 by default, shared
by the targets here and in fuzz_fields.py). Not part of `make test`: pytest collects test_*.py only.

The property: read_table gives a table whose rows have one cell per column, or a TableError in
plain words, for any bytes; never another exception, and never slowly (a 2 s deadline per input).
Inputs are arbitrary bytes, CSV-like text, mutations of the hostile corpus's small files (bytes
flipped, cut, repeated; and for workbooks also their unpacked XML, re-packed so that the parser
sees it), and workbooks whose sheet is a random tree of the elements a sheet uses.
"""

from __future__ import annotations

import io
import os
import time
import zipfile
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coordination import tabular
from tests.hostile import corpus

SECONDS = float(os.environ.get("FUZZ_SECONDS", "60"))
SHARE = {"bytes": 0.1, "csv": 0.15, "mutated": 0.25, "xml": 0.2}  # the rest: fuzz_fields.py
ROUND = settings(max_examples=100, deadline=timedelta(seconds=2), database=None,
                 suppress_health_check=list(HealthCheck))
# each target runs for its share of SECONDS and then ends its round (100 inputs of at most 2 s): the suite's
# per-test timeout (pyproject) would cut a long run short, this one only a hung one
pytestmark = pytest.mark.timeout(SECONDS + 300)


def run_for(seconds: float, test) -> int:
    """Run hypothesis rounds of `test` (fresh random seeds each) until `seconds` have passed."""
    start = time.monotonic()
    rounds = 0
    while time.monotonic() - start < seconds:
        test()
        rounds += 1
    print(f"{test.__name__}: {rounds} rounds in {time.monotonic() - start:.0f} s")
    return rounds


def check(name: str, content: bytes) -> None:
    try:
        table = tabular.read_table(name, content)
    except tabular.TableError as error:
        message = str(error)
        assert message and message.isprintable() and len(message) < 600, message
        return
    assert table.rows and len(table.rows) <= tabular.MAX_ROWS
    for row in table.rows:
        assert list(row.cells) == table.columns and len(row.cells.values()) == len(table.columns)


NAMES = st.sampled_from(["f.csv", "f.xlsx", "f.txt", "f", "f.CSV"])


def test_any_bytes():
    @ROUND
    @given(name=NAMES, content=st.binary(max_size=4096))
    def any_bytes(name, content):
        check(name, content)
    run_for(SECONDS * SHARE["bytes"], any_bytes)


CSV_ALPHABET = st.sampled_from(list(',;\t"\'\r\n #=+-@ ab') + ["\ufeff", "\u202e", "\u200b", "\x85", "\u2028",
                                                               "\u00e9", "\U0001f600", "reference", "full_name"])


def test_csv_like_text():
    @ROUND
    @given(text=st.lists(CSV_ALPHABET, max_size=400).map("".join), bom=st.booleans())
    def csv_like_text(text, bom):
        check("f.csv", (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8", "surrogatepass"))
    run_for(SECONDS * SHARE["csv"], csv_like_text)


SEEDS = {case.name: case.make() for case in corpus.CASES if not case.heavy and case.name not in (
    "one-line-19mb.csv", "over-20mb.csv", "zip-bomb.xlsx", "padded-bomb.xlsx", "blank-line-flood.csv",
    "wide-header-1m.csv")}
SEEDS = {name: content for name, content in SEEDS.items() if len(content) < 300_000}


def _unpacks(content: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return len(archive.infolist()) < 50 and all(archive.read(info) is not None for info in archive.infolist())
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, ValueError, EOFError):
        return False


XLSX_SEEDS = {name: content for name, content in SEEDS.items() if content.startswith(b"PK") and _unpacks(content)}


def mutate(content: bytes, data) -> bytes:
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, max(len(content) - 1, 0)))
        how = data.draw(st.sampled_from(["flip", "cut", "insert", "repeat", "truncate"]))
        if how == "flip" and content:
            content = content[:at] + bytes([content[at] ^ data.draw(st.integers(1, 255))]) + content[at + 1:]
        elif how == "cut":
            content = content[:at] + content[at + data.draw(st.integers(1, 64)):]
        elif how == "insert":
            content = content[:at] + data.draw(st.binary(min_size=1, max_size=16)) + content[at:]
        elif how == "repeat":
            size = data.draw(st.integers(1, 64))
            content = content[:at] + content[at:at + size] * data.draw(st.integers(2, 50)) + content[at:]
        else:
            content = content[:at]
    return content


def repack(content: bytes, data) -> bytes:
    """Mutate one unpacked part of a workbook and pack it again, so that the XML parser sees it."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    name = data.draw(st.sampled_from(sorted(parts)))
    parts[name] = mutate(parts[name], data)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, body in parts.items():
            archive.writestr(part, body)
    return out.getvalue()


def test_mutated_corpus():
    @ROUND
    @given(data=st.data())
    def mutated_corpus(data):
        name = data.draw(st.sampled_from(sorted(SEEDS)))
        content = SEEDS[name]
        if name in XLSX_SEEDS and data.draw(st.booleans()):
            content = repack(content, data)
        else:
            content = mutate(content, data)
        check(name, content)
    run_for(SECONDS * SHARE["mutated"], mutated_corpus)


TAGS = ["row", "c", "v", "is", "t", "r", "rPh", "f", "dimension", "sheetData", "x:c", "x:row", "x", "extLst"]
ATTRIBUTES = st.dictionaries(st.sampled_from(["r", "t", "s", "ref", "xml:space", "spans"]),
                             st.one_of(st.sampled_from(["A1", "B2", "XFD1048576", "AZ3", "s", "inlineStr", "str",
                                                        "b", "e", "n", "d", "0", "1", "14", "1:4", "A1:D9",
                                                        "preserve", "-1", "99999999999", "1e3", ""]),
                                       st.text(max_size=8).map(lambda s: s.replace('"', "&quot;")
                                                               .replace("<", "&lt;").replace("&", "&amp;"))),
                             max_size=3)
TEXT = st.one_of(st.sampled_from(["0", "1", "S-1", "reference", "45000.5", "1e308", "-1", "nan", "&amp;", "&#x1F600;",
                                  "&#0;", "<![CDATA[x<y]]>", "<!-- c -->", "  "]),
                 st.text(max_size=10).map(lambda s: s.replace("&", "&amp;").replace("<", "&lt;")))


def _element(tag: str, attributes: dict[str, str], content: str) -> str:
    return f"<{tag}" + "".join(f' {k}="{v}"' for k, v in attributes.items()) + f">{content}</{tag}>"


ELEMENTS = st.recursive(
    st.builds(_element, st.sampled_from(TAGS), ATTRIBUTES, TEXT),
    lambda inner: st.builds(_element, st.sampled_from(TAGS), ATTRIBUTES, st.lists(inner, max_size=4).map("".join)),
    max_leaves=20)


def test_random_sheets():
    header = corpus.row_xml(1, ["reference", "full_name", "tier", "status"])

    @ROUND
    @given(rows=st.lists(ELEMENTS, max_size=8), shared=st.booleans(), styles=st.booleans())
    def random_sheets(rows, shared, styles):
        sheet = corpus.sheet(header, *rows)
        content = corpus.workbook(sheet, shared=(f'<sst xmlns="{corpus.MAIN}"><si><t>S-2</t></si><si><r><t>a</t></r>'
                                                 "</si></sst>") if shared else None,
                                  styles=corpus.STYLES_DATE if styles else None)
        check("f.xlsx", content)
    run_for(SECONDS * SHARE["xml"], random_sheets)
