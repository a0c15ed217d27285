"""`python -m coordination ...`: the operator's command line, one module per command group.

    db        upgrade, downgrade, backup, restore       (cli/db.py)
    demo      load                                      (cli/demo.py)
    users     add, list, disable                        (cli/users.py)
    operations list, open, status, members, add-member, change-role, remove-member   (cli/operations.py)
    audit     verify, head                              (cli/audit.py)
    import, export                                      (cli/records.py)
    briefing                                            (cli/briefing.py)
    deconflict make-key, check, rotate-key              (cli/deconflict.py)
    notify    run                                       (cli/notify.py)

Every command takes --database-url (default COORD_DATABASE_URL, else the SQLite file under data/),
opens it through `open_database`, writes through `write` (a use case in a write session), prints a
plain message on error (`Group`, the one place a refusal is answered) and exits non-zero; no traceback
reaches the operator. A command acting as a person takes `--as SUBJECT` and `--operation CODE`
(`as_person`, read by `acting_user`). A missing SQLite database is refused, never created as an empty
file, except by the commands that make one: `db upgrade`, `demo load` and `db restore`.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from alembic.util import CommandError as AlembicError
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from coordination import settings
from coordination.db import make_engine, read_session, write_session
from coordination.errors import CoordinationError, ValidationError
from coordination.models import OperationStatus
from coordination.principal import Principal, principal_for_subject
from coordination.queries import memberships

R = TypeVar("R")
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

    group_class = type  # `@cli.group()` makes a Group too

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


def database_option(command):
    """Every command takes --database-url, defaulting to COORD_DATABASE_URL or the SQLite file."""
    return click.option("--database-url", envvar="COORD_DATABASE_URL", default=lambda: settings.load().database_url,
                        show_default="COORD_DATABASE_URL or data/coordination.db",
                        help="the database to work on")(command)


def open_database(database_url: str, *, create: bool = False) -> Engine:
    """An engine on the database every command works on. A SQLite file that is not there is an error
    (a mistyped path must not become a new empty database), unless the command makes databases
    (`create=True`: db upgrade, demo load, db restore)."""
    url = make_url(database_url)
    if not create and url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") \
            and not Path(url.database).exists():
        raise CoordinationError(f"no database at {url.database}: run `python -m coordination db upgrade` "
                                "or `demo load` to create it")
    return make_engine(database_url)


def write(engine: Engine, use_case: Callable[..., R], principal: Principal, *args: Any, **kwargs: Any) -> R:
    """The one place a command writes: `use_case(session, principal, ...)`, a committed service (one
    transaction, a refusal audited: `services/runner.py`), in a write session on `engine`. Its result
    is returned; its refusal is raised for `Group` to say in plain words, exiting 1."""
    with write_session(engine) as session:
        return use_case(session, principal, *args, **kwargs)


def as_person(help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`--as SUBJECT` (whom a command acts as: `help` says why) and `--operation CODE` (in which of
    their operations), the options of every command that acts as a person; read by `acting_user`."""
    def options(command: Callable[..., Any]) -> Callable[..., Any]:
        command = click.option("--operation", "operation", default=None, metavar="CODE",
                               help="the operation to act in, e.g. ELABORATE (default: your only one)")(command)
        return click.option("--as", "subject", required=True, help=help)(command)
    return options


def acting_user(engine: Engine, subject: str, operation: str | None = None) -> Principal:
    """The provisioned user a command acts as (--as SUBJECT), in the operation --operation CODE names
    (one they are not a member of is answered as a missing one). Without it: their only operation not
    archived; taking part in several, they are told to choose."""
    with read_session(engine) as session:
        if operation is None:
            mine = [row.code for row in memberships.operations(session, principal_for_subject(session, subject))
                    if row.role is not None and row.status != OperationStatus.ARCHIVED]
            if len(mine) > 1:
                raise CoordinationError(f"{subject} takes part in several operations ({', '.join(mine)}): "
                                        "give --operation CODE")
            operation = mine[0] if mine else None
        return principal_for_subject(session, subject, operation=operation)


# the module that defines each top-level command
_MODULES = {"db": "db", "demo": "demo", "users": "users", "audit": "audit", "import": "records",
            "export": "records", "briefing": "briefing", "deconflict": "deconflict", "notify": "notify",
            "operations": "operations"}


class Commands(Group):
    """The top level: a command's module is imported when that command is asked for (its decorators
    attach it to `cli`), so `audit head` does not load what briefings need: a command starts in half
    the time. Help lists them all, so it imports every module."""

    group_class = Group

    def get_command(self, ctx: click.Context, name: str):
        if name in _MODULES:
            importlib.import_module(f"coordination.cli.{_MODULES[name]}")
        return super().get_command(ctx, name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        for module in set(_MODULES.values()):
            importlib.import_module(f"coordination.cli.{module}")
        return super().list_commands(ctx)


@click.group(cls=Commands)
def cli() -> None:
    """Takedown coordination: database, demo data, users, audit trail, imports and exports."""
