"""Saving a target package against 2,000 others (the stress scale's packages) with address keys
(issue 26): each save reads its address's keys (places.address_keys), keys them, and finds the other
agencies' packages with any key agreeing through the indexes on (operation, key), all on one day so
the H-hour window excludes none of them. Half the saves are at a building another agency already
has (a conflict found, audited and told), half at a new one.

`python -m bench.package_addresses [--postgres URL]`. Target: under 20 ms median on SQLite and
PostgreSQL. On PostgreSQL it works in its own schema (`bench_places`), dropped and made again.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, func, select, text

from coordination import deconfliction_key, migrate, places, services, standing_data
from coordination.db import make_engine, read_session, write_session
from coordination.models import PackageConflict, TargetPackage
from coordination.principal import principal_for_subject
from coordination.settings import load

OTHERS = int(os.environ.get("BENCH_OTHERS", "2000"))
SAVES = 200
SCHEMA = "bench_places"
AGENCIES = {"liaison.met": "GB-EAW", "liaison.nca": "GB-SCT", "liaison.nl-police": "NL", "liaison.fbi": "US-NY",
            "liaison.europol": "DE"}
STREETS = ["Barthor", "Quenwick", "Ellsmere", "Haldrow", "Marton", "Fenby", "Ashcombe", "Wilford", "Bradley",
           "Ormsted", "Kelvin", "Tremoor", "Linden", "Garholt"]


def address(rng: random.Random, jurisdiction: str, n: int) -> str:
    """An address in the jurisdiction's own way of writing it; `n` makes the building."""
    street, number = STREETS[n % len(STREETS)] + STREETS[(n // len(STREETS)) % len(STREETS)].lower(), n % 400 + 1
    if jurisdiction.startswith("GB"):
        flat = rng.choice(["", "", f"Flat {rng.randint(1, 9)}, "])
        return f"{flat}{number} {street} {rng.choice(['Road', 'Rd', 'Street'])}, London E{n % 17 + 1} {n % 9}AB"
    if jurisdiction == "NL":
        return f"{street}straat {number}, {1000 + n % 8999} AB Rotterdam"
    if jurisdiction.startswith("US"):
        return f"{number} {rng.choice(['W', 'West'])} {street} {rng.choice(['St', 'Street'])}, New York, NY 10036"
    return f"{street}straße {number}, 10115 Berlin"


def engine_for(url: str | None, schema: str = SCHEMA):
    """A fresh store: a new SQLite file, or the PostgreSQL schema `schema` made anew."""
    if url is None:
        path = Path(tempfile.mkdtemp(prefix=f"{schema}_")) / "bench.db"
        return make_engine(f"sqlite:///{path}")
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return make_engine(url, connect_args={"options": f"-csearch_path={schema}"})


def measure(label: str, url: str | None) -> dict:
    engine = engine_for(url)
    migrate.upgrade(engine)
    with write_session(engine) as session:
        standing_data.seed(session, load().demo_issuer)
        session.commit()
    with read_session(engine) as session:
        people = {subject: principal_for_subject(session, subject) for subject in AGENCIES}
    rng = random.Random(26)
    day = datetime(2030, 11, 7, 5, 0, tzinfo=UTC)
    subjects = list(AGENCIES)

    jurisdictions = list(AGENCIES.values())

    def save(session, n: int, building: int) -> None:
        """Package n, of the n-th agency in turn, at `building` (whose number picks its jurisdiction)."""
        subject, jurisdiction = subjects[n % len(subjects)], jurisdictions[building % len(jurisdictions)]
        services.create_package(session, people[subject], {
            "reference": f"B-{n:05d}", "jurisdiction": jurisdiction,
            "address": address(rng, jurisdiction, building), "team_call_sign": f"T-{n}",
            "legal_authority": "W/1", "h_hour": (day + timedelta(minutes=n % 600)).isoformat()})

    print(f"{label}: {OTHERS:,} packages", file=sys.stderr)
    start = time.perf_counter()
    with write_session(engine) as session:
        for n in range(OTHERS):
            save(session, n, building=n)
    load_s = time.perf_counter() - start
    times, statements = [], []
    counted = [0]
    event.listen(engine, "before_cursor_execute", lambda *_: counted.__setitem__(0, counted[0] + 1))
    with write_session(engine) as session:
        for n in range(OTHERS, OTHERS + SAVES):
            # every other save at a building another agency has, written its own way
            building = (n * 7) % OTHERS if n % 2 else OTHERS + n
            building += (building % len(subjects)) == (n % len(subjects))
            counted[0], begun = 0, time.perf_counter()
            save(session, n, building=building)
            times.append(time.perf_counter() - begun)
            statements.append(counted[0])
    with read_session(engine) as session:
        conflicts = session.scalar(select(func.count()).select_from(PackageConflict))
        packages = session.scalar(select(func.count()).select_from(TargetPackage))
    parse = []
    for n in range(1_000 if hasattr(places, "address_keys") else 0):  # (the code before issue 26: none)
        jurisdiction = list(AGENCIES.values())[n % len(AGENCIES)]
        begun = time.perf_counter()
        places.address_keys(address(rng, jurisdiction, n), standing_country(jurisdiction))
        parse.append(time.perf_counter() - begun)
    engine.dispose()
    conflicting, apart = sorted(times[1::2]), sorted(times[0::2])
    times.sort()
    return {"statements_median": (statistics.median(statements[0::2]), statistics.median(statements[1::2])),
            "median_ms_conflicting": round(statistics.median(conflicting) * 1000, 2),
            "median_ms_not": round(statistics.median(apart) * 1000, 2),
            "store": label, "packages": packages, "conflicts": conflicts, "load_s": round(load_s, 1),
            "median_ms": round(statistics.median(times) * 1000, 2),
            "p95_ms": round(times[int(len(times) * 0.95)] * 1000, 2),
            "address_keys_median_ms": round(statistics.median(parse) * 1000, 3) if parse else None}


HOSTILE_PIECES = ["1", "12-", "#", "apt ", "flat ", "floor ", "W ", "st ", "3011 AD ", "SW1A 1AA ", ", ", "-", "/",
                  "hoog ", "2nd ", "NY ", "10036 ", "a", " ", *"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"]


def hostile_addresses(count: int = 150, seed: int = 26) -> list[str]:
    """Text of the address field's full length (300) made of what an address parser chokes on:
    numbers, designators, postcodes, separators (tests/test_address_identity.py reads them too)."""
    rng = random.Random(seed)
    return ["1 " * 150] + ["".join(rng.choice(HOSTILE_PIECES) for _ in range(300))[:300] for _ in range(count - 1)]


def slowest_hostile_read() -> float:
    """The slowest `places.address_keys` of the hostile addresses in every country's convention (s)."""
    places.address_keys("1 Main St, Springfield, IL", "US")  # its tables loaded once
    slowest = 0.0
    for text_ in hostile_addresses():
        for country in ("GB", "NL", "US", "DE"):
            started = time.perf_counter()
            try:
                places.address_keys(text_, country)
            except ValueError:
                pass
            slowest = max(slowest, time.perf_counter() - started)
    return slowest


def standing_country(jurisdiction: str) -> str:
    return next(country for code, _, country, *_ in standing_data.JURISDICTIONS if code == jurisdiction)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", default=os.environ.get("COORD_BENCH_POSTGRES_URL"))
    args = parser.parse_args()
    key_dir = Path(tempfile.mkdtemp(prefix="bench_places_key_"))
    os.environ[deconfliction_key.ENVIRONMENT] = str(deconfliction_key.make_key_file(key_dir / "bench.key"))
    rows = [measure("SQLite", None)]
    if args.postgres:
        rows.append(measure("PostgreSQL", args.postgres))
    for row in rows:
        print(row)
    print(f"slowest read of a hostile 300-character address: {slowest_hostile_read() * 1000:.0f} ms")


if __name__ == "__main__":
    main()
