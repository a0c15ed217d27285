"""The operation's timeline: what happened, newest first, in sentences, narrowed by the agency
owning each record, by kind of record and by days (UTC); paged back in time, 50 events a page."""

from datetime import UTC, datetime, time, timedelta

import streamlit as st

from coordination.db import read_session
from coordination.queries import timeline
from coordination.text import plain
from coordination.ui.widgets.context import engine, partner_codes, principal

viewer = principal()
st.title("Timeline")
agencies, kinds, first_day, last_day = st.columns(4)
chosen_since = first_day.date_input("From (UTC day)", None, key="timeline-since", format="YYYY-MM-DD")
chosen_until = last_day.date_input("Until (UTC day, included)", None, key="timeline-until", format="YYYY-MM-DD")
filters = timeline.Filters(
    tuple(agencies.multiselect("Agency owning the record", partner_codes(), key="timeline-agencies")),
    tuple(kinds.multiselect("Kind of record", list(timeline.KINDS), key="timeline-kinds",
                            format_func=lambda name: timeline.KINDS[name].title)),
    datetime.combine(chosen_since, time(), UTC) if chosen_since else None,
    datetime.combine(chosen_until + timedelta(days=1), time(), UTC) if chosen_until else None)

# the cursors of the pages shown so far (None: the newest page), kept until the filters change
trail = st.session_state.get("timeline-trail")
if trail is None or trail[0] != filters:
    trail = st.session_state["timeline-trail"] = (filters, [None])
cursors = trail[1]
with read_session(engine()) as session:
    found = timeline.page(session, viewer, filters, before=cursors[-1])

st.caption(f"Page {len(cursors)}, newest first; times in UTC. Only events about records you may read are shown.")
if found.lines:
    # one sentence a line, read as text (every value escaped: references and notes are typed by people)
    st.markdown("\n".join(f"- **{plain(line.when)}** · {plain(line.who)} {plain(line.what)}" for line in found.lines))
else:
    st.info("Nothing happened to records you may read within these filters.")
newer, older = st.columns(2)
if newer.button("Newer", key="timeline-newer", disabled=len(cursors) == 1):
    cursors.pop()
    st.rerun()
if older.button("Older", key="timeline-older", disabled=found.older is None):
    cursors.append(found.older)
    st.rerun()
