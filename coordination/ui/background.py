"""The reminder pass inside the app: one loop per app process (every replica runs one; the lease in
the database lets one replica at a time do the pass), with the mail settings of secrets.toml."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from coordination import mail, reminder_pass, settings
from coordination.ui.widgets.context import engine


def keep_reminding() -> None:
    config = settings.load()
    if config.notify_every_s > 0:
        _started(config.database_url, config.notify_every_s)


@st.cache_resource(show_spinner=False)
def _started(database_url: str, every_s: int):
    del database_url  # part of the key only
    return reminder_pass.start_in_background(engine(), timedelta(seconds=every_s), _mail_settings())


def _mail_settings() -> mail.MailSettings | None:
    """`[mail]` of secrets.toml, else the COORD_SMTP_* variables; None: nobody is mailed."""
    try:
        section = st.secrets.get("mail")
    except FileNotFoundError:  # no secrets file at all
        section = None
    return mail.MailSettings.from_mapping(dict(section)) if section else mail.MailSettings.from_env()
