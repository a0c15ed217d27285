"""Users: who may sign in, with which agency and role, and which operations each takes part in (with
their role there). Admins only (see policy.pages_for)."""

import streamlit as st

from coordination import policy, services, settings
from coordination.db import read_session
from coordination.kinds import USER
from coordination.queries import memberships, people
from coordination.text import plain
from coordination.ui.widgets.context import agency_codes, engine, principal
from coordination.ui.widgets.writes import attempt, key, said_plainly, show_problem, token

ROLES = USER["role"].parse.options
ROLES_IN_OPERATION = [role.value for role in policy.MEMBERSHIP_ROLES]  # an admin takes part as no admin
MEMBERSHIP_LABELS = {"operation": "Operation", "person": "This person", "role": "Role there"}


def memberships_of(person) -> None:
    """The operations `person` takes part in, and the admin's three changes to them, each confirmed."""
    with read_session(engine()) as session:
        theirs = memberships.memberships_of(session, admin, person.id)
    st.subheader(plain(f"Operations {person.subject} takes part in"))
    if theirs:
        st.dataframe([{"operation": m.code_name, "code": m.operation, "role there": m.role} for m in theirs],
                     hide_index=True, width="stretch")
    else:
        st.caption("None yet: they read no operation's records until they take part in one.")
    joined = [m.operation for m in theirs]
    others = [row.code for row in operations if row.code not in joined]
    add, change_role, remove = st.columns(3)
    with add, st.form("add-membership"):
        code = st.selectbox("Operation", others, key=key("add-membership", f"{person.id}-operation"))
        role = st.selectbox("Role there", ROLES_IN_OPERATION, index=ROLES_IN_OPERATION.index("liaison"),
                            key=key("add-membership", f"{person.id}-role"))
        if st.form_submit_button("Add to the operation", disabled=not others):
            _membership_write("add-membership", services.add_member, code, person.subject, role,
                              confirm=f"{person.subject} takes part in {code} as {role} now.")
    with change_role, st.form("change-membership"):
        code = st.selectbox("Operation ", joined, key=key("change-membership", f"{person.id}-operation"))
        role = st.selectbox("New role there", ROLES_IN_OPERATION, key=key("change-membership", f"{person.id}-role"))
        if st.form_submit_button("Change the role", disabled=not joined):
            _membership_write("change-membership", services.change_member_role, code, person.subject, role,
                              confirm=f"{person.subject} is {role} in {code} now (their role elsewhere is unchanged).")
    with remove, st.form("remove-membership"):
        code = st.selectbox("Operation  ", joined, key=key("remove-membership", f"{person.id}-operation"))
        if st.form_submit_button("Remove from the operation", disabled=not joined):
            _membership_write("remove-membership", services.remove_member, code, person.subject,
                              confirm=f"{person.subject} no longer takes part in {code}: they read nothing of it now.")


def _membership_write(form: str, use_case, *args: str, confirm: str) -> None:
    """One membership change, confirmed after it is written; a refusal said in words above the forms."""
    attempt(use_case, *args, form=form, submission=token(form, args), confirm=confirm, said=said_plainly,
            labels=MEMBERSHIP_LABELS)


admin = principal()
with read_session(engine()) as session:
    users = people.users(session, admin)
    operations = memberships.operations(session, admin)
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
        for form in ("add-membership", "change-membership", "remove-membership"):
            for name in MEMBERSHIP_LABELS:
                show_problem(form, name)
        memberships_of(chosen)
with provision:
    with st.form("provision-user", clear_on_submit=False):
        issuer = st.text_input("Issuer (the identity provider)", value=settings.load().demo_issuer,
                               key=key("provision-user", "issuer"))
        subject = st.text_input("Subject", key=key("provision-user", "subject"))
        name = st.text_input("Name", key=key("provision-user", "name"))
        email = st.text_input("Email (for contact only)", key=key("provision-user", "email"))
        agency = st.selectbox("Agency ", agencies, key=key("provision-user", "agency"))
        role = st.selectbox("Role ", ROLES, index=ROLES.index("liaison"), key=key("provision-user", "role"))
        taking_part = st.multiselect("Operations they take part in, in this role", [row.code for row in operations],
                                     key=key("provision-user", "operations"))
        if st.form_submit_button("Provision"):
            attempt(services.create_user, {"issuer": issuer, "subject": subject, "display_name": name,
                                           "email": email or None, "agency": agency, "role": role,
                                           "operations": taking_part},
                    submission=token("provision-user", (issuer, subject)),
                    form="provision-user", confirm=f"Provisioned {subject} ({agency}, {role}): they can sign in now.",
                    said=said_plainly)
