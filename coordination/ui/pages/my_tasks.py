"""My agency's tasks, the liaison's home: what is overdue or blocked first, then by due date,
narrowed by status, priority, assignee and due date."""

from datetime import UTC, datetime

import streamlit as st

from coordination.db import read_session
from coordination.kinds import TASKS
from coordination.queries import tasks
from coordination.ui.widgets.context import engine, principal
from coordination.ui.widgets.record_detail import detail


def open_tasks(n: int) -> str:
    return f"{n:,} open task" + ("" if n == 1 else "s")


viewer = principal()
today = datetime.now(UTC).date()
st.title(f"{viewer.agency_code} tasks")
with read_session(engine()) as session:
    assignees = tasks.my_agency_assignees(session, viewer)
status, priority, assignee, due = st.columns(4)
filters = tasks.TaskFilters(
    tuple(status.multiselect("Status", tasks.OPEN_STATUSES, key="my-tasks-status")),
    tuple(priority.multiselect("Priority", tasks.PRIORITIES, key="my-tasks-priority")),
    tuple(assignee.multiselect("Assignee", [*assignees, tasks.UNASSIGNED], key="my-tasks-assignee")),
    due.selectbox("Due", list(tasks.Due), format_func=lambda d: d.value, key="my-tasks-due"))
with read_session(engine()) as session:
    found = tasks.my_agency_tasks(session, viewer, today, filters)
shown = open_tasks(found.open) if filters == tasks.TaskFilters() else f"{len(found.rows):,} of {open_tasks(found.open)}"
st.caption(f"{shown}; overdue and blocked first. Select one to update it.")
if found.rows:
    event = st.dataframe(found.rows, hide_index=True, width="stretch", on_select="rerun",
                         selection_mode="single-row",
                         key=f"my-tasks-table-{hash(filters)}")  # a selection never carries over to other rows
    chosen = event.selection.rows if event and event.selection else []
    if chosen:
        detail(TASKS, found.rows[chosen[0]]["reference"])
