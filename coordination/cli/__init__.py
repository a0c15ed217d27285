"""`python -m coordination ...`: the operator's command line.

Every command takes --database-url (default COORD_DATABASE_URL, else the SQLite file under data/),
prints a plain message on error and exits non-zero; no traceback reaches the operator.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import click
from alembic.util import CommandError as AlembicError
from sqlalchemy import Engine, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from coordination import audit, demo, migrate, services, settings
from coordination.cli.records import (
    backup_command,
    briefing_command,
    database_option,
    export_command,
    import_command,
    restore_command,
)
from coordination.db import make_engine, read_session, write_session
from coordination.errors import CoordinationError, ValidationError
from coordination.models import User
from coordination.principal import Principal, find_user

SYSTEM = Principal.system("cli")


NO_SCHEMA = "the database has no schema yet: run `python -m coordination db upgrade` first"


def _problems(error: Exception) -> list[str] | None:
    """The plain lines an operator should see for an error they can cause; None for a real bug."""
    if isinstance(error, ValidationError):
        return [f"{field}: {reason}" for field, reason in error.problems.items()]
    if isinstance(error, CoordinationError | AlembicError):
        return [str(error)]
    if isinstance(error, DBAPIError) and _missing_table(error):
        return [NO_SCHEMA]
    if isinstance(error, OperationalError):
        return [f"the database cannot be used: {str(error.orig).strip().splitlines()[0]}"]
    if isinstance(error, SQLAlchemyError):
        return [f"database error: {type(error).__name__}: {str(error).splitlines()[0]}"]
    return None


def _missing_table(error: DBAPIError) -> bool:
    # SQLite says so in words; PostgreSQL with SQLSTATE 42P01 (undefined_table)
    return "no such table" in str(error.orig) or getattr(error.orig, "sqlstate", None) == "42P01"


class Group(click.Group):
    """Turns the errors an operator can cause into plain lines and exit status 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("interrupted: the unfinished transaction was rolled back", err=True)
            sys.exit(130)
        except Exception as error:
            problems = _problems(error)
            if problems is None:
                raise
            for problem in problems:
                click.echo(f"error: {problem}", err=True)
            sys.exit(1)


def existing(database_url: str) -> Engine:
    """An engine on a database that must exist already: a mistyped SQLite path is an error, not a
    new empty file."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") \
            and not Path(url.database).exists():
        raise CoordinationError(f"no database at {url.database}: run `python -m coordination db upgrade` "
                                "or `demo load` to create it")
    return make_engine(database_url)


@click.group(cls=Group)
def cli() -> None:
    """Takedown coordination: database, demo data, users, audit trail, imports and exports."""


@cli.group(cls=Group)
def db() -> None:
    """The database schema, backups and restores."""


@click.command("upgrade")
@database_option
def db_upgrade(database_url: str) -> None:
    """Migrate to the newest schema."""
    migrate.upgrade(database_url)
    click.echo("database is at the newest schema")


@click.command("downgrade")
@click.argument("revision")
@database_option
def db_downgrade(database_url: str, revision: str) -> None:
    """Migrate back to REVISION ('base' empties the database)."""
    migrate.downgrade(existing(database_url), revision)
    click.echo(f"database is at {revision}")


@cli.group("demo", cls=Group)
def demo_group() -> None:
    """The synthetic demo operation."""


@click.command("load")
@click.option("--scale", type=click.Choice(tuple(demo.SCALES)), default="demo", show_default=True)
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--reset", is_flag=True, help="replace whatever the database holds")
@click.option("--if-empty", is_flag=True, help="do nothing (and succeed) when data is there already")
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD|today",
              help="move the timeline so that the data set ends on this day [default: as the real case, 2023]")
@database_option
def demo_load(database_url: str, scale: str, seed: int, reset: bool, if_empty: bool, as_of: str | None) -> None:
    """Load Operation Elaborate, synthetic and deterministic for a seed."""
    try:
        ends = datetime.now(UTC).date() if as_of == "today" else date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise click.BadParameter(f"'{as_of}' is not a day: write YYYY-MM-DD or today", param_hint="--as-of") from None
    engine = make_engine(database_url)
    if if_empty and not reset and not demo.is_empty(engine):
        click.echo("the database holds an operation already; nothing loaded")
        return
    started = time.perf_counter()

    def progress(stage: str, done: int, total: int) -> None:
        click.echo(f"\r  {stage}: {done:,} of {total:,}   ", nl=False, err=True)

    counts = demo.load(engine, scale, seed, reset, progress=progress, as_of=ends)
    click.echo("", err=True)
    summary = ", ".join(f"{n:,} {table}" for table, n in counts.items()
                        if not table.endswith("_tally"))  # the counts kept by triggers are bookkeeping
    click.echo(f"loaded the {scale} operation in {time.perf_counter() - started:.1f} s: {summary}")


@cli.group(cls=Group)
def users() -> None:
    """Provisioned users (audited as changes made by the CLI)."""


@click.command("add")
@click.option("--issuer", default=lambda: settings.load().demo_issuer, show_default="the local demo provider")
@click.option("--subject", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--email", default=None)
@click.option("--agency", required=True, help="agency code, e.g. MET")
@click.option("--role", required=True, type=click.Choice(["admin", "commander", "liaison", "analyst", "observer"]))
@database_option
def users_add(database_url: str, issuer: str, subject: str, display_name: str, email: str | None, agency: str,
              role: str) -> None:
    """Provision a user by OIDC issuer and subject."""
    with write_session(existing(database_url)) as session:
        user = services.create_user(session, SYSTEM, {"issuer": issuer, "subject": subject, "display_name":
                                                      display_name, "email": email, "agency": agency, "role": role})
        click.echo(f"provisioned {user.subject} ({role}, {agency.upper()}) as user {user.id}")


@click.command("list")
@database_option
def users_list(database_url: str) -> None:
    """Every user with agency, role, status and last sign-in."""
    with read_session(existing(database_url)) as session:
        rows = session.scalars(select(User).order_by(User.agency_id, User.subject)).all()
        click.echo(f"{'subject':<22} {'name':<22} {'agency':<10} {'role':<10} {'status':<9} last sign-in")
        for user in rows:
            seen = user.last_sign_in_at.strftime("%Y-%m-%d %H:%M UTC") if user.last_sign_in_at else "never"
            click.echo(f"{user.subject:<22} {user.display_name:<22} {user.agency.code:<10} {user.role.value:<10} "
                       f"{'active' if user.active else 'disabled':<9} {seen}")


@click.command("disable")
@click.argument("subject")
@click.option("--issuer", default=None, help="needed only when several providers use the subject")
@database_option
def users_disable(database_url: str, subject: str, issuer: str | None) -> None:
    """Disable a user: they lose access at their next interaction."""
    with write_session(existing(database_url)) as session:
        matches = session.scalars(select(User).where(User.subject == subject)).all() if issuer is None \
            else [u for u in [find_user(session, issuer, subject)] if u]
        if len(matches) != 1:
            raise CoordinationError(f"no single user with subject '{subject}'" + ("" if matches else " exists"))
        services.disable_user(session, SYSTEM, matches[0].id, matches[0].version)
        click.echo(f"disabled {subject}")


@cli.group("audit", cls=Group)
def audit_group() -> None:
    """The tamper-evident audit trail."""


@click.command("verify")
@click.option("--expect-head", default=None, help="a head hash printed earlier (e.g. on a briefing)")
@database_option
def audit_verify(database_url: str, expect_head: str | None) -> None:
    """Check the whole chain; exit 1 naming the first bad sequence number."""
    started = time.perf_counter()
    with existing(database_url).connect() as connection:
        result = audit.verify(connection, expect_head=expect_head)
    if not result.ok:
        click.echo(f"BROKEN at sequence {result.first_bad_seq}: {result.reason}", err=True)
        click.echo(f"the last good event is {result.head_seq} ({result.head_hash})", err=True)
        sys.exit(1)
    click.echo(f"intact: {result.events:,} events verified in {time.perf_counter() - started:.1f} s")
    click.echo(f"head {result.head_seq} {result.head_hash}")


@click.command("head")
@database_option
def audit_head(database_url: str) -> None:
    """Print the last sequence number and its hash, to anchor a later `verify --expect-head`."""
    with existing(database_url).connect() as connection:
        seq, head_hash = audit.head(connection)
    click.echo(f"head {seq} {head_hash}")


for group, commands in ((db, [db_upgrade, db_downgrade, backup_command, restore_command]),
                        (demo_group, [demo_load]), (users, [users_add, users_list, users_disable]),
                        (audit_group, [audit_verify, audit_head]),
                        (cli, [import_command, export_command, briefing_command])):
    for command in commands:
        group.add_command(command)
