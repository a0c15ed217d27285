"""Forms for a new record and for editing one.

An edit sends only the fields the person changed, with what they loaded in them: the service keeps
what others saved meanwhile, and a field both changed is shown side by side to choose from. Every
write leaves a confirmation naming the record, shows the saved record afresh, and carries a one-time
token, so a double click writes once.

A form that holds a planned H-hour is live (drawn without `st.form`): each change reruns the page, so the
jurisdiction just picked names the zone the H-hour is read in, the UTC moment it will be saved as is
shown beside it, and a local time that happens twice is asked about, all before anything is saved. An
`st.form` holds its inputs back until it is sent, which would show these only after the save.
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from coordination import fields, services
from coordination.errors import ConflictError, CoordinationError
from coordination.kinds import EVIDENCE, Kind
from coordination.text import plain
from coordination.ui.widgets.context import principal
from coordination.ui.widgets.inputs import field_input
from coordination.ui.widgets.words import a
from coordination.ui.widgets.writes import attempt, key, not_written, problems_of, show_problem, token, written


def _live(kind: Kind) -> bool:
    """Whether the kind's forms are live: they hold a planned H-hour (see above)."""
    return any(spec.parse is fields.planned_moment for spec in kind.fields.values())


def _form(kind: Kind, name: str) -> DeltaGenerator:
    return st.container(border=True, key=name) if _live(kind) else st.form(name)


def _send(kind: Kind, name: str, label: str, disabled: bool = False) -> bool:
    if _live(kind):
        return st.button(label, key=f"{name}-{label}", type="primary", disabled=disabled)
    return st.form_submit_button(label, disabled=disabled)


def _times(kind: Kind) -> str:
    """What the form's times are read in, as the caption says it."""
    if _live(kind):
        return ("The planned H-hour is the local time in the jurisdiction chosen (its time zone named above it); "
                "the UTC moment it will be saved as is shown below it before you save.")
    return "Times are in UTC (London time shown beside them)."


def create_form(kind: Kind) -> None:
    viewer = principal()
    form = f"{kind.name}-new"
    st.caption("A new record takes the operation's default marking unless you choose another; TLP:RED records "
               f"name their recipients (comma-separated subjects), you among them. {_times(kind)}")
    _problem_summary(form)
    with _form(kind, f"{kind.name}-create"):
        values = {}
        for name, spec in kind.fields.items():
            values[name] = field_input(name, spec, viewer.agency_code if name == "owning_agency" else "",
                                       key(form, name), long_text=kind is not EVIDENCE,
                                       owning_agency=viewer.agency_code, jurisdiction=values.get("jurisdiction"))
            show_problem(form, name)
        sent = _send(kind, f"{kind.name}-create", "Create")
    if sent:
        data = {name: value for name, value in values.items() if value.strip()}
        attempt(services.run, services.use_cases.of(kind).create, data, submission=token(form, data),
                form=form, labels={name: kind.label(name) for name in kind.fields},
                confirm=lambda _: f"Created {data[kind.key]}.")


def edit_form(kind: Kind, record_id: int, current: dict[str, str], may_edit: bool) -> None:
    """Edit the record as loaded; others' saves in between are merged, clashes shown to choose from."""
    viewer = principal()
    form = f"{kind.name}-{record_id}"
    loaded = st.session_state.setdefault(f"{form}-loaded", current)
    fixed = kind.fixed_after_create | {kind.key}
    shown = [name for name in kind.fields if name not in kind.changed_elsewhere]
    if loaded["version"] != current["version"]:
        st.info(f"Saved by someone else since you opened it (now version {current['version']}). Your changes "
                "are kept in the form; saving keeps theirs too, and asks you only where you both changed a field.")
    _problem_summary(form)
    with _form(kind, f"{form}-edit"):
        typed = {}
        for name in shown:
            typed[name] = field_input(name, kind.fields[name], loaded.get(name, ""), key(form, name),
                                      disabled=not may_edit or name in fixed, long_text=kind is not EVIDENCE,
                                      owning_agency=current.get("owning_agency"),
                                      jurisdiction=typed.get("jurisdiction", loaded.get("jurisdiction")))
            show_problem(form, name)
        saved = _send(kind, f"{form}-edit", "Save", disabled=not may_edit)
    if kind.changed_elsewhere:
        st.caption(f"{', '.join(kind.label(n) for n in sorted(kind.changed_elsewhere))}: changed with an update.")
    if not may_edit:
        st.caption(f"Read only: {a(viewer.role.value)} of {viewer.agency_code} may not change this record.")
    changes = {name: value for name, value in typed.items() if name not in fixed and value != loaded.get(name, "")}
    clash = st.session_state.get(f"{form}-clash")
    if clash:
        _choose_clashes(kind, form, record_id, clash, current, changes)
    elif saved:
        _save(kind, form, record_id, loaded, current, changes)


def _save(kind: Kind, form: str, record_id: int, loaded: dict, current: dict, changes: dict,
          version: int | None = None, seen: dict | None = None) -> None:
    key = current[kind.key]
    if not changes:
        written(form, f"{key}: nothing changed.")
    seen = seen if seen is not None else {name: loaded.get(name, "") for name in changes}

    def clash_or_not_written(error: CoordinationError) -> None:
        """A field both changed is shown side by side to choose from; any other refusal is said."""
        if not isinstance(error, ConflictError) or not error.fields:
            not_written(error)
            return
        st.session_state[f"{form}-clash"] = {"fields": list(error.fields), "by": error.changed_by or "someone",
                                             "at": error.changed_at.strftime("%H:%M UTC") if error.changed_at
                                             else "", "mine": {n: changes[n] for n in error.fields},
                                             "loaded": {n: loaded.get(n, "") for n in error.fields}}
        st.rerun()

    attempt(services.run, services.use_cases.of(kind).update, record_id, version or int(loaded["version"]), changes,
            loaded=seen, submission=token(form, (changes, seen)),
            form=form, labels={name: kind.label(name) for name in kind.fields}, said=clash_or_not_written,
            confirm=lambda record: f"{key} saved, version {record.version}.")


def _choose_clashes(kind: Kind, form: str, record_id: int, clash: dict, current: dict, changes: dict) -> None:
    """Side by side, per field both changed: what was loaded, theirs (who, when), mine; the person picks."""
    st.warning(f"{plain(clash['by'])} saved {plain(current[kind.key])} at {clash['at']} and changed the same "
               f"{'field' if len(clash['fields']) == 1 else 'fields'} as you. Nothing is saved yet: choose, "
               "field by field, which value to keep.")
    picks = {}
    for name in clash["fields"]:
        theirs, mine = current.get(name, ""), clash["mine"][name]
        st.markdown(f"**{kind.label(name)}** (when you opened it: {plain(_shown(clash['loaded'][name]))})")
        picks[name] = st.radio(kind.label(name), ["mine", "theirs"], key=f"{form}-pick-{name}",
                               format_func=lambda side, t=theirs, m=mine: plain(
                                   f"Keep mine: {_shown(m)}" if side == "mine" else f"Keep theirs: {_shown(t)}"),
                               label_visibility="collapsed")
    left, right = st.columns(2)
    if left.button("Save with these choices", key=f"{form}-resolve", type="primary"):
        chosen = {name: value for name, value in changes.items() if picks.get(name, "mine") == "mine"}
        for name in clash["fields"]:
            if picks[name] == "mine":
                chosen[name] = clash["mine"][name]
        seen = {name: current.get(name, "") for name in chosen}  # decided against what is saved now
        st.session_state.pop(f"{form}-clash")
        _save(kind, form, record_id, current, current, chosen, int(current["version"]), seen)
    if right.button("Discard my changes", key=f"{form}-discard"):
        written(form, f"{current[kind.key]}: your changes were discarded; showing the saved version.")


def _shown(value: str) -> str:
    return value if value else "(empty)"


def _problem_summary(form: str) -> None:
    problems = problems_of(form)
    if problems:
        st.error(f"Please correct {len(problems)} {'field' if len(problems) == 1 else 'fields'} below.")
