"""Integrity figures (issue 7): service writes per second with 16 writers contending, and the time
of an online backup and its restore, on SQLite and PostgreSQL at operation scale. (`audit verify`
at stress scale is in the foundation table.)"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

from coordination import backup, demo, migrate, services
from coordination.db import make_engine, read_session, write_session
from coordination.principal import principal_for_subject

WRITERS = 16
EACH = 100
LIAISONS = ["liaison.met", "liaison.nca", "liaison.europol", "liaison.eurojust", "liaison.nl-police", "liaison.fbi"]


def writes_per_second(url: str) -> float:
    engine = make_engine(url, pool_size=WRITERS, max_overflow=4) if "sqlite" not in url else make_engine(url)
    with read_session(engine) as session:
        principals = [principal_for_subject(session, s) for s in LIAISONS]
    stamp = time.time_ns()
    errors: list[str] = []

    def write(worker: int) -> None:
        who = principals[worker % len(principals)]
        try:
            with write_session(engine) as session:
                for n in range(EACH):
                    services.create_suspect(session, who, {"reference": f"W{stamp}-{worker}-{n}", "full_name": "x",
                                                           "tier": "user", "status": "lead"})
        except Exception as error:  # a benchmark reports, it does not hide
            errors.append(repr(error))

    threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    engine.dispose()
    assert not errors, errors[:3]
    return WRITERS * EACH / seconds


def backup_and_restore(url: str, work: Path, suffix: str) -> tuple[float, float]:
    target = work / f"backup.{suffix}"
    if target.exists():
        target.unlink()
    start = time.perf_counter()
    backup.backup(url, target)
    taken = time.perf_counter() - start
    restored = f"sqlite:///{work / 'restored.db'}" if suffix == "db" else url
    start = time.perf_counter()
    backup.restore(restored, target)
    return taken, time.perf_counter() - start


def main(postgres_url: str | None, out: Path) -> None:
    work = out / "integrity"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    rows = []
    sqlite_copy = work / "operation.db"
    shutil.copy(out / "operation.db", sqlite_copy)
    stores = [("sqlite", f"sqlite:///{sqlite_copy}", "db")] + ([("postgresql", postgres_url, "dump")]
                                                               if postgres_url else [])
    for store, url, suffix in stores:
        engine = make_engine(url)
        migrate.upgrade(engine)
        if store == "postgresql":
            demo.load(engine, "operation", reset=True)
        engine.dispose()
        rate = writes_per_second(url)
        taken, restored = backup_and_restore(url, work, suffix)
        rows.append((store, rate, taken, restored))
    print(f"\n| store | writes/s, {WRITERS} writers contending | backup s | restore s |")
    print("|---|---|---|---|")
    for store, rate, taken, restored in rows:
        print(f"| {store} (operation scale) | {rate:,.0f} | {taken:.1f} | {restored:.1f} |")
