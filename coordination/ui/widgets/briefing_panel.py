"""The dashboard's briefing button: builds the PDF only when asked, with progress, then offers it.
Under "Handing it out": the highest marking to include, the view of another agency's liaison
(commanders), and the distribution list for the cover."""

from __future__ import annotations

import streamlit as st

from coordination import briefing, chart_images, policy, settings
from coordination.aggregates import Filters
from coordination.db import read_session
from coordination.markings import TLP
from coordination.queries import people
from coordination.ui.widgets.context import engine, partner_codes, principal
from coordination.ui.widgets.writes import shown_errors

PREPARED = "briefing-prepared"
EVERYTHING = "Everything I may see"
MYSELF = "Myself"


def render(filters: Filters) -> None:
    viewer = principal()
    if not policy.can_brief(viewer):
        return
    chart_images.warm_up()  # Chromium starts while the person reads the page
    with st.container(border=True):
        left, right = st.columns([3, 1], vertical_alignment="center")
        since_last = left.checkbox("List the changes since my last briefing (otherwise the last 24 hours)",
                                   key="briefing-since-last")
        audience = _audience(viewer)
        if right.button("Prepare briefing PDF", key="briefing-prepare", type="primary"):
            bar = st.progress(0.0, text="Starting")
            with shown_errors():
                result = briefing.export(engine(), viewer, filters, since_last, audience=audience,
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
        st.caption("The briefing holds a summary, the figures of this page (with its filters), its charts, key "
                   "tables and recent changes; only what you may see, marked with the highest marking it holds.")


def _audience(viewer) -> briefing.Audience:
    with st.expander("Handing it out: marking, view and distribution"):
        first, second = st.columns(2)
        up_to = first.selectbox("Highest marking to include", [EVERYTHING, *(t.label for t in TLP)],
                                key="briefing-up-to",
                                help="A shareable version: records marked above it are left out and not counted.")
        as_liaison_of = None
        if policy.can_brief_as_others(viewer):
            chosen = second.selectbox("Prepare it as received by", [MYSELF, *partner_codes()],
                                      format_func=lambda code: code if code == MYSELF else f"a liaison of {code}",
                                      key="briefing-as-liaison-of",
                                      help="What that agency's liaison may see, and nothing else.")
            as_liaison_of = None if chosen == MYSELF else chosen
        known = _people(settings.load().database_url, principal().operation_id)
        to_people = st.multiselect("Distribution: people", list(known), format_func=known.get,
                                   key="briefing-people")
        to_agencies = st.multiselect("Distribution: agencies", partner_codes(), key="briefing-agencies")
    return briefing.Audience(up_to=None if up_to == EVERYTHING else up_to, as_liaison_of=as_liaison_of,
                             people=tuple(to_people), agencies=tuple(to_agencies))


@st.cache_data(ttl=60, show_spinner=False)  # the people one may name: read once a minute, not on every rerun
def _people(database_url: str, operation_id: int | None) -> dict[str, str]:
    """The members of the operation read (the key: an operation's people, whoever asks)."""
    del database_url  # part of the key only
    with read_session(engine()) as session:
        return people.assignable(session, principal(), None)
