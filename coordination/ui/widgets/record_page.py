"""One screen per kind of record (suspects, arrests, evidence items, tasks): a scoped, searchable
table, the selected record with its history, a form for new records, and spreadsheets in and out.

Forms speak the spreadsheet's language: every field is the text an export would hold, so a
form, an import and an export agree on what a value looks like.
"""

from __future__ import annotations

import streamlit as st

from coordination import policy
from coordination.kinds import Kind
from coordination.ui.widgets import files, record_forms
from coordination.ui.widgets.context import principal
from coordination.ui.widgets.record_detail import detail
from coordination.ui.widgets.record_table import record_table
from coordination.ui.widgets.words import a


def record_page(kind: Kind) -> None:
    viewer = principal()
    st.title(kind.title)
    listing, new, bulk = st.tabs(["Records", "New", "Import and export"], key=f"{kind.name}-tabs")
    with listing:
        selected = record_table(kind) or st.query_params.get("open")  # ?open=AGENCY/REF: a link from the inbox
        if selected:
            detail(kind, selected)
    with new:
        if policy.can_create(viewer, kind):
            record_forms.create_form(kind)
        else:
            st.info(f"{a(viewer.role.value).capitalize()} does not create {kind.title.lower()}.")
    with bulk:
        files.export_panel(kind)
        if policy.can_import(viewer, kind):
            files.import_panel(kind)
