"""What the stress-scale read figures (bench/tables.py, bench/timeline.py) share: the stores to
measure, the stress scale loaded once (at the newest schema, with planner statistics), a median of
timed runs, and the command line."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from coordination import demo, migrate
from coordination.db import make_engine, read_session

SCALE = "stress"
RUNS = 15


def median_ms(action: Callable[[], object], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def ready(url: str, label: str, loaded: Callable[[Session], bool], analyze: str = "") -> None:
    """The stress scale, loaded unless `loaded` says it is there already, at the newest schema."""
    migrate.upgrade(url)
    engine = make_engine(url)
    with read_session(engine) as session:
        there = loaded(session)
    if not there:
        print(f"{label}: loading the {SCALE} scale", file=sys.stderr)
        demo.load(engine, SCALE, reset=True)
    if engine.dialect.name == "postgresql":
        # what autovacuum does after a bulk load (the test server runs without it): statistics for
        # the planner, and the visibility map that lets a page walk its index alone
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(f"VACUUM ANALYZE {analyze}".strip())
    engine.dispose()


def stores(out: Path, postgres_url: str | None) -> list[tuple[str, str]]:
    """(name, url): a SQLite file under `out`, and PostgreSQL when given."""
    return [("sqlite", f"sqlite:///{out / f'{SCALE}.db'}")] + ([("postgresql", postgres_url)] if postgres_url else [])


def run(main: Callable[[Path, str | None], None]) -> None:
    """`python -m bench.X [OUT]`: OUT defaults to out/bench; PostgreSQL from COORD_BENCH_POSTGRES_URL."""
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "out" / "bench",
         os.environ.get("COORD_BENCH_POSTGRES_URL"))
