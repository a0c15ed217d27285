"""My agency's packages, for a liaison on the action day (often on a phone, with gloves on): the
agency's target packages by H-hour, each with its next allowed statuses as large buttons. A status
change is taps only; a note is optional, an abort picks its reason with a tap, a search that seized
items lists them.

A phone board that never misleads (issue 26):
- it follows the day by itself, as the action-day board does (a short check of the audit head reruns
  the page after any write); a typed note is kept across the redraw (its widget's key stays);
- each tap carries the status and version it was pressed on (recorded by the button's callback, so a
  tap on a card that has since been redrawn is still heard), and the service refuses a tap on a
  package that has moved since, naming who moved it and when; the words stay on the card until the
  next tap on it;
- every button's key names the status and version it was drawn for, so a redraw after a move never
  puts another action under the same key; for a few seconds after such a redraw the card's previous
  buttons are drawn again, hidden, so a tap already on its way is heard (`ghosts`);
- an outcome that writes records (arrest made, items seized, aborted) opens a step of its own and
  writes only on its confirmation, a second, deliberate tap."""

import re
import time
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import streamlit as st

from coordination import policy, services, settings
from coordination.db import read_session
from coordination.errors import AlreadySubmitted, ConflictError, CoordinationError, ValidationError
from coordination.fields import local_to_utc
from coordination.kinds import SEIZURE_HASH_HELP, SEIZURE_HASH_LABEL
from coordination.queries import action_day
from coordination.queries.action_day import EvidenceType, Package, PackageStatus
from coordination.services.action_day import MAX_EXHIBITS, row_of
from coordination.text import plain
from coordination.ui.widgets.audit_watch import rerun_on_change, seen_now
from coordination.ui.widgets.context import engine, jurisdiction_names, principal
from coordination.ui.widgets.writes import attempt, token

WATCH = "my-packages-head"
ABORT_REASONS = ("Safety risk at the address", "Operation compromised", "Legal authority not ready",
                 "Called off by command")
CLOCK = re.compile(r"(\d{1,2}):(\d{2})")
CARD_MIN_WIDTH = 340  # px: a 390 px phone holds one card a row
# status buttons a gloved finger hits: taller than Streamlit's, with larger text (a style, nothing fetched)
TAP_TARGETS = ("<style>[class*='st-key-status-buttons-'] button {min-height: 3.5rem; font-size: 1.1rem;}"
               "[class*='st-key-status-buttons-'] button p {font-size: 1.1rem;}"
               "[class*='st-key-ghost-'] {display: none;}</style>")  # see `ghosts`
GHOST_S = 10  # how long a card's previous buttons still hear a tap on its way
LABELS = {"new_status": "Status", "note": "Note", "exhibits": "Seized items", "arrested": "Arrested"}
BUTTONS = {PackageStatus.BRIEFED: "Briefed", PackageStatus.DEPLOYED: "Deployed", PackageStatus.ENTERED: "Entered",
           PackageStatus.ARREST_MADE: "Arrest made", PackageStatus.ITEMS_SEIZED: "Searched: items seized",
           PackageStatus.NOTHING_FOUND: "Searched: nothing found", PackageStatus.NIL: "Nil: subject not present",
           PackageStatus.ABORTED: "Abort", PackageStatus.CLOSED: "Close"}
# outcomes that write records of their own: a step of their own, written only when confirmed
CONFIRMED = (PackageStatus.ARREST_MADE, PackageStatus.ITEMS_SEIZED, PackageStatus.ABORTED)


@dataclass(frozen=True)
class Tap:
    """A status button pressed: for which step, on which status and version of the package."""

    status: PackageStatus
    pressed_on: PackageStatus
    version: int


def _key(package_id: int, name: str) -> str:
    """Every widget and state of a card starts so; a write forgets them all (`writes.written`)."""
    return f"package-{package_id}-{name}"


def pressed(package_id: int, tap: Tap) -> None:
    """A status button's callback: the tap as it was pressed, heard even if the card is redrawn since."""
    st.session_state[_key(package_id, "tap")] = tap


def change(package: Package, tap: Tap, note: str, **outcome) -> None:
    """Ask the service for the tapped step on the version it was pressed on; confirm and redraw, or
    keep the reason on the card."""
    sent = (package.id, tap.version, tap.pressed_on.value, tap.status.value, note, repr(outcome))
    attempt(services.change_package_status, package.id, tap.version, tap.status, note=note,
            pressed_on=tap.pressed_on, submission=token(f"package-{package.id}", sent), **outcome,
            form=f"package-{package.id}", said=lambda error: not_recorded(package, error),
            confirm=f"{package.reference} is now {tap.status.value} (was {tap.pressed_on.value}).")


def not_recorded(package: Package, error: CoordinationError) -> None:
    """Kept on the card above its buttons until the next tap on it (the page redraws itself: a message
    shown once would be gone in a second). A package that moved closes an open step: the buttons of
    the status it is in now are drawn instead."""
    if isinstance(error, ValidationError):
        general = {name: reason for name, reason in error.problems.items() if not under_rows(package, name, reason)}
        rows = sorted(st.session_state.get(_key(package.id, "row-problems"), {}))
        said = ("error", "Not recorded: " + ("; ".join(f"{LABELS.get(name, name)} {reason}"
                                                       for name, reason in general.items())
                                             or f"{'items' if len(rows) > 1 else 'item'} "
                                                f"{', '.join(str(n + 1) for n in rows)} "
                                                f"{'need' if len(rows) > 1 else 'needs'} correcting (said under each); "
                                                "nothing was written"))
    elif isinstance(error, AlreadySubmitted):
        said = ("info", str(error))
    elif isinstance(error, ConflictError):
        said = ("warning", str(error))
        st.session_state.pop(_key(package.id, "step"), None)
    else:
        said = ("error", str(error))
    st.session_state[_key(package.id, "said")] = said
    st.rerun()


def under_rows(package: Package, name: str, reason: str) -> bool:
    """Keep a seized item's problem for its row of the form (shown under it); False for any other."""
    sent, row = st.session_state.get(_key(package.id, "row-map")), row_of(name)
    if sent is None or row is None or row > len(sent):
        return False
    problems = st.session_state.setdefault(_key(package.id, "row-problems"), {})
    problems.setdefault(sent[row - 1], []).append(f"{name.split(': ', 1)[1]} {reason}")
    return True


def show_said(package: Package) -> None:
    said = st.session_state.get(_key(package.id, "said"))
    if said:
        tone, words = said
        {"error": st.error, "info": st.info, "warning": st.warning}[tone](plain(words))


def press(package: Package, tap: Tap, note: str) -> None:
    """A tap: an outcome that writes records on the version shown opens its step; any other tap (and
    one pressed on a version no longer shown) goes to the service as it was pressed."""
    st.session_state.pop(_key(package.id, "said"), None)
    if tap.status in CONFIRMED and tap.version == package.version:
        st.session_state[_key(package.id, "step")] = tap
        st.rerun()
    change(package, tap, note)


def back(package: Package, step: Tap, label: str) -> None:
    """Leave a step without recording anything."""
    if st.button(label, key=_key(package.id, f"v{step.version}-back"), width="stretch"):
        for name in ("step", "said", "row-problems"):  # what a refused row said goes with the step
            st.session_state.pop(_key(package.id, name), None)
        st.rerun()


def confirm_button(package: Package, step: Tap, label: str) -> bool:
    return st.button(label, key=_key(package.id, f"v{step.version}-confirm-{step.status.name}"), type="primary",
                     width="stretch")


def choose(key: str, reason: str) -> None:
    """An abort's reason tapped: chosen, not recorded (the confirmation records it)."""
    st.session_state[key] = reason


def abort(package: Package, step: Tap, note: str) -> None:
    """An abort needs a reason: one tapped from the usual ones, the note, or both; then its confirmation."""
    chosen_key = _key(package.id, f"v{step.version}-abort-reason")
    st.markdown(f"**Abort {plain(package.reference)}?** Tap the reason, then confirm.")
    chosen = st.session_state.get(chosen_key)
    for n, reason in enumerate(ABORT_REASONS):
        st.button(reason, key=_key(package.id, f"v{step.version}-abort-{n}"), width="stretch",
                  type="primary" if reason == chosen else "secondary", on_click=choose, args=(chosen_key, reason))
    reason = "; ".join(part for part in (chosen or "", note.strip()) if part)
    st.caption(plain(f"Reason recorded: {reason}") if reason else "Tap a reason, or type it in the note.")
    if confirm_button(package, step, f"Confirm: abort {package.reference}"):
        change(package, step, reason)
    back(package, step, "Do not abort")


def arrest(package: Package, step: Tap, note: str) -> None:
    """Arrest made writes an arrest for each subject ticked: said before it is confirmed."""
    st.markdown(f"**Record an arrest at {plain(package.reference)}?**")
    arrested = None
    if len(package.subjects) > 1:
        arrested = [suspect_id for suspect_id, reference in package.subjects
                    if st.checkbox(f"Arrested: {reference}", value=True,
                                   key=_key(package.id, f"v{step.version}-s{suspect_id}"))]
    named = [reference for suspect_id, reference in package.subjects if arrested is None or suspect_id in arrested]
    st.caption(plain(f"An arrest is recorded now for {', '.join(named)}, at the package's address.") if named
               else "No subject is ticked.")
    if confirm_button(package, step, "Confirm: arrest made"):
        change(package, step, note, **({"arrested": arrested} if arrested is not None else {}))
    back(package, step, "Back: record nothing")


def seized_items(package: Package, step: Tap, note: str) -> None:
    """What a search seized, collected and sealed at the door (ISO/IEC 27037): a row an item, rows added
    with "Add another item" (up to MAX_EXHIBITS); a refused row's reasons under it, every row kept as
    typed, nothing written until all pass. Its submit button is the confirmation."""
    rows = st.session_state.get(_key(package.id, "rows"), 1)
    problems = st.session_state.get(_key(package.id, "row-problems"), {})
    with st.form(f"package-{package.id}-seized"):
        st.markdown("**Items seized**: type, description, where found, seal. A phone or laptop is sealed "
                    "without a hash: its SHA-256 comes from its acquisition at the lab.")
        typed = []
        st.session_state[_key(package.id, "clock-slips")] = {}  # this run's, by row: see `local_time`
        for n in range(rows):
            typed.append(item_row(package, n))
            for problem in problems.get(n, []):
                st.error(plain(problem))
        more = st.form_submit_button("Add another item", width="stretch", disabled=rows >= MAX_EXHIBITS)
        sent = st.form_submit_button("Record the search and its items", type="primary", width="stretch")
    if more:
        st.session_state[_key(package.id, "rows")] = rows + 1
        st.rerun()
    if sent:
        filled = [n for n, item in enumerate(typed) if item is not None]
        st.session_state[_key(package.id, "row-map")] = filled  # the service numbers the rows sent, from 1
        st.session_state.pop(_key(package.id, "row-problems"), None)
        if slips := clock_slips(package, filled):
            not_recorded(package, ValidationError(slips))  # said under their rows, nothing sent; reruns
        change(package, step, note, exhibits=[typed[n] for n in filled])
    back(package, step, "Back to the statuses")


def item_row(package: Package, n: int) -> dict[str, str] | None:
    """One item's fields; None while its type and description are both empty (a row not used)."""
    slot = f"package-{package.id}-ex-{n}"
    st.markdown(f"**Item {n + 1}**")
    kind = st.selectbox(f"Item {n + 1} type", [""] + [t.value for t in EvidenceType], key=f"{slot}-type")
    item = {"item_type": kind,
            "description": st.text_input(f"Item {n + 1} description", key=f"{slot}-description"),
            "where_found": st.text_input(f"Item {n + 1} where found", key=f"{slot}-where",
                                         placeholder="e.g. kitchen drawer"),
            "seal_number": st.text_input(f"Item {n + 1} seal number", key=f"{slot}-seal"),
            "condition": st.text_input(f"Item {n + 1} condition", key=f"{slot}-condition",
                                       placeholder="e.g. switched off, screen cracked"),
            "seized_by": st.text_input(f"Item {n + 1} seized by", key=f"{slot}-by"),
            "seized_at": local_time(package, st.text_input(
                f"Item {n + 1} time seized (HH:MM, {datetime.now(ZoneInfo(package.time_zone)):%Z}; empty: now)",
                key=f"{slot}-at"), n),
            "sha256": st.text_input(f"Item {n + 1} {SEIZURE_HASH_LABEL}", key=f"{slot}-sha256",
                                    help=SEIZURE_HASH_HELP)}
    if not kind and not item["description"].strip():
        return None
    return item


def local_time(package: Package, typed: str, row: int) -> str:
    """'06:40' today in the package's time zone as the moment it names. Anything else typed, or a time
    still to come, is the form's own slip, said in its own words (`clock_slips`), never as the ISO
    moment the service reads."""
    clock = CLOCK.fullmatch(typed.strip())
    if not typed.strip():
        return typed
    zone = ZoneInfo(package.time_zone)
    try:
        if not clock:
            raise ValueError(typed)
        wall = datetime.now(zone).replace(hour=int(clock[1]), minute=int(clock[2]), second=0, microsecond=0,
                                          tzinfo=None)
    except ValueError:  # 7.40, 25:00
        return slip(package, row, f"'{typed.strip()}' is not a time of day: type it as HH:MM (e.g. 06:40), "
                                  "or leave it empty for now", typed)
    try:
        moment = local_to_utc(wall, package.time_zone)
    except ValueError:  # a time the clocks skip or pass twice today: the service names the valid ones
        return f"{wall:%Y-%m-%d %H:%M} {package.time_zone}"
    now = datetime.now(zone)
    if moment > now:
        return slip(package, row, f"'{typed.strip()}' is later than now ({now:%H:%M %Z}): type when the item "
                                  "was seized", typed)
    return moment.isoformat()


def slip(package: Package, row: int, reason: str, typed: str) -> str:
    st.session_state[_key(package.id, "clock-slips")][row] = reason
    return typed


def clock_slips(package: Package, filled: list[int]) -> dict[str, str]:
    """The rows sent whose time seized is not HH:MM, named as the service names a row's problem."""
    slips = st.session_state.get(_key(package.id, "clock-slips"), {})
    return {f"seized item {sent}: Time seized": slips[n] for sent, n in enumerate(filled, start=1) if n in slips}


STEPS = {PackageStatus.ABORTED: abort, PackageStatus.ARREST_MADE: arrest, PackageStatus.ITEMS_SEIZED: seized_items}


def card(package: Package) -> None:
    with st.container(border=True, key=f"card-{package.id}"):
        since = package.status_changed_at.astimezone(ZoneInfo(package.time_zone))
        st.markdown(f"**{plain(package.reference)}** · {plain(package.status.value)} · since {since:%H:%M} "
                    f"{since.tzname()}")
        st.caption(plain(f"H-hour {package.h_hour_text} · {named.get(package.jurisdiction, package.jurisdiction)} · "
                         f"team {package.team_call_sign}"))
        st.text(package.address)
        if package.subjects:
            st.caption(plain("Subjects: " + ", ".join(reference for _, reference in package.subjects)))
        for notice in conflicts.get(package.id, ()):  # with whom as this liaison may read it, and command's word
            (st.info if notice.acknowledged else st.warning)(plain(f"{notice.sentence} {notice.acknowledgement}"))
        if not policy.can_change_package_status(viewer, viewer.agency_id):  # the page lists its own agency's
            return
        tap = st.session_state.pop(_key(package.id, "tap"), None)
        if not package.next_statuses and tap is None:  # finished: only what was said of a last tap
            if _key(package.id, "said") in st.session_state:
                show_said(package)
                if st.button("OK", key=_key(package.id, "seen")):
                    st.session_state.pop(_key(package.id, "said"), None)
                    st.rerun()
            return
        note = st.text_input("Note (optional)", key=_key(package.id, "note"),  # kept across redraws
                             placeholder="e.g. door forced, two occupants")
        if tap is not None:
            press(package, tap, note)  # opens a step, writes, or keeps why not: each reruns
        show_said(package)
        step = st.session_state.get(_key(package.id, "step"))
        if step is not None:
            if step.version != package.version:
                st.warning(plain(f"{package.reference} has changed since you tapped "
                                 f"'{BUTTONS[step.status]}': it is now {package.status.value}."))
            with st.container(key=f"status-buttons-step-{package.id}"):  # styled large: see TAP_TARGETS
                STEPS[step.status](package, step, note)
            return
        with st.container(key=f"status-buttons-{package.id}"):  # styled large: see TAP_TARGETS
            status_buttons(package.id, package.status, package.version, package.next_statuses)
        ghosts(package)


def status_buttons(package_id: int, status: PackageStatus, version: int, targets: tuple[PackageStatus, ...]) -> None:
    """The next statuses' buttons, keyed by the status and version they are drawn for."""
    forward = targets[0]
    for to in targets:
        st.button(BUTTONS[to], width="stretch", type="primary" if to is forward else "secondary",
                  key=_key(package_id, f"{status.name}-v{version}-to-{to.name}"),
                  on_click=pressed, args=(package_id, Tap(to, status, version)))


def ghosts(package: Package) -> None:
    """For a few seconds after the card was redrawn for a newer version, its previous buttons are
    drawn again, hidden: a tap on them already on its way (pressed before the phone showed the
    redraw) is still heard by its callback, and refused in words, not dropped for want of its button."""
    drawn, now = st.session_state.get(f"_drawn-{package.id}"), time.monotonic()
    if drawn is not None and drawn[1] != package.version:
        st.session_state[f"_ghost-{package.id}"] = (drawn, now)
    st.session_state[f"_drawn-{package.id}"] = (package.status, package.version, package.next_statuses)
    ghost = st.session_state.get(f"_ghost-{package.id}")
    if ghost is not None and now - ghost[1] < GHOST_S:
        with st.container(key=f"ghost-{package.id}"):
            status_buttons(package.id, *ghost[0])


def heard(package: Package) -> bool:
    """A tap not yet answered, or an answer not yet read: the card is drawn even if it is hidden."""
    return any(_key(package.id, name) in st.session_state for name in ("tap", "said"))


viewer = principal()
named = jurisdiction_names()  # a card names its jurisdiction, never its code
seen_now(WATCH)  # the head read before the packages: no write slips between
with read_session(engine()) as session:
    packages = action_day.agency_packages(session, viewer)
    conflicts: dict[int, list[action_day.ConflictNotice]] = {}
    for notice in action_day.conflict_notices(session, viewer):
        conflicts.setdefault(notice.own_id or 0, []).append(notice)
st.title(f"{viewer.agency_code} packages")
rerun_on_change(WATCH, settings.load().board_refresh_s)  # follows the day by itself, as the board does
finished = st.toggle("Show closed packages", key="packages-closed")
shown = [p for p in packages if finished or p.status is not PackageStatus.CLOSED or heard(p)]
on_cards = {p.id for p in shown}
for notice in (n for package_id, told in conflicts.items() if package_id not in on_cards for n in told):
    st.warning(plain(f"{notice.sentence} {notice.acknowledgement}"))  # its package's card is not shown
st.caption(f"{len(shown):,} of {len(packages):,} packages, by H-hour (local time, UTC beside it). Follows every "
           "change by itself. Tap a status to record it; an arrest, a search's items and an abort are confirmed "
           "with a second tap.")
st.html(TAP_TARGETS)
with st.grid(3, min_column_width=CARD_MIN_WIDTH, gap="small"):  # one a row on a phone, up to three on a desk
    for package in shown:
        card(package)
