"""Workspace figures (issue 4): import throughput (target: 100,000 arrest rows validated and
committed at 10,000 rows/s or better on SQLite, operation scale) and the median time to save one
edited record through the page (AppTest, liaison)."""

from __future__ import annotations

import os
import shutil
import statistics
import time
from pathlib import Path

from sqlalchemy import select

from bench import signed_in
from coordination import demo
from coordination.db import make_engine, read_session
from coordination.markings import TLP
from coordination.models import Agency, Suspect, Task
from coordination.principal import principal_for_subject
from coordination.services import imports

ROWS = 100_000
SAVES = 15



def arrests_csv(url: str, rows: int) -> bytes:
    """Arrests of suspects the MET liaison may see, cycling through them."""
    with read_session(make_engine(url)) as session:
        met = session.scalar(select(Agency.id).where(Agency.code == "MET"))
        refs = session.scalars(select(Suspect.reference).where(
            Suspect.owning_agency_id == met, Suspect.tlp.in_([TLP.CLEAR, TLP.GREEN, TLP.AMBER]))).all()
    lines = ["reference,suspect,jurisdiction,arrested_at,place,offences,outcome"]
    lines += [f"BENCH-{n},{refs[n % len(refs)]},GB-EAW,2022-11-07T06:00:00Z,London,fraud,bailed" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def measure_import(url: str) -> dict:
    content = arrests_csv(url, ROWS)
    engine = make_engine(url)
    with read_session(engine) as session:
        liaison = principal_for_subject(session, "liaison.met")
    start = time.perf_counter()
    result = imports.import_file(engine, liaison, "arrests", "arrests.csv", content)
    seconds = time.perf_counter() - start
    assert result.committed and result.created == ROWS, result.problems[:3]
    engine.dispose()
    return {"rows": ROWS, "seconds": seconds, "rows_per_s": ROWS / seconds}


def measure_page_save(source: Path, work: Path) -> float:
    copy = work / "page.db"
    shutil.copy(source, copy)
    os.environ["COORD_DATABASE_URL"] = f"sqlite:///{copy}"
    with read_session(make_engine(os.environ["COORD_DATABASE_URL"])) as session:
        met = session.scalar(select(Agency.id).where(Agency.code == "MET"))
        task = session.scalar(select(Task).where(Task.owning_agency_id == met, Task.tlp == TLP.AMBER).limit(1))
    at = signed_in.page("liaison.met", "tasks")
    at.text_input(key="tasks-open").input(task.reference).run()
    times = []
    for n in range(SAVES):  # after each save the form is drawn anew, under the next generation's keys
        at.text_input(key=f"tasks-{task.id}-title" + (f"~{n}" if n else "")).input(f"Edited title {n}")
        start = time.perf_counter()
        at.button(key=f"FormSubmitter:tasks-{task.id}-edit-Save").click().run()
        times.append(time.perf_counter() - start)
        assert not at.exception and not at.warning, (at.exception, at.warning)
        assert "saved" in at.success[0].value, [s.value for s in at.success]  # a confirmation on every save
    return statistics.median(times) * 1000


def main(out: Path, postgres_url: str | None = None) -> None:
    source = out / "operation.db"
    work = out / "workspace"
    work.mkdir(exist_ok=True)
    shutil.copy(source, work / "import.db")
    figures = measure_import(f"sqlite:///{work / 'import.db'}")
    if postgres_url:  # it holds whichever scale was loaded last
        engine = make_engine(postgres_url)
        demo.load(engine, "operation", reset=True)
        engine.dispose()
        on_postgres = measure_import(postgres_url)
    save_ms = measure_page_save(source, work)
    print("\n| operation scale | figure | target |")
    print("|---|---|---|")
    print(f"| import {figures['rows']:,} arrest rows | {figures['seconds']:.1f} s, "
          f"{figures['rows_per_s']:,.0f} rows/s | >= 10,000 rows/s (SQLite) |")
    if postgres_url:
        print(f"| import on PostgreSQL | {on_postgres['seconds']:.1f} s, {on_postgres['rows_per_s']:,.0f} rows/s | - |")
    print(f"| save one edited task through the page (median of {SAVES}) | {save_ms:.0f} ms | - |")
