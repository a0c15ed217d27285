"""What a kind keeps beside its fields: an evidence item's custody chain, a task's updates."""

from __future__ import annotations

import streamlit as st

from coordination import policy, services
from coordination.db import read_session
from coordination.kinds import CUSTODY_TRANSFER, EVIDENCE, TASKS
from coordination.queries import tasks as task_queries
from coordination.queries.custody import custody_chain
from coordination.queries.records import RecordView
from coordination.text import plain
from coordination.ui.widgets.context import engine, principal
from coordination.ui.widgets.inputs import field_input
from coordination.ui.widgets.writes import attempt, key, missing, problems_of, show_problem, token

NO_CHANGE = "(no change)"


def custody(item: RecordView) -> None:
    viewer = principal()
    with read_session(engine()) as session:
        chain = custody_chain(session, viewer, item.id)
    st.dataframe(chain, hide_index=True, width="stretch", column_config={
        "when (UTC)": "When (UTC)", "from": "From", "to": "To", "place": "Place", "purpose": "Purpose",
        "seal": "Seal", "condition": "Condition", "hash check": "SHA-256 check"})
    if not policy.can_transfer(viewer, item.holder_agency_id):
        st.caption("Only the current holder's agency can transfer this item.")
        return
    form = f"transfer-{item.id}"
    pending = st.session_state.get(f"{form}-pending")
    if pending:
        _confirm_transfer(item, form, pending)
        return
    digital = bool(item.values.get("sha256"))
    with st.form(form):
        st.markdown("**Transfer custody**")
        data = {}
        for name, spec in CUSTODY_TRANSFER.items():
            if name == "hash_checked" and not digital:
                continue  # only digital items carry a hash to re-compute
            data[name] = field_input(name, spec, "", key(form, name))
            show_problem(form, name)
        if st.form_submit_button("Review transfer"):
            if not missing(form, CUSTODY_TRANSFER, data):
                st.session_state[f"{form}-pending"] = {k: v for k, v in data.items() if v.strip()}
            st.rerun()


def _confirm_transfer(item: RecordView, form: str, data: dict[str, str]) -> None:
    """A transfer is never edited afterwards: say what will be recorded, and record it only when confirmed."""
    holder = f"{item.values.get('holder_agency', '')} {item.values.get('holder_name', '')}".strip()
    to = f"{data.get('to_agency', '?')} {data.get('to_holder', '?')}"
    st.warning(plain(f"Record the transfer of {item.values[EVIDENCE.key]} from {holder} to {to} at "
                     f"{data.get('occurred_at', '?')} ({data.get('purpose', 'no purpose given')})? A custody event "
                     "cannot be changed afterwards."))
    left, right = st.columns(2)
    if left.button("Confirm transfer", key=f"{form}-confirm", type="primary"):
        st.session_state.pop(f"{form}-pending")
        attempt(services.transfer_custody, item.id, int(item.values["version"]), data, submission=token(form, data),
                form=form, labels={name: spec.label_for(name) for name, spec in CUSTODY_TRANSFER.items()},
                confirm=lambda event: f"{item.values[EVIDENCE.key]} transferred to {to} "
                                      f"(custody event {event.sequence}).")
    if right.button("Change the transfer", key=f"{form}-back"):
        st.session_state.pop(f"{form}-pending")
        st.rerun()
    if problems_of(form):
        st.error("Please correct the transfer.")


def task_updates(task: RecordView) -> None:
    viewer = principal()
    with read_session(engine()) as session:
        updates = task_queries.task_updates(session, viewer, task.id)
    st.dataframe(updates, hide_index=True, width="stretch", column_config={
        "when (UTC)": "When (UTC)", "who": "Who", "note": "Note", "status": "Status"})
    if not policy.can_add_update(viewer, task.owning_agency_id):
        return
    form = f"task-update-{task.id}"
    status = task.values["status"]
    with st.form(form):
        body = st.text_area("Note *", key=key(form, "body"))
        show_problem(form, "body")
        options = [NO_CHANGE] + [s for s in TASKS.fields["status"].parse.options if s != status]
        new_status = st.selectbox(f"Status (now {status})", options, key=key(form, "status"))
        show_problem(form, "new_status")
        sent = st.form_submit_button("Add update")
    if not sent:
        return
    changing = new_status != NO_CHANGE
    change = f", status {status} → {new_status}." if changing else "."
    attempt(services.add_task_update, task.id, body, new_status if changing else None, int(task.values["version"]),
            loaded_status=status, submission=token(form, body.strip()),  # a note is sent once
            form=form, labels={"body": "The note", "new_status": "The status"},
            confirm=f"{task.values[TASKS.key]}: update added{change}")
