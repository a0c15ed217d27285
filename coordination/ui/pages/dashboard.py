"""The live operation picture: filters kept in the address, the briefing button, and tiles and
charts that refresh by themselves."""

import streamlit as st

from coordination.ui.widgets import briefing_panel, live_picture
from coordination.ui.widgets.context import principal

st.title("Operation picture")
chosen = live_picture.filters()
briefing_panel.render(chosen)
live_picture.live(principal(), chosen)
