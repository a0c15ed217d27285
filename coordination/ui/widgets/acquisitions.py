"""An exhibit's acquisitions, on its page: the forensic images and extractions made of its data at
the lab, each with its SHA-256, tool and custody, and a form to record one (ISO/IEC 27037: a device is
sealed at the door without a hash; its hash is its image's)."""

from __future__ import annotations

import streamlit as st

from coordination import policy, services
from coordination.db import read_session
from coordination.fields import Field
from coordination.kinds import ACQUISITION, CUSTODY_TRANSFER, EVIDENCE
from coordination.queries import acquisitions
from coordination.queries.records import RecordView
from coordination.text import plain
from coordination.ui.widgets.context import engine, principal
from coordination.ui.widgets.inputs import field_input
from coordination.ui.widgets.writes import attempt, key, missing, problems_of, show_problem, token

# in this order: the 64-character hash last, so that who holds the image is read without scrolling
COLUMNS = {"reference": "Acquisition", "method": "Method", "tool": "Tool and version", "examiner": "Examiner",
           "acquired (UTC)": "Acquired (UTC)", "held by": "Held by", "sha256": "SHA-256 of the image"}
# an image's SHA-256 is re-computed at every hand-over
TRANSFER = CUSTODY_TRANSFER | {"hash_checked": Field(CUSTODY_TRANSFER["hash_checked"].parse, required=True,
                                                     label="SHA-256 of the image, re-computed now")}
CUSTODY = {"when (UTC)": "When (UTC)", "from": "From", "to": "To", "place": "Place", "purpose": "Purpose",
           "condition": "Condition", "hash check": "SHA-256 check"}


def acquisitions_panel(item: RecordView) -> None:
    viewer = principal()
    with read_session(engine()) as session:
        made = acquisitions.acquisitions_of(session, viewer, item.id)
        chains = {view.id: acquisitions.custody_of(session, viewer, view.id) for view in made}
    reference = item.values[EVIDENCE.key]
    if made:
        st.dataframe([view.row for view in made], hide_index=True, width="stretch", column_config=COLUMNS,
                     column_order=tuple(COLUMNS))
        for view in made:
            form = f"acquisition-transfer-{view.id}"  # kept open while its hand-over is reviewed or refused
            with st.expander(f"Custody of {view.reference}",
                             expanded=bool(problems_of(form) or st.session_state.get(f"{form}-pending"))):
                st.dataframe(chains[view.id], hide_index=True, width="stretch", column_config=CUSTODY)
                if policy.can_transfer(viewer, view.holder_agency_id):
                    _hand_on(view)
    else:
        st.caption(f"No acquisition of {plain(reference)} is recorded yet: a sealed device has no hash until "
                   "its data is imaged or extracted at the lab.")
    if item.holder_agency_id is not None and policy.can_record_acquisition(viewer, item.holder_agency_id):
        _record_form(item, reference)
    else:
        st.caption("Only the agency holding this item records its acquisitions.")


def _hand_on(view: acquisitions.AcquisitionView) -> None:
    """Hand an image on, as an exhibit is: reviewed first (a custody event is never changed), its
    SHA-256 re-computed."""
    form = f"acquisition-transfer-{view.id}"
    pending = st.session_state.get(f"{form}-pending")
    if pending:
        to = f"{pending.get('to_agency', '?')} {pending.get('to_holder', '?')}"
        st.warning(plain(f"Record the hand-over of {view.reference} from {view.row['held by']} to {to}? A custody "
                         "event cannot be changed afterwards."))
        left, right = st.columns(2)
        if left.button("Confirm the hand-over", key=f"{form}-confirm", type="primary"):
            st.session_state.pop(f"{form}-pending")
            attempt(services.transfer_acquisition, view.id, view.version, pending,
                    submission=token(form, pending), form=form,
                    labels={name: spec.label_for(name) for name, spec in TRANSFER.items()},
                    confirm=lambda event: f"{view.reference} handed on to {to} (custody event {event.sequence}).")
        if right.button("Change the hand-over", key=f"{form}-back"):
            st.session_state.pop(f"{form}-pending")
            st.rerun()
        return
    with st.form(form):
        st.markdown(f"**Hand on {plain(view.reference)}**")
        data = {}
        for name, spec in TRANSFER.items():
            data[name] = field_input(name, spec, "", key(form, name))
            show_problem(form, name)
        if st.form_submit_button("Review the hand-over"):
            if not missing(form, TRANSFER, data):
                st.session_state[f"{form}-pending"] = {k: v for k, v in data.items() if v.strip()}
            st.rerun()


def _record_form(item: RecordView, reference: str) -> None:
    form = f"acquisition-{item.id}"
    with st.form(form):
        st.markdown(f"**Record an acquisition of {plain(reference)}**")
        data = {}
        for name, spec in ACQUISITION.items():
            data[name] = field_input(name, spec, "", key(form, name))
            show_problem(form, name)
        sent = st.form_submit_button("Record the acquisition", type="primary")
    if sent:
        typed = {name: value for name, value in data.items() if value.strip()}
        attempt(services.record_acquisition, item.id, typed, submission=token(form, typed), form=form,
                labels={name: spec.label_for(name) for name, spec in ACQUISITION.items()},
                confirm=lambda made: f"{made.reference} recorded: the {made.method.value} of {reference}, "
                                     f"SHA-256 {made.sha256}, held by {made.holder_name}.")
