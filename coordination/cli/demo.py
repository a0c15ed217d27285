"""`demo load`: the synthetic demo operation."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

import click

from coordination import deconfliction_key, demo
from coordination.cli import cli, database_option, open_database


@cli.group("demo")
def demo_group() -> None:
    """The synthetic demo operations."""


@demo_group.command("load")
@click.option("--scale", type=click.Choice(tuple(demo.SCALES)), default="demo", show_default=True)
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--reset", is_flag=True, help="replace whatever the database holds")
@click.option("--if-empty", is_flag=True, help="do nothing (and succeed) when data is there already")
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD|today",
              help="move the timeline so that the data set ends on this day [default: as the real case, 2023]")
@database_option
def demo_load(database_url: str, scale: str, seed: int, reset: bool, if_empty: bool, as_of: str | None) -> None:
    """Load Operation Elaborate and Operation Saltmarsh, synthetic and deterministic for a seed."""
    try:
        ends = datetime.now(UTC).date() if as_of == "today" else date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise click.BadParameter(f"'{as_of}' is not a day: write YYYY-MM-DD or today", param_hint="--as-of") from None
    # demo load still makes (and migrates) a new database: `make run` upgrades first, but
    # tests/test_cli.py loads into a fresh path without `db upgrade`, and the refusal message
    # for the other commands names `demo load` as a way to create one.
    engine = open_database(database_url, create=True)
    if if_empty and not reset and not demo.is_empty(engine):
        click.echo("the database holds an operation already; nothing loaded")
        return
    started = time.perf_counter()

    def progress(stage: str, done: int, total: int) -> None:
        click.echo(f"\r  {stage}: {done:,} of {total:,}   ", nl=False, err=True)

    try:
        key = deconfliction_key.load()
    except deconfliction_key.KeyMissing as missing:
        key = None
        click.echo(f"loading without identifiers: {missing}", err=True)
    # a demo brought up to today also gets a live action day: a second wave starting shortly after now
    counts = demo.load(engine, scale, seed, reset, progress=progress, as_of=ends, key=key,
                       live_from=datetime.now(UTC) if ends else None)
    click.echo("", err=True)
    summary = ", ".join(f"{n:,} {table}" for table, n in counts.items()
                        if not table.endswith("_tally"))  # the counts kept by triggers are bookkeeping
    click.echo(f"loaded the demo operations at the {scale} scale in {time.perf_counter() - started:.1f} s: {summary}")
