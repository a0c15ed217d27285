"""The sign-in gate, run first on every interaction: nobody past it without a live, provisioned sign-in.

Pages that refresh themselves (`refreshing`) are not interactions: their runs never count as activity
for the idle timeout, and between runs they check, now and then, that the sign-in is still alive, so
an idle board is signed out like any idle page instead of being kept alive, or drawn on, by itself.
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
from coordination.services import sign_in
from coordination.text import plain
from coordination.ui.widgets import writes
from coordination.ui.widgets.context import PRINCIPAL_KEY, engine
from coordination.ui.widgets.sign_in_screens import refused_screen, sign_in_screen

REFUSED_KEY = "_coordination_refused"
BY_ITSELF_KEY = "_coordination_rerun_by_itself"  # set by a self-refreshing fragment just before it reruns the page
CHECKED_KEY = "_coordination_sign_in_checked"  # when (monotonic) this page last knew its sign-in alive
CHECK_EVERY_S = 10  # how often a self-refreshing fragment asks whether the sign-in has ended


def limits() -> sign_in.Limits:
    config = settings.load()
    return sign_in.Limits(idle=timedelta(seconds=config.idle_timeout_s),
                          lifetime=timedelta(seconds=config.absolute_lifetime_s))


def admitted_principal() -> Principal | None:
    """The principal for this run, or None after showing the screen that says why not."""
    st.session_state.pop(PRINCIPAL_KEY, None)
    if not st.user.get("is_logged_in", False):  # absent when no provider is configured
        sign_in_screen()
        return None
    now = datetime.now(UTC)
    identity = sign_in.Identity.from_claims(st.user.to_dict(), now)
    seen = (identity.issuer, identity.subject, identity.signed_in_at)
    by_itself = st.session_state.pop(BY_ITSELF_KEY, False)
    admission = _alive_by_itself(identity, now) if by_itself else None
    if admission is None:  # a person's run, or one whose sign-in ended: decided and recorded
        admission = writes.call(services.admit, identity, now, limits(),
                                record_refusal=st.session_state.get(REFUSED_KEY) != seen, active=not by_itself)
    if not admission.admitted:
        st.session_state[REFUSED_KEY] = seen
        pending = admission.status in (sign_in.Status.NOT_PROVISIONED, sign_in.Status.DISABLED)
        refused_screen(admission.message, identity, show_identity=pending)
        return None
    st.session_state[PRINCIPAL_KEY] = admission.principal
    st.session_state[CHECKED_KEY] = time.monotonic()
    _sidebar(admission.principal, identity)
    return admission.principal


def _alive_by_itself(identity: sign_in.Identity, now: datetime) -> sign_in.Admission | None:
    """A run the page made by itself writes nothing while the sign-in is alive (a redraw never waits
    behind writers for the write lock); None when it ended, for `admit` to record."""
    with read_session(engine()) as session:
        principal = sign_in.still_admitted(session, identity, now, limits())
    return None if principal is None else sign_in.Admission(sign_in.Status.ADMITTED, principal)


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


def _sidebar(principal: Principal, identity: sign_in.Identity) -> None:
    with st.sidebar:
        st.markdown(f"**{plain(principal.display_name)}**")
        st.caption(f"{principal.agency_code} · {principal.role.value}")
        st.button("Sign out", key="sign-out", on_click=_sign_out, args=(identity,))
