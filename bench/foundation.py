"""Foundation figures: loading each scale, one service write (create and update, audit included)
and `audit verify`, on SQLite and, when configured, PostgreSQL.

Targets (issue 2): a write under 10 ms median at stress scale on SQLite; verification of
2 million events in under 30 s; the operation scale loads in under a minute on SQLite.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import Engine, func, select

from coordination import audit, demo, migrate, services
from coordination.db import make_engine, read_session, write_session
from coordination.models import AuditEvent
from coordination.principal import principal_for_subject

OUT = Path(__file__).resolve().parent.parent / "out" / "bench"
WRITES = 200


def _progress(stage: str, done: int, total: int) -> None:
    print(f"\r  {stage}: {done:,}/{total:,}   ", end="", file=sys.stderr, flush=True)


def measure_writes(engine: Engine, count: int = WRITES) -> tuple[float, float]:
    """Median milliseconds of create_suspect and of update_suspect, each its own transaction."""
    with read_session(engine) as session:
        liaison = principal_for_subject(session, "liaison.met")
    creates, updates = [], []
    with write_session(engine) as session:
        for n in range(count):
            start = time.perf_counter()
            suspect = services.create_suspect(session, liaison, {
                "reference": f"BENCH-{time.time_ns()}-{n}", "full_name": "Bench Mark",
                "tier": "user", "status": "lead"})
            creates.append(time.perf_counter() - start)
            start = time.perf_counter()
            services.update_suspect(session, liaison, suspect.id, suspect.version, {"status": "identified"})
            updates.append(time.perf_counter() - start)
    return statistics.median(creates) * 1000, statistics.median(updates) * 1000


def measure_verify(engine: Engine) -> tuple[float, int, bool]:
    with engine.connect() as connection:
        start = time.perf_counter()
        result = audit.verify(connection)
        return time.perf_counter() - start, result.events, result.ok


def bench_store(label: str, url: str, scale: str) -> dict:
    print(f"{label} {scale}: loading", file=sys.stderr)
    migrate.upgrade(url)
    engine = make_engine(url)
    start = time.perf_counter()
    demo.load(engine, scale=scale, reset=True, progress=_progress)
    load_s = time.perf_counter() - start
    print(file=sys.stderr)
    create_ms, update_ms = measure_writes(engine)
    verify_s, events, ok = measure_verify(engine)
    with read_session(engine) as session:
        total = session.scalar(select(func.count()).select_from(AuditEvent))
    engine.dispose()
    return {"store": label, "scale": scale, "load_s": load_s, "create_ms": create_ms, "update_ms": update_ms,
            "verify_s": verify_s, "events": events, "verified": ok and events == total}


def print_table(rows: list[dict]) -> None:
    header = f"| {'store':<10} | {'scale':<9} | {'load s':>7} | {'create ms':>9} | {'update ms':>9} | " \
             f"{'verify s':>8} | {'events':>10} | ok |"
    print(header)
    print("|" + "|".join("-" * (len(part)) for part in header.split("|")[1:-1]) + "|")
    for r in rows:
        print(f"| {r['store']:<10} | {r['scale']:<9} | {r['load_s']:>7.1f} | {r['create_ms']:>9.2f} | "
              f"{r['update_ms']:>9.2f} | {r['verify_s']:>8.2f} | {r['events']:>10,} | "
              f"{'yes' if r['verified'] else 'NO':>2} |")


def main(scales: list[str], postgres_url: str | None) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    rows = []
    for scale in scales:
        path = OUT / f"{scale}.db"
        for leftover in OUT.glob(f"{scale}.db*"):
            leftover.unlink()
        rows.append(bench_store("sqlite", f"sqlite:///{path}", scale))
        if postgres_url:
            rows.append(bench_store("postgresql", postgres_url, scale))
    print_table(rows)
