"""A confirmation that survives the rerun after a write: set before `st.rerun()`, shown once at the
top of the next run."""

from __future__ import annotations

import streamlit as st

from coordination.text import plain

_KEY = "_coordination_flash"


def later(message: str) -> None:
    st.session_state[_KEY] = message


def show() -> None:
    message = st.session_state.pop(_KEY, None)
    if message:
        st.success(plain(message))  # it names records by what people typed


def forget_form(prefix: str) -> None:
    """Drop the widget values of a form, so it shows the saved record (or blanks) on the next run."""
    for key in [key for key in st.session_state if isinstance(key, str) and key.startswith(prefix)]:
        del st.session_state[key]
