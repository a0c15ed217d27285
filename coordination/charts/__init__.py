"""Plotly figures of the operation picture, shared by the dashboard and the PDF briefing.

Figures are built from `aggregates.Picture` only (never from the database), titled, labelled with
their numbers so they read without hover or colour, in the Okabe-Ito colour-blind-safe palette.
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


def _layout(figure: go.Figure, title: str, **extra) -> go.Figure:
    figure.update_layout(title=title, template="plotly_white", colorway=PALETTE, font={"size": 13},
                         margin={"l": 60, "r": 20, "t": 60, "b": 50}, legend={"orientation": "h", "y": -0.2},
                         **extra)
    return figure


def arrests_by_jurisdiction(picture: Picture) -> go.Figure:
    rows = picture.arrests_by_jurisdiction
    counts = [row.arrests for row in rows]
    figure = go.Figure(go.Bar(x=counts, y=[row.name for row in rows], orientation="h", text=counts,
                              textposition="auto", marker_color=PALETTE[0], customdata=[row.code for row in rows]))
    return _layout(figure, "Arrests by jurisdiction", yaxis={"autorange": "reversed"}, xaxis_title="arrests")


def arrests_map(picture: Picture) -> go.Figure:
    """Bubbles at each jurisdiction's display point, on country outlines the app serves itself."""
    rows = picture.arrests_by_jurisdiction
    counts = [row.arrests for row in rows]
    biggest = max(counts, default=1)
    figure = go.Figure(go.Scattergeo(
        lat=[row.latitude for row in rows], lon=[row.longitude for row in rows], mode="markers+text",
        # label the big ones only: neighbours' labels would overprint; the bar chart has every number
        text=[f"{row.name}: {row.arrests}" if row.arrests * 5 >= biggest else "" for row in rows],
        hovertext=[f"{row.name}: {row.arrests}" for row in rows], textposition="top center",
        marker={"size": [12 + 38 * (n / biggest) ** 0.5 for n in counts], "color": PALETTE[0], "opacity": 0.8},
        customdata=[row.code for row in rows]))
    figure.update_geos(showcountries=True, countrycolor="#999999", showland=True, landcolor="#F2F2F2",
                       fitbounds="locations" if rows else False, projection_type="natural earth")
    return _layout(figure, "Arrests on the map")


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
    figure = go.Figure([go.Bar(name=tier, x=PIPELINE, y=[counts.get((tier, s), 0) for s in PIPELINE],
                               text=[counts.get((tier, s), 0) or "" for s in PIPELINE], textposition="auto")
                        for tier in tiers])
    return _layout(figure, "Suspect pipeline by tier", barmode="stack", yaxis_title="suspects")


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
                   yaxis_title="tasks")


def evidence_by_type(picture: Picture) -> go.Figure:
    types = sorted({cell.item_type for cell in picture.evidence_by_type_status})
    statuses = sorted({cell.status for cell in picture.evidence_by_type_status})
    counts = {(cell.item_type, cell.status): cell.items for cell in picture.evidence_by_type_status}
    figure = go.Figure([go.Bar(name=s, y=types, x=[counts.get((t, s), 0) for t in types], orientation="h",
                               text=[counts.get((t, s), 0) or "" for t in types], textposition="inside")
                        for s in statuses])
    return _layout(figure, "Evidence by type and status", barmode="stack", xaxis_title="items")


def evidence_by_holder(picture: Picture) -> go.Figure:
    agencies = [row.agency for row in picture.evidence_by_holder]
    counts = [row.items for row in picture.evidence_by_holder]
    figure = go.Figure(go.Bar(x=agencies, y=counts, text=counts, textposition="auto", marker_color=PALETTE[2],
                              customdata=agencies))
    return _layout(figure, "Evidence by current holder", yaxis_title="items")


ALL = {
    "arrests_by_jurisdiction": arrests_by_jurisdiction,
    "arrests_map": arrests_map,
    "arrests_over_time": arrests_over_time,
    "suspect_pipeline": suspect_pipeline,
    "tasks_by_agency": tasks_by_agency,
    "evidence_by_type": evidence_by_type,
    "evidence_by_holder": evidence_by_holder,
}
