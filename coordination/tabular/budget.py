"""The one budget of a file read: every cap, in one place, and the refusal of a file beyond one.

A file beyond any cap is refused with one plain message (`TableError`, which also says what else
makes a file unreadable) naming at most a few items. The caps are checked as the file is read, so
a hostile file is refused in bounded time and memory before anything is materialised: the table's
(rows, columns, characters per cell and per row, non-blank cells, text) by `coordination.tabular`
for every format; a workbook's (its ZIP directory and parts, its XML) by `tabular.xlsx`, whose
parts draw on one running `Budget`.
"""

from __future__ import annotations

# --- the file ---------------------------------------------------------------------------------
MAX_FILE_BYTES = 20 * 1024 * 1024

# --- the table, whatever its format -------------------------------------------------------------
MAX_ROWS = 200_000  # rows of data
MAX_LINES = MAX_ROWS + 10_000  # numbered lines or sheet rows, blank ones and the marking line included
MAX_COLUMNS = 50  # an importable kind has at most 15
MAX_CELL_CHARS = 32_767  # a spreadsheet cell's own limit (Excel's)
MAX_ROW_CHARS = 256 * 1024
MAX_CELLS = 4_000_000  # non-blank cells: 200,000 rows of 20
MAX_TEXT_BYTES = 32 * 1024 * 1024  # the table's text (UTF-8), as a workbook's shared strings may repeat

# --- a workbook's archive -------------------------------------------------------------------------
MAX_ZIP_ENTRIES = 1_000  # a workbook has about ten
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_UNPACK_RATIO = 100  # real workbooks compress about 5-20x; a zip bomb far more
RATIO_FREE_BYTES = 1024 * 1024  # a part this small may compress as well as it likes
MAX_PART_BYTES = 16 * 1024 * 1024  # the workbook, its relationships and its styles

# --- a workbook's XML -----------------------------------------------------------------------------
# over the parts read, about 93,000 rows of 14 cells (a 100,000-row file of 5 columns holds 2,100,000):
# refused within 4-5.5 s of CPU here. At 6,000,000 it took 6-8 s, and over 10 s on a busy CI machine.
MAX_XML_ELEMENTS = 4_000_000
MAX_XML_DEPTH = 64
MAX_XML_ITEM_BYTES = 1024 * 1024  # one tag, comment or instruction as the XML parser holds it
MAX_XML_NAMES = 10_000  # different element and attribute names in a part (a sheet uses about 30)
MAX_STYLES = 65_536  # Excel's own limit is 64,000 cell formats

SHOWN_NAMES = 5  # error messages name at most this many items


class TableError(ValueError):
    """The file as a whole cannot be read; the message says why in plain words."""


class Budget:
    """What the parts of a workbook read so far have used of its caps."""

    def __init__(self) -> None:
        self.elements = 0
        self.unpacked = 0
