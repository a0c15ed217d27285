"""Deconfliction figures (issue 16) at stress scale (600,000 suspects, 200,000 evidence items, about
1,500,000 identifiers of which about 10,000 are shared, so about 10,000 hits), SQLite and PostgreSQL:

- a record saved with 5 identifiers: the suspect and its identifiers, matched, one transaction
  (target: under 10 ms median)
- `import identifiers` of 100,000 rows, with matching (target: 10,000 rows/s or more)
- listing an agency's hits, one page of 50 (target: under 50 ms median)

The identifiers are generated with a bulk path (plain rows, COPY on PostgreSQL, then the same
set-based `match` the import uses); they have no audit events of their own.

    python -m bench.deconfliction [--stores sqlite,postgresql] [--postgres URL]

Give PostgreSQL a database of its own: writers queue on one advisory lock per database, so another
writer in the same database (another schema's bench or tests) is measured as well.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import Engine, func, select, text

from coordination import deconfliction_key, demo, migrate
from coordination.db import insert_rows, make_engine, read_session, write_session
from coordination.kinds import SUSPECTS
from coordination.markings import TLP
from coordination.models import EvidenceItem, Hit, Identifier, IdentifierKind, Suspect, utcnow
from coordination.principal import Principal, principal_for_subject
from coordination.queries import hits
from coordination.services import identifier_imports, identifiers, records
from coordination.services.base import current_operation

SCALE = "stress"
IDENTIFIERS = 1_500_000
SHARED = 10_000
IMPORTED = 100_000
SAVES = 100
RUNS = 20
VIEWERS = ("liaison.fbi", "liaison.met", "liaison.eurojust", "commander.met")  # EUROJUST: few hits
PG_SCHEMA = "bench_deconfliction"


def _ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


def _phone(n: int) -> str:
    return f"+4474{n:08d}"  # in its normal form (E.164): the bulk path skips normalisation


def _fresh_phone(n: int) -> str:
    return f"+44 74{50_000_000 + n % 50_000_000:08d}"  # beyond the bulk rows' numbers


def _ready(engine: Engine, key: deconfliction_key.MatchingKey, label: str) -> None:
    """The stress scale with its identifiers and hits, made unless there already."""
    migrate.upgrade(engine)
    with read_session(engine) as session:
        suspects = session.scalar(select(func.count()).select_from(Suspect))
        held = session.scalar(select(func.count()).select_from(Identifier))
    if suspects < demo.SCALES[SCALE].suspects:  # (each run saves a hundred more)
        print(f"{label}: loading the {SCALE} scale", file=sys.stderr)
        demo.load(engine, SCALE, reset=True)
        held = 0
    if held < IDENTIFIERS:
        start = time.perf_counter()
        _generate(engine, key)
        print(f"{label}: {IDENTIFIERS:,} identifiers and their hits made in {time.perf_counter() - start:.0f} s",
              file=sys.stderr)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            # what autovacuum does after a bulk load (the test server runs without it)
            connection.exec_driver_sql("VACUUM ANALYZE")


def _generate(engine: Engine, key: deconfliction_key.MatchingKey) -> None:
    """Two identifiers a suspect and 1.5 an evidence item, all different but SHARED values held twice,
    by records of two agencies mostly (a few within one agency: possible duplicates)."""
    rng = random.Random(16)
    with write_session(engine) as session:
        operation = current_operation(session)
        operation_key = identifiers.operation_key(session, Principal.system("bench"))
        assert operation_key == key
        holders = [("suspect", *row) for row in session.execute(
            select(Suspect.id, Suspect.owning_agency_id, Suspect.tlp).order_by(Suspect.id))]
        holders += [("evidence item", *row) for row in session.execute(
            select(EvidenceItem.id, EvidenceItem.owning_agency_id, EvidenceItem.tlp).order_by(EvidenceItem.id))]
        rows = []
        for n in range(IDENTIFIERS):
            entity, record_id, agency_id, tlp = holders[n % len(holders)]
            kind = IdentifierKind.PHONE if n % 2 else IdentifierKind.EMAIL
            value = _phone(n) if n % 2 else f"person{n}@example.com"
            rows.append((operation.id, kind, value, value, key.keyed(kind.value, value), entity, record_id,
                         agency_id, tlp))
        for _ in range(SHARED):  # a value held again, by a record anywhere (of one agency now and then)
            entity, record_id, agency_id, tlp = holders[rng.randrange(len(holders))]
            rows.append(rows[rng.randrange(IDENTIFIERS)][:5] + (entity, record_id, agency_id, tlp))
        _bulk_insert(session, rows)
        identifiers.match(session, "all", {})
        session.commit()


COLUMNS = ("operation_id", "kind", "value", "normalised", "keyed", "record_entity", "record_id",
           "owning_agency_id", "tlp")


def _bulk_insert(session, rows: list[tuple]) -> None:
    now = utcnow()
    for start in range(0, len(rows), 100_000):
        insert_rows(session, Identifier.__table__, [dict(zip(COLUMNS, row, strict=True)) | {"added_at": now}
                                                    for row in rows[start:start + 100_000]])


def measure_saves(engine: Engine) -> float:
    """Median ms of one suspect saved with 5 identifiers (and matched, one of them a hit), as one transaction."""
    with read_session(engine) as session:
        liaison = principal_for_subject(session, "liaison.met")
    times = []
    for n in range(SAVES):
        stamp = time.time_ns() // 100
        start = time.perf_counter()
        with write_session(engine) as session:
            suspect = records.create_suspect(session, liaison, {
                "reference": f"BENCH-{stamp}", "full_name": "Bench Mark", "tier": "user", "status": "lead"})
            identifiers.add_identifiers(session, liaison, SUSPECTS, suspect.id, [
                *(("phone number", _fresh_phone(stamp + i), None) for i in range(3)),
                ("phone number", _phone(2 * n + 1), None),  # held by another record already: a hit
                ("e-mail address", f"bench{stamp}@example.com", None)])
            session.commit()
        times.append(time.perf_counter() - start)
    return _ms(times)


def measure_import(engine: Engine) -> tuple[float, int, int]:
    """(rows/s, rows, hits made) of importing IMPORTED identifiers as MET's liaison, onto 40,000 of MET's
    suspects: phone numbers and e-mail addresses, one in a hundred held elsewhere already."""
    with read_session(engine) as session:
        liaison = principal_for_subject(session, "liaison.met")
        references = list(session.scalars(select(Suspect.reference).where(
            Suspect.owning_agency_id == liaison.agency_id, Suspect.tlp != TLP.RED).limit(IMPORTED)))
        hits_before = session.scalar(select(func.count()).select_from(Hit))
    stamp = time.time_ns() % 10_000_000
    lines = ["record_kind,record_reference,identifier_kind,value,qualifier"]
    for n in range(IMPORTED):
        reference = references[(n * 2 // 5) % len(references)]  # 2.5 a suspect, as a seized account holds
        if n % 100 == 0:
            lines.append(f"suspect,{reference},phone number,{_phone(2 * n + 1)},")  # held by the bulk rows
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
        found[subject] = (_ms(times), shown)
    return found


def bench(label: str, engine: Engine, key) -> None:
    _ready(engine, key, label)
    with read_session(engine) as session:
        held = session.scalar(select(func.count()).select_from(Identifier))
        made = session.scalar(select(func.count()).select_from(Hit).where(Hit.closed_at.is_(None)))
    print(f"\n{label}: {held:,} identifiers, {made:,} open hits")
    print(f"| {label} | figure | target |\n|---|---|---|")
    for subject, (ms, shown) in measure_listing(engine).items():
        print(f"| hits of {subject}'s agency, one page ({shown} rows) | {ms:.1f} ms | < 50 ms |")
    print(f"| a suspect saved with 5 identifiers, median of {SAVES} | {measure_saves(engine):.1f} ms | < 10 ms |")
    rate, created, made = measure_import(engine)
    print(f"| import of {IMPORTED:,} identifiers ({created:,} new, {made:,} hits) | {rate:,.0f} rows/s "
          f"| >= 10,000 rows/s |")


def main(out: Path, postgres_url: str | None = None, stores: tuple[str, ...] = ("sqlite", "postgresql")) -> None:
    out.mkdir(parents=True, exist_ok=True)
    key_file = out / "deconfliction.key"
    if not key_file.exists():
        deconfliction_key.make_key_file(key_file)
    os.environ[deconfliction_key.ENVIRONMENT] = str(key_file)
    key = deconfliction_key.load()
    if "sqlite" in stores:
        engine = make_engine(f"sqlite:///{out / 'deconfliction-stress.db'}")
        bench("sqlite", engine, key)
        engine.dispose()
    if postgres_url and "postgresql" in stores:
        admin = make_engine(postgres_url)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{PG_SCHEMA}"'))
        admin.dispose()
        engine = make_engine(postgres_url, connect_args={"options": f"-csearch_path={PG_SCHEMA}"})
        bench("postgresql", engine, key)
        engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "out" / "bench")
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--postgres", default=os.environ.get("COORD_BENCH_POSTGRES_URL"),
                        help="also measure on this PostgreSQL database (schema bench_deconfliction is replaced)")
    args = parser.parse_args()
    main(args.out, args.postgres, tuple(args.stores.split(",")))
