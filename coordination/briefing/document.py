"""The briefing as a PDF (fpdf2): marked banners on every page, a cover, figures, charts, tables.

Fonts are embedded from `coordination/fonts` (DejaVu Sans, with Droid Sans Fallback for Chinese,
Japanese and Korean), and text is shaped by HarfBuzz, so names in any of the demo's scripts
(Latin, Turkish, Cyrillic, Arabic, Chinese) print as written. Nothing comes from the network.
"""

from __future__ import annotations

import io
import re
import struct
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fpdf import FPDF, FontFace
from fpdf.enums import TableCellFillMode

from coordination import charts, markings
from coordination.briefing import verification
from coordination.briefing.contents import LIST_LIMIT, Contents, Table
from coordination.briefing.verification import Composed
from coordination.models import Role

FONTS = Path(__file__).resolve().parent.parent / "fonts"
LONDON = ZoneInfo("Europe/London")
# TLP 2.0's colours: the label in its colour on black
TLP_COLOURS = {markings.TLP.CLEAR: (255, 255, 255), markings.TLP.GREEN: (51, 255, 0),
               markings.TLP.AMBER: (255, 192, 0), markings.TLP.AMBER_STRICT: (255, 192, 0),
               markings.TLP.RED: (255, 43, 43)}
# Scripts that need HarfBuzz to join or reorder letters (Arabic, Hebrew, Indic, Thai), and the CJK
# ideographs DejaVu lacks. Shaping and the CJK font cost time, so each is used only where needed.
NEEDS_SHAPING = re.compile("[\u0590-\u08ff\u0900-\u0e7f\ufb1d-\ufdff\ufe70-\ufeff]")
NEEDS_CJK = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
CHART_WIDTH_MM = 180
CHART_GAP_MM = 5
# half of a page's room (297 mm less margins, the heading and the gap between two charts)
CHART_HEIGHT_MM = 113
CHART_PIXELS = (900, round(900 * CHART_HEIGHT_MM / CHART_WIDTH_MM))  # drawn at the shape they are printed


class BriefingPDF(FPDF):
    def __init__(self, contents: Contents) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.contents = contents
        self.add_font("Body", "", FONTS / "DejaVuSans.ttf")
        self.add_font("Body", "B", FONTS / "DejaVuSans-Bold.ttf")
        if NEEDS_CJK.search(_all_text(contents)):
            self.add_font("CJK", "", FONTS / "DroidSansFallbackFull.ttf")
            self.set_fallback_fonts(["CJK"], exact_match=False)
        self.set_auto_page_break(True, margin=22)
        self.set_margins(15, 22, 15)
        self.set_font("Body", size=10)

    @property
    def marking(self) -> str:
        return f"{self.contents.classification.value}   {self.contents.tlp.label}"

    def _banner(self, y: float) -> None:
        self.set_xy(self.l_margin, y)
        self.set_font("Body", "B", 10)
        self.set_fill_color(0, 0, 0)
        self.set_text_color(*TLP_COLOURS[self.contents.tlp])
        self.cell(0, 7, self.marking, align="C", fill=True)
        self.set_text_color(0, 0, 0)
        self.set_font("Body", "", 10)

    def header(self) -> None:
        self._banner(8)
        self.set_y(self.t_margin)

    def footer(self) -> None:
        self.set_y(-19)
        self.set_font("Body", "", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 4, f"{self.contents.operation} briefing · "
                        f"{self.contents.made_at:%Y-%m-%d %H:%M} UTC · page {self.page_no()} of {{nb}}", align="C")
        self._banner(self.h - 14)

    def shape_for(self, texts: Iterable[str]) -> None:
        """Turn text shaping on for what follows only if its text needs it."""
        self.set_text_shaping(any(NEEDS_SHAPING.search(text) for text in texts))

    def heading(self, text: str, size: int = 14) -> None:
        self.shape_for([text])
        self.set_font("Body", "B", size)
        # left-aligned: multi_cell justifies by default, which spread a wrapped heading's words apart
        self.multi_cell(0, size * 0.55, text, align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_font("Body", "", 10)
        self.ln(2)

    def paragraph(self, text: str, size: int = 10) -> None:
        self.shape_for([text])
        self.set_font("Body", "", size)
        self.multi_cell(0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(1)


def _all_text(c: Contents) -> str:
    cells = [cell for table in c.tables for row in table.rows for cell in row]
    return " ".join([c.author.display_name, c.operation, *c.summary, *c.distribution, *cells,
                     *(text for line in c.changes.lines for text in line)])


CLASSIFICATION_HANDLING = {
    markings.Classification.OFFICIAL: "Handle as OFFICIAL: keep it from people outside the recipients' "
                                      "organisations and do not leave it where others may read it.",
    markings.Classification.OFFICIAL_SENSITIVE: "Handle as OFFICIAL-SENSITIVE: keep it locked away when not in "
                                                "use, never leave it at a printer or on a desk, send it only over "
                                                "systems accredited for it, and shred it when it is no longer needed.",
}


def compose(contents: Contents, images: dict[str, bytes] | None, charts_note: str = "") -> Composed:
    """The PDF, closed by its verification stamp. Without images, each chart is replaced by `charts_note`."""
    pdf = BriefingPDF(contents)
    author = contents.author
    pdf.set_title(f"{contents.operation} briefing, {contents.made_at:%Y-%m-%d %H:%M} UTC")
    pdf.set_author(f"{author.display_name} ({author.agency_code})")
    pdf.set_subject(f"{contents.classification.value} {contents.tlp.label}")
    pdf.set_creator("Takedown coordination dashboard")
    pdf.set_keywords(f"{contents.classification.value}, {contents.tlp.label}, audit head {contents.head_seq}")
    pdf.set_creation_date(contents.made_at)
    _cover(pdf, contents)
    _summary(pdf, contents)
    _figures(pdf, contents)
    _charts(pdf, contents, images, charts_note)
    for table in contents.tables:
        _table(pdf, table)
    _changes(pdf, contents)
    spot = _verification(pdf, contents)
    out = io.BytesIO()
    pdf.output(out)
    return verification.stamped(out.getvalue(), contents, spot)


def _cover(pdf: BriefingPDF, c: Contents) -> None:
    pdf.add_page()
    pdf.ln(6)
    pdf.heading(c.operation, 24)
    pdf.heading("Operation briefing", 16)
    london = c.made_at.astimezone(LONDON)
    pdf.paragraph(f"Made {c.made_at:%A} {c.made_at.day} {c.made_at:%B %Y, %H:%M} UTC ({london:%H:%M} London time, "
                  f"{london:%Z})", 11)
    pdf.paragraph(f"Author: {c.author.display_name}, {c.author.role.value if c.author.role else ''} "
                  f"of {c.author.agency_code}", 11)
    if c.previewed:
        pdf.paragraph(f"Prepared as a {c.reader.role.value} of {c.reader.agency_code} would receive it (one named "
                      "on no TLP:RED record)", 11)
    if c.action_day:
        pdf.paragraph(f"Action day: {c.action_day:%A} {c.action_day.day} {c.action_day:%B %Y}", 11)
    pdf.paragraph("Distribution: " + ("; ".join(c.distribution) if c.distribution else
                                      "no one named; pass it on only as its handling allows."), 11)
    pdf.ln(4)
    pdf.set_font("Body", "B", 12)
    pdf.set_fill_color(240, 240, 240)
    pdf.multi_cell(0, 7, f"Handling: {c.classification.value}, {c.tlp.label}", border="LTR", fill=True,
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", "", 11)
    recipients = "the distribution above" if c.distribution else "its recipients"
    pdf.multi_cell(0, 6, f"{c.tlp.label}: {markings.HANDLING[c.tlp]} Give it to {recipients} only as that allows. "
                         f"{CLASSIFICATION_HANDLING[c.classification]}", border="LBR", fill=True,
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    if c.reader.up_to:
        pdf.paragraph(f"Shareable version: records marked above {c.reader.up_to.label} are left out of every "
                      "list, count and chart.")
    unseen = ("RED records not addressed to its author" if c.reader.role is Role.COMMANDER else
              "other agencies' AMBER+STRICT and RED records, and RED records not addressed to its reader")
    reader = f"a {c.reader.role.value} of {c.reader.agency_code}" if c.previewed else c.reader.label
    pdf.paragraph(f"This briefing holds only what {reader} may see: {unseen} are neither listed nor counted.")
    pdf.paragraph(f"Scope: {_filters_in_words(c)}")
    pdf.paragraph("Verification (the state shown, the document's hash, how to check them) closes the briefing.", 9)


def _summary(pdf: BriefingPDF, c: Contents) -> None:
    _section(pdf, 40)
    pdf.heading("Summary")
    for sentence in c.summary:
        pdf.shape_for([sentence])
        pdf.set_x(pdf.l_margin)
        pdf.cell(5, 5.5, "•")
        pdf.multi_cell(0, 5.5, sentence, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)


def _filters_in_words(c: Contents) -> str:
    f = c.filters
    parts = []
    if f.since or f.until:
        parts.append(f"arrests from {f.since or 'the start'} until {f.until or 'now'}")
    if f.agencies:
        parts.append("agencies " + ", ".join(f.agencies))
    if f.jurisdictions:
        parts.append("arrests in " + ", ".join(f.jurisdictions))
    return "; ".join(parts) if parts else "the whole operation"


def figures(c: Contents) -> list[tuple[str, int]]:
    """The KPI figures, in the dashboard's words, as the document prints them."""
    p = c.picture
    return [("Suspects past lead", p.suspects_past_lead),
            *((f"Suspects {status}", p.suspects_by_status.get(status, 0))
              for status in charts.SUSPECT_STATUSES),
            ("Arrests today", p.arrests_today), ("Arrests in total", p.arrests_total),
            ("Evidence awaiting analysis", p.evidence_awaiting_analysis), ("Open tasks", p.tasks_open),
            ("Overdue tasks", p.tasks_overdue), ("Blocked tasks", p.tasks_blocked)]


def _figures(pdf: BriefingPDF, c: Contents) -> None:
    pdf.add_page()
    pdf.heading("Key figures")
    with pdf.table(col_widths=(3, 1), text_align=("LEFT", "RIGHT"), first_row_as_headings=True,
                   cell_fill_color=(245, 245, 245), cell_fill_mode=TableCellFillMode.ROWS) as table:
        table.row(("Figure", "Count"))
        for label, value in figures(c):
            table.row((label, f"{value:,}"))


def _charts(pdf: BriefingPDF, c: Contents, images: dict[str, bytes] | None, note: str) -> None:
    """Two charts to a page, each as wide as the page and half its height (the map, three times as
    wide as high, keeps its shape and leaves the rest of its half to the next chart when it fits)."""
    for number, name in enumerate(charts.ALL):
        image = images.get(name) if images else None
        height = min(CHART_WIDTH_MM * _aspect(image), CHART_HEIGHT_MM) if image else 30
        if number == 0 or pdf.will_page_break(height):
            pdf.add_page()
            pdf.heading("Charts" if number == 0 else "Charts (continued)")
        if image:
            pdf.image(io.BytesIO(image), x=pdf.l_margin + (pdf.epw - CHART_WIDTH_MM) / 2, w=CHART_WIDTH_MM,
                      h=height)
        else:
            pdf.set_draw_color(150, 150, 150)
            pdf.multi_cell(0, 6, f"Chart not drawn: {name.replace('_', ' ').capitalize()}\n{note}", border=1,
                           new_x="LMARGIN", new_y="NEXT")
        pdf.ln(CHART_GAP_MM)


def _aspect(png: bytes) -> float:
    """Height over width of a PNG, from its header."""
    width, height = struct.unpack(">II", png[16:24])
    return height / width


def _section(pdf: BriefingPDF, room_mm: float = 45) -> None:
    """Go on below the last table, or to a new page when too little room is left for a heading
    and the first rows (fpdf2 repeats a table's headings on the pages it runs on to)."""
    if pdf.will_page_break(room_mm):
        pdf.add_page()
    else:
        pdf.ln(8)


def _table(pdf: BriefingPDF, table: Table) -> None:
    _section(pdf)
    pdf.heading(table.title)
    if not table.rows:
        pdf.paragraph("None.")
        return
    if table.total > len(table.rows):
        pdf.paragraph(f"The first {len(table.rows):,} of {table.total:,}; the workspace lists them all.", 9)
    pdf.shape_for(cell for row in table.rows for cell in row)
    pdf.set_font("Body", "", 8)
    with pdf.table(col_widths=table.widths, text_align="LEFT", line_height=4.5,
                   headings_style=FontFace(emphasis="BOLD", fill_color=(225, 225, 225)),
                   cell_fill_color=(247, 247, 247), cell_fill_mode=TableCellFillMode.ROWS) as grid:
        grid.row(table.columns)
        for row in table.rows:
            grid.row(row)
    pdf.set_font("Body", "", 10)


def _changes(pdf: BriefingPDF, c: Contents) -> None:
    _section(pdf)
    changes = c.changes
    pdf.heading(f"Changes {changes.since}")
    if not changes.lines:
        pdf.paragraph("No recorded changes to the records this briefing covers.")
        return
    shown = len(changes.lines)
    pdf.paragraph(f"{changes.total:,} change(s) to the records this briefing covers"
                  + (f"; the latest {shown} below (limit {LIST_LIMIT})." if changes.total > shown else "."), 9)
    pdf.shape_for(text for line in changes.lines for text in line)
    pdf.set_font("Body", "", 8)
    with pdf.table(col_widths=(3.2, 3, 2.7, 7), text_align="LEFT", line_height=4.5,
                   headings_style=FontFace(emphasis="BOLD", fill_color=(225, 225, 225))) as grid:
        grid.row(("When", "Who", "Record", "What"))
        for line in changes.lines:
            grid.row(line)
    pdf.set_font("Body", "", 10)


def _verification(pdf: BriefingPDF, c: Contents) -> verification.Spot:
    """The closing section, with room kept for the stamp (QR code and document hash) added after."""
    _section(pdf, 70 + verification.STAMP_HEIGHT_MM)
    pdf.heading("Verification")
    pdf.paragraph(f"State shown: audit event {c.head_seq:,}, chain hash {c.head_hash}.", 9)
    pdf.paragraph("Check the state on the operation's system: `python -m coordination audit verify --expect-head "
                  f"{c.head_hash}` proves that the audit trail still holds that event and everything before it, "
                  "unchanged.", 9)
    pdf.paragraph("Check this file: the document hash is the SHA-256 of the PDF's first bytes, as many as the stamp "
                  "below says (everything but the stamp); the command printed with it recomputes it. The audit "
                  f"trail's record of this briefing (an export event after event {c.head_seq:,}) holds the same "
                  "hash and the SHA-256 of the whole file.", 9)
    pdf.paragraph("Check a printed copy: scan the QR code, which holds the state and the document hash, and compare "
                  "them with that record.", 9)
    return verification.reserve(pdf)


def file_name(c: Contents) -> str:
    stamp = datetime.strftime(c.made_at, "%Y%m%d-%H%M")
    operation = re.sub(r"[^a-z0-9]+", "-", c.operation.lower()).strip("-")
    return f"briefing-{operation}-{stamp}-{c.classification.value}-TLP-{c.tlp.value.replace('+', '-')}.pdf"
