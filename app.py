"""Takedown coordination dashboard: `streamlit run app.py` (or `make run` for the whole demo)."""

import streamlit as st

from coordination.ui import gate, navigation

st.set_page_config(page_title="Operation Elaborate · coordination", page_icon=":material/shield:", layout="wide")

principal = gate.admitted_principal()
if principal is not None:
    navigation.run(principal)
