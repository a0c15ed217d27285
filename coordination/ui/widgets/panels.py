"""What a kind keeps beside its fields: an evidence item's custody chain, a task's updates."""

from __future__ import annotations

import streamlit as st

from coordination import policy, services
from coordination.db import read_session, write_session
from coordination.kinds import CUSTODY_TRANSFER, TASKS
from coordination.queries import tasks as task_queries
from coordination.queries.custody import custody_chain
from coordination.queries.records import RecordView
from coordination.ui.widgets.context import agency_codes, engine, principal, shown_errors

NO_CHANGE = "(no change)"


def custody(item: RecordView) -> None:
    viewer = principal()
    with read_session(engine()) as session:
        chain = custody_chain(session, viewer, item.id)
    st.dataframe(chain, hide_index=True, width="stretch")
    if not policy.can_transfer(viewer, item.holder_agency_id):
        st.caption("Only the current holder's agency can transfer this item.")
        return
    with st.form(f"transfer-{item.id}"):
        st.markdown("**Transfer custody**")
        data = {"to_agency": st.selectbox("To agency", agency_codes(), key=f"transfer-{item.id}-to_agency")}
        for name, spec in CUSTODY_TRANSFER.items():
            if name != "to_agency":
                data[name] = st.text_input(_transfer_label(name, spec), key=f"transfer-{item.id}-{name}")
        if st.form_submit_button("Record transfer"):
            with shown_errors(), write_session(engine()) as session:
                services.transfer_custody(session, viewer, item.id, int(item.values["version"]),
                                          {k: v for k, v in data.items() if v.strip()})
                st.success("Transfer recorded.")


def _transfer_label(name: str, spec) -> str:
    label = spec.label_for(name)
    label = label[0].upper() + label[1:] + (" *" if spec.required else "")
    return label + " (UTC, 2022-11-08T09:00:00Z)" if name == "occurred_at" else label


def task_updates(task: RecordView) -> None:
    viewer = principal()
    with read_session(engine()) as session:
        updates = task_queries.task_updates(session, viewer, task.id)
    st.dataframe(updates, hide_index=True, width="stretch")
    if not policy.can_add_update(viewer, task.owning_agency_id):
        return
    status = task.values["status"]
    with st.form(f"task-update-{task.id}"):
        body = st.text_area("Note", key=f"task-update-{task.id}-body")
        options = [NO_CHANGE] + [s for s in TASKS.fields["status"].parse.options if s != status]
        new_status = st.selectbox("Change status to", options, key=f"task-update-{task.id}-status")
        if st.form_submit_button("Add update"):
            with shown_errors(), write_session(engine()) as session:
                services.add_task_update(session, viewer, task.id, body,
                                         None if new_status == NO_CHANGE else new_status,
                                         int(task.values["version"]))
                st.success("Update added.")

