"""One record: its marking, a form to edit it, its history, the panel its kind keeps (custody for
evidence items, updates for tasks), and the identifiers of the kinds that hold them; a record read
under another agency's grant carries its handling condition at the top."""

from __future__ import annotations

import streamlit as st

from coordination import policy
from coordination.db import read_session
from coordination.kinds import ARRESTS, EVIDENCE, SUSPECTS, TASKS, Kind
from coordination.markings import HANDLING, TLP
from coordination.queries import records
from coordination.queries.history import history
from coordination.queries.marking_history import REDACTED
from coordination.text import plain
from coordination.ui.widgets import deconfliction, panels, record_forms
from coordination.ui.widgets.acquisitions import acquisitions_panel
from coordination.ui.widgets.context import engine, principal

# kind name -> (tab title, the panel drawn in it)
PANELS = {EVIDENCE.name: ("Custody", panels.custody), TASKS.name: ("Updates", panels.task_updates)}
HOLD_IDENTIFIERS = (SUSPECTS.name, EVIDENCE.name, ARRESTS.name)


def detail(kind: Kind, key: str) -> None:
    viewer = principal()
    with read_session(engine()) as session:
        record = records.find(session, viewer, kind, key)
    if record is None:
        st.warning(f"{plain(key)}: no {kind.entity} with that reference is visible to you.")
        return
    current = record.values
    st.subheader(plain(current[kind.key]))
    deconfliction.grant_banner(kind, record)
    held = (f" · held by {current['holder_agency']} ({plain(current['holder_name'])})" if "holder_agency" in current
            else "")
    st.caption(f"Owned by {current['owning_agency']}{held} · {current['classification']} TLP:{current['tlp']} · "
               f"{HANDLING[TLP(current['tlp'])]} · version {current['version']}")
    title, panel = PANELS.get(kind.name, ("Updates", None))
    # only the open tab is drawn (a tab change reruns): a save redraws the form, not the history too
    acquired = ["Acquisitions"] if kind is EVIDENCE else []  # a device's images and extractions
    titles = ["Details", "History", title, *acquired, *(["Identifiers"] if kind.name in HOLD_IDENTIFIERS else [])]
    edit, trail, more, *rest = st.tabs(titles, key=f"{kind.name}-{record.id}-tabs", on_change="rerun")
    images, identifiers = (rest[:1], rest[1:]) if acquired else ([], rest)
    if edit.open:
        with edit:
            record_forms.edit_form(kind, record.id, current, policy.can_edit(viewer, kind, record.owning_agency_id))
    if trail.open:
        with read_session(engine()) as session:
            story = history(session, viewer, kind, record.id)
        _history(trail, story)
    if more.open:
        with more:
            if panel is None:
                st.caption("Nothing more is kept for this kind of record.")
            else:
                panel(record)
    if images and images[0].open:
        with images[0]:
            acquisitions_panel(record)
    if identifiers and identifiers[0].open:
        with identifiers[0]:
            deconfliction.identifiers_panel(kind, record)


def _history(trail, story) -> None:
    with trail:
        st.dataframe([entry._asdict() for entry in story], hide_index=True, width="stretch",
                     column_config={"when": "When", "who": "Who", "what": "What happened"})
        if any(REDACTED in entry.what for entry in story):
            st.caption(f"{REDACTED}: values from a time when this record's marking did not let you read it.")

