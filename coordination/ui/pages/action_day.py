"""The action-day board: how each jurisdiction's packages stand, planned against actual H-hours, the
map, nil and aborted packages with their reasons, and packages silent for an hour past H-hour.
It follows the day by itself: a one-second check of the audit head redraws it after any write."""

from datetime import UTC, datetime, timedelta

import streamlit as st

from coordination import policy, services, settings
from coordination.charts import action_day as charts
from coordination.db import read_session
from coordination.queries import action_day
from coordination.queries.action_day import PackageStatus
from coordination.text import plain
from coordination.ui.widgets.audit_watch import rerun_on_change, seen_now
from coordination.ui.widgets.context import engine, jurisdiction_names, principal
from coordination.ui.widgets.live_picture import PLOTLY_CONFIG, TILE_MIN_WIDTH
from coordination.ui.widgets.writes import attempt, key, show_problem, token

WATCH = "action-day-board-head"
ROW_PX = 35  # a dataframe row


def _day_label(day) -> str:
    if day == action_day.LIVE:
        return (f"Live: {action_day.LIVE_BEHIND / timedelta(hours=1):g} hours back to "
                f"{action_day.LIVE_AHEAD / timedelta(hours=1):g} hours ahead")
    return f"{day:%a %d %b %Y}"


def conflicts(notices: list[action_day.ConflictNotice]) -> None:
    """Every conflict this viewer is told of, those command has not acknowledged first; command
    acknowledges each with a note."""
    waiting = sum(not notice.acknowledged for notice in notices)
    st.subheader(f"Conflicts between packages ({len(notices)}, {waiting} not acknowledged by command)")
    for notice in notices:
        with st.container(border=True, key=f"conflict-{notice.conflict_id}"):
            (st.info if notice.acknowledged else st.warning)(plain(notice.sentence))
            st.markdown(plain(notice.acknowledgement))
            if not notice.acknowledged and policy.acknowledges_conflicts(viewer):
                acknowledge(notice)


def acknowledge(notice: action_day.ConflictNotice) -> None:
    form = f"conflict-{notice.conflict_id}-acknowledge"
    with st.form(form, border=False):
        note = st.text_input("Command's note for both lead agencies (required)", key=key(form, "note"),
                             placeholder="e.g. both teams briefed, MET enters first", max_chars=1000)
        show_problem(form, "note")
        sent = st.form_submit_button("Acknowledge this conflict")
    if sent:
        attempt(services.acknowledge_conflict, notice.conflict_id, note, submission=token(form, note), form=form,
                labels={"note": "The note"},
                confirm="Conflict acknowledged; both lead agencies' liaisons are told.")


viewer = principal()
now = datetime.now(UTC)
seen_now(WATCH)
st.title("Action day board")
with read_session(engine()) as session:
    days = action_day.days(session, viewer, now)
    # the live window when it holds any package, else today when it does, else the latest day
    day = st.selectbox("Packages shown (by H-hour, UTC)", days, format_func=_day_label, key="board-day",
                       index=0 if days[0] == action_day.LIVE or now.date() not in days
                       else days.index(now.date())) if days else None
    board = action_day.board(session, viewer, now, day)
    notices = action_day.board_conflicts(session, viewer)

st.caption(f"updated {now:%H:%M:%S} UTC · follows every change within about {settings.load().board_refresh_s:g} s · "
           f"shows only what a {viewer.agency_code} {viewer.role.value} may see")
rerun_on_change(WATCH, settings.load().board_refresh_s)
if notices:
    conflicts(notices)

if not board.packages:
    st.info("No target packages yet.")
    st.stop()

by_status = board.by_status
tiles = st.grid(4, min_column_width=TILE_MIN_WIDTH)
tiles.metric("Packages", f"{len(board.packages):,}")
tiles.metric("Live (before an outcome)", f"{sum(n for s, n in by_status.items() if s.is_live):,}")
tiles.metric("Arrests made", f"{board.by_outcome.get(PackageStatus.ARREST_MADE, 0):,}")
tiles.metric("Silent for an hour", f"{len(board.silent):,}")

st.subheader("By jurisdiction")
statuses = [status for status in PackageStatus if by_status.get(status)]
named = jurisdiction_names()  # tables name jurisdictions, never their codes
st.dataframe([{"Jurisdiction": named.get(code, code), **{status.value: counts.get(status, 0) for status in statuses}}
              for code, counts in board.by_jurisdiction.items()], hide_index=True, width="stretch",
             height=ROW_PX * (len(board.by_jurisdiction) + 1) + 3)  # every jurisdiction, no scrolling

silent = board.silent
st.subheader(f"Silent: no update for an hour past H-hour ({len(silent)})")
if silent:
    st.dataframe([{"Package": p.reference, "Agency": p.agency, "Status": p.status.value, "H-hour": p.h_hour_text,
                   "Last update (UTC)": f"{p.status_changed_at:%d %b %H:%M}", "Team": p.team_call_sign}
                  for p in silent], hide_index=True, width="stretch")
else:
    st.caption("None.")

with st.grid(2, min_column_width=360, gap="medium"):
    st.plotly_chart(charts.timeline(board), key="board-timeline", config=PLOTLY_CONFIG, width="stretch")
    st.plotly_chart(charts.package_map(board), key="board-map", config=PLOTLY_CONFIG, width="stretch")

stopped = board.nil_and_aborted
st.subheader(f"Nil and aborted ({len(stopped)})")
if stopped:
    st.dataframe([{"Package": p.reference, "Agency": p.agency,
                   "Jurisdiction": named.get(p.jurisdiction, p.jurisdiction), "Outcome": p.outcome.value,
                   "Reason": p.reason, "When (UTC)": f"{p.outcome_at:%d %b %H:%M}"}
                  for p in stopped], hide_index=True, width="stretch")
else:
    st.caption("None.")
