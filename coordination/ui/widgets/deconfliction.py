"""Deconfliction on a record's page: the identifiers it holds (add, remove), the hits told on it as
sentences with "Ask for contact", and the banner of a record read under another agency's grant.

Hits never name the other record: only that another agency holds the same identifier. Every write
goes through a service and ends in a confirmation; a refusal is said in plain words.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from coordination import deconfliction_key, policy, services
from coordination.db import read_session
from coordination.kinds import Kind
from coordination.queries import contact_requests, hits
from coordination.queries.hits import IdentifierKind
from coordination.queries.records import RecordView
from coordination.text import plain
from coordination.ui.widgets.context import agency_ids, engine, principal
from coordination.ui.widgets.writes import attempt, key, problems_of, show_problem, token

KINDS = [kind.value for kind in IdentifierKind]
# what a kind needs besides its value, as a person is asked for it (a kind not listed needs nothing)
QUALIFIERS = {
    IdentifierKind.HANDLE: "Platform * (Telegram, Instagram, ... or other:<name>)",
    IdentifierKind.WALLET: "Chain (Bitcoin, Litecoin or Ethereum; leave empty when the address says it)",
    IdentifierKind.PERSON: "Date of birth * (YYYY-MM-DD)",
    # the country whose conventions give the building's keys (places.address_keys)
    IdentifierKind.ADDRESS: "Country (GB, NL, US or its name; empty: the country the address ends with, "
                            "else your agency's)",
}
VALUES = {IdentifierKind.PERSON: "Full name *", IdentifierKind.ADDRESS: "Address *"}
LABELS = {"identifier_kind": "The kind", "value": "The value", "qualifier": "The qualifier", "reason": "The reason",
          "record": "The record", "condition": "The handling condition", "condition_text": "The conditions"}
# the qualifier named as the form asks for it, for each kind that asks ("The country is ...", not "The qualifier")
QUALIFIER_NAMES = {IdentifierKind.HANDLE: "The platform", IdentifierKind.WALLET: "The chain",
                   IdentifierKind.PERSON: "The date of birth", IdentifierKind.ADDRESS: "The country"}


def labels_for(kind: IdentifierKind) -> dict[str, str]:
    """LABELS with the qualifier named as the form showed it for `kind`."""
    return LABELS | {"qualifier": QUALIFIER_NAMES.get(kind, LABELS["qualifier"])}


def key_missing() -> str | None:
    """Why deconfliction cannot run here (no key, or an unreadable one), or None when it can."""
    try:
        deconfliction_key.load()
    except deconfliction_key.KeyMissing as missing:
        return str(missing)
    return None


def key_notice() -> bool:
    """Say, plainly, why deconfliction is off; True when it is on."""
    missing = key_missing()
    if missing:
        st.warning("Deconfliction is not running: " + plain(missing))
    return missing is None


def day(moment) -> str:
    return f"{moment.day} {moment:%b %Y}"


def grant_banner(kind: Kind, record: RecordView) -> None:
    """A record read under another agency's grant carries its handling condition at the top."""
    with read_session(engine()) as session:
        grant = contact_requests.grant_on_record(session, principal(), kind.entity, record.id)
    if grant is not None:
        st.warning(plain(grant.sentence))


def identifiers_panel(kind: Kind, record: RecordView) -> None:
    viewer = principal()
    with read_session(engine()) as session:
        held = hits.identifiers_on_record(session, viewer, kind.entity, record.id)
        told = hits.hits_on_record(session, viewer, kind.entity, record.id)
    _told(told, f"record-{kind.name}-{record.id}")
    reference = record.values[kind.key]
    may_edit = policy.can_edit(viewer, kind, record.owning_agency_id)
    if held:
        qualified = any(row.qualifier for row in held)  # the column only when a kind needing one is held
        st.markdown("**Identifiers on this record**")
        st.dataframe([{"Kind": row.kind.value, "Identifier": row.value,
                       **({"Platform, chain, birth date or country": row.qualifier or ""} if qualified else {}),
                       "Added": day(row.added_at), "By": row.added_by} for row in held],
                     hide_index=True, width="stretch")
    else:
        st.caption(f"{plain(reference)} holds no identifiers yet.")
    if not may_edit:
        st.caption(f"Read only: {viewer.agency_code} may not change the identifiers of this record.")
        return
    if not key_notice():
        return
    if held:
        _remove(kind, record, held)
    _add(kind, record)


@dataclass(frozen=True)
class Typed:
    """What a person typed for an identifier, and whether they sent it."""

    kind: IdentifierKind
    value: str
    qualifier: str | None
    reason: str
    sent: bool


def identifier_form(form: str, verb: str, with_reason: bool = False) -> Typed:
    """The kind (outside the form: it decides what else is asked), the value, the qualifier that kind
    needs and, if asked for, a reason; each problem shown under its field."""
    chosen = IdentifierKind(st.selectbox("Kind of identifier", KINDS, key=key(form, "kind")))
    with st.form(f"{form}-form"):
        value = st.text_input(VALUES.get(chosen, "Value *"), key=key(form, f"value-{chosen.name}"))
        show_problem(form, "value")
        qualifier = ""
        if chosen in QUALIFIERS:
            qualifier = st.text_input(QUALIFIERS[chosen], key=key(form, f"qualifier-{chosen.name}"))
            show_problem(form, "qualifier")
        reason = st.text_input("Reason *", key=key(form, "reason")) if with_reason else ""
        for name in ("reason", "identifier_kind", "record"):
            show_problem(form, name)
        sent = st.form_submit_button(verb)
    return Typed(chosen, value, qualifier.strip() or None, reason, sent)


def _add(kind: Kind, record: RecordView) -> None:
    form = f"identifier-{kind.name}-{record.id}"
    typed = identifier_form(form, "Add identifier")
    if not typed.sent:
        return
    reference = record.values[kind.key]
    attempt(services.add_identifier, kind, record.id, typed.kind.value, typed.value, typed.qualifier,
            submission=token(form, typed), form=form, labels=labels_for(typed.kind),
            confirm=f"Added the {typed.kind.value} to {reference}; any agency holding it too is told at once.")


def _remove(kind: Kind, record: RecordView, held: list) -> None:
    """Removing closes the identifier's hits."""
    reference = record.values[kind.key]
    confirmed_removal(
        f"identifier-remove-{kind.name}-{record.id}", {row.id: f"{row.kind.value}: {row.value}" for row in held},
        pick="Remove an identifier", yes="Remove it",
        question=lambda name: f"Remove the {name} from {reference}? Its hits close: the agencies told of them "
                              "are told no more.",
        act=services.remove_identifier,
        done=lambda name: f"Removed the {name} from {reference}.")


def confirmed_removal(form: str, names: dict[int, str], *, pick: str, yes: str, question, act, done) -> None:
    """Choose one of `names` (id -> words), confirm `question(name)`, then `act(session, principal, id)`
    (a committed service, through `writes.attempt`) and confirm `done(name)`; "Keep it" goes back."""
    pending = st.session_state.get(f"{form}-pending")
    if pending in names:
        st.warning(plain(question(names[pending])))
        left, right = st.columns(2)
        if left.button(yes, key=f"{form}-confirm", type="primary"):
            st.session_state.pop(f"{form}-pending")
            attempt(act, pending, submission=token(form, pending), form=form, confirm=done(names[pending]))
        if right.button("Keep it", key=f"{form}-back"):
            st.session_state.pop(f"{form}-pending")
            st.rerun()
        return
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    chosen = left.selectbox(pick, list(names), format_func=names.get, index=None, placeholder="Choose one",
                            key=key(form, "which"))
    if right.button(f"{yes}…", key=key(form, "ask"), disabled=chosen is None):
        st.session_state[f"{form}-pending"] = chosen
        st.rerun()


def _told(told: list, place: str) -> None:
    """Each hit told on the record as a sentence, with a way to ask the other agency for contact."""
    if not told:
        return
    st.markdown("**Hits on this record**")
    for row in told:
        with st.container(border=True):
            st.markdown(plain(row.sentence))
            ask_for_contact(row, f"{place}-{row.id}")


def may_ask(row) -> bool:
    ids = agency_ids()
    return not (row.possible_duplicate or row.of_another_operation) and policy.can_ask_for_contact(
        principal(), True, ids.get(row.my_agency_code, 0), ids.get(row.other_agency_code, 0))


def ask_for_contact(row, place: str) -> None:
    """The request's status when one was made; otherwise a reason and "Ask for contact". A hit with
    another operation asks nothing here (an approval grants reading, which needs membership there):
    whom to contact instead."""
    if row.of_another_operation:
        st.caption(plain(f"Another operation holds it: contact {row.contact} to deconflict."))
        return
    if row.request_status is not None:
        st.caption(f"Your agency asked {row.other_agency_code} for contact: {row.request_status.value}.")
        return
    if not may_ask(row):
        return
    form = f"ask-{place}"
    with st.expander(f"Ask {row.other_agency_code} for contact"):
        with st.form(form):
            reason = st.text_area("Why you ask (the other agency reads it) *", key=key(form, "reason"))
            show_problem(form, "reason")
            show_problem(form, "hit")
            sent = st.form_submit_button("Ask for contact")
        if problems_of(form) and not sent:
            st.error("Please correct the request.")
    if not sent:
        return
    attempt(services.ask_for_contact, row.id, reason, submission=token(form, reason.strip()),
            form=form, labels=LABELS | {"hit": "The hit"},
            confirm=f"Asked {row.other_agency_code} for contact about the {row.kind.value} on "
                    f"{row.my_record_reference}; you will see their answer under Deconfliction.")
