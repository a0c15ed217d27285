"""What every format writes and reads back the same: a cell a spreadsheet would run as a formula is
written neutralised, and reading undoes exactly that; a file's marking is its first line."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
NEUTRALISER = "'"
MARKING_PREFIX = "#"  # a leading line like "# OFFICIAL-SENSITIVE TLP:AMBER" is the file's marking


def neutralise(value: str) -> str:
    """Make a cell inert in Excel / LibreOffice (OWASP CSV injection advice)."""
    return NEUTRALISER + value if value.startswith(FORMULA_STARTS) else value


def restore(value: str) -> str:
    """Undo `neutralise`: "'=1+2" was written by us for the text "=1+2"."""
    if value.startswith(NEUTRALISER) and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value
