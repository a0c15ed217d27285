"""The decision log: a commander records decisions (with rationale, options considered, who decided
and when), corrects one with a new entry, and pins entries into the briefing; everyone reads the
entries their marking allows, newest first. Nothing in the log is ever edited or deleted."""

import streamlit as st

from coordination import policy, services
from coordination.db import read_session
from coordination.kinds import DECISIONS
from coordination.queries import decisions
from coordination.text import plain
from coordination.ui.widgets.context import engine, principal
from coordination.ui.widgets.inputs import field_input
from coordination.ui.widgets.writes import attempt, key, problems_of, show_problem, token

FORM = "decision-new"
LONG = ("decision", "rationale", "options")
NOT_A_CORRECTION = ""

viewer = principal()
st.title("Decision log")
with read_session(engine()) as session:
    entries = decisions.log(session, viewer)


def record_form() -> None:
    """A new entry, or a correction of one (a new entry naming it); the old one stays as it was."""
    if problems_of(FORM):
        st.error(f"Please correct {len(problems_of(FORM))} field(s) below.")
    with st.form("decision-create"):
        open_entries = {e.id: e.reference for e in entries if e.corrected_by is None}
        corrects = st.selectbox("Corrects (optional): the entry this one replaces",
                                [NOT_A_CORRECTION, *open_entries], key=key(FORM, "corrects"),
                                format_func=lambda i: open_entries.get(i, "(a new decision)"))
        show_problem(FORM, "corrects")
        values = {}
        for name, spec in DECISIONS.fields.items():
            if name in LONG:
                label = spec.label_for(name) + (" *" if spec.required else "")
                values[name] = st.text_area(label, key=key(FORM, name))
            else:
                values[name] = field_input(name, spec, viewer.agency_code if name == "owning_agency" else "",
                                           key(FORM, name), owning_agency=viewer.agency_code)
            show_problem(FORM, name)
        sent = st.form_submit_button("Record the decision")
    st.caption("Left blank, “decided by” is you and “decided at” is now. An entry cannot be changed afterwards: "
               "a correction is a new entry, and the one it corrects shows as corrected.")
    if not sent:
        return
    data = {name: value for name, value in values.items() if value.strip()}
    correcting = f", correcting {open_entries[corrects]}" if corrects else ""
    attempt(services.record_decision, data, corrects=corrects or None, submission=token(FORM, (data, corrects)),
            form=FORM, labels={name: DECISIONS.label(name) for name in DECISIONS.fields}
            | {"corrects": "The corrected entry"},
            confirm=f"Recorded decision {data.get('reference', '')}{correcting}.")


def pin_button(entry: decisions.Entry) -> None:
    label = "Unpin from the briefing" if entry.pinned else "Pin into the briefing"
    if not st.button(label, key=f"decision-pin-{entry.id}"):
        return
    attempt(services.pin_decision, entry.id, not entry.pinned,
            confirm=f"{entry.reference} {'unpinned' if entry.pinned else 'pinned into the briefing'}.")


def show(entry: decisions.Entry, may_pin: bool) -> None:
    with st.container(border=True):
        flags = [f for f in ("pinned into the briefing" if entry.pinned else "",
                             f"corrected by {entry.corrected_by}" if entry.corrected_by else "",
                             f"corrects {entry.corrects}" if entry.corrects else "") if f]
        st.markdown(f"**{plain(entry.reference)}** · {plain(entry.marking)} · decided {plain(entry.decided_at)}"
                    + (f" · *{plain('; '.join(flags))}*" if flags else ""))
        st.markdown(f"**Decision:** {plain(entry.decision)}")
        st.markdown(f"**Rationale:** {plain(entry.rationale)}")
        if entry.options:
            st.markdown(f"**Options considered:** {plain(entry.options)}")
        st.caption(plain(f"Decided by {entry.decided_by}; recorded by {entry.recorded}; owned by "
                         f"{entry.owning_agency}"))
        if may_pin:
            pin_button(entry)


if policy.can_record_decision(viewer):
    with st.expander("Record a decision", expanded=bool(problems_of(FORM))):
        record_form()
st.caption(f"{len(entries):,} entr{'y' if len(entries) == 1 else 'ies'} you may read, newest decision first"
           + (f" (the latest {decisions.LOG_LIMIT:,})" if len(entries) == decisions.LOG_LIMIT else "") + ".")
for entry in entries:
    show(entry, policy.can_pin_decision(viewer))
