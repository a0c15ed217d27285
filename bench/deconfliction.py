"""Deconfliction figures (issue 16) at stress scale (600,000 suspects, 200,000 evidence items, about
1,500,000 identifiers of which about 10,000 are shared, so about 10,000 hits: the demo operation's
own, `demo load --scale stress` with a key), SQLite and PostgreSQL:

- a record saved with 5 identifiers: the suspect and its identifiers, matched, one transaction
  (target: under 10 ms median)
- `import identifiers` of 100,000 rows, with matching (target: 10,000 rows/s or more)
- listing an agency's hits, one page of 50 (target: under 50 ms median)

    python -m bench.deconfliction [--stores sqlite,postgresql] [--postgres URL]

The set-up (the key, the stress database of each store, loaded only when missing) is shared with
bench.deconfliction_ui, each bench in a database of its own (this one adds identifiers every run).
Give PostgreSQL a database of its own: writers queue on one advisory lock per database, so another
writer in the same database (another schema's bench or tests) is measured as well.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from alembic import command
from sqlalchemy import Engine, func, or_, select, text

from coordination import deconfliction_key, demo, migrate
from coordination.db import make_engine, read_session, write_session
from coordination.kinds import SUSPECTS
from coordination.markings import TLP
from coordination.models import Hit, Identifier, IdentifierCheck, Suspect
from coordination.principal import principal_for_subject
from coordination.queries import hits
from coordination.services import identifier_imports, identifiers, records

SCALE = "stress"
LOADED = 1_500_000  # identifiers of the stress scale
IMPORTED = 100_000
IMPORTS = 3
SAVES = 100
RUNS = 20
VIEWERS = ("liaison.fbi", "liaison.met", "liaison.eurojust", "commander.met")  # EUROJUST: few hits
PG_SCHEMA = "bench_deconfliction"
OUT = Path(__file__).resolve().parent.parent / "out" / "bench"


# --- set-up shared with bench.deconfliction_ui ---------------------------------------------------------

def median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


def use_key(out: Path) -> deconfliction_key.MatchingKey:
    """The benches' deconfliction key (made once under `out`), named in the environment as the app reads it."""
    out.mkdir(parents=True, exist_ok=True)
    key_file = out / "deconfliction.key"
    if not key_file.exists():
        deconfliction_key.make_key_file(key_file)
    os.environ[deconfliction_key.ENVIRONMENT] = str(key_file)
    return deconfliction_key.load()


def engines(out: Path, name: str, postgres_url: str | None, schema: str,
            stores: tuple[str, ...]) -> Iterator[tuple[str, Engine]]:
    """(label, engine) of each store asked for: SQLite in out/NAME.db, PostgreSQL in `schema`."""
    if "sqlite" in stores:
        engine = make_engine(f"sqlite:///{out / f'{name}.db'}")
        yield "sqlite", engine
        engine.dispose()
    if postgres_url and "postgresql" in stores:
        admin = make_engine(postgres_url)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        admin.dispose()
        url = make_engine(postgres_url).url.render_as_string(hide_password=False)
        engine = make_engine(f"{url}?options=-csearch_path%3D{schema}")
        yield "postgresql", engine
        engine.dispose()


def ready(engine: Engine, key: deconfliction_key.MatchingKey, label: str) -> None:
    """The stress scale with the demo's identifiers under `key`, loaded unless there already, at the
    schema's newest revision, its statistics fresh (as autovacuum keeps them; the test server runs
    without it)."""
    if demo.is_empty(engine):
        start = time.perf_counter()
        migrate.upgrade(engine)  # (a database made by the migrations is emptied by them)
        demo.load(engine, SCALE, reset=True, key=key)
        print(f"{label}: the {SCALE} scale loaded in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    if migrate.current(engine) is None:  # loaded by an older bench from the models: as of revision 0010
        with engine.begin() as connection:
            config = migrate._config(engine)
            config.attributes["connection"] = connection
            command.stamp(config, "0010")
    migrate.upgrade(engine)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")


def _held_elsewhere(engine: Engine, agency_id: int, count: int) -> list[str]:
    """Fresh phone numbers put on another agency's records (not RED) by an import before a measure
    (not timed): each typed on one of the agency's records makes one hit. (Numbers the stress scale
    holds once ran out after a few runs.)"""
    with read_session(engine) as session:
        other = principal_for_subject(session, "liaison.fbi")
        assert other.agency_id != agency_id
        references = list(session.scalars(select(Suspect.reference).where(
            Suspect.owning_agency_id == other.agency_id, Suspect.tlp != TLP.RED).limit(count)))
    stamp = time.time_ns() // 1000
    numbers = [f"+44 78{(stamp + n) % 100_000_000:08d}" for n in range(count)]  # any 078 is valid (07911 is not)
    lines = ["record_kind,record_reference,identifier_kind,value,qualifier",
             *(f"suspect,{references[n % len(references)]},phone number,{number},"
               for n, number in enumerate(numbers))]
    result = identifier_imports.import_identifiers(engine, other, "held.csv", ("\n".join(lines) + "\n").encode())
    assert result.committed, result.problems[:5]
    return numbers


def _fresh_phone(n: int) -> str:
    return f"+44 74{50_000_000 + n % 50_000_000:08d}"  # a number of its own, most likely held by no record


def measure_saves(engine: Engine) -> float:
    """Median ms of one suspect saved with 5 identifiers (and matched, one of them a hit), as one transaction."""
    with read_session(engine) as session:
        liaison = principal_for_subject(session, "liaison.met")
    held = _held_elsewhere(engine, liaison.agency_id, SAVES)
    times = []
    for n in range(SAVES):
        stamp = time.time_ns() // 100
        start = time.perf_counter()
        with write_session(engine) as session:
            suspect = records.create_suspect(session, liaison, {
                "reference": f"BENCH-{stamp}", "full_name": "Bench Mark", "tier": "user", "status": "lead"})
            identifiers.add_identifiers(session, liaison, SUSPECTS, suspect.id, [
                *(("phone number", _fresh_phone(stamp + i), None) for i in range(3)),
                ("phone number", held[n % len(held)], None),  # held by another agency's record: a hit
                ("e-mail address", f"bench{stamp}@example.com", None)])
            session.commit()
        times.append(time.perf_counter() - start)
    return median_ms(times)


def measure_import(engine: Engine) -> tuple[float, int, int]:
    """(rows/s, rows, hits made) of importing IMPORTED identifiers as MET's liaison, onto 40,000 of MET's
    suspects: phone numbers and e-mail addresses, one in a hundred held elsewhere already."""
    with read_session(engine) as session:
        liaison = principal_for_subject(session, "liaison.met")
    held = _held_elsewhere(engine, liaison.agency_id, IMPORTED // 100)
    with read_session(engine) as session:
        references = list(session.scalars(select(Suspect.reference).where(
            Suspect.owning_agency_id == liaison.agency_id, Suspect.tlp != TLP.RED).limit(IMPORTED)))
        hits_before = session.scalar(select(func.count()).select_from(Hit))
    stamp = time.time_ns() % 10_000_000
    lines = ["record_kind,record_reference,identifier_kind,value,qualifier"]
    for n in range(IMPORTED):
        reference = references[(n * 2 // 5) % len(references)]  # 2.5 a suspect, as a seized account holds
        if n % 100 == 0:
            lines.append(f"suspect,{reference},phone number,{held[n // 100 % len(held)]},")  # held by another agency
        elif n % 2:
            lines.append(f"suspect,{reference},phone number,+44 75{(stamp * 1000 + n) % 100_000_000:08d},")
        else:
            lines.append(f"suspect,{reference},e-mail address,import{stamp}.{n}@example.com,")
    content = ("\n".join(lines) + "\n").encode()
    start = time.perf_counter()
    result = identifier_imports.import_identifiers(engine, liaison, "bench.csv", content)
    elapsed = time.perf_counter() - start
    assert result.committed, result.problems[:5]
    with read_session(engine) as session:
        made = session.scalar(select(func.count()).select_from(Hit)) - hits_before
    return IMPORTED / elapsed, result.created, made


def measure_listing(engine: Engine) -> dict[str, tuple[float, int]]:
    """Median ms of one page of an agency's hits, in its own read session as a page does."""
    found = {}
    for subject in VIEWERS:
        with read_session(engine) as session:
            viewer = principal_for_subject(session, subject)
        times, shown = [], 0
        for _ in range(RUNS):
            start = time.perf_counter()
            with read_session(engine) as session:
                shown = len(hits.hits_for_agency(session, viewer))
            times.append(time.perf_counter() - start)
        found[subject] = (median_ms(times), shown)
    return found


def take_out_since(engine: Engine, first: int) -> None:
    """Take out what the measures added (the identifiers from id `first` on, and their hits), so that
    every run meets the stress scale as loaded: runs that kept adding to the same 40,000 records made
    each import slower than the last (at 2,100,000 identifiers, 7,500 rows/s where 8,700 had been)."""
    with engine.begin() as connection:  # Core: the ORM refuses bulk deletes of audited records
        connection.execute(Hit.__table__.delete().where(or_(Hit.first_id >= first, Hit.second_id >= first)))
        connection.execute(Identifier.__table__.delete().where(Identifier.id >= first))
        connection.execute(IdentifierCheck.__table__.delete())  # the answers the measures counted
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE identifier, hit")


def bench(label: str, engine: Engine, key) -> None:
    ready(engine, key, label)
    # a speed measure: one liaison's 100 saves with a hit each, then imports of 1,000 hits, are many
    # hours' allowance of answers (services.answers), which is counted here as ever but not spent
    os.environ["COORD_CHECKS_PER_HOUR"] = "1000000"
    with read_session(engine) as session:  # the stress scale's own: the first LOADED identifiers
        first = session.scalar(select(Identifier.id).order_by(Identifier.id).offset(LOADED).limit(1)) or (
            session.scalar(select(func.max(Identifier.id))) or 0) + 1
    take_out_since(engine, first)
    with read_session(engine) as session:
        held = session.scalar(select(func.count()).select_from(Identifier))
        made = session.scalar(select(func.count()).select_from(Hit).where(Hit.closed_at.is_(None)))
    print(f"\n{label}: {held:,} identifiers, {made:,} open hits")
    print(f"| {label} | figure | target |\n|---|---|---|")
    for subject, (ms, shown) in measure_listing(engine).items():
        print(f"| hits of {subject}'s agency, one page ({shown} rows) | {ms:.1f} ms | < 50 ms |")
    print(f"| a suspect saved with 5 identifiers, median of {SAVES} | {measure_saves(engine):.1f} ms | < 10 ms |")
    imports = []
    for _ in range(IMPORTS):
        imports.append(measure_import(engine))
        take_out_since(engine, first)
    rate, created, made = sorted(imports)[IMPORTS // 2]  # the median run: one alone swung by 20 % here
    print(f"| import of {IMPORTED:,} identifiers ({created:,} new, {made:,} hits), median of {IMPORTS} runs "
          f"(slowest {min(imports)[0]:,.0f} rows/s) | {rate:,.0f} rows/s | >= 10,000 rows/s |")


def command_line(doc: str, name: str, schema: str, measure: Callable[[str, Engine, object], None]) -> None:
    """The command line both deconfliction benches take: `measure(label, engine, key)` for each store
    asked for, on its stress database (`name` in --out for SQLite, `schema` on PostgreSQL)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--postgres", default=os.environ.get("COORD_BENCH_POSTGRES_URL"),
                        help=f"also measure on this PostgreSQL database (schema {schema} is replaced)")
    args = parser.parse_args()
    key = use_key(args.out)
    for label, engine in engines(args.out, name, args.postgres, schema, tuple(args.stores.split(","))):
        measure(label, engine, key)


if __name__ == "__main__":
    command_line(__doc__, "deconfliction-stress", PG_SCHEMA, bench)
