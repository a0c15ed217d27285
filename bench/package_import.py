"""Importing 2,000 target packages (the stress scale's packages; issue 26): one tasking spreadsheet of
MET's, read by the real importer (`services.imports.import_file`, one transaction through
`runner.run_bulk`: every new row checked as `create_package` checks it, inserted in batches with its
audit event, then given its subjects, status history and event deconfliction with address keys,
`action_day.packages_inserted`), into an operation where other agencies already have packages on
the same day. The rows are written as teams write addresses (UK, Dutch and US shapes, flats,
abbreviations, postcodes with and without their space), each naming a subject; one in ten is at a
building another agency has (a conflict, recorded and told). The same file imported again is every row
"unchanged" (the round trip), measured too.

`python -m bench.package_import [--runs 3] [--postgres URL]`. Target: under 10 s on SQLite and
PostgreSQL. Each run starts from a fresh database (PostgreSQL: schema `bench_package_import`).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bench.package_addresses import address, engine_for
from coordination import deconfliction_key, migrate, services, standing_data
from coordination.db import read_session, write_session
from coordination.models import PackageConflict, TargetPackage
from coordination.principal import principal_for_subject
from coordination.services import imports
from coordination.settings import load

ROWS = int(os.environ.get("BENCH_PACKAGES", "2000"))
OTHERS = 300  # other agencies' packages already planned for the day
SUBJECTS = 200
SCHEMA = "bench_package_import"
IMPORTER = "liaison.met"
# the importer's rows go where MET's teams go with its partners: England, Scotland, the Netherlands, New York
WHERE = ("GB-EAW", "GB-SCT", "NL", "US-NY")
OTHER_AGENCIES = {"liaison.nca": "GB-EAW", "liaison.nl-police": "NL", "liaison.fbi": "US-NY"}
DAY = datetime(2030, 11, 7, 5, 0, tzinfo=UTC)
COLUMNS = ("reference", "jurisdiction", "address", "team_call_sign", "subjects", "legal_authority", "h_hour",
           "risk_notes")


def prepare(engine) -> None:
    """The standing data, MET's suspects (the rows' subjects) and the other agencies' packages."""
    migrate.upgrade(engine)
    with write_session(engine) as session:
        standing_data.seed(session, load().demo_issuer)
        session.commit()
    with read_session(engine) as session:
        met = principal_for_subject(session, IMPORTER)
        others = {subject: principal_for_subject(session, subject) for subject in OTHER_AGENCIES}
    rng = random.Random(2026)
    with write_session(engine) as session:
        for n in range(SUBJECTS):
            services.create_suspect(session, met, {"reference": f"S-{n:04d}", "full_name": f"Synthetic {n}",
                                                   "tier": "user", "status": "located"})
        for n in range(OTHERS):
            subject = list(OTHER_AGENCIES)[n % len(OTHER_AGENCIES)]
            jurisdiction = OTHER_AGENCIES[subject]
            services.create_package(session, others[subject], {
                "reference": f"O-{n:04d}", "jurisdiction": jurisdiction, "address": address(rng, jurisdiction, n),
                "team_call_sign": f"X-{n}", "legal_authority": "W/0",
                "h_hour": (DAY + timedelta(minutes=n % 600)).isoformat()})


def tasking_file(rows: int = ROWS) -> bytes:
    """MET's spreadsheet: one row a package; every tenth at a building another agency has."""
    rng = random.Random(26)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for n in range(rows):
        if n % 10 == 0:  # another agency's building, written MET's way
            building = (n // 10) % OTHERS
            jurisdiction = OTHER_AGENCIES[list(OTHER_AGENCIES)[building % len(OTHER_AGENCIES)]]
        else:
            building, jurisdiction = OTHERS + n, WHERE[n % len(WHERE)]
        writer.writerow([f"PKG-{n:05d}", jurisdiction, address(rng, jurisdiction, building), f"TEAM-{n % 40}",
                         f"S-{n % SUBJECTS:04d}", f"W/{n}", (DAY + timedelta(minutes=(n * 7) % 720)).strftime(
                             "%Y-%m-%dT%H:%M:%SZ"), "dog on the premises" if n % 17 == 0 else ""])
    return out.getvalue().encode()


def measure(label: str, url: str | None, data: bytes) -> dict:
    engine = engine_for(url, SCHEMA)
    try:
        prepare(engine)
        with read_session(engine) as session:
            met = principal_for_subject(session, IMPORTER)
        begun, cpu = time.perf_counter(), time.process_time()
        first = imports.import_file(engine, met, "packages", "tasking.csv", data)
        import_s, import_cpu = time.perf_counter() - begun, time.process_time() - cpu
        assert first.committed and first.created == ROWS, [str(p) for p in first.problems[:5]]
        begun = time.perf_counter()
        again = imports.import_file(engine, met, "packages", "tasking.csv", data)
        again_s = time.perf_counter() - begun
        assert again.committed and again.unchanged == ROWS, [str(p) for p in again.problems[:5]]
        with read_session(engine) as session:
            conflicts = session.scalar(select(func.count()).select_from(PackageConflict))
            packages = session.scalar(select(func.count()).select_from(TargetPackage))
    finally:
        engine.dispose()
    return {"store": label, "import_s": round(import_s, 2), "import_cpu_s": round(import_cpu, 2),
            "again_unchanged_s": round(again_s, 2),
            "packages": packages, "conflicts": conflicts, "load": os.getloadavg()[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", default=os.environ.get("COORD_BENCH_POSTGRES_URL"))
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    key_dir = Path(tempfile.mkdtemp(prefix="bench_package_import_key_"))
    os.environ[deconfliction_key.ENVIRONMENT] = str(deconfliction_key.make_key_file(key_dir / "bench.key"))
    data = tasking_file()
    stores = [("SQLite", None)] if args.only != "postgresql" else []
    if args.postgres and args.only != "sqlite":
        stores.append(("PostgreSQL", args.postgres))
    for label, url in stores:
        runs = []
        for _ in range(args.runs):
            runs.append(measure(label, url, data))
            print(runs[-1], file=sys.stderr)
        print(f"{label}: {ROWS:,} packages imported, median of {len(runs)}: "
              f"{statistics.median(r['import_s'] for r in runs):.2f} s; imported again (all unchanged): "
              f"{statistics.median(r['again_unchanged_s'] for r in runs):.2f} s; {runs[-1]['conflicts']} conflicts; "
              f"load {min(r['load'] for r in runs):.1f}-{max(r['load'] for r in runs):.1f}")


if __name__ == "__main__":
    main()
