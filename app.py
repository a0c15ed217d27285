"""Takedown coordination dashboard: `streamlit run app.py` (or `make run` for the whole demo)."""

import streamlit as st

from coordination.queries.standing_data import NO_OPERATION
from coordination.ui import background, gate, navigation
from coordination.ui.widgets import flash

# no page_icon: Streamlit would fetch a material-symbol favicon from Google; nothing may leave the network.
# No operation is named before sign-in: the gate names the one read in the title once it is settled.
st.set_page_config(page_title=NO_OPERATION, layout="wide")
background.keep_reminding()  # the reminder pass, every minute, in one replica at a time

principal = gate.admitted_principal()
if principal is not None:
    flash.show()  # the confirmation of the write that led to this run
    navigation.run(principal)
