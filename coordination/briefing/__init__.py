"""The PDF briefing: a summary, the dashboard's figures and charts, scoped tables and recent changes,
marked with the highest marking of what it holds, closed by a verification stamp, and recorded
(row + audit event) with its SHA-256 and the audit chain's head at the moment it was read.

- `contents`: what it says, read through the scoping rule (as its author, or as the stand-in of a
  preview), within the page's filters and the highest marking chosen
- `document`: the PDF's pages; `verification`: the QR code and document hash stamped at its end
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from coordination import chart_images, charts, services
from coordination.aggregates import Filters
from coordination.briefing.contents import Contents, gather, refuse_unread_recipients
from coordination.briefing.document import CHART_PIXELS, compose, file_name
from coordination.db import read_session, write_session
from coordination.principal import Principal
from coordination.services.briefings import Audience

__all__ = ["Audience", "Result", "export"]

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class Result:
    pdf: bytes
    file_name: str
    sha256: str
    briefing_id: int
    contents: Contents
    charts_note: str  # empty when every chart was drawn; otherwise why not and how to enable them


def export(engine: Engine, author: Principal, filters: Filters = Filters(), since_last: bool = False,
           with_charts: bool = True, progress: Progress | None = None, audience: Audience = Audience()) -> Result:
    """Read, draw, compose and record one briefing for `audience` (the highest marking it holds,
    whose view, the distribution list). Raises PermissionDenied (audited) for admins and for
    previews by anyone but a commander, ValidationError for an audience naming nothing known."""
    report = progress or (lambda _step, _done: None)
    if with_charts:
        chart_images.warm_up()  # Chromium starts while the contents are read
    with write_session(engine) as session:
        plan = services.authorise_briefing(session, author, audience)  # refuses, audited, before any work
    report("Reading the operation picture", 0.1)
    with read_session(engine) as session:
        contents = gather(session, author, filters, since_last, reader=plan.reader, distribution=plan.distribution)
        refuse_unread_recipients(session, contents, plan.people)
    images, note = None, "Charts were left out of this briefing on request."
    if with_charts:
        report("Drawing the charts", 0.4)
        try:
            figures = {name: build(contents.picture) for name, build in charts.ALL.items()}
            images, note = chart_images.render(figures, *CHART_PIXELS), ""
        except chart_images.ChartsUnavailable as unavailable:
            note = f"{unavailable} {chart_images.HOW_TO_ENABLE}"
    report("Composing the PDF", 0.8)
    composed = compose(contents, images, note)
    with write_session(engine) as session:
        briefing = services.record_briefing(session, author, contents, composed.pdf,
                                            (composed.checked_bytes, composed.checked_sha256))
        result = Result(composed.pdf, file_name(contents), briefing.sha256, briefing.id, contents, note)
    report("Done", 1.0)
    return result
