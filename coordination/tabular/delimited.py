"""CSV (UTF-8), read as spreadsheets read it (RFC 4180, double quotes only); only the delimiter
(comma, semicolon or tab) is detected, from the header line. Read as a stream of numbered lines of
cells for `coordination.tabular` to make the table of, a row bounded before csv makes its cells."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence

from coordination.fields import shown
from coordination.tabular.budget import MAX_CELL_CHARS, MAX_ROW_CHARS, TableError
from coordination.tabular.conventions import MARKING_PREFIX, neutralise

DELIMITERS = (",", ";", "\t")  # in this order of preference on a tie


def lines(content: bytes) -> Iterator[tuple[int, list[str]]]:
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


def write_csv(columns: Sequence[str], rows: Iterable[Sequence[str]], marking_line: str) -> bytes:
    out = io.StringIO(newline="")
    out.write(f"{MARKING_PREFIX} {marking_line}\r\n")
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")
