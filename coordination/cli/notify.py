"""`notify run`: one reminder pass (due, overdue and unblocked tasks, daily briefings, mail), for cron."""

from __future__ import annotations

import os

import click

from coordination import mail, reminder_pass
from coordination.cli import cli, database_option, open_database


@cli.group("notify")
def notify_group() -> None:
    """Notifications: the reminder pass."""


@notify_group.command("run")
@click.option("--smtp-host", envvar="COORD_SMTP_HOST", default="", help="mail server; none: nobody is mailed")
@click.option("--smtp-port", envvar="COORD_SMTP_PORT", default=25, type=click.IntRange(1, 65535), show_default=True)
@click.option("--mail-from", envvar="COORD_MAIL_FROM", default="coordination@localhost", show_default=True)
@click.option("--app-url", envvar="COORD_APP_URL", default="http://127.0.0.1:8501", show_default=True,
              help="the app's public address, for the links in mail")
@click.option("--no-charts", is_flag=True, help="daily briefings without charts (no Chromium)")
@database_option
def run_command(database_url: str, smtp_host: str, smtp_port: int, mail_from: str, app_url: str,
                no_charts: bool) -> None:
    """One reminder pass now; does nothing if another replica is running one. Safe to repeat."""
    engine = open_database(database_url)
    # the login and STARTTLS come from the environment only, never from a command line others can read
    settings = mail.MailSettings.from_mapping({"host": smtp_host, "port": smtp_port, "sender": mail_from,
                                               "app_url": app_url, "username": os.environ.get("COORD_SMTP_USER", ""),
                                               "password": os.environ.get("COORD_SMTP_PASSWORD", ""),
                                               "starttls": os.environ.get("COORD_SMTP_STARTTLS", "")})
    click.echo(str(reminder_pass.run_pass(engine, mail_settings=settings, briefing_charts=not no_charts)))
