"""Which pages each principal may use, asked of the policy every run: a page a role may not use is
not in its navigation, so it is not routable for it either."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from coordination import policy
from coordination.principal import Principal
from coordination.ui.widgets import inbox
from coordination.ui.widgets.context import operation_name

PAGE_DIR = Path(__file__).parent / "pages"
# name -> title; the page itself is PAGE_DIR/<name>.py. No icons: Streamlit turns a page's icon into
# a favicon fetched from Google's servers, and nothing may leave a closed police network.
PAGES = {
    "my_tasks": "My agency's tasks",
    "overview": "Operation overview",
    "dashboard": "Operation picture",
    "suspects": "Suspects",
    "arrests": "Arrests",
    "evidence": "Evidence",
    "tasks": "Tasks",
    "deconfliction": "Deconfliction",
    "users": "Users",
    "timeline": "Timeline",
    "decisions": "Decision log",
    "inbox": "Inbox",
    "my_packages": "My agency's packages",
    "action_day": "Action day board",
    "packages": "Target packages",
}


def run(principal: Principal) -> None:
    pages = [st.Page(PAGE_DIR / f"{name}.py", title=PAGES[name], url_path=name, default=index == 0)
             for index, name in enumerate(policy.pages_for(principal))]
    # the operation read, named above its pages on every page (an admin of no operation reads none)
    navigation = st.navigation({operation_name(): pages} if principal.operation_code else pages)
    if "inbox" in policy.pages_for(principal):
        inbox.unread_badge()
    navigation.run()
