"""A kind's table: search, filters, the first rows the viewer may see, and a way to open one."""

from __future__ import annotations

import streamlit as st

from coordination.db import read_session
from coordination.kinds import Kind
from coordination.markings import TLP
from coordination.queries import records
from coordination.ui.widgets.context import agency_codes, engine, principal

SHOWN = 500  # rows in the table; search narrows the rest


def record_table(kind: Kind) -> str | None:
    """Draw the table; the key of the record the viewer selected or typed, if any."""
    search = st.text_input("Search", key=f"{kind.name}-search", placeholder="reference, name, place ...")
    columns = st.columns(3)
    agencies = columns[0].multiselect("Owning agency", agency_codes(), key=f"{kind.name}-agency")
    markings = columns[1].multiselect("Marking", [t.value for t in TLP], key=f"{kind.name}-tlp")
    statuses = columns[2].multiselect("Status", records.statuses(kind), key=f"{kind.name}-status")
    filters = records.TableFilters(search, tuple(agencies), tuple(markings), tuple(statuses))
    with read_session(engine()) as session:
        found = records.table(session, principal(), kind, filters, SHOWN)
    shown = found.shown
    st.caption(f"{found.total:,} {kind.title.lower()} you may see" + (f"; the first {SHOWN} by reference"
                                                                      if found.total > SHOWN else ""))
    table = [dict(zip(shown.columns, row, strict=True)) for row in shown.rows]
    event = st.dataframe(table, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                         key=f"{kind.name}-table", column_order=[c for c in shown.columns if c != "recipients"])
    rows = event.selection.rows if event and event.selection else []
    typed = st.text_input(f"Open by {kind.key.replace('_', ' ')}", key=f"{kind.name}-open",
                          placeholder="or select a row above").strip()
    return table[rows[0]][kind.key] if rows else (typed or None)
