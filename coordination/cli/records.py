"""CLI commands for records in bulk and for the store: import, export, db backup / restore."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from coordination import backup, briefing, exports, imports, settings
from coordination.db import make_engine, read_session, write_session
from coordination.principal import principal_for_subject


def database_option(command):
    """Every command takes --database-url, defaulting to COORD_DATABASE_URL or the SQLite file."""
    return click.option("--database-url", envvar="COORD_DATABASE_URL", default=lambda: settings.load().database_url,
                        show_default="COORD_DATABASE_URL or data/coordination.db",
                        help="the database to work on")(command)


def _principal(engine, subject: str):
    with read_session(engine) as session:
        return principal_for_subject(session, subject)


@click.command("import")
@click.argument("kind", type=click.Choice(imports.IMPORTABLE))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "subject", required=True, help="the OIDC subject of the user importing")
@click.option("--dry-run", is_flag=True, help="check every row and report, write nothing")
@database_option
def import_command(database_url: str, kind: str, file: Path, subject: str, dry_run: bool) -> None:
    """Import suspects, arrests or tasks from CSV or XLSX: all rows or none."""
    engine = make_engine(database_url)
    principal = _principal(engine, subject)

    def progress(done: int, total: int) -> None:
        click.echo(f"\r  checked {done:,} of {total:,} rows", nl=False, err=True)

    result = imports.import_file(engine, principal, kind, file.name, file.read_bytes(), dry_run, progress)
    click.echo("", err=True)
    for problem in result.problems:
        click.echo(str(problem), err=True)
    if not result.ok:
        click.echo(f"{len(result.problems)} problem(s); nothing was written", err=True)
        sys.exit(1)
    verb = "would create" if dry_run else "created"
    click.echo(f"{result.rows} rows: {verb} {result.created}, updated {result.updated}, "
               f"unchanged {result.unchanged}" + (" (dry run: nothing written)" if dry_run else ""))


@click.command("export")
@click.argument("kind", type=click.Choice(tuple(exports.KINDS)))
@click.option("--as", "subject", required=True, help="the OIDC subject of the user exporting")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="the file to write: .csv or .xlsx")
@database_option
def export_command(database_url: str, kind: str, subject: str, out: Path) -> None:
    """Export what the user may see, marked with its highest marking, safe to open in a spreadsheet."""
    file_format = out.suffix.lower().lstrip(".")
    if file_format not in ("csv", "xlsx"):
        raise click.UsageError("--out must end in .csv or .xlsx")
    engine = make_engine(database_url)
    principal = _principal(engine, subject)
    with write_session(engine) as session:
        export = exports.build(session, principal, kind)
        out.write_bytes(export.csv() if file_format == "csv" else export.xlsx())
        exports.record_export(session, principal, export, file_format)
    click.echo(f"wrote {len(export.rows)} {kind} to {out}, marked {export.classification.value} {export.tlp.label}")


@click.command("backup")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@database_option
def backup_command(database_url: str, out: Path) -> None:
    """A consistent copy of the database while writes go on."""
    backup.backup(database_url, out)
    click.echo(f"backed up to {out} ({out.stat().st_size / 1e6:.1f} MB)")


@click.command("restore")
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="confirm: the database's current content is replaced")
@database_option
def restore_command(database_url: str, backup_file: Path, yes: bool) -> None:
    """Replace the database with a backup; run `audit verify` afterwards."""
    if not yes:
        raise click.UsageError("restore replaces the database's content; add --yes to confirm")
    backup.restore(database_url, backup_file)
    click.echo(f"restored {backup_file}")


@click.command("briefing")
@click.option("--as", "subject", required=True, help="the OIDC subject of the briefing's author")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="the PDF to write")
@click.option("--since-last", is_flag=True,
              help="list changes since your last briefing (default: the last 24 hours)")
@click.option("--no-charts", is_flag=True, help="tables and figures only, without starting Chromium")
@database_option
def briefing_command(database_url: str, subject: str, out: Path, since_last: bool, no_charts: bool) -> None:
    """The operation briefing as a marked PDF, holding only what the author may see; recorded and audited."""
    if out.suffix.lower() != ".pdf":
        raise click.UsageError("--out must end in .pdf")
    engine = make_engine(database_url)
    principal = _principal(engine, subject)
    result = briefing.export(engine, principal, since_last=since_last, with_charts=not no_charts)
    out.write_bytes(result.pdf)
    contents = result.contents
    click.echo(f"wrote {out}: {contents.classification.value} {contents.tlp.label}, SHA-256 {result.sha256}, "
               f"audit head {contents.head_seq}")
    if result.charts_note and not no_charts:
        click.echo(f"charts not drawn: {result.charts_note}", err=True)
