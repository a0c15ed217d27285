"""Operation overview: what the viewer may see, counted by status and by agency."""

import streamlit as st

from coordination.aggregates import picture
from coordination.db import read_session
from coordination.kinds import TASKS
from coordination.ui.widgets.context import engine, operation_name, principal

viewer = principal()
with read_session(engine()) as session:
    seen = picture(session, viewer)
st.title(operation_name())
st.caption(f"Counts of what {viewer.agency_code} {viewer.role.value}s may see"
           + (f" · action day {seen.action_day:%d %B %Y}" if seen.action_day else ""))
tiles = st.columns(5)
tiles[0].metric("Suspects", f"{sum(seen.suspects_by_status.values()):,}")
tiles[1].metric("Arrests", f"{seen.arrests_total:,}")
tiles[2].metric("Evidence awaiting analysis", f"{seen.evidence_awaiting_analysis:,}")
tiles[3].metric("Open tasks", f"{seen.tasks_open:,}")
tiles[4].metric("Overdue / blocked tasks", f"{seen.tasks_overdue:,} / {seen.tasks_blocked:,}")

left, right = st.columns(2)
with left:
    st.subheader("Suspects by status")
    st.dataframe([{"status": status, "suspects": n} for status, n in sorted(seen.suspects_by_status.items())],
                 hide_index=True, width="stretch")
    st.subheader("Arrests by jurisdiction")
    st.dataframe([{"jurisdiction": row.name, "arrests": row.arrests} for row in seen.arrests_by_jurisdiction],
                 hide_index=True, width="stretch")
with right:
    st.subheader("Tasks by agency and status")
    statuses = TASKS.fields["status"].parse.options
    by_agency: dict[str, dict] = {}
    for cell in seen.tasks_by_agency_status:
        row = by_agency.setdefault(cell.agency, {"agency": cell.agency, **dict.fromkeys(statuses, 0), "overdue": 0})
        row[cell.status] = cell.tasks  # 0, never blank, where an agency has none in a status
        row["overdue"] += cell.overdue
    st.dataframe(list(by_agency.values()), hide_index=True, width="stretch")
    st.subheader("Evidence by current holder")
    st.dataframe([{"agency": row.agency, "items": row.items} for row in seen.evidence_by_holder],
                 hide_index=True, width="stretch")
