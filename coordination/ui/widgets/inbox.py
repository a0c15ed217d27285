"""The inbox: a person's notifications as sentences, each opening its record; the unread count in
the sidebar (refreshing by itself); and their notification settings."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from coordination import notices, policy, services, settings
from coordination.db import read_session
from coordination.queries import notifications
from coordination.text import plain
from coordination.ui import gate
from coordination.ui.widgets import flash, writes
from coordination.ui.widgets.context import engine, principal

INBOX_PAGE = "coordination/ui/pages/inbox.py"
BEFORE_KEY = "inbox-before"  # the keyset page: older than this notification id


def unread_badge() -> None:
    """'Inbox: 3 unread' in the sidebar, counted again every few seconds."""
    with st.sidebar:
        gate.refreshing(settings.load().refresh_s, _badge)


def _badge() -> None:
    with read_session(engine()) as session:
        n = notifications.unread_count(session, principal())
    shown = f"{notifications.UNREAD_CAP - 1}+" if n >= notifications.UNREAD_CAP else f"{n:,}"
    st.page_link(INBOX_PAGE, label=f"Inbox: {shown} unread")


def _open(entry: notifications.Entry) -> None:
    writes.call(services.mark_read, principal(), [entry.id])
    if entry.page:
        st.switch_page(f"coordination/ui/pages/{entry.page}.py", query_params={"open": entry.reference})


def _mark_read(ids: list[int]) -> None:  # a button's callback: it runs before the page, which shows the count
    writes.call(services.mark_read, principal(), ids)


def _mark_all_read() -> None:  # a callback too: the confirmation is shown by the run that follows
    n = writes.call(services.mark_all_read, principal())
    flash.later(f"{n:,} notification{'' if n == 1 else 's'} marked read.")


def notification_list() -> None:
    viewer = principal()
    show, kinds = st.columns([1, 3])
    unread_only = show.radio("Show", ["All", "Unread"], horizontal=True, key="inbox-show") == "Unread"
    labels = {event.label: name for name, event in notices.EVENTS.items()}
    chosen = kinds.multiselect("Kinds of event", list(labels), key="inbox-kinds")
    shape = (unread_only, tuple(chosen))
    if st.session_state.get("inbox-shape") != shape:  # another filter starts again from the newest
        st.session_state["inbox-shape"], st.session_state[BEFORE_KEY] = shape, None
    with read_session(engine()) as session:
        found = notifications.inbox(session, viewer, unread_only=unread_only,
                                    events=tuple(labels[label] for label in chosen),
                                    before=st.session_state.get(BEFORE_KEY))
        unread = notifications.unread_count(session, viewer)
    st.button("Mark all read", key="inbox-all-read", on_click=_mark_all_read, disabled=not unread,
              help=None if unread else "Nothing is unread.")
    if not found.entries:
        st.info("Nothing here." if st.session_state.get(BEFORE_KEY) is None else "Nothing older.")
    for entry in found.entries:
        _entry(entry)
    newest, older = st.columns(2)
    if st.session_state.get(BEFORE_KEY) is not None:
        newest.button("Newest", key="inbox-newest", on_click=st.session_state.__setitem__, args=(BEFORE_KEY, None))
    if found.more:
        older.button("Older", key="inbox-older", on_click=st.session_state.__setitem__,
                     args=(BEFORE_KEY, found.entries[-1].id))


def _entry(entry: notifications.Entry) -> None:
    with st.container(border=True):
        text, action, read = st.columns([6, 2, 1], vertical_alignment="center")
        mark = "" if entry.read else "**New** · "
        detail = f" · {plain(entry.detail)}" if entry.detail else ""
        text.markdown(f"{mark}{plain(entry.sentence)}")
        text.caption(f"{entry.created_at:%d %b %Y %H:%M} UTC{detail}")
        if entry.page:
            if action.button(f"Open {plain(entry.reference)}", key=f"inbox-open-{entry.id}"):  # labels read Markdown
                _open(entry)
        elif entry.entity_id is not None:
            _download(action, entry)
        if not entry.read:
            read.button("Read", key=f"inbox-read-{entry.id}", on_click=_mark_read, args=([entry.id],),
                        help="Mark read")


def _download(column, entry: notifications.Entry) -> None:
    with read_session(engine()) as session:
        found = notifications.briefing_pdf(session, principal(), entry.entity_id)
    if found:
        name, pdf = found
        column.download_button("Download", pdf, file_name=name, mime="application/pdf",
                               key=f"inbox-download-{entry.id}", on_click=_mark_read, args=([entry.id],))


def settings_form() -> None:
    viewer = principal()
    with read_session(engine()) as session:
        mine = notifications.settings(session, viewer)
    modes = ["off", "immediately", "hourly digest", "daily digest"]
    labels = {name: event.label for name, event in notices.EVENTS.items()}
    with st.form("notification-settings"):
        mail = st.radio("Mail", modes, index=modes.index(mine.mail), horizontal=True,
                        help="A mail names the kind of event and the record's reference, with a link; never "
                             "what the record holds. Daily digests go out from 07:00 London time.")
        if not mine.has_email:
            st.caption("You have no mail address on record: ask an administrator to add one.")
        muted = st.multiselect("Do not tell me about", list(labels.values()),
                               default=[labels[name] for name in mine.muted if name in labels])
        briefing_at = ""
        if policy.can_schedule_briefing(viewer):
            briefing_at = st.text_input("Daily briefing at (London time, HH:MM; empty: none)",
                                        value=mine.briefing_at or "")
        if st.form_submit_button("Save settings"):
            data = {"mail": mail, "muted": muted}
            if policy.can_schedule_briefing(viewer):
                data["briefing_at"] = briefing_at
            writes.attempt(services.save_notification_settings, data, now=datetime.now(UTC),
                           confirm="Notification settings saved.", said=writes.said_plainly)
