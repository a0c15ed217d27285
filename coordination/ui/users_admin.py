"""Users: who may sign in, with which agency and role. Admins only (see navigation)."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import select

from coordination import services, settings
from coordination.db import read_session, write_session
from coordination.models import Agency, Role, User
from coordination.ui.context import engine, principal, shown_errors

ROLES = [role.value for role in Role]


def render() -> None:
    admin = principal()
    with read_session(engine()) as session:
        users = session.scalars(select(User).order_by(User.subject)).all()
        agencies = [code for (code,) in session.execute(select(Agency.code).order_by(Agency.code))]
        rows = [{"subject": u.subject, "name": u.display_name, "agency": u.agency.code, "role": u.role.value,
                 "status": "active" if u.active else "disabled", "issuer": u.issuer,
                 "last sign-in": u.last_sign_in_at.strftime("%Y-%m-%d %H:%M UTC") if u.last_sign_in_at else "never"}
                for u in users]
    st.title("Users")
    st.caption("People are identified by their identity provider (issuer) and subject, never by email.")
    st.dataframe(rows, hide_index=True, width="stretch")

    change, provision = st.tabs(["Change a user", "Provision a user"])
    with change:
        by_label = {f"{u.subject} ({u.agency.code}, {u.role.value})": u for u in users}
        chosen = by_label[st.selectbox("User", list(by_label))] if by_label else None
        if chosen is not None:
            with st.form("change-user"):
                role = st.selectbox("Role", ROLES, index=ROLES.index(chosen.role.value))
                agency = st.selectbox("Agency", agencies, index=agencies.index(chosen.agency.code))
                active = st.checkbox("Active (may sign in)", value=chosen.active)
                if st.form_submit_button("Save"):
                    with shown_errors(), write_session(engine()) as session:
                        services.update_user(session, admin, chosen.id, chosen.version,
                                             {"role": role, "agency": agency, "active": active})
                        st.success(f"Saved {chosen.subject}.")
                        st.rerun()
    with provision:
        with st.form("provision-user", clear_on_submit=False):
            issuer = st.text_input("Issuer (the identity provider)", value=settings.load().demo_issuer)
            subject = st.text_input("Subject")
            name = st.text_input("Name")
            email = st.text_input("Email (for contact only)")
            agency = st.selectbox("Agency ", agencies)
            role = st.selectbox("Role ", ROLES, index=ROLES.index("liaison"))
            if st.form_submit_button("Provision"):
                with shown_errors(), write_session(engine()) as session:
                    services.create_user(session, admin, {"issuer": issuer, "subject": subject, "display_name": name,
                                                          "email": email or None, "agency": agency, "role": role})
                    st.success(f"Provisioned {subject}.")
                    st.rerun()
