"""Deconfliction as people see it (issue 16), at stress scale on the demo operation's own identifiers
(about 1,500,000, about 10,000 shared: `demo load --scale stress` with a key), SQLite and PostgreSQL:

- the picture's deconfliction figures (open hits by agency pair, pending requests), per viewer, and
  the operation picture's full rerun and floor with them (bench.dashboard's measure; target < 1 s, <= 1.5x)
- the Deconfliction page, a full run in AppTest (hits, requests, check, and command's tab for a
  commander), per viewer (target: under a second, like every page)

`python -m bench.deconfliction_ui [--stores sqlite,postgresql] [--postgres URL]`. The set-up (key,
stress database loaded only when missing, under out/bench) is bench.deconfliction's.
"""

from __future__ import annotations

import os
import time

from sqlalchemy import Engine, func, select

from bench import dashboard, signed_in
from bench.deconfliction import command_line, median_ms, ready
from coordination.aggregates import hits_between_agencies, pending_requests, told_hits
from coordination.db import read_session
from coordination.models import Hit, Identifier
from coordination.principal import principal_for_subject

RUNS = 10
VIEWERS = ("liaison.fbi", "liaison.met", "liaison.eurojust", "commander.met")
PG_SCHEMA = "bench_deconfliction_ui"


def measure_figures(engine: Engine) -> dict[str, tuple[float, int]]:
    """Median ms of the picture's two deconfliction queries for each viewer, and the hits counted."""
    found = {}
    for subject in VIEWERS:
        with read_session(engine) as session:
            viewer = principal_for_subject(session, subject)
        times, counted = [], 0
        for _ in range(RUNS):
            start = time.perf_counter()
            with read_session(engine) as session:  # as the picture makes them: the told hits once
                told = told_hits(session, viewer)
                counted = sum(row.hits for row in hits_between_agencies(session, viewer, told=told))
                pending_requests(session, viewer, told=told)
            times.append(time.perf_counter() - start)
        found[subject] = (median_ms(times), counted)
    return found


def measure_page(url: str) -> dict[str, float]:
    """Median ms of a full run of the Deconfliction page in AppTest, per viewer."""
    os.environ["COORD_DATABASE_URL"] = url
    found = {}
    for subject in VIEWERS:
        at = signed_in.page(subject, "deconfliction")
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - start)
        assert not at.exception, at.exception
        found[subject] = median_ms(times)
    return found


def bench(label: str, engine: Engine, key) -> None:
    ready(engine, key, label)
    with read_session(engine) as session:
        held = session.scalar(select(func.count()).select_from(Identifier))
        made = session.scalar(select(func.count()).select_from(Hit).where(Hit.closed_at.is_(None)))
    url = engine.url.render_as_string(hide_password=False)
    print(f"\n{label}: {held:,} identifiers, {made:,} open hits")
    print(f"| {label} | figure | target |\n|---|---|---|")
    for subject, (ms, counted) in measure_figures(engine).items():
        print(f"| picture's deconfliction figures for {subject} ({counted:,} hits counted) | {ms:.1f} ms | |")
    for subject, ms in measure_page(url).items():
        print(f"| Deconfliction page, full run, {subject} | {ms:.0f} ms | < 1 s |")
    picture = dashboard.measure(url)
    print(f"| operation picture, full rerun / floor (commander) | {picture['full_ms']:.0f} / "
          f"{picture['floor_ms']:.0f} ms ({picture['full_ms'] / picture['floor_ms']:.2f}x) | < 1 s, <= 1.5x |")


if __name__ == "__main__":
    command_line(__doc__, "deconfliction-ui-stress", PG_SCHEMA, bench)
