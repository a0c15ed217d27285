"""My agency's tasks: what is overdue or blocked first, then by due date."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st
from sqlalchemy import case, select

from coordination.aggregates import CLOSED_TASKS
from coordination.db import read_session
from coordination.exports import KINDS
from coordination.models import Task, TaskStatus, User
from coordination.policy import visible
from coordination.ui import records
from coordination.ui.context import engine, principal


def render() -> None:
    viewer = principal()
    today = datetime.now(UTC).date()
    st.title(f"{viewer.agency_code} tasks")
    overdue = (Task.due_date < today) & Task.status.not_in(CLOSED_TASKS)
    with read_session(engine()) as session:
        tasks = session.execute(
            select(Task, User.subject).outerjoin(User, User.id == Task.assignee_id)
            .where(visible(Task, viewer), Task.owning_agency_id == viewer.agency_id,
                   Task.status.not_in(CLOSED_TASKS))
            .order_by(case((overdue, 0), (Task.status == TaskStatus.BLOCKED, 1), else_=2), Task.due_date,
                      Task.reference)).all()
    rows = [{"reference": t.reference, "title": t.title, "status": t.status.value, "priority": t.priority.value,
             "due": t.due_date.isoformat() if t.due_date else "", "overdue": "OVERDUE" if t.due_date and
             t.due_date < today else "", "assignee": assignee or ""} for t, assignee in tasks]
    st.caption(f"{len(rows):,} open tasks; overdue and blocked first. Select one to update it.")
    event = st.dataframe(rows, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                         key="my-tasks-table")
    chosen = event.selection.rows if event and event.selection else []
    if chosen:
        records.detail(KINDS["tasks"], rows[chosen[0]]["reference"])
