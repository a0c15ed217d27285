"""The parts of the Deconfliction page, one function per tab: hits, contact requests, the check of an
identifier, and command's view. Lists that others change (hits, requests) redraw every few seconds."""

from __future__ import annotations

import functools
from collections.abc import Mapping

import streamlit as st

from coordination import aggregates, policy, services
from coordination.db import read_session
from coordination.errors import CoordinationError, ValidationError
from coordination.kinds import KINDS
from coordination.queries import contact_requests, hits
from coordination.queries.contact_requests import HandlingCondition
from coordination.queries.hits import HitMatch
from coordination.text import plain
from coordination.ui import gate
from coordination.ui.widgets.context import agency_ids, engine, principal
from coordination.ui.widgets.deconfliction import (
    LABELS,
    ask_for_contact,
    confirmed_removal,
    day,
    identifier_form,
    labels_for,
)
from coordination.ui.widgets.words import counted
from coordination.ui.widgets.writes import attempt, key, problems_of, show_problem, token

LISTED = 100  # the newest hits listed
CONDITIONS = [condition.value for condition in HandlingCondition]


def _live(refresh: int, draw) -> None:
    gate.refreshing(refresh, draw)  # redraws are not activity, and stop once the sign-in has ended


# --- hits ---------------------------------------------------------------------------------------

def match_words(row) -> str:
    if row.match is HitMatch.SAME_BUILDING:  # another flat: no duplicate, even within one agency
        return row.match.value
    if row.possible_duplicate:
        return "possible duplicate"
    if row.match is HitMatch.SAME_ADDRESS:  # one address written two ways, met by its building's keys
        return row.match.value
    return "possible match" if row.match is HitMatch.POSSIBLE else "same identifier"


def hits_tab(refresh: int) -> None:
    _live(refresh, _hits)


def _hits() -> None:
    viewer = principal()
    with read_session(engine()) as session:
        told = hits.hits_for_agency(session, viewer, limit=LISTED)
    if not told:
        st.info(f"No open hits: no other agency holds an identifier on a record {viewer.agency_code} may read, "
                "as far as you may be told.")
        return
    many = f"the newest {LISTED}" if len(told) == LISTED else counted(len(told), "open hit")
    st.caption(f"{many.capitalize()}, newest first. Select one to ask for contact. The other agency's record "
               "stays theirs: only that they hold the same identifier is told.")
    # the sentence first: on a phone the table scrolls sideways, and it is what a person reads
    rows = [{"What you are told": row.sentence, "Record": _record(viewer, row), "Match": match_words(row),
             "Contact": _contact(row),
             "Found": day(row.found_at)} for row in told]
    event = st.dataframe(rows, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                         key="deconfliction-hits")
    chosen = event.selection.rows if event and event.selection else []
    if chosen and chosen[0] < len(told):
        row = told[chosen[0]]
        st.markdown(f"**{plain(_record(viewer, row))}**: {plain(row.sentence)}")
        ask_for_contact(row, f"hits-{row.id}")


def _contact(row) -> str:
    """The line's contact request, or whom to contact in another operation (no request goes there)."""
    if row.of_another_operation:
        return row.contact
    return row.request_status.value if row.request_status else "not asked"


def _record(viewer, row) -> str:
    """'suspect SUS-000123', with its agency when it is not the viewer's (command sees every agency's)."""
    named = f"{KINDS[row.my_record_kind].entity} {row.my_record_reference}"
    return named if row.my_agency_code == viewer.agency_code else f"{named} ({row.my_agency_code})"


# --- contact requests ---------------------------------------------------------------------------

def requests_tab(refresh: int) -> None:
    _live(refresh, _requests)


def _requests() -> None:
    viewer = principal()
    with read_session(engine()) as session:
        asked_of_us = contact_requests.incoming(session, viewer)
        asked_by_us = contact_requests.outgoing(session, viewer)
    st.subheader(f"Asked of {viewer.agency_code}")
    if not asked_of_us:
        st.caption("No agency has asked yours for contact.")
    for row in asked_of_us:
        with st.container(border=True):
            st.markdown(plain(row.sentence))
            st.caption("Their reason: " + plain(row.reason))
            if row.status.value == "declined" and row.decline_reason:
                st.caption("Declined because: " + plain(row.decline_reason))
            if row.status.value == "pending" and policy.can_decide_contact(viewer, agency_ids()[row.owner_agency]):
                _decide(row)
    st.subheader(f"Asked by {viewer.agency_code}")
    if not asked_by_us:
        st.caption("Your agency has not asked for contact yet: select a hit to ask.")
    for row in asked_by_us:
        with st.container(border=True):
            st.markdown(plain(row.sentence))
            if row.status.value == "declined" and row.decline_reason:
                st.caption("Declined because: " + plain(row.decline_reason))
            if row.asked_about and row.status.value == "approved":
                st.caption(f"You may now read {plain(row.asked_about)}: open it on its page under "
                           f"{plain(row.owner_agency)}'s reference, where the handling condition is shown.")


def _decide(row) -> None:
    """Approve with a handling condition (H3: the conditions stated) or decline with a reason."""
    form = f"decide-{row.id}"
    with st.form(form):
        condition = st.selectbox("Handling condition, if you approve", CONDITIONS, key=key(form, "condition"),
                                 format_func=lambda c: f"{c}: {HandlingCondition(c).meaning}")
        show_problem(form, "condition")
        text = st.text_area("The conditions (H3 only)", key=key(form, "condition_text"))
        show_problem(form, "condition_text")
        reason = st.text_input("Why you decline (if you do)", key=key(form, "reason"))
        show_problem(form, "reason")
        left, right = st.columns(2)
        approve = left.form_submit_button("Approve", type="primary")
        decline = right.form_submit_button("Decline")
    if problems_of(form) and not (approve or decline):
        st.error("Please correct the decision.")
    if not (approve or decline):
        return
    if approve:
        attempt(services.approve_contact, row.id, condition, text.strip() or None,
                submission=token(form, ("approve", condition, text)), form=form, labels=LABELS,
                confirm=f"{row.requesting_agency}'s request approved with {condition} "
                        f"({HandlingCondition(condition).meaning}).")
    else:
        attempt(services.decline_contact, row.id, reason, submission=token(form, ("decline", reason)),
                form=form, labels=LABELS, confirm=f"{row.requesting_agency}'s request declined.")


# --- checking an identifier ---------------------------------------------------------------------

def check_tab(refresh: int) -> None:
    del refresh  # asked for, never refreshed
    form = "check-identifier"
    st.caption("Before acting on a value, ask whether another agency holds it: you are told which agencies, "
               "never what they hold. Every check is recorded, and a person makes a limited number an hour.")
    typed = identifier_form(form, "Check")
    if not typed.sent:
        return
    checked = attempt(services.check_identifier, typed.kind.value, typed.value, typed.qualifier,
                      said=functools.partial(check_refused, labels=labels_for(typed.kind)))
    if checked is None:
        return
    found = checked.value
    said = f"{plain(found.display)}: {plain(found.sentence)}"
    if found.excluded:
        st.info(said)
    elif found.held:  # a request for contact reaches agencies of this operation only
        st.warning(said + " Add it to your record to be told of the hit" + (
            ", and ask for contact from there." if found.agencies else "."))
    else:
        st.success(said)


def check_refused(error: CoordinationError, labels: Mapping[str, str] = LABELS) -> None:
    """A check is not a form that keeps its problems: each is said in a sentence, or the reason."""
    if isinstance(error, ValidationError):
        st.error(" ".join(f"{labels.get(name, 'The check')} {plain(reason)}." for name, reason in
                          error.problems.items()))
    else:
        st.error(plain(str(error)))


# --- command ------------------------------------------------------------------------------------

def command_tab(refresh: int) -> None:
    viewer = principal()
    _live(refresh, _pairs_and_overdue)
    if policy.can_manage_exclusions(viewer):
        _exclusions()


def _pairs_and_overdue() -> None:
    viewer = principal()
    with read_session(engine()) as session:
        pairs = aggregates.hits_between_agencies(session, viewer)
        late = contact_requests.overdue(session, viewer)
    st.subheader("Open hits between agencies")
    if pairs:
        st.dataframe([{"Agencies": f"{row.first} and {row.second}" if row.first != row.second
                       else f"within {row.first} (possible duplicates)", "Open hits": row.hits} for row in pairs],
                     hide_index=True, width="stretch")
    else:
        st.caption("No open hits that command is told of.")
    st.subheader("Requests for contact pending more than 48 hours")
    if late:
        for row in late:
            st.markdown("- " + plain(row.sentence))
    else:
        st.caption("No request has waited more than 48 hours for an answer.")


def _exclusions() -> None:
    viewer = principal()
    st.subheader("Exclusion list")
    st.caption("Values that match everywhere and mean nothing (a bank's number spoofed as caller ID, the service's "
               "own addresses): they make no hits, and adding one closes the hits it made.")
    with read_session(engine()) as session:
        listed = hits.exclusions(session, viewer)
    if listed:
        st.dataframe([{"Kind": row.kind.value, "Value": row.value, "Reason": row.reason, "Added": day(row.added_at),
                       "By": row.added_by} for row in listed], hide_index=True, width="stretch")
        _remove_exclusion(listed)
    form = "exclusion"
    typed = identifier_form(form, "Add to the exclusion list", with_reason=True)
    if not typed.sent:
        return
    attempt(services.add_exclusion, typed.kind.value, typed.value, typed.reason, qualifier=typed.qualifier,
            submission=token(form, typed), form=form, labels=labels_for(typed.kind),
            confirm=f"Excluded the {typed.kind.value}: it makes no hits, and its open hits are closed.")


def _remove_exclusion(listed) -> None:
    confirmed_removal(
        "exclusion-remove", {row.id: f"{row.kind.value}: {row.value}" for row in listed},
        pick="Take a value off the list", yes="Take it off",
        question=lambda name: f"Take the {name} off the exclusion list? It makes hits again from now on.",
        act=services.remove_exclusion, done=lambda name: f"Took the {name} off the exclusion list.")
