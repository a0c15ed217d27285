"""Takedown coordination dashboard: `streamlit run app.py` (or `make run` for the whole demo)."""

import streamlit as st

from coordination.ui import gate, navigation

# no page_icon: Streamlit would fetch a material-symbol favicon from Google; nothing may leave the network
st.set_page_config(page_title="Operation Elaborate · coordination", layout="wide")

principal = gate.admitted_principal()
if principal is not None:
    navigation.run(principal)
