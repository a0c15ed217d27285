"""The sign-in gate, run first on every interaction: nobody past it without a live, provisioned sign-in.

Pages that refresh themselves (`refreshing`) are not interactions: their runs never count as activity
for the idle timeout, and between runs they check, now and then, that the sign-in is still alive, so
an idle board is signed out like any idle page instead of being kept alive, or drawn on, by itself.

The gate also settles which operation the run reads: the one the address names (`?operation=ELABORATE`),
else the one this tab read last, else the person's default (`Principal.of`). It writes the operation read
back into the address, so that a link copied from it opens the same one, and draws the sidebar's picker
of the operations the person takes part in (`services/choosing.py`).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import streamlit as st

from coordination import services, settings
from coordination.db import read_session
from coordination.principal import Principal
from coordination.services import choosing, sign_in
from coordination.text import plain
from coordination.ui.widgets import writes
from coordination.ui.widgets.context import OPERATION_NAME_KEY, PRINCIPAL_KEY, engine
from coordination.ui.widgets.sign_in_screens import no_operation_screen, refused_screen, sign_in_screen

REFUSED_KEY = "_coordination_refused"
BY_ITSELF_KEY = "_coordination_rerun_by_itself"  # set by a self-refreshing fragment just before it reruns the page
CHECKED_KEY = "_coordination_sign_in_checked"  # when (monotonic) this page last knew its sign-in alive
CHECK_EVERY_S = 10  # how often a self-refreshing fragment asks whether the sign-in has ended
OPERATION_PARAM = "operation"  # ?operation=ELABORATE: the operation the address opens
OPERATION_KEY = "_coordination_operation"  # the code of the operation this tab reads (a page link drops it)
PICKER_KEY = "operation-picker"


def limits() -> sign_in.Limits:
    config = settings.load()
    return sign_in.Limits(idle=timedelta(seconds=config.idle_timeout_s),
                          lifetime=timedelta(seconds=config.absolute_lifetime_s))


def admitted_principal() -> Principal | None:
    """The principal for this run, or None after showing the screen that says why not."""
    st.session_state.pop(PRINCIPAL_KEY, None)
    st.session_state.pop(OPERATION_NAME_KEY, None)
    if not st.user.get("is_logged_in", False):  # absent when no provider is configured
        sign_in_screen()
        return None
    now = datetime.now(UTC)
    identity = sign_in.Identity.from_claims(st.user.to_dict(), now)
    seen = (identity.issuer, identity.subject, identity.signed_in_at)
    by_itself = st.session_state.pop(BY_ITSELF_KEY, False)
    asked = st.query_params.get(OPERATION_PARAM) or st.session_state.get(OPERATION_KEY)
    admission = _alive_by_itself(identity, now, asked) if by_itself else None
    if admission is None:  # a person's run, or one whose sign-in ended: decided and recorded
        admission = writes.call(services.admit, identity, now, limits(), operation=asked,
                                record_refusal=st.session_state.get(REFUSED_KEY) != seen, active=not by_itself)
    principal = admission.principal
    if not admission.admitted or principal is None:  # (an admission always names its principal)
        st.session_state[REFUSED_KEY] = seen
        pending = admission.status in (sign_in.Status.NOT_PROVISIONED, sign_in.Status.DISABLED)
        refused_screen(admission.message, identity, show_identity=pending)
        return None
    st.session_state[PRINCIPAL_KEY] = principal
    st.session_state[CHECKED_KEY] = time.monotonic()
    _reading(principal, admission.choices)
    _sidebar(principal, identity, admission.choices, admission.in_no_operation)
    if asked and asked.strip().upper() != principal.operation_code:  # a link to one they may not read
        st.warning(plain(choosing.no_such(asked)))
    if admission.in_no_operation:
        no_operation_screen()
        return None
    return principal


def _alive_by_itself(identity: sign_in.Identity, now: datetime, asked: str | None) -> sign_in.Admission | None:
    """A run the page made by itself writes nothing while the sign-in is alive (a redraw never waits
    behind writers for the write lock); None when it ended, for `admit` to record."""
    with read_session(engine()) as session:
        return sign_in.still_admitted(session, identity, now, limits(), operation=asked)


def _reading(principal: Principal, choices: tuple[choosing.Choice, ...]) -> None:
    """Name the operation this run reads (page title, headings) and keep it in the tab and its address."""
    if not principal.operation_code:  # reading none: the address names none either
        st.session_state.pop(OPERATION_KEY, None)
        if OPERATION_PARAM in st.query_params:
            del st.query_params[OPERATION_PARAM]
        return
    name = next((choice.name for choice in choices if choice.code == principal.operation_code),
                principal.operation_code)
    st.session_state[OPERATION_NAME_KEY] = name
    st.session_state[OPERATION_KEY] = principal.operation_code
    if st.query_params.get(OPERATION_PARAM) != principal.operation_code:
        st.query_params[OPERATION_PARAM] = principal.operation_code
    st.set_page_config(page_title=f"{name} · coordination")


def rerun_by_itself() -> None:
    """Rerun the whole page for a self-refreshing fragment: checked by the gate, but not as activity."""
    st.session_state[BY_ITSELF_KEY] = True
    st.rerun(scope="app")


def refreshing(every_s: float, draw: Callable, *args) -> None:
    """Draw `draw(*args)` as a fragment that runs again every `every_s` seconds by itself. Every
    CHECK_EVERY_S it first asks whether the sign-in has ended (idle, too old, signed out elsewhere,
    disabled): then the page is rerun, and the gate says why instead of the fragment drawing on."""
    @functools.wraps(draw)  # the fragment is known by the function it draws, one per call site as before
    def run(*given) -> None:
        if _sign_in_ended():
            rerun_by_itself()
        draw(*given)
    st.fragment(run_every=every_s)(run)(*args)


def _sign_in_ended() -> bool:
    checked = st.session_state.get(CHECKED_KEY, 0.0)
    if time.monotonic() - checked < CHECK_EVERY_S:
        return False
    now = datetime.now(UTC)
    identity = sign_in.Identity.from_claims(st.user.to_dict(), now)
    with read_session(engine()) as session:
        ended = sign_in.has_ended(session, identity, now, limits())
    if not ended:
        st.session_state[CHECKED_KEY] = time.monotonic()
    return ended


def _sign_out(identity: sign_in.Identity) -> None:
    writes.call(services.sign_out, identity, datetime.now(UTC))
    st.logout()


def _choose() -> None:
    """The picker's choice: recorded (the next sign-in opens on it), then read by this tab from its next
    run on, the address saying which (other parameters belonged to the operation left)."""
    code = st.session_state[PICKER_KEY]
    if writes.attempt(services.choose_operation, code) is not None:
        st.session_state[OPERATION_KEY] = code
        st.query_params.from_dict({OPERATION_PARAM: code})


def _sidebar(principal: Principal, identity: sign_in.Identity, choices: tuple[choosing.Choice, ...],
             in_no_operation: bool) -> None:
    with st.sidebar:
        st.markdown(f"**{plain(principal.display_name)}**")
        # a role is one's role in an operation (an admin's is the deployment's)
        st.caption(principal.agency_code if in_no_operation else f"{principal.agency_code} · {principal.role.value}")
        if len(choices) > 1:  # one: named above the navigation, nothing to choose
            labels = {choice.code: choice.label for choice in choices}
            st.session_state[PICKER_KEY] = principal.operation_code  # the operation read, however it was chosen
            st.selectbox("Operation", list(labels), format_func=labels.__getitem__, key=PICKER_KEY,
                         on_change=_choose)
        st.button("Sign out", key="sign-out", on_click=_sign_out, args=(identity,))
