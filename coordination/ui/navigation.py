"""Which pages each role may use. Built every run from the principal: a page a role may not use
is not in its navigation, so it is not routable for it either."""

from __future__ import annotations

import streamlit as st

from coordination.models import Role
from coordination.principal import Principal
from coordination.ui import overview, users_admin

PAGES = {
    "overview": lambda: st.Page(overview.render, title="Operation overview", icon=":material/dashboard:",
                                url_path="overview", default=True),
    "users": lambda: st.Page(users_admin.render, title="Users", icon=":material/group:", url_path="users"),
}

PAGES_BY_ROLE: dict[Role, list[str]] = {
    Role.ADMIN: ["users"],
    Role.COMMANDER: ["overview"],
    Role.LIAISON: ["overview"],
    Role.ANALYST: ["overview"],
    Role.OBSERVER: ["overview"],
}


def run(principal: Principal) -> None:
    pages = [PAGES[name]() for name in PAGES_BY_ROLE[principal.role]]
    st.navigation(pages).run()
