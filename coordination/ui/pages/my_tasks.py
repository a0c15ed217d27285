"""My agency's tasks, the liaison's home: what is overdue or blocked first, then by due date."""

from datetime import UTC, datetime

import streamlit as st

from coordination.db import read_session
from coordination.kinds import TASKS
from coordination.queries.tasks import my_agency_tasks
from coordination.ui.widgets.context import engine, principal
from coordination.ui.widgets.record_detail import detail

viewer = principal()
st.title(f"{viewer.agency_code} tasks")
with read_session(engine()) as session:
    rows = my_agency_tasks(session, viewer, datetime.now(UTC).date())
st.caption(f"{len(rows):,} open tasks; overdue and blocked first. Select one to update it.")
event = st.dataframe(rows, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                     key="my-tasks-table")
chosen = event.selection.rows if event and event.selection else []
if chosen:
    detail(TASKS, rows[chosen[0]]["reference"])
