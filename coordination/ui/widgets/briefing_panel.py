"""The dashboard's briefing button: builds the PDF only when asked, with progress, then offers it."""

from __future__ import annotations

import streamlit as st

from coordination import briefing, chart_images, policy
from coordination.aggregates import Filters
from coordination.ui.widgets.context import engine, principal, shown_errors

PREPARED = "briefing-prepared"


def render(filters: Filters) -> None:
    viewer = principal()
    if not policy.can_brief(viewer):
        return
    chart_images.warm_up()  # Chromium starts while the person reads the page
    with st.container(border=True):
        left, right = st.columns([3, 1], vertical_alignment="center")
        since_last = left.checkbox("List the changes since my last briefing (otherwise the last 24 hours)",
                                   key="briefing-since-last")
        if right.button("Prepare briefing PDF", key="briefing-prepare", type="primary"):
            bar = st.progress(0.0, text="Starting")
            with shown_errors():
                result = briefing.export(engine(), viewer, filters, since_last,
                                         progress=lambda step, done: bar.progress(done, text=step))
                c = result.contents
                st.session_state[PREPARED] = (result.file_name, result.pdf, f"{c.classification.value} {c.tlp.label}",
                                              result.charts_note)
            bar.empty()
        prepared = st.session_state.get(PREPARED)
        if prepared:
            name, pdf, marking, charts_note = prepared
            st.download_button(f"Download the briefing ({marking}, {len(pdf) / 1e6:.1f} MB)", pdf, file_name=name,
                               mime="application/pdf", key="briefing-download")
            if charts_note:
                st.info(f"Charts are not in this PDF. {charts_note}")
        st.caption("The briefing holds the figures of this page (with its filters), its charts, key tables and "
                   "recent changes; only what you may see, marked with the highest marking it holds.")
