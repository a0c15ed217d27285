"""Key rotation (issue 16): re-keying 1,500,000 identifiers (the stress scale; 5% of them people, whose
sound-alike keys are recomputed too) with their hits and exclusions, on SQLite and PostgreSQL.
Target: under 60 s.

    python -m bench.key_rotation [--identifiers N] [--postgres URL]

The identifiers are written straight into a fresh database (their records are not needed to re-key
them); the rotation is the service call, in one transaction, as `deconflict rotate-key` runs it.
PostgreSQL works in a database of its own, `bench_key_rotation`, emptied on each run.
"""

from __future__ import annotations

import argparse
import itertools
import os
import secrets
import time

from sqlalchemy import Engine, insert, select, text, update
from sqlalchemy.engine import make_url

from bench.foundation import OUT
from coordination import services, standing_data
from coordination.db import make_engine, write_session
from coordination.deconfliction_key import MatchingKey
from coordination.models import (
    Base,
    Exclusion,
    Hit,
    Identifier,
    IdentifierKind,
    Operation,
    User,
    utcnow,
)
from coordination.principal import Principal

STRESS = 1_500_000
PEOPLE_SHARE = 20  # one identifier in 20 is a person
DATABASE = "bench_key_rotation"
FIRST = ["Alex", "Sam", "Robin", "Jamie", "Morgan", "Casey", "Taylor", "Jordan", "Riley", "Avery"]
LAST = ["Smith", "Jones", "Brown", "Taylor", "Wilson", "Evans", "Thomas", "Roberts", "Walker", "Wright"]
BATCH = 50_000


def fresh(url: str) -> Engine:
    """An empty seeded database. PostgreSQL: a database of its own, so that the writers' advisory lock
    the rotation holds (it is per database) never stalls anyone else's work on the server."""
    if url.startswith("sqlite"):
        path = OUT / "key_rotation.db"
        OUT.mkdir(parents=True, exist_ok=True)
        for leftover in OUT.glob("key_rotation.db*"):
            leftover.unlink()
        engine = make_engine(f"sqlite:///{path}")
    else:
        admin = make_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": DATABASE}):
                connection.execute(text(f'CREATE DATABASE "{DATABASE}"'))
        admin.dispose()
        engine = make_engine(make_url(url).set(database=DATABASE).render_as_string(hide_password=False))
        Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    with write_session(engine) as session:
        standing_data.seed(session, "http://127.0.0.1:9400")
        session.commit()
    return engine


def identifiers(key: MatchingKey, operation_id: int, agency_ids: list[int], count: int):
    """Phone numbers (one in 150 shared with another agency: about 10,000 hits) and people, as rows."""
    now = utcnow()
    for n in range(count):
        agency = agency_ids[n % len(agency_ids)]
        if n % PEOPLE_SHARE == 0:
            person = n // PEOPLE_SHARE
            name = f"{FIRST[person % 10]} {LAST[person // 10 % 10]}"
            born = f"19{60 + person % 40}-{1 + person // 400 % 12:02d}-{1 + person // 4800 % 28:02d}"
            words = " ".join(name.lower().split())
            normal, phonetic = f"{words}|{born}", key.keyed("person phonetic", f"{words}|{born}")
            kind, value, qualifier = IdentifierKind.PERSON, name, born
        else:
            number = n // 150 if n % 150 == 1 else n  # shared: the same number as an earlier identifier
            normal = value = f"+4420{number:08d}"
            kind, qualifier, phonetic = IdentifierKind.PHONE, None, None
        yield dict(operation_id=operation_id, kind=kind, value=value, qualifier=qualifier, normalised=normal,
                   keyed=key.keyed(kind.value, normal), phonetic_keyed=phonetic, record_entity="suspect",
                   record_id=n + 1, owning_agency_id=agency, tlp="AMBER", added_at=now)


def populate(engine: Engine, key: MatchingKey, count: int) -> None:
    """Written in bulk outside the services (and their writers' lock): the identifiers, a hit for each
    shared number, five exclusions, the operation's key fingerprint."""
    with engine.begin() as connection:
        operation_id = connection.scalar(select(Operation.id))
        connection.execute(update(Operation.__table__).values(deconfliction_key_fingerprint=key.fingerprint))
        agency_ids = list(connection.scalars(select(User.agency_id).where(User.role == "liaison")))
        rows = identifiers(key, operation_id, agency_ids, count)
        while batch := list(itertools.islice(rows, BATCH)):
            connection.execute(insert(Identifier.__table__), batch)
        now = utcnow()
        connection.execute(insert(Hit.__table__), [
            dict(operation_id=operation_id, match="exact", first_id=first + 1, second_id=n + 1, found_at=now,
                 first_agency_id=agency_ids[first % len(agency_ids)], second_agency_id=agency_ids[n % len(agency_ids)],
                 first_tlp="AMBER", second_tlp="AMBER", first_record_entity="suspect", first_record_id=first + 1,
                 second_record_entity="suspect", second_record_id=n + 1)
            for n, first in shared(count)])
        connection.execute(insert(Exclusion.__table__), [
            dict(operation_id=operation_id, kind=IdentifierKind.PHONE, normalised=f"+44207946000{n}", reason="a bank",
                 keyed=key.keyed("phone number", f"+44207946000{n}"), added_at=now) for n in range(5)])
        if connection.dialect.name == "postgresql":
            connection.execute(text("ANALYZE identifier"))


def shared(count: int) -> list[tuple[int, int]]:
    """(earlier, later) index pairs of identifiers holding the same phone number (ids are index + 1)."""
    return [(n // 150, n) for n in range(count)
            if n % 150 == 1 and n % PEOPLE_SHARE and (n // 150) % 150 != 1 and (n // 150) % PEOPLE_SHARE]


def measure(url: str, count: int) -> tuple[float, int]:
    engine = fresh(url)
    old, new = MatchingKey(secrets.token_bytes(32)), MatchingKey(secrets.token_bytes(32))
    populate(engine, old, count)
    with write_session(engine) as session:
        commander = Principal.of(session.scalar(select(User).where(User.subject == "commander.met")))
        hits = len(session.scalars(select(Hit.id)).all())
        before = session.scalar(select(Identifier.keyed).where(Identifier.id == 1))
        start = time.perf_counter()
        rekeyed = services.rotate_key(session, commander, new)
        seconds = time.perf_counter() - start
        assert rekeyed == count and len(session.scalars(select(Hit.id)).all()) == hits
        assert session.scalar(select(Identifier.keyed).where(Identifier.id == 1)) != before
    engine.dispose()
    return seconds, hits


def main(postgres_url: str | None, count: int = STRESS) -> None:
    rows = []
    for store, url in [("sqlite", "sqlite"), *([("postgresql", postgres_url)] if postgres_url else [])]:
        seconds, hits = measure(url, count)
        rows.append((store, seconds, hits))
    print(f"\n| store | key rotation of {count:,} identifiers | hits kept | target |")
    print("|---|---|---|---|")
    for store, seconds, hits in rows:
        print(f"| {store} | {seconds:.1f} s ({count / seconds:,.0f} identifiers/s) | {hits:,} | < 60 s |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--identifiers", type=int, default=STRESS)
    parser.add_argument("--postgres", default=os.environ.get("COORD_BENCH_POSTGRES_URL"))
    arguments = parser.parse_args()
    main(arguments.postgres, arguments.identifiers)
