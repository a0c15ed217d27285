"""`audit`: the tamper-evident audit trail (verify, head)."""

from __future__ import annotations

import sys
import time

import click

from coordination import audit
from coordination.cli import cli, database_option, open_database


@cli.group("audit")
def audit_group() -> None:
    """The tamper-evident audit trail."""


@audit_group.command("verify")
@click.option("--expect-head", default=None, help="a head hash printed earlier (e.g. on a briefing)")
@database_option
def audit_verify(database_url: str, expect_head: str | None) -> None:
    """Check the whole chain; exit 1 naming the first bad sequence number."""
    started = time.perf_counter()
    with open_database(database_url).connect() as connection:
        result = audit.verify(connection, expect_head=expect_head)
    if not result.ok:
        click.echo(f"BROKEN at sequence {result.first_bad_seq}: {result.reason}", err=True)
        click.echo(f"the last good event is {result.head_seq} ({result.head_hash})", err=True)
        sys.exit(1)
    click.echo(f"intact: {result.events:,} events verified in {time.perf_counter() - started:.1f} s")
    click.echo(f"head {result.head_seq} {result.head_hash}")


@audit_group.command("head")
@database_option
def audit_head(database_url: str) -> None:
    """Print the last sequence number and its hash, to anchor a later `verify --expect-head`."""
    with open_database(database_url).connect() as connection:
        seq, head_hash = audit.head(connection)
    click.echo(f"head {seq} {head_hash}")
