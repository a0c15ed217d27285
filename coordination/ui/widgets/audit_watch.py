"""Live pages that cost nothing while nothing happens: a short-interval fragment reads the audit
trail's head (one indexed row) and reruns the page only when it moved, or when the page is older
than a minute (what it shows may depend on the clock, like a package going silent)."""

from __future__ import annotations

import time

import streamlit as st

from coordination import audit
from coordination.db import read_session
from coordination.ui import gate
from coordination.ui.widgets.context import engine

CLOCK_S = 60  # a page whose content ages with the clock is redrawn at least this often


def head_now(database) -> int:
    """The audit trail's last sequence number: one row read by its primary key."""
    with read_session(database) as session:
        return audit.head(session)[0]


def seen_now(key: str) -> int:
    """The audit head the page is about to draw (read before its data, so no write slips between)."""
    head = head_now(engine())
    st.session_state[key] = (head, time.monotonic())
    return head


def changed(key: str) -> bool:
    """The no-change check: has anything been written since the page drew `key`'s head?"""
    seen = st.session_state.get(key)
    if seen is None:
        return False
    return head_now(engine()) != seen[0] or time.monotonic() - seen[1] > CLOCK_S


def rerun_on_change(key: str, every_s: float) -> None:
    """Check every `every_s` seconds; rerun the whole page when something changed (a rerun the page
    makes by itself: not activity, for the idle timeout)."""
    def watch() -> None:
        if changed(key):
            gate.rerun_by_itself()
    gate.refreshing(every_s, watch)
