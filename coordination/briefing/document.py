"""The briefing as a PDF (fpdf2): marked banners on every page, a cover, figures, charts, tables.

Fonts are embedded from `coordination/fonts` (DejaVu Sans, with Droid Sans Fallback for Chinese,
Japanese and Korean), and text is shaped by HarfBuzz, so names in any of the demo's scripts
(Latin, Turkish, Cyrillic, Arabic, Chinese) print as written. Nothing comes from the network.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fpdf import FPDF, FontFace
from fpdf.enums import TableCellFillMode

from coordination import charts, markings
from coordination.briefing.contents import LIST_LIMIT, Contents, Table
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
CHART_HEIGHT_MM = 100


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
        self.multi_cell(0, size * 0.55, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font("Body", "", 10)
        self.ln(2)

    def paragraph(self, text: str, size: int = 10) -> None:
        self.shape_for([text])
        self.set_font("Body", "", size)
        self.multi_cell(0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(1)


def _all_text(c: Contents) -> str:
    cells = [cell for table in c.tables for row in table.rows for cell in row]
    return " ".join([c.author.display_name, c.operation, *cells, *(text for line in c.changes.lines for text in line)])


def compose(contents: Contents, images: dict[str, bytes] | None, charts_note: str = "") -> bytes:
    """The PDF's bytes. Without images, each chart is replaced by `charts_note`."""
    pdf = BriefingPDF(contents)
    author = contents.author
    pdf.set_title(f"{contents.operation} briefing, {contents.made_at:%Y-%m-%d %H:%M} UTC")
    pdf.set_author(f"{author.display_name} ({author.agency_code})")
    pdf.set_subject(f"{contents.classification.value} {contents.tlp.label}")
    pdf.set_creator("Takedown coordination dashboard")
    pdf.set_keywords(f"{contents.classification.value}, {contents.tlp.label}, audit head {contents.head_seq}")
    pdf.set_creation_date(contents.made_at)
    _cover(pdf, contents)
    _figures(pdf, contents)
    _charts(pdf, contents, images, charts_note)
    for table in contents.tables:
        _table(pdf, table)
    _changes(pdf, contents)
    out = io.BytesIO()
    pdf.output(out)
    return out.getvalue()


def _cover(pdf: BriefingPDF, c: Contents) -> None:
    pdf.add_page()
    pdf.ln(6)
    pdf.heading(c.operation, 24)
    pdf.heading("Operation briefing", 16)
    london = c.made_at.astimezone(LONDON)
    pdf.paragraph(f"Made {c.made_at:%A %d %B %Y, %H:%M} UTC ({london:%H:%M} London time, {london:%Z})", 11)
    pdf.paragraph(f"Author: {c.author.display_name}, {c.author.role.value if c.author.role else ''} "
                  f"of {c.author.agency_code}", 11)
    if c.action_day:
        pdf.paragraph(f"Action day: {c.action_day:%A %d %B %Y}", 11)
    pdf.ln(4)
    pdf.set_font("Body", "B", 12)
    pdf.set_fill_color(240, 240, 240)
    pdf.multi_cell(0, 7, f"Handling: {c.classification.value}, {c.tlp.label}", border="LTR", fill=True,
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", "", 11)
    pdf.multi_cell(0, 6, f"{markings.HANDLING[c.tlp]} Handle as {c.classification.value}: store, print and "
                         "share under your agency's rules for that classification; do not pass it on beyond the "
                         "recipients that its TLP label allows.", border="LBR", fill=True,
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    unseen = ("RED records not addressed to its author" if c.author.role is Role.COMMANDER else
              "other agencies' AMBER+STRICT and RED records, and RED records not addressed to its author")
    pdf.paragraph(f"This briefing holds only what {c.author.label} may see: {unseen} are neither listed nor "
                  "counted.")
    pdf.paragraph(f"Scope: {_filters_in_words(c)}")
    pdf.paragraph(f"State shown: audit event {c.head_seq:,}, chain head {c.head_hash}. `python -m coordination "
                  "audit verify` and the briefing record (its SHA-256) match a printed copy to this state.", 9)


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
    pdf.add_page()
    pdf.heading("Charts")
    for name in charts.ALL:
        if pdf.will_page_break(CHART_HEIGHT_MM + 4):
            pdf.add_page()
        if images and name in images:
            pdf.image(io.BytesIO(images[name]), x=pdf.l_margin + (pdf.epw - CHART_WIDTH_MM) / 2,
                      w=CHART_WIDTH_MM, h=CHART_HEIGHT_MM)
            pdf.ln(4)
            continue
        pdf.set_draw_color(150, 150, 150)
        pdf.multi_cell(0, 6, f"Chart not drawn: {name.replace('_', ' ').capitalize()}\n{note}", border=1,
                       new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)


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
        pdf.paragraph("No recorded changes to records you may see.")
        return
    shown = len(changes.lines)
    pdf.paragraph(f"{changes.total:,} change(s) to records you may see"
                  + (f"; the latest {shown} below (limit {LIST_LIMIT})." if changes.total > shown else "."), 9)
    pdf.shape_for(text for line in changes.lines for text in line)
    pdf.set_font("Body", "", 8)
    with pdf.table(col_widths=(2.2, 3, 8), text_align="LEFT", line_height=4.5,
                   headings_style=FontFace(emphasis="BOLD", fill_color=(225, 225, 225))) as grid:
        grid.row(("When (UTC)", "Who", "What"))
        for line in changes.lines:
            grid.row(line)


def file_name(c: Contents) -> str:
    stamp = datetime.strftime(c.made_at, "%Y%m%d-%H%M")
    operation = re.sub(r"[^a-z0-9]+", "-", c.operation.lower()).strip("-")
    return f"briefing-{operation}-{stamp}-{c.classification.value}-TLP-{c.tlp.value.replace('+', '-')}.pdf"
