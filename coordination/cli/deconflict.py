"""`deconflict`: the deconfliction key kept outside the database (make-key, rotate-key), checking
an identifier (check), and the action day's conflicts between packages (conflicts, acknowledge)."""

from __future__ import annotations

from pathlib import Path

import click

from coordination import deconfliction_key, services
from coordination.cli import acting_user, as_person, cli, database_option, open_database, write
from coordination.db import read_session
from coordination.errors import CoordinationError, NotFound
from coordination.models import IdentifierKind
from coordination.queries import action_day


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


KIND_WORDS = {kind.name.lower().replace("_", "-"): kind.value for kind in IdentifierKind}  # phone, email, ip-address...


@deconflict.command("check")
@click.option("--kind", "kind", required=True,
              help=f"the kind of identifier: {', '.join(KIND_WORDS)} (or its full name, e.g. 'phone number')")
@click.argument("value")
@click.option("--qualifier", help="what the kind needs besides the value: a handle's platform, a person's birth date, "
                                     "an address's country (GB, NL, US or its name; by default the one it ends "
                                     "with, else your agency's)")
@as_person("the OIDC subject of the person checking")
@database_option
def check(database_url: str, kind: str, value: str, qualifier: str | None, subject: str,
          operation: str | None) -> None:
    """Say which other agencies hold VALUE (no details); audited, at most COORD_CHECKS_PER_HOUR an hour."""
    engine = open_database(database_url)
    principal = acting_user(engine, subject, operation)
    result = write(engine, services.check_identifier, principal, KIND_WORDS.get(kind.strip().lower(), kind), value,
                   qualifier)
    click.echo(f"{result.display}: {result.sentence}")


@deconflict.command("rotate-key")
@click.option("--new-key-file", "new_key_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="the new key (make it with `deconflict make-key`)")
@as_person("the OIDC subject of the commander rotating the key")
@database_option
def rotate_key(database_url: str, new_key_file: Path, subject: str, operation: str | None) -> None:
    """Re-key every operation's identifiers and exclusions under the key in NEW_KEY_FILE, in one transaction
    (hits are kept)."""
    engine = open_database(database_url)
    principal = acting_user(engine, subject, operation)
    new_key = deconfliction_key.read_key_file(new_key_file)
    rekeyed = write(engine, services.rotate_key, principal, new_key)
    click.echo(f"re-keyed every operation's identifiers and exclusion list under the key in {new_key_file} "
               f"({rekeyed:,} identifiers of this operation).")
    click.echo(f"Now set {deconfliction_key.ENVIRONMENT}={new_key_file.resolve()} for the app and every command "
               "(the old key no longer matches anything); keep the new file readable by the app's user only.")


@deconflict.command("conflicts")
@as_person("the OIDC subject of the person reading")
@database_option
def conflicts(database_url: str, subject: str, operation: str | None) -> None:
    """The action day's conflicts between packages as the person is told of them, those command has not
    acknowledged first."""
    engine = open_database(database_url)
    principal = acting_user(engine, subject, operation)
    with read_session(engine) as session:
        notices = action_day.board_conflicts(session, principal)
    for notice in notices:
        click.echo(f"{notice.sentence}\n    {notice.acknowledgement}")
    if not notices:
        click.echo("No conflict between packages is told to you.")


@deconflict.command("acknowledge")
@click.argument("package")
@click.argument("other")
@click.option("--note", required=True, help="what command decided, e.g. 'both teams briefed, MET enters first'")
@as_person("the OIDC subject of the commander acknowledging")
@database_option
def acknowledge(database_url: str, package: str, other: str, note: str, subject: str,
                operation: str | None) -> None:
    """Acknowledge for command the conflict between PACKAGE and OTHER (each AGENCY/REFERENCE), with a note
    both lead agencies read; audited, and told to them at once."""
    engine = open_database(database_url)
    principal = acting_user(engine, subject, operation)
    with read_session(engine) as session:
        conflict_id = action_day.conflict_between(session, principal, package, other)
    if conflict_id is None:
        raise NotFound(f"no conflict between {package} and {other} is told to you")
    write(engine, services.acknowledge_conflict, principal, conflict_id, note)
    click.echo(f"acknowledged the conflict between {package} and {other}; both lead agencies' liaisons are told.")
