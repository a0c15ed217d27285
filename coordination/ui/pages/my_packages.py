"""My agency's packages, for a liaison on the action day (often on a phone, with gloves on): the
agency's target packages by H-hour, each with its next allowed statuses as large buttons. A status
change is taps only; a note is optional, an abort picks its reason with a tap, a search that seized
items lists them."""

import streamlit as st

from coordination import policy, services
from coordination.db import read_session
from coordination.errors import CoordinationError, ValidationError
from coordination.queries import action_day
from coordination.queries.action_day import EvidenceType, Package, PackageStatus
from coordination.text import plain
from coordination.ui.widgets.context import engine, principal
from coordination.ui.widgets.writes import attempt, not_written, token

ABORT_REASONS = ("Safety risk at the address", "Operation compromised", "Legal authority not ready",
                 "Called off by command")
EXHIBIT_SLOTS = 3
CARD_MIN_WIDTH = 340  # px: a 390 px phone holds one card a row
# status buttons a gloved finger hits: taller than Streamlit's, with larger text (a style, nothing fetched)
TAP_TARGETS = ("<style>[class*='st-key-status-buttons-'] button {min-height: 3.5rem; font-size: 1.1rem;}"
               "[class*='st-key-status-buttons-'] button p {font-size: 1.1rem;}</style>")
LABELS = {"new_status": "Status", "note": "Note", "exhibits": "Seized items", "arrested": "Arrested"}
BUTTONS = {PackageStatus.BRIEFED: "Briefed", PackageStatus.DEPLOYED: "Deployed", PackageStatus.ENTERED: "Entered",
           PackageStatus.ARREST_MADE: "Arrest made", PackageStatus.ITEMS_SEIZED: "Searched: items seized",
           PackageStatus.NOTHING_FOUND: "Searched: nothing found", PackageStatus.NIL: "Nil: subject not present",
           PackageStatus.ABORTED: "Abort", PackageStatus.CLOSED: "Close"}


def change(package: Package, status: PackageStatus, note: str, **outcome) -> None:
    """Ask the service; confirm and redraw, or say in plain words why not."""
    sent = (package.id, package.version, status.value, note, repr(outcome))
    attempt(services.change_package_status, package.id, package.version, status, note=note,
            submission=token(f"package-{package.id}", sent), **outcome,
            form=f"package-{package.id}", said=not_recorded,
            confirm=f"{package.reference} is now {status.value} (was {package.status.value}).")


def not_recorded(error: CoordinationError) -> None:
    """Said above the buttons: a card has no field to put a problem under."""
    if isinstance(error, ValidationError):
        st.error("Not recorded: " + "; ".join(f"{plain(LABELS.get(name, name))} {plain(reason)}"
                                              for name, reason in error.problems.items()))
    else:
        not_written(error)


def abort(package: Package, note: str) -> None:
    """An abort needs a reason: the note if one was typed, else one tapped from the usual ones."""
    if note.strip():
        change(package, PackageStatus.ABORTED, note)
        return
    st.markdown("**Why is it aborted?**")
    with st.container(key=f"status-buttons-abort-{package.id}"):
        for n, reason in enumerate(ABORT_REASONS):
            if st.button(reason, key=f"package-{package.id}-abort-{n}", width="stretch"):
                change(package, PackageStatus.ABORTED, reason)
        back(package, "aborting", "Do not abort")


def back(package: Package, step: str, label: str) -> None:
    """Leave a two-step choice (an abort's reason, a search's items) without recording anything."""
    if st.button(label, key=f"package-{package.id}-{step}-back", width="stretch"):
        st.session_state.pop(f"package-{package.id}-{step}", None)
        st.rerun()


def seized_items(package: Package, note: str) -> None:
    """The quick-add of what a search seized: type, description, seal number (and a digital item's hash)."""
    with st.form(f"package-{package.id}-seized"):
        st.markdown("**Items seized**")
        items = []
        for n in range(EXHIBIT_SLOTS):
            slot = f"package-{package.id}-ex-{n}"
            kind = st.selectbox(f"Item {n + 1} type", [""] + [t.value for t in EvidenceType], key=f"{slot}-type")
            description = st.text_input(f"Item {n + 1} description", key=f"{slot}-description")
            seal = st.text_input(f"Item {n + 1} seal number", key=f"{slot}-seal")
            digest = st.text_input(f"Item {n + 1} SHA-256 (digital items)", key=f"{slot}-sha256")
            if kind or description.strip():
                items.append({"item_type": kind, "description": description, "seal_number": seal, "sha256": digest})
        if st.form_submit_button("Record the search and its items", type="primary", width="stretch"):
            change(package, PackageStatus.ITEMS_SEIZED, note, exhibits=items)
    with st.container(key=f"status-buttons-search-{package.id}"):
        back(package, "searching", "Back to the statuses")


def card(package: Package) -> None:
    with st.container(border=True):
        st.markdown(f"**{plain(package.reference)}** · {plain(package.status.value)}")
        st.caption(plain(f"H-hour {package.h_hour_text} · {package.jurisdiction} · team {package.team_call_sign}"))
        st.text(package.address)
        if package.subjects:
            st.caption(plain("Subjects: " + ", ".join(reference for _, reference in package.subjects)))
        if not package.next_statuses:
            return
        if not policy.can_change_package_status(viewer, viewer.agency_id):  # the page lists its own agency's
            return
        note = st.text_input("Note (optional)", key=f"package-{package.id}-note",
                             placeholder="e.g. door forced, two occupants")
        arrested = None
        if PackageStatus.ARREST_MADE in package.next_statuses and len(package.subjects) > 1:
            arrested = [suspect_id for suspect_id, reference in package.subjects
                        if st.checkbox(f"Arrested: {reference}", value=True, key=f"package-{package.id}-s{suspect_id}")]
        if st.session_state.get(f"package-{package.id}-aborting"):
            abort(package, note)
            return
        if st.session_state.get(f"package-{package.id}-searching"):
            seized_items(package, note)
            return
        forward = package.next_statuses[0]
        with st.container(key=f"status-buttons-{package.id}"):  # styled large: see TAP_TARGETS
            tapped = [status for status in package.next_statuses
                      if st.button(BUTTONS[status], key=f"package-{package.id}-to-{status.name}", width="stretch",
                                   type="primary" if status is forward else "secondary")]
        for status in tapped:
            if status is PackageStatus.ABORTED:
                st.session_state[f"package-{package.id}-aborting"] = True
                st.rerun()
            elif status is PackageStatus.ITEMS_SEIZED:
                st.session_state[f"package-{package.id}-searching"] = True
                st.rerun()
            else:
                change(package, status, note, **({"arrested": arrested} if arrested is not None else {}))


viewer = principal()
with read_session(engine()) as session:
    packages = action_day.agency_packages(session, viewer)
    warnings = action_day.conflict_warnings(session, viewer)
st.title(f"{viewer.agency_code} packages")
for warning in warnings:
    st.warning(plain(warning))
finished = st.toggle("Show closed packages", key="packages-closed")
shown = [p for p in packages if finished or p.status is not PackageStatus.CLOSED]
st.caption(f"{len(shown):,} of {len(packages):,} packages, by H-hour (local time, UTC beside it). Tap a status to "
           "record it.")
st.html(TAP_TARGETS)
with st.grid(3, min_column_width=CARD_MIN_WIDTH, gap="small"):  # one a row on a phone, up to three on a desk
    for package in shown:
        card(package)
