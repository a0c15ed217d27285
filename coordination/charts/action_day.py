"""The action-day board's figures, built from `queries.action_day.Board` only: planned against actual
H-hours, and the packages on the map coloured by status (on the country outlines the app serves)."""

from __future__ import annotations

from datetime import timedelta

import plotly.graph_objects as go

from coordination.charts import MAP_HEIGHT, MAP_LATITUDES, MAP_LONGITUDES, PALETTE, _extent, _layout
from coordination.models import PackageStatus
from coordination.queries.action_day import Board

# one colour per stage of the day, in the colour-blind-safe palette; the outcomes by what they mean
STATUS_COLOURS = {
    PackageStatus.PLANNED: "#999999", PackageStatus.BRIEFED: PALETTE[4], PackageStatus.DEPLOYED: PALETTE[0],
    PackageStatus.ENTERED: PALETTE[1], PackageStatus.ARREST_MADE: PALETTE[2], PackageStatus.ITEMS_SEIZED: PALETTE[3],
    PackageStatus.NOTHING_FOUND: PALETTE[6], PackageStatus.NIL: PALETTE[7], PackageStatus.ABORTED: PALETTE[5],
    PackageStatus.CLOSED: "#CCCCCC",
}


def timeline(board: Board) -> go.Figure:
    """Each package on its jurisdiction's row: planned H-hour (hollow), door entered (filled), joined."""
    packages = sorted(board.packages, key=lambda p: (p.jurisdiction, p.h_hour))
    figure = go.Figure()
    late_x: list = []
    late_y: list = []
    for p in packages:
        if p.entered_at is not None:
            late_x += [p.h_hour, p.entered_at, None]
            late_y += [p.jurisdiction, p.jurisdiction, None]
    figure.add_trace(go.Scatter(x=late_x, y=late_y, mode="lines", line={"color": "#BBBBBB", "width": 1},
                                hoverinfo="skip", showlegend=False))
    figure.add_trace(go.Scatter(
        x=[p.h_hour for p in packages], y=[p.jurisdiction for p in packages], mode="markers", name="planned H-hour",
        marker={"symbol": "circle-open", "size": 9, "color": PALETTE[0]},
        hovertext=[f"{p.reference} ({p.agency}) planned {p.h_hour_text}" for p in packages], hoverinfo="text"))
    entered = [p for p in packages if p.entered_at is not None]
    figure.add_trace(go.Scatter(
        x=[p.entered_at for p in entered], y=[p.jurisdiction for p in entered], mode="markers", name="door entered",
        marker={"symbol": "circle", "size": 7, "color": PALETTE[5]},
        hovertext=[f"{p.reference} ({p.agency}) entered {p.entered_at:%H:%M} UTC" for p in entered],
        hoverinfo="text"))
    rows = sorted({p.jurisdiction for p in packages})
    return _layout(figure, f"Planned and actual H-hours (UTC, {len(entered)} of {len(packages)} entered)",
                   yaxis={"categoryorder": "array", "categoryarray": rows[::-1]},
                   xaxis=_hours_at_least([*late_x, *(p.h_hour for p in packages)]),
                   height=max(260, 90 + 28 * len(rows)))


def _hours_at_least(times: list, span: timedelta = timedelta(hours=2)) -> dict:
    """A time axis at least `span` wide: packages all planned for one moment drew an axis of
    milliseconds ("00:19:59.999")."""
    times = [t for t in times if t is not None]
    if not times or max(times) - min(times) >= span:
        return {}
    middle = min(times) + (max(times) - min(times)) / 2
    return {"range": [middle - span / 2, middle + span / 2]}


def package_map(board: Board) -> go.Figure:
    """One point per package (at its coordinates, or its jurisdiction's display point), coloured by status."""
    figure = go.Figure()
    for status, colour in STATUS_COLOURS.items():
        shown = [p for p in board.packages if (p.outcome or p.status) is status]  # a closed one by its outcome
        if not shown:
            continue
        figure.add_trace(go.Scattergeo(
            lat=[p.latitude for p in shown], lon=[p.longitude for p in shown], mode="markers", name=status.value,
            marker={"size": 9, "color": colour, "opacity": 0.85, "line": {"width": 0.5, "color": "white"}},
            hovertext=[f"{p.reference} ({p.agency}): {p.status.value}" + (f" ({p.outcome.value})" if p.outcome else "")
                       for p in shown], hoverinfo="text"))
    longitudes = _extent([p.longitude for p in board.packages], MAP_LONGITUDES, (-180, 180))
    latitudes = _extent([p.latitude for p in board.packages], MAP_LATITUDES, (-85, 85))
    figure.update_geos(showcountries=True, countrycolor="#999999", showland=True, landcolor="#F2F2F2",
                       showframe=False, projection_type="mercator", lonaxis_range=longitudes,
                       lataxis_range=latitudes, fitbounds=False)
    return _layout(figure, "Packages on the map, by status (closed ones by their outcome)",
                   margin={"l": 10, "r": 10, "b": 10},
                   height=MAP_HEIGHT + 80)
