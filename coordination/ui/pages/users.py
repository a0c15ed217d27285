"""Users: who may sign in, with which agency and role. Admins only (see policy.pages_for)."""

import streamlit as st

from coordination import services, settings
from coordination.db import read_session
from coordination.kinds import USER
from coordination.queries import people
from coordination.text import plain
from coordination.ui.widgets.context import agency_codes, engine, principal
from coordination.ui.widgets.writes import attempt, key, said_plainly, token

ROLES = USER["role"].parse.options

admin = principal()
with read_session(engine()) as session:
    users = people.users(session, admin)
agencies = agency_codes()
st.title("Users")
st.caption("People are identified by their identity provider (issuer) and subject, never by email.")
st.dataframe([{"subject": u.subject, "name": u.name, "agency": u.agency, "role": u.role,
               "status": "active" if u.active else "disabled", "issuer": u.issuer,
               "last sign-in": u.last_sign_in_at.strftime("%Y-%m-%d %H:%M UTC") if u.last_sign_in_at else "never"}
              for u in sorted(users, key=lambda u: u.subject)], hide_index=True, width="stretch")

change, provision = st.tabs(["Change a user", "Provision a user"])
with change:
    by_label = {f"{u.subject} ({u.agency}, {u.role})": u for u in sorted(users, key=lambda u: u.subject)}
    chosen = by_label[st.selectbox("User", list(by_label))] if by_label else None
    if chosen is not None:
        with st.form("change-user"):
            st.caption(plain(f"Changing {chosen.subject}: {chosen.name} ({chosen.agency}, {chosen.role})"))
            role = st.selectbox("Role", ROLES, index=ROLES.index(chosen.role),
                                key=key("change-user", f"{chosen.id}-role"))
            agency = st.selectbox("Agency", agencies, index=agencies.index(chosen.agency),
                                  key=key("change-user", f"{chosen.id}-agency"))
            active = st.checkbox("Active (may sign in)", value=chosen.active,
                                 key=key("change-user", f"{chosen.id}-active"))
            if st.form_submit_button("Save"):
                state = "active" if active else "disabled: signed out everywhere"
                attempt(services.update_user, chosen.id, chosen.version,
                        {"role": role, "agency": agency, "active": active},
                        submission=token("change-user", (chosen.id, role, agency, active)),
                        form="change-user", confirm=f"Saved {chosen.subject} ({agency}, {role}, {state}).",
                        said=said_plainly)
with provision:
    with st.form("provision-user", clear_on_submit=False):
        issuer = st.text_input("Issuer (the identity provider)", value=settings.load().demo_issuer,
                               key=key("provision-user", "issuer"))
        subject = st.text_input("Subject", key=key("provision-user", "subject"))
        name = st.text_input("Name", key=key("provision-user", "name"))
        email = st.text_input("Email (for contact only)", key=key("provision-user", "email"))
        agency = st.selectbox("Agency ", agencies, key=key("provision-user", "agency"))
        role = st.selectbox("Role ", ROLES, index=ROLES.index("liaison"), key=key("provision-user", "role"))
        if st.form_submit_button("Provision"):
            attempt(services.create_user, {"issuer": issuer, "subject": subject, "display_name": name,
                                           "email": email or None, "agency": agency, "role": role},
                    submission=token("provision-user", (issuer, subject)),
                    form="provision-user", confirm=f"Provisioned {subject} ({agency}, {role}): they can sign in now.",
                    said=said_plainly)
