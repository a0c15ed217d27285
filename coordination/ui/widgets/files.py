"""Spreadsheets out (what the viewer may see, marked) and in (a preview first, then all rows or none)."""

from __future__ import annotations

import streamlit as st

from coordination.kinds import Kind
from coordination.services import imports
from coordination.services.exports import export_file
from coordination.ui.widgets.context import engine, principal
from coordination.ui.widgets.writes import shown_errors


def export_panel(kind: Kind) -> None:
    viewer = principal()
    st.markdown("**Export** what you may see, marked with its highest marking; formulas are neutralised.")
    columns = st.columns(2)
    for column, file_format in zip(columns, ("csv", "xlsx"), strict=True):
        if column.button(f"Prepare {file_format.upper()}", key=f"{kind.name}-export-{file_format}"):
            made = export_file(engine(), viewer, kind.name, file_format)  # read, then recorded: no save waits
            st.session_state[f"{kind.name}-export"] = (made.name, made.data, made.rows)
    prepared = st.session_state.get(f"{kind.name}-export")
    if prepared:
        name, data, rows = prepared
        st.download_button(f"Download {name} ({rows:,} rows)", data, file_name=name, key=f"{kind.name}-download")


def import_panel(kind: Kind) -> None:
    viewer = principal()
    st.markdown(f"**Import** {kind.title.lower()} from CSV (UTF-8) or XLSX, matched by "
                f"`{kind.key}`: a preview first, then all rows or none.")
    upload = st.file_uploader("File", type=["csv", "xlsx"], key=f"{kind.name}-upload")
    if upload is None:
        return
    with shown_errors():  # an operation closed meanwhile refuses the import in words
        _preview_and_import(kind, viewer, upload)


def _preview_and_import(kind: Kind, viewer, upload) -> None:
    content = upload.getvalue()
    cached = st.session_state.get(f"{kind.name}-preview")
    if cached is None or cached[0] != upload.file_id:  # check each file once, not on every rerun
        cached = (upload.file_id, imports.import_file(engine(), viewer, kind.name, upload.name, content, dry_run=True))
        st.session_state[f"{kind.name}-preview"] = cached
    preview = cached[1]
    _show_result(preview, dry_run=True)
    if preview.ok and st.button(f"Import {preview.rows:,} rows", key=f"{kind.name}-import", type="primary"):
        bar = st.progress(0.0, text="Importing")
        result = imports.import_file(engine(), viewer, kind.name, upload.name, content,
                                     progress=lambda done, total: bar.progress(done / total, text=f"{done:,} rows"))
        _show_result(result, dry_run=False)


def _show_result(result: imports.ImportResult, dry_run: bool) -> None:
    if result.problems:
        st.error(f"{len(result.problems)} problem(s); nothing will be written until every row is right.")
        st.dataframe([{"row": p.row or "file", "column": p.column, "reason": p.reason} for p in result.problems],
                     hide_index=True, width="stretch")
        return
    verb = "would create" if dry_run else "created"
    st.success(f"{result.rows:,} rows: {verb} {result.created:,}, "
               f"{'would update' if dry_run else 'updated'} {result.updated:,}, unchanged {result.unchanged:,}.")
