"""Briefing figures (issue 6): one briefing at operation scale, with charts and without.

Targets: under 5 s with charts, under 1 s without (the shareable version previewed as the FBI's
liaison, with charts, is measured beside them). "With charts" is measured on a warm renderer
(the app keeps one Chromium per process); the first briefing in a process, which starts Chromium,
and the CLI (a fresh process every time) are reported beside it.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from coordination import briefing, chart_images, demo, migrate
from coordination.db import make_engine, read_session
from coordination.principal import principal_for_subject

RUNS = 5


def _seconds(action, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _measure(store: str, url: str, out: Path) -> dict:
    engine = make_engine(url)
    if store == "postgresql":  # it holds whichever scale was loaded last
        demo.load(engine, "operation", reset=True)
    with read_session(engine) as session:
        commander = principal_for_subject(session, "commander.met")
    briefing.export(engine, commander, with_charts=False)  # imports and first connections, not measured
    row = {"store": store, "tables_s": _seconds(lambda: briefing.export(engine, commander, with_charts=False))}
    if chart_images.find_chromium():
        chart_images.shutdown()
        start = time.perf_counter()
        briefing.export(engine, commander, since_last=True)
        row["first_s"] = time.perf_counter() - start
        row["charts_s"] = _seconds(lambda: briefing.export(engine, commander, since_last=True))
        shareable = briefing.Audience(up_to="AMBER", as_liaison_of="FBI", people=("liaison.fbi",), agencies=("FBI",))
        row["shareable_s"] = _seconds(lambda: briefing.export(engine, commander, since_last=True, audience=shareable))
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "coordination", "briefing", "--as", "commander.met", "--out",
                        str(out / "briefing.pdf"), "--database-url", url], check=True, capture_output=True)
        row["cli_s"] = time.perf_counter() - start
    engine.dispose()
    return row


def main(out: Path, postgres_url: str | None = None) -> dict:
    source = out / "operation.db"
    copy = out / "briefing.db"  # briefings add rows: keep the shared operation database as loaded
    engine = make_engine(f"sqlite:///{source}")
    migrate.upgrade(engine)
    if demo.is_empty(engine):
        demo.load(engine, "operation", reset=True)
    engine.dispose()
    shutil.copy(source, copy)
    targets = [("sqlite", f"sqlite:///{copy}")] + ([("postgresql", postgres_url)] if postgres_url else [])
    rows = [_measure(store, url, out) for store, url in targets]
    print("\nbriefing at operation scale (commander, median of 5; targets: 5 s with charts, 1 s without)")
    print("| store      | without charts s | with charts s (warm) | shareable, as FBI, charts s | first in process s "
          "| CLI (cold) s |")
    print("|------------|------------------|----------------------|-----------------------------|--------------------"
          "|--------------|")
    for r in rows:
        print(f"| {r['store']:<10} | {r['tables_s']:>16.2f} | {r.get('charts_s', float('nan')):>20.2f} | "
              f"{r.get('shareable_s', float('nan')):>27.2f} | {r.get('first_s', float('nan')):>18.2f} | "
              f"{r.get('cli_s', float('nan')):>12.2f} |")
    return {"rows": rows}
