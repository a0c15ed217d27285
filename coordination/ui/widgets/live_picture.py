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
from coordination.ui.widgets.context import agency_codes, engine, jurisdiction_codes

PLOTLY_CONFIG = {"topojsonURL": charts.TOPOJSON_URL, "displaylogo": False}


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
    known_agencies, known_jurisdictions = agency_codes(), jurisdiction_codes()
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
    st.fragment(run_every=settings.load().refresh_s)(_live)(viewer, filters)


def _live(viewer: Principal, filters: Filters) -> None:
    with read_session(engine()) as session:
        head_seq = audit.head(session)[0]
    now = datetime.now(UTC)
    seen = cached_picture(settings.load().database_url, viewer, filters, head_seq, now.date())
    st.caption(f"updated {now:%H:%M:%S} UTC · refreshes every {settings.load().refresh_s} s · "
               f"counts only what a {viewer.agency_code} {viewer.role.value} may see")
    _tiles(seen)
    left, right = st.columns(2)
    chosen: dict[str, list[str]] = {}
    for column, names in ((left, ["arrests_by_jurisdiction", "arrests_over_time", "tasks_by_agency"]),
                          (right, ["arrests_map", "suspect_pipeline", "evidence_by_type", "evidence_by_holder"])):
        with column:
            for name in names:
                chosen[name] = _chart(name, seen)
    for name, keys in chosen.items():
        if keys and name in DRILL_DOWN:
            _drill_down(viewer, name, keys)


def _tiles(seen: Picture) -> None:
    by_status = seen.suspects_by_status
    tiles = [*st.columns(3), *st.columns(3)]  # two rows: six tiles in one row cut their labels short
    tiles[0].metric("Suspects identified or further", f"{seen.suspects_past_lead:,}",
                    help=", ".join(f"{s}: {n:,}" for s, n in sorted(by_status.items())))
    tiles[1].metric("Arrests today", f"{seen.arrests_today:,}")
    tiles[2].metric("Arrests in total", f"{seen.arrests_total:,}")
    tiles[3].metric("Evidence awaiting analysis", f"{seen.evidence_awaiting_analysis:,}")
    tiles[4].metric("Open tasks", f"{seen.tasks_open:,}")
    tiles[5].metric("Overdue / blocked", f"{seen.tasks_overdue:,} / {seen.tasks_blocked:,}")
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


def _drill_down(viewer: Principal, chart: str, keys: list[str]) -> None:
    st.subheader(f"{DRILL_DOWN[chart].heading} {plain(', '.join(keys))}")
    with read_session(engine()) as session:
        shown = records_behind(session, viewer, chart, keys, limit=500)
    st.dataframe([dict(zip(shown.columns, row, strict=True)) for row in shown.rows], hide_index=True,
                 width="stretch", key=f"drill-{chart}")
