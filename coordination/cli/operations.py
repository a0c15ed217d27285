"""`operations`: the operations of the deployment (list, open, status) and who takes part in them
(members, add-member, change-role, remove-member), each write audited as the person it acts as."""

from __future__ import annotations

import click
from sqlalchemy import Engine

from coordination import policy, services
from coordination.cli import acting_user, as_person, cli, database_option, open_database, write
from coordination.db import read_session
from coordination.errors import NotFound
from coordination.principal import Principal, principal_for_subject
from coordination.queries import memberships

SYSTEM = Principal.system("cli")
ROLES = [role.value for role in policy.MEMBERSHIP_ROLES]


@cli.group()
def operations() -> None:
    """Operations and who takes part in them (audited as the person acting, or as the CLI)."""


def _acting_on(engine: Engine, subject: str | None, code: str) -> Principal:
    """Whom a command about operation CODE acts as: the person as its member when they are one (their
    role there), else as themselves (an admin provisions any operation); no --as: the CLI itself."""
    if subject is None:
        return SYSTEM
    with read_session(engine) as session:
        principal = principal_for_subject(session, subject)
        member = any(row.code == code.strip().upper() and row.role is not None
                     for row in memberships.operations(session, principal))
        return principal_for_subject(session, subject, operation=code) if member else principal


@operations.command("list")
@click.option("--as", "subject", default=None, help="the person whose operations to list (default: every one)")
@database_option
def list_operations(database_url: str, subject: str | None) -> None:
    """The operations the person takes part in, with their role in each (an admin: every operation)."""
    engine = open_database(database_url)
    with read_session(engine) as session:
        rows = memberships.operations(session, principal_for_subject(session, subject) if subject else None)
    if not rows:
        click.echo("No operation." if subject is None else f"{subject} takes part in no operation.")
    for row in rows:
        role = f", {row.role}" if row.role else ""
        click.echo(f"{row.code:<16} {row.code_name} ({row.status}, led by {row.lead_agency}{role})")


@operations.command("open")
@click.option("--code-name", required=True, help="e.g. 'Operation Ledger'")
@click.option("--code", required=True, help="the short code it is named by: 2 to 32 letters, digits or hyphens")
@click.option("--lead-agency", required=True, help="agency code, e.g. NCA")
@click.option("--partners", default=None, help="the partner agencies' codes, comma-separated (the lead is one)")
@click.option("--starts-on", default=None, metavar="YYYY-MM-DD")
@click.option("--ends-on", default=None, metavar="YYYY-MM-DD")
@click.option("--action-day", default=None, metavar="YYYY-MM-DD")
@click.option("--tlp", "default_tlp", default=None, help="the default marking of its records (default AMBER)")
@click.option("--classification", "default_classification", default=None,
              help="the default classification of its records (default OFFICIAL-SENSITIVE)")
@click.option("--deconfliction-contact", default=None, help="whom other operations' people are told to contact")
@as_person("the OIDC subject of the admin or commander opening it")
@database_option
def open_operation(database_url: str, subject: str, operation: str | None, **fields: str | None) -> None:
    """Open an operation, in planning (a commander who opens it commands it)."""
    engine = open_database(database_url)
    principal = acting_user(engine, subject, operation)
    made = write(engine, services.open_operation, principal, fields)
    click.echo(f"opened {made.code_name} ({made.code}), in planning")


@operations.command("status")
@click.argument("code")
@click.argument("status", metavar="NEW")
@click.option("--reason", default=None, help="why (required to move it back, re-opening it included)")
@click.option("--as", "subject", required=True, help="the OIDC subject of its commander (or an admin)")
@database_option
def change_status(database_url: str, code: str, status: str, reason: str | None, subject: str) -> None:
    """Move operation CODE to NEW: planning, active, action day, closing, closed, archived."""
    engine = open_database(database_url)
    changed = write(engine, services.change_operation_status, _acting_on(engine, subject, code), code, status,
                    reason)
    click.echo(f"{changed.code_name} ({changed.code}) is {changed.status.value} now")


@operations.command("members")
@click.argument("code")
@click.option("--as", "subject", default=None, help="a member of it, or an admin (default: the operator)")
@database_option
def members(database_url: str, code: str, subject: str | None) -> None:
    """Who takes part in operation CODE, with their agency and role there."""
    engine = open_database(database_url)
    reader = _acting_on(engine, subject, code) if subject else None
    with read_session(engine) as session:
        rows = memberships.members(session, reader, code)
    if rows is None:
        raise NotFound(f"no operation '{code}'")
    for row in rows:
        click.echo(f"{row.subject:<22} {row.name:<22} {row.agency:<10} {row.role}")
    if not rows:
        click.echo(f"Nobody takes part in {code.upper()} yet.")


@operations.command("add-member")
@click.argument("code")
@click.argument("person", metavar="SUBJECT")
@click.argument("role", type=click.Choice(ROLES))
@click.option("--as", "subject", default=None, help="the OIDC subject of the admin (default: the CLI itself)")
@database_option
def add_member(database_url: str, code: str, person: str, role: str, subject: str | None) -> None:
    """SUBJECT takes part in operation CODE as ROLE."""
    engine = open_database(database_url)
    write(engine, services.add_member, _acting_on(engine, subject, code), code, person, role)
    click.echo(f"{person} takes part in {code.upper()} as {role}")


@operations.command("change-role")
@click.argument("code")
@click.argument("person", metavar="SUBJECT")
@click.argument("role", type=click.Choice(ROLES))
@click.option("--as", "subject", default=None, help="the OIDC subject of the admin (default: the CLI itself)")
@database_option
def change_role(database_url: str, code: str, person: str, role: str, subject: str | None) -> None:
    """SUBJECT's role in operation CODE becomes ROLE (their role elsewhere is unchanged)."""
    engine = open_database(database_url)
    write(engine, services.change_member_role, _acting_on(engine, subject, code), code, person, role)
    click.echo(f"{person} is {role} in {code.upper()}")


@operations.command("remove-member")
@click.argument("code")
@click.argument("person", metavar="SUBJECT")
@click.option("--as", "subject", default=None, help="the OIDC subject of the admin (default: the CLI itself)")
@database_option
def remove_member(database_url: str, code: str, person: str, subject: str | None) -> None:
    """SUBJECT no longer takes part in operation CODE."""
    engine = open_database(database_url)
    write(engine, services.remove_member, _acting_on(engine, subject, code), code, person)
    click.echo(f"{person} no longer takes part in {code.upper()}")
