"""`briefing`: the operation briefing as a marked PDF."""

from __future__ import annotations

from pathlib import Path

import click

from coordination import briefing
from coordination.cli import acting_user, as_person, cli, database_option, open_database


@cli.command("briefing")
@as_person("the OIDC subject of the briefing's author")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="the PDF to write")
@click.option("--since-last", is_flag=True,
              help="list changes since your last briefing (default: the last 24 hours)")
@click.option("--no-charts", is_flag=True, help="tables and figures only, without starting Chromium")
@click.option("--up-to", "up_to", default=None, metavar="TLP",
              help="a shareable version: leave out every record marked above this label (e.g. AMBER)")
@click.option("--as-liaison-of", "as_liaison_of", default=None, metavar="AGENCY",
              help="commanders: the briefing as a liaison of this agency would receive it")
@click.option("--to", "people", multiple=True, metavar="SUBJECT", help="a person on the distribution list (repeat)")
@click.option("--to-agency", "agencies", multiple=True, metavar="AGENCY",
              help="an agency on the distribution list (repeat)")
@database_option
def briefing_command(database_url: str, subject: str, operation: str | None, out: Path, since_last: bool,
                     no_charts: bool, up_to: str | None, as_liaison_of: str | None, people: tuple[str, ...],
                     agencies: tuple[str, ...]) -> None:
    """The operation briefing as a marked PDF, holding only what the author may see; recorded and audited."""
    if out.suffix.lower() != ".pdf":
        raise click.UsageError("--out must end in .pdf")
    engine = open_database(database_url)
    principal = acting_user(engine, subject, operation)
    audience = briefing.Audience(up_to=up_to, as_liaison_of=as_liaison_of, people=people, agencies=agencies)
    result = briefing.export(engine, principal, since_last=since_last, with_charts=not no_charts, audience=audience)
    out.write_bytes(result.pdf)
    contents = result.contents
    click.echo(f"wrote {out}: {contents.classification.value} {contents.tlp.label}, SHA-256 {result.sha256}, "
               f"audit head {contents.head_seq}")
    if result.charts_note and not no_charts:
        click.echo(f"charts not drawn: {result.charts_note}", err=True)
