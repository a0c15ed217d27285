"""Plotly figures of the operation picture, shared by the dashboard and the PDF briefing.

Figures are built from `aggregates.Picture` only (never from the database), titled, labelled with
their numbers so they read without hover or colour, in the Okabe-Ito colour-blind-safe palette.

They read at any width, from a phone (a chart about 350 px wide) to the PDF (900 px): titles
wrap onto a second line instead of running out of the chart, and sit below the corner where
Plotly's toolbar shows on hover; a segment too small to hold its number shows none (and every
stack carries its total); one or two bars keep the width they would have among several; the map
keeps Europe and the United States in view whatever is filtered. The counts are the Picture's,
unchanged.
"""

from __future__ import annotations

from itertools import accumulate

import plotly.graph_objects as go

from coordination.aggregates import Picture
from coordination.models import SuspectStatus, TaskStatus

# Okabe & Ito (2008), safe for the common colour-vision deficiencies
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
OVERDUE = "#D55E00"
TOPOJSON_URL = "app/static/topojson/"  # relative to the page: static/topojson, never Plotly's CDN
PIPELINE = [s.value for s in SuspectStatus if s is not SuspectStatus.NO_FURTHER_ACTION]
SUSPECT_STATUSES = [s.value for s in SuspectStatus]  # the pipeline, then "no further action"

TITLE_CHARS = 36  # a title line that fits a phone-wide chart (about 350 px) in the title's font
TITLE_SIZE = 16  # px
TITLE_LINE = 22  # px from one title line to the next
TOOLBAR = 36  # px at the top of a chart kept clear for Plotly's toolbar (the modebar, 28 px, shown on hover)
TEXT_SHARE = 0.04  # a stacked segment shorter than this share of the longest stack shows no number
SMALLEST_TEXT = 10  # px: a number on a bar that would have to be drawn smaller than this is not drawn
# the map always shows at least this much of the world (degrees): the partners' countries, Europe and the US
MAP_LONGITUDES, MAP_LATITUDES = (-132.0, 36.0), (22.0, 64.0)  # room for a bubble at the edge
MAP_HEIGHT = 320  # px: the map is about three times as wide as high; a full-height chart is mostly blank
MAP_MARGIN = 6.0  # degrees around any point outside that view


def title_lines(title: str, width: int = TITLE_CHARS) -> list[str]:
    """The title in lines of at most `width` characters (a single word may be longer), broken
    before a parenthesis where that makes the first line fit."""
    head, bracket, tail = title.partition(" (")
    if bracket and len(head) <= width < len(title):
        return [*title_lines(head, width), *title_lines("(" + tail, width)]
    lines: list[str] = []
    for word in title.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _layout(figure: go.Figure, title: str, margin: dict | None = None, **extra) -> go.Figure:
    lines = title_lines(title)
    figure.update_layout(
        # left-aligned, below the toolbar's corner (Plotly centres a title of several lines on its
        # anchor, so the pad grows by half a line for each line after the first), with room for two
        # lines in every chart so that charts side by side start their plots level
        title={"text": "<br>".join(lines), "x": 0, "xref": "container", "xanchor": "left", "y": 1,
               "yref": "container", "yanchor": "top", "font": {"size": TITLE_SIZE},
               "pad": {"t": TOOLBAR + (len(lines) - 1) * TITLE_LINE // 2, "l": 4}},
        template="plotly_white", colorway=PALETTE, font={"size": 13},
        margin={"l": 60, "r": 20, "t": TOOLBAR + TITLE_LINE * max(2, len(lines)) + 12, "b": 50, **(margin or {})},
        legend={"orientation": "h", "y": -0.2}, uniformtext={"minsize": SMALLEST_TEXT, "mode": "hide"},
        **extra)
    figure.update_traces(textangle=0, selector={"type": "bar"})  # numbers read level, never turned on their side
    return figure


def _slots(count: int, at_least: int) -> list[float]:
    """A category axis range with room for `at_least` bars, so that one bar is as wide as among
    several, with the bars there are in the middle."""
    spare = max(at_least - count, 0) / 2
    return [-0.5 - spare, count - 0.5 + spare]


def _readable(counts: list[int], longest: int) -> list[int | str]:
    """The numbers to print on stacked segments: none on a segment too small to hold it."""
    return [n if n and n >= TEXT_SHARE * longest else "" for n in counts]


def _count_axis(longest: int, room: float = 1.0) -> dict:
    """A count axis from zero (to `room` times the longest bar, leaving room for a total printed
    beyond it), in whole steps when the counts are small."""
    return {"range": [0, max(longest, 1) * room], **({"dtick": 1} if longest < 10 else {})}


def _totals(figure: go.Figure, categories: list[str], totals: list[int], horizontal: bool = False) -> None:
    """Each stack's total beyond its end: the stack reads without adding up, even where its small
    segments carry no number."""
    for category, total in zip(categories, totals, strict=True):
        at = {"x": total, "y": category, "xanchor": "left", "xshift": 4} if horizontal else {
            "x": category, "y": total, "yanchor": "bottom", "yshift": 2}
        figure.add_annotation(text=f"{total:,}", showarrow=False, **at)


def arrests_by_jurisdiction(picture: Picture) -> go.Figure:
    rows = picture.arrests_by_jurisdiction
    counts = [row.arrests for row in rows]
    figure = go.Figure(go.Bar(x=counts, y=[row.name for row in rows], orientation="h", text=counts,
                              textposition="outside", cliponaxis=False, marker_color=PALETTE[0],
                              customdata=[row.code for row in rows]))
    # the most arrests at the top; a few jurisdictions keep the height their bars have among several
    return _layout(figure, "Arrests by jurisdiction", yaxis={"range": [max(len(rows), 6) - 0.5, -0.5]},
                   xaxis={"title": "arrests", **_count_axis(max(counts, default=0), 1.12)})


def arrests_map(picture: Picture) -> go.Figure:
    """Bubbles at each jurisdiction's display point, on country outlines the app serves itself.

    The view is always at least Europe and the United States (widened to any point beyond), so a
    filter down to one place does not zoom in on a lone bubble."""
    rows = picture.arrests_by_jurisdiction
    counts = [row.arrests for row in rows]
    biggest = max(counts, default=1)
    where = {"lat": [row.latitude for row in rows], "lon": [row.longitude for row in rows]}
    figure = go.Figure([
        go.Scattergeo(**where, mode="markers", hovertext=[f"{row.name}: {row.arrests:,}" for row in rows],
                      hoverinfo="text", customdata=[row.code for row in rows],
                      marker={"size": [14 + 30 * (n / biggest) ** 0.5 for n in counts], "color": PALETTE[0],
                              "opacity": 0.85}),
        # the big ones carry their number inside the bubble, drawn over every bubble so that no neighbour hides
        # it; the name shows on hover, and the bar chart beside the map has every name and number
        go.Scattergeo(**where, mode="text", text=[f"{n:,}" if n * 5 >= biggest else "" for n in counts],
                      textfont={"color": "white", "size": 12}, hoverinfo="skip"),
    ])
    longitudes, latitudes = _extent([row.longitude for row in rows], MAP_LONGITUDES, (-180, 180)), _extent(
        [row.latitude for row in rows], MAP_LATITUDES, (-85, 85))
    figure.update_geos(showcountries=True, countrycolor="#999999", showland=True, landcolor="#F2F2F2",
                       showframe=False, projection_type="mercator", lonaxis_range=longitudes,
                       lataxis_range=latitudes, fitbounds=False)
    return _layout(figure, "Arrests on the map", margin={"l": 10, "r": 10, "b": 10}, height=MAP_HEIGHT,
                   showlegend=False)


def _extent(values: list[float], least: tuple[float, float], world: tuple[float, float]) -> list[float]:
    """The range of the map on one axis: `least`, widened to every value with a margin."""
    low = min([least[0], *(v - MAP_MARGIN for v in values)])
    high = max([least[1], *(v + MAP_MARGIN for v in values)])
    return [max(low, world[0]), min(high, world[1])]


def arrests_over_time(picture: Picture) -> go.Figure:
    days = [row.day for row in picture.arrests_by_day]
    total = list(accumulate(row.arrests for row in picture.arrests_by_day))
    figure = go.Figure(go.Scatter(x=days, y=total, mode="lines+markers", line_shape="hv", name="arrests so far",
                                  marker_color=PALETTE[0]))
    if picture.action_day:
        figure.add_vline(x=picture.action_day.isoformat(), line_dash="dash", line_color=PALETTE[5])
        figure.add_annotation(x=picture.action_day.isoformat(), y=max(total, default=0), text="action day",
                              showarrow=False, yshift=10, font={"color": PALETTE[5]})
    return _layout(figure, f"Arrests over time (cumulative, {total[-1] if total else 0} in all)",
                   yaxis_title="arrests")


def suspect_pipeline(picture: Picture) -> go.Figure:
    tiers = sorted({cell.tier for cell in picture.suspect_pipeline})
    counts = {(cell.tier, cell.status): cell.suspects for cell in picture.suspect_pipeline}
    totals = [sum(counts.get((tier, s), 0) for tier in tiers) for s in PIPELINE]
    figure = go.Figure([go.Bar(name=tier, x=PIPELINE, y=[counts.get((tier, s), 0) for s in PIPELINE],
                               text=_readable([counts.get((tier, s), 0) for s in PIPELINE], max(totals)),
                               textposition="inside", insidetextanchor="middle")
                        for tier in tiers])
    _totals(figure, PIPELINE, totals)
    return _layout(figure, "Suspect pipeline by tier", barmode="stack",
                   yaxis={"title": "suspects", **_count_axis(max(totals), 1.1)})


def tasks_by_agency(picture: Picture) -> go.Figure:
    agencies = sorted({row.agency for row in picture.tasks_by_agency_status})
    counts = {(row.agency, row.status): row.tasks for row in picture.tasks_by_agency_status}
    overdue = {a: 0 for a in agencies}
    for row in picture.tasks_by_agency_status:
        overdue[row.agency] += row.overdue
    bars = [go.Bar(name=s.value, x=agencies, y=[counts.get((a, s.value), 0) for a in agencies],
                   text=[counts.get((a, s.value), 0) or "" for a in agencies], textposition="outside",
                   customdata=agencies)
            for s in TaskStatus]
    bars.append(go.Bar(name="overdue", x=agencies, y=[overdue[a] for a in agencies], marker_color=OVERDUE,
                       marker_pattern_shape="/", customdata=agencies, text=[overdue[a] or "" for a in agencies],
                       textposition="outside"))
    return _layout(go.Figure(bars), "Partner tasks by agency and status (overdue hatched)", barmode="group",
                   yaxis={"title": "tasks", **_count_axis(max((n for bar in bars for n in bar.y), default=0), 1.1)},
                   xaxis={"range": _slots(len(agencies), 3)})


def evidence_by_type(picture: Picture) -> go.Figure:
    types = sorted({cell.item_type for cell in picture.evidence_by_type_status})
    statuses = sorted({cell.status for cell in picture.evidence_by_type_status})
    counts = {(cell.item_type, cell.status): cell.items for cell in picture.evidence_by_type_status}
    totals = [sum(counts.get((t, s), 0) for s in statuses) for t in types]
    figure = go.Figure([go.Bar(name=s, y=types, x=[counts.get((t, s), 0) for t in types], orientation="h",
                               text=_readable([counts.get((t, s), 0) for t in types], max(totals, default=0)),
                               textposition="inside", insidetextanchor="middle")
                        for s in statuses])
    _totals(figure, types, totals, horizontal=True)
    # types in alphabetical order from the top; a few keep the height their bars have among several
    return _layout(figure, "Evidence by type and status", barmode="stack", bargap=0.1,  # bars thick enough for numbers
                   xaxis={"title": "items", **_count_axis(max(totals, default=0), 1.15)},
                   yaxis={"range": [max(len(types), 6) - 0.5, -0.5]})


def evidence_by_holder(picture: Picture) -> go.Figure:
    agencies = [row.agency for row in picture.evidence_by_holder]
    counts = [row.items for row in picture.evidence_by_holder]
    figure = go.Figure(go.Bar(x=agencies, y=counts, text=counts, textposition="auto", marker_color=PALETTE[2],
                              customdata=agencies))
    return _layout(figure, "Evidence by current holder", xaxis={"range": _slots(len(agencies), 4)},
                   yaxis={"title": "items", **_count_axis(max(counts, default=0), 1.05)})


def hits_between_agencies(picture: Picture) -> go.Figure:
    """Open hits by the pair of agencies holding the same identifier (possible duplicates within one
    agency apart, in another colour): counts of what the viewer is told of, never what matched."""
    rows = picture.hits_between
    names = [f"{row.first} and {row.second}" if row.first != row.second else f"within {row.first}" for row in rows]
    counts = [row.hits for row in rows]
    colours = [PALETTE[3] if row.first == row.second else PALETTE[4] for row in rows]
    figure = go.Figure(go.Bar(x=counts, y=names, orientation="h", text=counts, textposition="outside",
                              cliponaxis=False, marker_color=colours))
    return _layout(figure, "Open hits between agencies (within one: possible duplicates)",
                   yaxis={"range": [max(len(rows), 6) - 0.5, -0.5], "automargin": True},
                   xaxis={"title": "open hits", **_count_axis(max(counts, default=0), 1.12)})


def shown_names(chart: str, picture: Picture) -> dict[str, str]:
    """What a chart calls the things one selects in it, by the code a selection carries: the
    jurisdiction's name on the arrest charts; agencies go by their codes everywhere."""
    if chart in ("arrests_by_jurisdiction", "arrests_map"):
        return {row.code: row.name for row in picture.arrests_by_jurisdiction}
    return {}


ALL = {
    "arrests_by_jurisdiction": arrests_by_jurisdiction,
    "arrests_map": arrests_map,
    "arrests_over_time": arrests_over_time,
    "suspect_pipeline": suspect_pipeline,
    "tasks_by_agency": tasks_by_agency,
    "evidence_by_type": evidence_by_type,
    "evidence_by_holder": evidence_by_holder,
    "hits_between_agencies": hits_between_agencies,
}
