"""The briefing's closing verification: a QR code and the document hash, stamped onto the finished PDF.

A file cannot hold its own hash, so the document is finished first, with room kept on its last
page, and the stamp is appended to it as a PDF incremental update (pypdf): the file's first bytes
stay exactly the document that was hashed, and `head -c N FILE.pdf | sha256sum` recomputes the
hash the stamp prints. The QR code holds the audit head shown and that hash, for a printed copy.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import NamedTuple

import segno
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

QR_MM = 48
STAMP_HEIGHT_MM = QR_MM + 4


class Spot(NamedTuple):
    """Where the stamp goes: the page (from 1) and the top of the room kept for it."""

    page: int
    y: float


@dataclass(frozen=True)
class Composed:
    pdf: bytes  # the whole file
    checked_bytes: int  # how many of its first bytes the document hash covers
    checked_sha256: str


def reserve(pdf: FPDF) -> Spot:
    """Keep room for the stamp below what `pdf` has written so far."""
    if pdf.will_page_break(STAMP_HEIGHT_MM):
        pdf.add_page()
    spot = Spot(pdf.page_no(), pdf.get_y())
    pdf.ln(STAMP_HEIGHT_MM)
    return spot


def payload(contents, checked_bytes: int, checked_sha256: str) -> str:
    """What the QR code holds, in words a phone shows as they are."""
    return (f"{contents.operation} briefing {contents.made_at:%Y-%m-%d %H:%M} UTC, "
            f"{contents.classification.value} {contents.tlp.label}\n"
            f"Audit head: event {contents.head_seq} {contents.head_hash}\n"
            f"Document: SHA-256 of the first {checked_bytes} bytes {checked_sha256}")


def stamped(document: bytes, contents, spot: Spot) -> Composed:
    """`document` with the stamp added on `spot` as an incremental update (its bytes kept as they are)."""
    checked_sha256 = hashlib.sha256(document).hexdigest()
    stamp = _stamp(payload(contents, len(document), checked_sha256), len(document), checked_sha256, spot.y)
    writer = PdfWriter(io.BytesIO(document), incremental=True)
    writer.pages[spot.page - 1].merge_page(PdfReader(io.BytesIO(stamp)).pages[0])
    out = io.BytesIO()
    writer.write(out)
    return Composed(out.getvalue(), len(document), checked_sha256)


def _stamp(text: str, checked_bytes: int, checked_sha256: str, y: float) -> bytes:
    """One A4 page, blank but for the QR code and the hash at height `y`. Its text is ASCII: in
    Helvetica, which a PDF reader has built in, nothing is embedded (DejaVu would take longer to load
    than the rest of the stamp takes to make)."""
    page = FPDF(orientation="portrait", unit="mm", format="A4")
    page.set_auto_page_break(False)
    page.add_page()
    image = io.BytesIO()
    segno.make(text, error="m").save(image, kind="png", scale=6, border=2)
    page.image(image, x=15, y=y, w=QR_MM, h=QR_MM)
    left = 15 + QR_MM + 5
    page.set_xy(left, y + 3)
    page.set_font("Helvetica", "B", 10)
    page.cell(0, 6, "Document hash", new_x="LMARGIN", new_y="NEXT")
    page.set_font("Helvetica", "", 9)
    for line in (f"SHA-256 of this file's first {checked_bytes:,} bytes:", checked_sha256[:32], checked_sha256[32:],
                 "Check it with:", f"head -c {checked_bytes} FILE.pdf | sha256sum"):
        page.set_x(left)
        page.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(page.output())
