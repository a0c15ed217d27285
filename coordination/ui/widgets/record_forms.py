"""Forms for a new record and for editing one; a save never overwrites someone else's in silence."""

from __future__ import annotations

import streamlit as st

from coordination import services
from coordination.db import write_session
from coordination.errors import ConflictError
from coordination.kinds import ARRESTS, EVIDENCE, SUSPECTS, TASKS, Kind
from coordination.markings import TLP
from coordination.ui.widgets.context import agency_codes, engine, jurisdiction_codes, principal, shown_errors

CREATE = {SUSPECTS.name: services.create_suspect, ARRESTS.name: services.create_arrest,
          EVIDENCE.name: services.create_evidence_item, TASKS.name: services.create_task}
UPDATE = {SUSPECTS.name: services.update_suspect, ARRESTS.name: services.update_arrest,
          EVIDENCE.name: services.update_evidence_item, TASKS.name: services.update_task}
LONG_TEXT = ("notes", "description")  # typed in a box of several lines (evidence descriptions are short)


def _options(kind: Kind, name: str) -> list[str] | None:
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


def field(kind: Kind, name: str, value: str, key: str, disabled: bool = False) -> str:
    label = kind.label(name) + (" *" if kind.fields[name].required else "")
    options = _options(kind, name)
    if options is not None:
        options = options if value in options else [value, *options]
        return st.selectbox(label, options, index=options.index(value), key=key, disabled=disabled)
    if name in LONG_TEXT and kind is not EVIDENCE:
        return st.text_area(label, value, key=key, disabled=disabled)
    return st.text_input(label, value, key=key, disabled=disabled)


def create_form(kind: Kind) -> None:
    viewer = principal()
    st.caption("Times as 2022-11-07T06:00:00Z, dates as 2022-11-07. A new record takes the operation's "
               "default marking unless you choose another; TLP:RED records name their recipients "
               "(comma-separated subjects), you among them.")
    with st.form(f"{kind.name}-create"):
        values = {name: field(kind, name, viewer.agency_code if name == "owning_agency" else "",
                              f"{kind.name}-new-{name}") for name in kind.fields}
        if st.form_submit_button("Create"):
            data = {name: value for name, value in values.items() if value.strip()}
            with shown_errors(), write_session(engine()) as session:
                CREATE[kind.name](session, viewer, data)
                st.success(f"Created {data.get(kind.key)}.")


def edit_form(kind: Kind, record_id: int, current: dict[str, str], may_edit: bool) -> None:
    """Edit with the version the user loaded; someone else's save in between is never overwritten."""
    viewer = principal()
    loaded_key = f"{kind.name}-{record_id}-loaded"
    loaded = st.session_state.setdefault(loaded_key, current)
    fixed = kind.fixed_after_create | {kind.key}
    with st.form(f"{kind.name}-{record_id}-edit"):
        typed = {name: field(kind, name, loaded.get(name, ""), f"{kind.name}-{record_id}-{name}",
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
