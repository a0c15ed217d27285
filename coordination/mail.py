"""Mail about notifications: where to send it from (SMTP settings), and what a message says.

A message carries the kind of event, the record's reference and a link to it in the app (in the
record's operation: `?operation=CODE`, so that it opens there whichever the person last read), never the
record's content (a title, a name, a note): mail leaves the handling the app enforces, so it holds
nothing more than a pointer a person must sign in to follow.

Settings come from `.streamlit/secrets.toml` (`[mail]`, for the app) or the environment (`COORD_SMTP_*`,
for `python -m coordination notify run`); without a host, nobody is mailed.
"""

from __future__ import annotations

import os
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import quote, urlencode

from coordination.queries.notifications import Entry

ENV = {"host": "COORD_SMTP_HOST", "port": "COORD_SMTP_PORT", "sender": "COORD_MAIL_FROM",
       "app_url": "COORD_APP_URL", "username": "COORD_SMTP_USER", "password": "COORD_SMTP_PASSWORD",
       "starttls": "COORD_SMTP_STARTTLS"}


@dataclass(frozen=True)
class MailSettings:
    host: str
    app_url: str  # the address people open the app at, for links
    port: int = 25
    sender: str = "coordination@localhost"
    username: str = ""
    password: str = ""
    starttls: bool = False
    timeout_s: float = 20

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> MailSettings | None:
        """From `[mail]` of secrets.toml (or anything shaped like it); None without a host."""
        if not values.get("host"):
            return None
        return cls(host=str(values["host"]), app_url=str(values.get("app_url", "http://127.0.0.1:8501")).rstrip("/"),
                   port=int(values.get("port", 25)), sender=str(values.get("sender", cls.sender)),
                   username=str(values.get("username", "")), password=str(values.get("password", "")),
                   starttls=str(values.get("starttls", "")).lower() in ("1", "true", "yes"))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> MailSettings | None:
        return cls.from_mapping({name: environ[variable] for name, variable in ENV.items() if environ.get(variable)})


def link(settings: MailSettings, entry: Entry, operation_code: str = "") -> str:
    """Where the entry's record opens in the app (the inbox for what has no page of its own), in the
    operation coded `operation_code` (the one the record is of)."""
    page, query = (entry.page, {"open": entry.reference}) if entry.page else ("inbox", {})
    if operation_code:
        query["operation"] = operation_code
    return f"{settings.app_url}/{page}" + (f"?{urlencode(query, safe='', quote_via=quote)}" if query else "")


def message(settings: MailSettings, to: str, operation: str, entries: list[Entry],
            operation_code: str = "") -> EmailMessage:
    """One mail for `entries` of the operation named `operation` (coded `operation_code`, which its links
    carry): a single notification, or a digest of several."""
    mail = EmailMessage()
    mail["From"], mail["To"] = settings.sender, to
    if len(entries) == 1:
        mail["Subject"] = f"{operation}: {entries[0].sentence}"
    else:
        mail["Subject"] = f"{operation}: {len(entries)} notifications"
    lines = [f"{entry.created_at:%d %b %Y %H:%M} UTC  {entry.sentence}\n    {link(settings, entry, operation_code)}"
             for entry in entries]
    mail.set_content("\n".join([*lines, "", "Sign in to read the records; this mail holds nothing of them.",
                                f"Your notification settings: {settings.app_url}/inbox"]) + "\n")
    return mail


def send(settings: MailSettings, messages: list[EmailMessage]) -> None:
    """Hand messages to the SMTP server (one connection). Raises OSError / SMTPException on failure."""
    with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s) as smtp:
        if settings.starttls:
            smtp.starttls()
        if settings.username:
            smtp.login(settings.username, settings.password)
        for mail in messages:
            smtp.send_message(mail)
