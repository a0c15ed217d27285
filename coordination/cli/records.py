"""`import` and `export`: records in bulk, as a provisioned user."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from coordination.cli import acting_user, as_person, cli, database_option, open_database
from coordination.kinds import IMPORTABLE, KINDS
from coordination.services import identifier_imports, imports
from coordination.services.exports import FORMATS, export_file


@cli.command("import")
@click.argument("kind", type=click.Choice((*IMPORTABLE, "identifiers")))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@as_person("the OIDC subject of the user importing")
@click.option("--dry-run", is_flag=True, help="check every row and report, write nothing")
@database_option
def import_command(database_url: str, kind: str, file: Path, subject: str, operation: str | None,
                   dry_run: bool) -> None:
    """Import suspects, arrests, tasks or identifiers from CSV or XLSX: all rows or none."""
    engine = open_database(database_url)
    principal = acting_user(engine, subject, operation)

    def progress(done: int, total: int) -> None:
        click.echo(f"\r  checked {done:,} of {total:,} rows", nl=False, err=True)

    if kind == "identifiers":  # held on records, matched as they come in
        result = identifier_imports.import_identifiers(engine, principal, file.name, file.read_bytes(), dry_run,
                                                       progress)
    else:
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


@cli.command("export")
@click.argument("kind", type=click.Choice((*KINDS, "identifiers")))
@as_person("the OIDC subject of the user exporting")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="the file to write: .csv or .xlsx")
@database_option
def export_command(database_url: str, kind: str, subject: str, operation: str | None, out: Path) -> None:
    """Export what the user may see, marked with its highest marking, safe to open in a spreadsheet."""
    file_format = out.suffix.lower().lstrip(".")
    if file_format not in FORMATS:
        raise click.UsageError("--out must end in .csv or .xlsx")
    if not out.parent.is_dir():  # found out now, not after the export is recorded
        raise click.UsageError(f"--out names a folder that does not exist: {out.parent}")
    engine = open_database(database_url)
    principal = acting_user(engine, subject, operation)
    made = export_file(engine, principal, kind, file_format)
    out.write_bytes(made.data)  # only once the export is recorded: a failed record leaves no file
    click.echo(f"wrote {made.rows} {kind} to {out}, marked {made.classification.value} {made.tlp.label}")
