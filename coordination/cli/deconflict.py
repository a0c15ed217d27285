"""`deconflict`: the deconfliction key kept outside the database."""

from __future__ import annotations

from pathlib import Path

import click

from coordination import deconfliction_key
from coordination.cli import cli
from coordination.errors import CoordinationError


@cli.group("deconflict")
def deconflict() -> None:
    """Deconfliction: the key identifiers are matched under."""


@deconflict.command("make-key")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def make_key(file: Path) -> None:
    """Write a new random key to FILE (readable by its owner only); an existing file is never overwritten."""
    if file.exists():
        raise CoordinationError(f"{file} exists already: a key is never overwritten (identifiers keyed with it "
                                "would match nothing)")
    deconfliction_key.make_key_file(file)
    click.echo(f"wrote a new deconfliction key to {file}; name it in {deconfliction_key.ENVIRONMENT}")
