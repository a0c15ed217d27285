"""The inbox: what the operation told me (newest first, filtered by kind and read), each entry
opening its record; and my notification settings (mail, kinds, a daily briefing)."""

import streamlit as st

from coordination.ui.widgets import inbox

st.title("Inbox")
listing, choices = st.tabs(["Notifications", "Settings"], key="inbox-tabs")
with listing:
    inbox.notification_list()
with choices:
    inbox.settings_form()
