"""One screen per kind of record (suspects, arrests, evidence items, tasks): a scoped, searchable
table, the selected record with its history, and forms that call the services.

Forms speak the spreadsheet's language: every field is the text an export would hold, so a
form, an import and an export agree on what a value looks like.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy import func, or_, select

from coordination import exports, imports, services
from coordination.db import read_session, write_session
from coordination.errors import ConflictError
from coordination.exports import KINDS, Kind
from coordination.markings import HANDLING, TLP
from coordination.models import Agency, AuditEvent, CustodyEvent, TaskUpdate, User
from coordination.policy import Action, can_write, visible
from coordination.ui.context import agency_codes, engine, jurisdiction_codes, principal, shown_errors

SHOWN = 500  # rows in the table; search narrows the rest
SEARCH = {"suspects": ("reference", "full_name", "aliases"), "arrests": ("reference", "place", "offences"),
          "evidence": ("exhibit_ref", "description", "holder_name"), "tasks": ("reference", "title")}
TITLES = {"suspects": "Suspects", "arrests": "Arrests", "evidence": "Evidence items", "tasks": "Tasks"}
CREATE = {"suspects": services.create_suspect, "arrests": services.create_arrest,
          "evidence": services.create_evidence_item, "tasks": services.create_task}
UPDATE = {"suspects": services.update_suspect, "arrests": services.update_arrest,
          "evidence": services.update_evidence_item, "tasks": services.update_task}
TRANSFER_LABELS = {"to_holder": "To holder (person or unit) *", "occurred_at": "When * (UTC, 2022-11-08T09:00:00Z)",
                   "place": "Place *", "purpose": "Purpose *", "seal_number": "Seal number", "condition": "Condition *",
                   "hash_checked": "SHA-256 re-computed now (digital items)"}
FIXED_AFTER_CREATE = {"evidence": {"exhibit_ref", "sha256", "seized_from", "seized_at", "seized_place", "holder_name"}}


def render(kind_name: str) -> None:
    kind, viewer = KINDS[kind_name], principal()
    st.title(TITLES[kind_name])
    listing, new, bulk = st.tabs(["Records", "New", "Import and export"])
    with listing:
        selected = _table(kind)
        if selected:
            detail(kind, selected)
    with new:
        if can_write(viewer, Action.CREATE, entity=kind.model.entity, owning_agency_id=viewer.agency_id):
            _create_form(kind)
        else:
            st.info(f"A {viewer.role.value} does not create {TITLES[kind_name].lower()}.")
    with bulk:
        _export(kind)
        if kind_name in imports.IMPORTABLE and viewer.role.value == "liaison":
            _import(kind)


# --- the table -------------------------------------------------------------------------------

def _table(kind: Kind) -> str | None:
    viewer, model = principal(), kind.model
    search = st.text_input("Search", key=f"{kind.name}-search", placeholder="reference, name, place ...")
    columns = st.columns(3)
    agencies = columns[0].multiselect("Owning agency", agency_codes(), key=f"{kind.name}-agency")
    markings = columns[1].multiselect("Marking", [t.value for t in TLP], key=f"{kind.name}-tlp")
    statuses = getattr(model.status.type, "enums", []) if hasattr(model, "status") else []
    status = columns[2].multiselect("Status", statuses, key=f"{kind.name}-status")
    where = []
    if search.strip():
        pattern = f"%{search.strip()}%"
        where.append(or_(*(getattr(model, column).ilike(pattern) for column in SEARCH[kind.name])))
    if agencies:
        where.append(model.owning_agency_id.in_(select(Agency.id).where(Agency.code.in_(agencies))))
    if markings:
        where.append(model.tlp.in_(markings))
    if status:
        where.append(model.status.in_(status))
    with read_session(engine()) as session:
        total = session.scalar(select(func.count()).select_from(model).where(visible(model, viewer), *where))
        shown = exports.build(session, viewer, kind.name, where, limit=SHOWN)
    st.caption(f"{total:,} {TITLES[kind.name].lower()} you may see" + (f"; the first {SHOWN} by reference"
                                                                       if total > SHOWN else ""))
    table = [dict(zip(shown.columns, row, strict=True)) for row in shown.rows]
    event = st.dataframe(table, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                         key=f"{kind.name}-table", column_order=[c for c in shown.columns if c != "recipients"])
    rows = event.selection.rows if event and event.selection else []
    typed = st.text_input(f"Open by {kind.key.replace('_', ' ')}", key=f"{kind.name}-open",
                          placeholder="or select a row above").strip()
    return table[rows[0]][kind.key] if rows else (typed or None)


# --- one record ------------------------------------------------------------------------------

def detail(kind: Kind, key: str) -> None:
    viewer = principal()
    with read_session(engine()) as session:
        record = session.scalar(select(kind.model).where(getattr(kind.model, kind.key) == key,
                                                         visible(kind.model, viewer)))
        if record is None:
            st.warning(f"{key} is no longer visible to you.")
            return
        one = exports.build(session, viewer, kind.name, [kind.model.id == record.id])
        current = dict(zip(one.columns, one.rows[0], strict=True))
        history = _history(session, kind.model.entity, record.id)
        extra = _custody(session, record.id) if kind.name == "evidence" else \
            _task_updates(session, record.id) if kind.name == "tasks" else None
        holder_agency = getattr(record, "holder_agency_id", None)
    st.subheader(f"{key}")
    st.caption(f"Owned by {current['owning_agency']} · {current['classification']} TLP:{current['tlp']} · "
               f"{HANDLING[TLP(current['tlp'])]} · version {current['version']}")
    edit, trail, more = st.tabs(["Details", "History", "Custody" if kind.name == "evidence" else "Updates"])
    with edit:
        may_edit = can_write(viewer, Action.UPDATE, entity=kind.model.entity, owning_agency_id=record.owning_agency_id)
        _edit_form(kind, record.id, current, may_edit)
    with trail:
        st.dataframe(history, hide_index=True, width="stretch")
    with more:
        if kind.name == "evidence":
            st.dataframe(extra, hide_index=True, width="stretch")
            _transfer_form(record.id, int(current["version"]), holder_agency)
        elif kind.name == "tasks":
            st.dataframe(extra, hide_index=True, width="stretch")
            _task_update_form(record.id, int(current["version"]), current["status"])
        else:
            st.caption("Nothing more is kept for this kind of record.")


def _history(session, entity: str, entity_id: int) -> list[dict]:
    events = session.scalars(select(AuditEvent).where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
                             .order_by(AuditEvent.seq)).all()
    return [{"when (UTC)": e.occurred_at.strftime("%Y-%m-%d %H:%M:%S"), "who": e.actor_subject, "what": e.action,
             "outcome": e.outcome.value, "before": e.before or "", "after": e.after or ""} for e in events]


def _custody(session, item_id: int) -> list[dict]:
    agencies = {i: code for i, code in session.execute(select(Agency.id, Agency.code))}
    chain = session.scalars(select(CustodyEvent).where(CustodyEvent.evidence_item_id == item_id)
                            .order_by(CustodyEvent.sequence)).all()
    return [{"#": e.sequence, "when (UTC)": e.occurred_at.strftime("%Y-%m-%d %H:%M"),
             "from": f"{agencies.get(e.from_agency_id, '')} {e.from_holder or ''}".strip(),
             "to": f"{agencies[e.to_agency_id]} {e.to_holder}", "place": e.place, "purpose": e.purpose,
             "seal": e.seal_number or "", "condition": e.condition,
             "hash check": {True: "matches", False: "DIFFERS", None: "n/a"}[e.hash_matches]} for e in chain]


def _task_updates(session, task_id: int) -> list[dict]:
    authors = {i: s for i, s in session.execute(select(User.id, User.subject))}
    updates = session.scalars(select(TaskUpdate).where(TaskUpdate.task_id == task_id).order_by(TaskUpdate.id)).all()
    return [{"when (UTC)": u.created_at.strftime("%Y-%m-%d %H:%M"), "who": authors.get(u.author_id, ""),
             "note": u.body, "status": f"{u.status_from.value} -> {u.status_to.value}" if u.status_to else ""}
            for u in updates]


# --- forms -----------------------------------------------------------------------------------

def _options(name: str, kind: Kind) -> list[str] | None:
    """The values a field may take, when there is a short list of them."""
    parse = kind.fields[name].parse
    if hasattr(parse, "options"):
        return [""] + parse.options
    if name == "tlp":
        return [""] + [t.value for t in TLP]
    if name == "classification":
        return ["", "OFFICIAL", "OFFICIAL-SENSITIVE"]
    if name == "owning_agency":
        return [""] + agency_codes()
    if name == "jurisdiction":
        return [""] + jurisdiction_codes()
    return None


def _field(kind: Kind, name: str, value: str, key: str, disabled: bool = False) -> str:
    label = name.replace("_", " ") + (" *" if kind.fields[name].required else "")
    options = _options(name, kind)
    if options is not None:
        options = options if value in options else [value, *options]
        return st.selectbox(label, options, index=options.index(value), key=key, disabled=disabled)
    if name in ("notes", "description") and kind.name != "evidence":
        return st.text_area(label, value, key=key, disabled=disabled)
    return st.text_input(label, value, key=key, disabled=disabled)


def _create_form(kind: Kind) -> None:
    viewer = principal()
    st.caption("Times as 2022-11-07T06:00:00Z, dates as 2022-11-07. A new record takes the operation's "
               "default marking unless you choose another; TLP:RED records name their recipients "
               "(comma-separated subjects), you among them.")
    with st.form(f"{kind.name}-create"):
        values = {name: _field(kind, name, viewer.agency_code if name == "owning_agency" else "",
                               f"{kind.name}-new-{name}") for name in kind.fields}
        if st.form_submit_button("Create"):
            data = {name: value for name, value in values.items() if value.strip()}
            with shown_errors(), write_session(engine()) as session:
                CREATE[kind.name](session, viewer, data)
                st.success(f"Created {data.get(kind.key)}.")


def _edit_form(kind: Kind, record_id: int, current: dict[str, str], may_edit: bool) -> None:
    """Edit with the version the user loaded; someone else's save in between is never overwritten."""
    viewer = principal()
    loaded_key = f"{kind.name}-{record_id}-loaded"
    loaded = st.session_state.setdefault(loaded_key, current)
    fixed = FIXED_AFTER_CREATE.get(kind.name, set()) | {kind.key}
    with st.form(f"{kind.name}-{record_id}-edit"):
        typed = {name: _field(kind, name, loaded.get(name, ""), f"{kind.name}-{record_id}-{name}",
                              disabled=not may_edit or name in fixed) for name in kind.fields}
        saved = st.form_submit_button("Save", disabled=not may_edit)
    if not may_edit:
        st.caption(f"Read only: a {viewer.role.value} of {viewer.agency_code} may not change this record.")
    if loaded["version"] != current["version"]:
        _show_conflict(kind, loaded, current, typed, loaded_key)
    if saved:
        changes = {name: value for name, value in typed.items() if name not in fixed and value != loaded.get(name, "")}
        try:
            with shown_errors(), write_session(engine()) as session:
                UPDATE[kind.name](session, viewer, record_id, int(loaded["version"]), changes)
                st.session_state.pop(loaded_key)
                st.success("Saved." if changes else "Nothing changed.")
                st.rerun()
        except ConflictError:
            pass  # shown above on the rerun that follows; the typed values stay in the form


def _show_conflict(kind: Kind, loaded: dict, current: dict, typed: dict, loaded_key: str) -> None:
    others = [{"field": name, "you loaded": loaded.get(name, ""), "now saved": current.get(name, ""),
               "you typed": typed.get(name, "")}
              for name in kind.fields if loaded.get(name, "") != current.get(name, "")]
    st.warning(f"Someone saved this record after you loaded it (now version {current['version']}). "
               "Your typed values are kept below; nothing was overwritten. Compare, then reload and save again.")
    st.dataframe(others, hide_index=True, width="stretch")
    if st.button("Reload the saved version and keep my changes", key=f"{loaded_key}-reload"):
        st.session_state[loaded_key] = current
        st.rerun()


def _transfer_form(item_id: int, version: int, holder_agency_id: int) -> None:
    viewer = principal()
    if not can_write(viewer, Action.TRANSFER_CUSTODY, holder_agency_id=holder_agency_id):
        st.caption("Only the current holder's agency can transfer this item.")
        return
    with st.form(f"transfer-{item_id}"):
        st.markdown("**Transfer custody**")
        data = {"to_agency": st.selectbox("To agency", agency_codes(), key=f"transfer-{item_id}-to_agency")}
        for name, label in TRANSFER_LABELS.items():
            data[name] = st.text_input(label, key=f"transfer-{item_id}-{name}")
        if st.form_submit_button("Record transfer"):
            with shown_errors(), write_session(engine()) as session:
                services.transfer_custody(session, viewer, item_id, version,
                                          {k: v for k, v in data.items() if v.strip()})
                st.success("Transfer recorded.")


def _task_update_form(task_id: int, version: int, status: str) -> None:
    viewer = principal()
    if not (can_write(viewer, Action.ADD_NOTE, entity="task") or viewer.role.value == "liaison"):
        return
    with st.form(f"task-update-{task_id}"):
        body = st.text_area("Note", key=f"task-update-{task_id}-body")
        options = ["(no change)"] + [s for s in KINDS["tasks"].fields["status"].parse.options if s != status]
        new_status = st.selectbox("Change status to", options, key=f"task-update-{task_id}-status")
        if st.form_submit_button("Add update"):
            with shown_errors(), write_session(engine()) as session:
                services.add_task_update(session, viewer, task_id, body,
                                         None if new_status == "(no change)" else new_status, version)
                st.success("Update added.")


# --- files -----------------------------------------------------------------------------------

def _export(kind: Kind) -> None:
    viewer = principal()
    st.markdown("**Export** what you may see, marked with its highest marking; formulas are neutralised.")
    columns = st.columns(2)
    for column, file_format in zip(columns, ("csv", "xlsx"), strict=True):
        if column.button(f"Prepare {file_format.upper()}", key=f"{kind.name}-export-{file_format}"):
            with write_session(engine()) as session:
                export = exports.build(session, viewer, kind.name)
                exports.record_export(session, viewer, export, file_format)
            data = export.csv() if file_format == "csv" else export.xlsx()
            st.session_state[f"{kind.name}-export"] = (export.file_name(file_format), data, len(export.rows))
    prepared = st.session_state.get(f"{kind.name}-export")
    if prepared:
        name, data, rows = prepared
        st.download_button(f"Download {name} ({rows:,} rows)", data, file_name=name, key=f"{kind.name}-download")


def _import(kind: Kind) -> None:
    viewer = principal()
    st.markdown(f"**Import** {TITLES[kind.name].lower()} from CSV (UTF-8) or XLSX, matched by "
                f"`{kind.key}`: a preview first, then all rows or none.")
    upload = st.file_uploader("File", type=["csv", "xlsx"], key=f"{kind.name}-upload")
    if upload is None:
        return
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

