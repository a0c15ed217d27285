"""The sign-in gate, run first on every interaction: nobody past it without a live, provisioned sign-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import streamlit as st

from coordination import services, settings
from coordination.db import write_session
from coordination.principal import Principal
from coordination.services import sign_in
from coordination.text import plain
from coordination.ui.widgets.context import PRINCIPAL_KEY, engine
from coordination.ui.widgets.sign_in_screens import refused_screen, sign_in_screen

REFUSED_KEY = "_coordination_refused"


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
    with write_session(engine()) as session:
        admission = services.admit(session, identity, now, limits(),
                                  record_refusal=st.session_state.get(REFUSED_KEY) != seen)
    if not admission.admitted:
        st.session_state[REFUSED_KEY] = seen
        pending = admission.status in (sign_in.Status.NOT_PROVISIONED, sign_in.Status.DISABLED)
        refused_screen(admission.message, identity, show_identity=pending)
        return None
    st.session_state[PRINCIPAL_KEY] = admission.principal
    _sidebar(admission.principal, identity)
    return admission.principal


def _sign_out(identity: sign_in.Identity) -> None:
    with write_session(engine()) as session:
        services.sign_out(session, identity, datetime.now(UTC))
    st.logout()


def _sidebar(principal: Principal, identity: sign_in.Identity) -> None:
    with st.sidebar:
        st.markdown(f"**{plain(principal.display_name)}**")
        st.caption(f"{principal.agency_code} · {principal.role.value}")
        st.button("Sign out", key="sign-out", on_click=_sign_out, args=(identity,))
