"""Deconfliction: the hits the viewer's agency is told of, newest first; contact requests to and from
it; a check of one identifier before acting; and for command, hits counted by agency pair, overdue
requests and the exclusion list. Lists refresh by themselves."""

import streamlit as st

from coordination import policy, settings
from coordination.ui.widgets import deconfliction_page as part
from coordination.ui.widgets.context import principal
from coordination.ui.widgets.deconfliction import key_notice

viewer = principal()
st.title("Deconfliction")
st.caption("Another agency holding the same phone number, account, wallet or person is told to you here; what "
           "they hold stays theirs until they approve a request for contact.")
if not key_notice():
    st.stop()
sections = {"Hits": part.hits_tab}
if policy.sees_contact_requests(viewer):
    sections["Contact requests"] = part.requests_tab
if policy.can_check_identifier(viewer):
    sections["Check an identifier"] = part.check_tab
if policy.can_manage_exclusions(viewer) or policy.sees_overdue_contact_requests(viewer):
    sections["Command"] = part.command_tab
refresh = settings.load().refresh_s
for tab, draw in zip(st.tabs(list(sections), key="deconfliction-tabs"), sections.values(), strict=True):
    with tab:
        draw(refresh)
