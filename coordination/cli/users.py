"""`users`: provisioned users (add, list, disable), audited as changes made by the CLI."""

from __future__ import annotations

import click
from sqlalchemy import select

from coordination import services, settings
from coordination.cli import cli, database_option, open_database, write
from coordination.db import read_session
from coordination.errors import CoordinationError
from coordination.models import User
from coordination.principal import Principal, find_user
from coordination.queries import people

SYSTEM = Principal.system("cli")


@cli.group()
def users() -> None:
    """Provisioned users (audited as changes made by the CLI)."""


@users.command("add")
@click.option("--issuer", default=lambda: settings.load().demo_issuer, show_default="the local demo provider")
@click.option("--subject", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--email", default=None)
@click.option("--agency", required=True, help="agency code, e.g. MET")
@click.option("--role", required=True, type=click.Choice(["admin", "commander", "liaison", "analyst", "observer"]))
@click.option("--operations", default=None, metavar="CODES",
              help="the operations they take part in, in their role: codes, comma-separated")
@database_option
def users_add(database_url: str, issuer: str, subject: str, display_name: str, email: str | None, agency: str,
              role: str, operations: str | None) -> None:
    """Provision a user by OIDC issuer and subject."""
    user = write(open_database(database_url), services.create_user, SYSTEM, {
        "issuer": issuer, "subject": subject, "display_name": display_name, "email": email, "agency": agency,
        "role": role, "operations": operations})
    taking_part = f", taking part in {operations.upper()}" if operations else ""
    click.echo(f"provisioned {user.subject} ({role}, {agency.upper()}{taking_part}) as user {user.id}")


@users.command("list")
@database_option
def users_list(database_url: str) -> None:
    """Every user with agency, role, status and last sign-in."""
    with read_session(open_database(database_url)) as session:
        rows = people.users(session, None)  # the operator holds the database: every user
        click.echo(f"{'subject':<22} {'name':<22} {'agency':<10} {'role':<10} {'status':<9} last sign-in")
        for user in rows:
            seen = user.last_sign_in_at.strftime("%Y-%m-%d %H:%M UTC") if user.last_sign_in_at else "never"
            click.echo(f"{user.subject:<22} {user.name:<22} {user.agency:<10} {user.role:<10} "
                       f"{'active' if user.active else 'disabled':<9} {seen}")


@users.command("disable")
@click.argument("subject")
@click.option("--issuer", default=None, help="needed only when several providers use the subject")
@database_option
def users_disable(database_url: str, subject: str, issuer: str | None) -> None:
    """Disable a user: they lose access at their next interaction."""
    engine = open_database(database_url)
    with read_session(engine) as session:  # the version read here is checked when the change is written
        matches = session.scalars(select(User).where(User.subject == subject)).all() if issuer is None \
            else [u for u in [find_user(session, issuer, subject)] if u]
        if len(matches) != 1:
            raise CoordinationError(f"no single user with subject '{subject}'" + ("" if matches else " exists"))
        user_id, version = matches[0].id, matches[0].version
    write(engine, services.disable_user, SYSTEM, user_id, version)
    click.echo(f"disabled {subject}")
