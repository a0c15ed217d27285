"""A kind's table: search, filters, a sort, one page of the rows the viewer may see (paged, sorted
and filtered in SQL), and a way to open one."""

from __future__ import annotations

import streamlit as st

from coordination.db import read_session
from coordination.kinds import Kind
from coordination.markings import TLP
from coordination.queries import records
from coordination.ui.widgets import words
from coordination.ui.widgets.context import engine, partner_codes, principal

ORDERS = ("ascending", "descending")


def counted(n: int, kind: Kind) -> str:
    """'1 suspect', '0 suspects', '1,841 evidence items'."""
    return words.counted(n, kind.entity, kind.title.lower())


def record_table(kind: Kind) -> str | None:
    """Draw the table; the key of the record the viewer selected or typed, if any."""
    search = st.text_input("Search", key=f"{kind.name}-search", placeholder="reference, name, place ...")
    columns = st.columns(3)
    agencies = columns[0].multiselect("Owning agency", partner_codes(), key=f"{kind.name}-agency")
    markings = columns[1].multiselect("Marking", [t.value for t in TLP], key=f"{kind.name}-tlp")
    statuses = columns[2].multiselect("Status", records.statuses(kind), key=f"{kind.name}-status")
    columns = st.columns(3)
    sort_by = columns[0].selectbox("Sort by", records.sortable(kind), format_func=kind.label,
                                   key=f"{kind.name}-sort")
    descending = columns[1].radio("Order", ORDERS, horizontal=True, key=f"{kind.name}-order") == "descending"
    page_size = columns[2].selectbox("Rows per page", records.PAGE_SIZES, index=1, key=f"{kind.name}-page-size")
    filters = records.TableFilters(search.strip(), tuple(agencies), tuple(markings), tuple(statuses))
    order = records.TableOrder(sort_by, descending)

    page_key = f"{kind.name}-page"
    shape = (filters, order, page_size)  # another filter, sort or page size starts again from page 1
    if st.session_state.get(f"{kind.name}-paged") != shape:
        st.session_state[f"{kind.name}-paged"] = shape
        st.session_state[page_key] = 1
    with read_session(engine()) as session:
        found = records.table(session, principal(), kind, filters, order, st.session_state.get(page_key, 1),
                              page_size)
    st.session_state[page_key] = found.page  # a page past the end (rows gone since) shows the last

    st.caption(caption(found, kind))
    shown = found.shown
    visible = [n for n, name in enumerate(shown.columns) if name != "recipients"]
    table = {kind.label(shown.columns[n]): [row[n] for row in shown.rows] for n in visible}
    # keyed by what is shown, so a selection never carries over to another page's row
    event = st.dataframe(table, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                         key=f"{kind.name}-table-{hash((shape, found.page))}")
    if found.pages > 1:
        _page_controls(kind, found)
    rows = event.selection.rows if event and event.selection else []
    opened = _open_by_reference(kind)
    if rows:  # references are unique per agency: a chosen row is named with its agency
        row = dict(zip(shown.columns, shown.rows[rows[0]], strict=True))
        return f"{row['owning_agency']}/{row[kind.key]}"
    return opened or None


def _open_by_reference(kind: Kind) -> str:
    """The reference last sent from "Open by reference" (Enter or "Open").

    Sent as a form, kept apart from the box: the box is emptied once sent, and the page opens what
    was sent, not what the box holds. A box that kept the open record's reference was restored to it,
    in the browser too, by a run that did not carry what the person was typing (a click on the
    page's own link in the sidebar starts one): the reference typed meanwhile, or sent with Enter,
    was lost and the record open before stayed open. An empty box has nothing to restore."""
    opened = f"{kind.name}-opened"
    with st.form(f"{kind.name}-open-form", border=False, clear_on_submit=True):
        box, button = st.columns([6, 1], vertical_alignment="bottom")
        typed = box.text_input(f"Open by {kind.label(kind.key).lower()}", key=f"{kind.name}-open",
                               placeholder="or select a row above")
        if button.form_submit_button("Open", key=f"{kind.name}-open-sent", width="stretch"):
            st.session_state[opened] = typed.strip()
    return st.session_state.get(opened, "")


def caption(found: records.Table, kind: Kind) -> str:
    """'Rows 51-100 of 1,841 suspects you may see', or '12 suspects you may see' when one page holds them."""
    if found.pages == 1:
        return f"{counted(found.total, kind)} you may see"
    return f"Rows {found.first:,}-{found.last:,} of {counted(found.total, kind)} you may see"


def _turn(page_key: str, by: int) -> None:
    st.session_state[page_key] = st.session_state.get(page_key, 1) + by


def _page_controls(kind: Kind, found: records.Table) -> None:
    page_key = f"{kind.name}-page"
    previous, number, of, following = st.columns([1, 1, 1, 1], vertical_alignment="bottom")
    previous.button("Previous", key=f"{kind.name}-previous", disabled=found.page <= 1, on_click=_turn,
                    args=(page_key, -1), width="stretch")
    number.number_input("Page", min_value=1, max_value=found.pages, step=1, key=page_key)
    of.markdown(f"of {found.pages:,} pages")
    following.button("Next", key=f"{kind.name}-next", disabled=found.page >= found.pages, on_click=_turn,
                     args=(page_key, 1), width="stretch")
