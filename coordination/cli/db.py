"""`db`: the schema (upgrade, downgrade), backups and restores."""

from __future__ import annotations

from pathlib import Path

import click

from coordination import backup, migrate
from coordination.cli import cli, database_option, open_database


@cli.group()
def db() -> None:
    """The database schema, backups and restores."""


@db.command("upgrade")
@database_option
def db_upgrade(database_url: str) -> None:
    """Migrate to the newest schema."""
    migrate.upgrade(open_database(database_url, create=True))  # the command that makes a new database
    click.echo("database is at the newest schema")


@db.command("downgrade")
@click.argument("revision")
@database_option
def db_downgrade(database_url: str, revision: str) -> None:
    """Migrate back to REVISION ('base' empties the database)."""
    migrate.downgrade(open_database(database_url), revision)
    click.echo(f"database is at {revision}")


@db.command("backup")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@database_option
def backup_command(database_url: str, out: Path) -> None:
    """A consistent copy of the database while writes go on."""
    open_database(database_url).dispose()  # refuses a missing database; backup.backup reads it by URL
    backup.backup(database_url, out)
    click.echo(f"backed up to {out} ({out.stat().st_size / 1e6:.1f} MB)")


@db.command("restore")
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="confirm: the database's current content is replaced")
@database_option
def restore_command(database_url: str, backup_file: Path, yes: bool) -> None:
    """Replace the database with a backup; run `audit verify` afterwards."""
    if not yes:
        raise click.UsageError("restore replaces the database's content; add --yes to confirm")
    # A restore may make the SQLite file: bringing back a database that was lost is what it is for
    # (tests/test_cli.py restores into a new file). backup.restore writes it by URL.
    open_database(database_url, create=True).dispose()
    backup.restore(database_url, backup_file)
    click.echo(f"restored {backup_file}")
