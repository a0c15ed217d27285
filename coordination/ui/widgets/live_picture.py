"""The live part of the operation picture: KPI tiles and charts that refresh by themselves, and the
records behind a selected bar.

Results are cached on the audit trail's last sequence number, so a refresh with no change anywhere
re-queries nothing, and a write through any replica shows at every replica's next refresh.
Filters live in the URL's query parameters: they survive refreshes and can be shared.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import streamlit as st

from coordination import audit, charts, settings
from coordination.aggregates import Filters, Picture, picture
from coordination.db import read_session
from coordination.principal import Principal
from coordination.queries.drill_down import DRILL_DOWN, records_behind
from coordination.text import plain
from coordination.ui import gate
from coordination.ui.widgets.context import engine, jurisdiction_codes, partner_codes

PLOTLY_CONFIG = {"topojsonURL": charts.TOPOJSON_URL, "displaylogo": False}
TILE_MIN_WIDTH = 160  # px: two tiles side by side on a 390 px phone (358 px of page), four at a desk
CHART_MIN_WIDTH = 360  # px: narrower than two of these, the charts stand one a row
CLICK_HINT = ("Click a bar or a point in Arrests by jurisdiction, Arrests on the map, Partner tasks or Evidence by "
              "current holder to list the records behind it under the charts; double-click the chart to clear.")


@st.cache_resource(max_entries=256, show_spinner=False)  # a frozen Picture: shared, never copied or pickled
def cached_picture(database_url: str, viewer: Principal, filters: Filters, head_seq: int, today: date) -> Picture:
    """Keyed on the audit head: any write anywhere changes the key; no write, no query."""
    del database_url, head_seq  # part of the key only
    with read_session(engine()) as session:
        return picture(session, viewer, filters, today)


def filters() -> Filters:
    """Filter widgets, seeded from and written back to the query string."""
    params = st.query_params
    columns = st.columns([1, 1, 2, 2])
    since = columns[0].date_input("From", value=_day(params.get("from")), key="dash-from", format="YYYY-MM-DD")
    until = columns[1].date_input("Until", value=_day(params.get("until")), key="dash-until", format="YYYY-MM-DD")
    known_agencies, known_jurisdictions = partner_codes(), jurisdiction_codes()
    agencies = columns[2].multiselect("Agencies", known_agencies, key="dash-agencies",
                                      default=[a for a in params.get_all("agency") if a in known_agencies])
    jurisdictions = columns[3].multiselect("Jurisdictions", known_jurisdictions, key="dash-jurisdictions",
                                           default=[j for j in params.get_all("jurisdiction")
                                                    if j in known_jurisdictions])
    wanted = {"from": since.isoformat() if since else None, "until": until.isoformat() if until else None,
              "agency": agencies, "jurisdiction": jurisdictions}
    for name, value in wanted.items():
        if value:
            params[name] = value
        elif name in params:
            del params[name]
    return Filters(since=since or None, until=until or None, agencies=tuple(agencies),
                   jurisdictions=tuple(jurisdictions))


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def live(viewer: Principal, filters: Filters) -> None:
    """The tiles and charts, redrawn every few seconds (a fragment) from the cached figures."""
    gate.refreshing(settings.load().refresh_s, _live, viewer, filters)


def _live(viewer: Principal, filters: Filters) -> None:
    with read_session(engine()) as session:
        head_seq = audit.head(session)[0]
    now = datetime.now(UTC)
    seen = cached_picture(settings.load().database_url, viewer, filters, head_seq, now.date())
    st.caption(f"updated {now:%H:%M:%S} UTC · refreshes every {settings.load().refresh_s} s · "
               f"counts only what a {viewer.agency_code} {viewer.role.value} may see")
    _tiles(seen)
    st.caption(CLICK_HINT)
    chosen: dict[str, list[str]] = {}
    # two to a row in reading order (where, then when and how far, then the work), one a row on a phone
    with st.grid(2, min_column_width=CHART_MIN_WIDTH, gap="medium"):
        for name in charts.ALL:
            chosen[name] = _chart(name, seen)
    for name, keys in chosen.items():
        if keys and name in DRILL_DOWN:
            _drill_down(viewer, name, keys, charts.shown_names(name, seen))


def _tiles(seen: Picture) -> None:
    """Eight tiles, four to a row, two on a phone: labels short enough for a phone's half width."""
    by_status = seen.suspects_by_status
    tiles = st.grid(4, min_column_width=TILE_MIN_WIDTH)
    tiles.metric("Suspects past lead", f"{seen.suspects_past_lead:,}",
                 help="Identified or further: every status but lead. " + ", ".join(
                     f"{s}: {n:,}" for s, n in sorted(by_status.items())))
    tiles.metric("Arrests today", f"{seen.arrests_today:,}")
    tiles.metric("Arrests in total", f"{seen.arrests_total:,}")
    tiles.metric("Evidence awaiting analysis", f"{seen.evidence_awaiting_analysis:,}")
    tiles.metric("Open tasks", f"{seen.tasks_open:,}")
    tiles.metric("Overdue / blocked", f"{seen.tasks_overdue:,} / {seen.tasks_blocked:,}")
    tiles.metric("Open hits", f"{seen.open_hits:,}",
                 help="Identifiers another agency holds too, as far as you may be told: see Deconfliction.")
    tiles.metric("Requests pending", f"{seen.pending_requests:,}",
                 help="Requests for contact about those hits, not answered yet: "
                      f"{sum(row.overdue for row in seen.requests_pending):,} of them for more than 48 hours.")
    st.caption("Suspects by status: " + " · ".join(f"{status} {by_status.get(status, 0):,}"
                                                   for status in charts.SUSPECT_STATUSES))


def _chart(name: str, seen: Picture) -> list[str]:
    """Draw a chart; for charts that drill down, return what the viewer selected in it."""
    figure = charts.ALL[name](seen)
    if name not in DRILL_DOWN:
        st.plotly_chart(figure, key=f"chart-{name}", config=PLOTLY_CONFIG, width="stretch")
        return []
    event = st.plotly_chart(figure, key=f"chart-{name}", config=PLOTLY_CONFIG, width="stretch",
                            on_select="rerun", selection_mode=("points",))
    points = event.selection.points if event and event.selection else []
    return sorted({str(point["customdata"]) for point in points if point.get("customdata")})


def _drill_down(viewer: Principal, chart: str, keys: list[str], names: dict[str, str]) -> None:
    """The records behind the selected bars or points, headed with the names the chart shows."""
    shown = [names.get(key, key) for key in keys]
    listed = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"
    st.subheader(f"{DRILL_DOWN[chart].heading} {plain(listed)}")
    with read_session(engine()) as session:
        found = records_behind(session, viewer, chart, keys, limit=500)
    st.dataframe([dict(zip(found.columns, row, strict=True)) for row in found.rows], hide_index=True,
                 width="stretch", key=f"drill-{chart}")
