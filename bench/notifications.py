"""Notification figures (issue 18) at stress scale, on SQLite and, when configured, PostgreSQL:

- the sidebar's unread count (`queries.notifications.unread_count`, in its own read session as the
  page's fragment reads it) with 1,000,000 notifications in the table, 100,000 of them the viewer's
  and 40,000 of those unread, 2 % of them about tasks since raised out of the viewer's reach; target
  under 5 ms median;
- one reminder pass (`reminder_pass.run_pass`) over 50,000 tasks: the first (which fires every due,
  overdue and unblocked reminder) and a repeat (which finds each already told); target under 5 s.

The database is built here (reference data, 50,000 tasks of six agencies with due dates around
today, some done, some depending on others, 1,000,000 notifications about them), not by `demo load`.

    python -m bench --only notifications [--postgres URL]    (PostgreSQL: in schema bench_notify)
"""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, insert, select, text

from coordination import reminder_pass, standing_data
from coordination.db import make_engine, read_session, write_session
from coordination.markings import TLP, Classification
from coordination.models import Agency, Base, Notification, Operation, Task, TaskPriority, TaskStatus, User
from coordination.principal import principal_for_subject
from coordination.queries import notifications
from coordination.record_references import skeleton

TASKS = 50_000
NOTIFICATIONS = 1_000_000
VIEWER, VIEWERS_SHARE, VIEWERS_UNREAD = "liaison.fbi", 100_000, 40_000
HIDDEN_EVERY = 50  # 2 % of the viewer's notifications are about tasks since raised out of their reach
RUNS = 200
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
BATCH = 20_000
SCHEMA = "bench_notify"


def build(engine: Engine) -> None:
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    rng = random.Random(18)
    with write_session(engine) as session:
        standing_data.seed(session, "http://127.0.0.1:9400")
        session.commit()
        operation = session.scalar(select(Operation.id))
        agencies = list(session.scalars(select(Agency.id)))
        people = session.execute(select(User.id, User.agency_id, User.subject)).all()
        liaisons = {agency: [uid for uid, aid, subject in people if aid == agency and subject.startswith("liaison")]
                    for agency in agencies}
    statuses = [TaskStatus.OPEN] * 5 + [TaskStatus.IN_PROGRESS] * 3 + [TaskStatus.BLOCKED] + [TaskStatus.DONE] * 2
    markings = [TLP.AMBER] * 7 + [TLP.GREEN] * 2 + [TLP.AMBER_STRICT]
    rows = []
    for n in range(1, TASKS + 1):
        agency = rng.choice(agencies)
        holder = rng.choice(liaisons[agency]) if liaisons[agency] and rng.random() < 0.4 else None
        due = (NOW + timedelta(days=rng.randint(-30, 30))).date() if rng.random() < 0.9 else None
        reference_text = f"BT-{n:05d}"
        rows.append({"id": n, "operation_id": operation, "owning_agency_id": agency, "reference": reference_text,
                     "reference_skeleton": skeleton(reference_text), "title": f"Bench task {n}",
                     "description": "", "assignee_id": holder, "status": rng.choice(statuses),
                     "priority": TaskPriority.MEDIUM, "due_date": due,
                     "depends_on_id": rng.randint(1, n - 1) if n > 1 and rng.random() < 0.1 else None,
                     "tlp": rng.choice(markings), "classification": Classification.OFFICIAL_SENSITIVE, "version": 1,
                     "created_at": NOW, "updated_at": NOW})
    _insert(engine, Task, rows)
    viewer, viewer_agency = next((uid, aid) for uid, aid, subject in people if subject == VIEWER)
    others = [uid for uid, _, subject in people if subject != VIEWER]
    # the viewer was told about tasks they could read then; one in HIDDEN_EVERY has since gone out of reach
    readable = [r["id"] for r in rows if r["tlp"] is not TLP.AMBER_STRICT or r["owning_agency_id"] == viewer_agency]
    hidden = [r["id"] for r in rows if r["tlp"] is TLP.AMBER_STRICT and r["owning_agency_id"] != viewer_agency]
    batch = []
    for n in range(NOTIFICATIONS):
        mine = n % (NOTIFICATIONS // VIEWERS_SHARE) == 0
        about = rng.choice(hidden if mine and n // 10 % HIDDEN_EVERY == 0 else readable)
        batch.append({"user_id": viewer if mine else rng.choice(others), "operation_id": operation,
                      "event": "task overdue", "entity": "task",
                      "entity_id": about, "event_key": f"bench {n}", "created_at": NOW,
                      "read_at": None if (mine and n // 10 % 5 < 2) or (not mine and n % 3 == 0) else NOW})
        if len(batch) == BATCH:
            _insert(engine, Notification, batch)
            batch = []
            print(f"\r  notifications: {n + 1:,}/{NOTIFICATIONS:,}   ", end="", file=sys.stderr, flush=True)
    _insert(engine, Notification, batch)
    print(file=sys.stderr)
    _settle(engine)


def _settle(engine: Engine) -> None:
    """The steady state a live database is in, not the moment after a bulk load: SQLite's write-ahead
    log folded into the file, PostgreSQL's table vacuumed (its visibility map lets the count read the
    index alone) and both analysed, as autovacuum would have done (measured while it ran: 28 ms)."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.exec_driver_sql("ANALYZE")
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")


def _insert(engine: Engine, model, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        with engine.begin() as connection:
            connection.execute(insert(model.__table__), rows[start:start + BATCH])


def measure_count(engine: Engine) -> tuple[float, int, int]:
    """Median ms of the unread count; the count; and how many of the viewer's are unread in the table."""
    with read_session(engine) as session:
        viewer = principal_for_subject(session, VIEWER)
        unread_rows = session.scalar(select(text("count(*)")).select_from(Notification).where(
            Notification.user_id == viewer.user_id, Notification.read_at.is_(None)))
    times, n = [], 0
    for _ in range(RUNS):
        start = time.perf_counter()
        with read_session(engine) as session:
            n = notifications.unread_count(session, viewer)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, n, unread_rows


def measure_pass(engine: Engine) -> tuple[float, float, int]:
    start = time.perf_counter()
    first = reminder_pass.run_pass(engine, NOW, briefing_charts=False)
    first_s = time.perf_counter() - start
    start = time.perf_counter()
    again = reminder_pass.run_pass(engine, NOW + timedelta(minutes=1), briefing_charts=False)
    again_s = time.perf_counter() - start
    told = first.reminded
    assert again.reminded.due_soon + again.reminded.overdue + again.reminded.unblocked == 0
    return first_s, again_s, told.due_soon + told.overdue + told.unblocked


def bench_store(label: str, url: str, options: str = "") -> dict:
    """Build in this process, then measure in a fresh one, as the app's process would read (not the
    loader's, which holds a million rows' worth of garbage)."""
    print(f"{label}: building {TASKS:,} tasks and {NOTIFICATIONS:,} notifications", file=sys.stderr)
    engine = _engine(url, options)
    build(engine)
    engine.dispose()
    done = subprocess.run([sys.executable, "-m", "bench.notifications", url, options], capture_output=True,
                          text=True, check=True, cwd=Path(__file__).resolve().parent.parent)
    return {"store": label, **json.loads(done.stdout.strip().splitlines()[-1])}


def _engine(url: str, options: str = "") -> Engine:
    return make_engine(url, **({"connect_args": {"options": options}} if options else {}))


def measure(url: str, options: str) -> dict:
    engine = _engine(url, options)
    count_ms, count, unread_rows = measure_count(engine)
    first_s, again_s, told = measure_pass(engine)
    engine.dispose()
    return {"count_ms": count_ms, "count": count, "unread_rows": unread_rows, "pass_s": first_s,
            "again_s": again_s, "told": told}


def main(out: Path, postgres_url: str | None = None) -> list[dict]:
    out.mkdir(parents=True, exist_ok=True)
    path = out / "notifications.db"
    for leftover in out.glob("notifications.db*"):
        leftover.unlink()
    results = [bench_store("sqlite", f"sqlite:///{path}")]
    if postgres_url:
        admin = make_engine(postgres_url)
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
        admin.dispose()
        results.append(bench_store("postgresql", postgres_url, f"-csearch_path={SCHEMA}"))
    print("| store | unread count, median (shown / unread rows of the viewer) | reminder pass over 50,000 tasks, "
          "first / repeated (reminders fired) |")
    print("| --- | --- | --- |")
    for r in results:
        print(f"| {r['store']} | {r['count_ms']:.2f} ms ({r['count']} / {r['unread_rows']:,}) | "
              f"{r['pass_s']:.2f} s / {r['again_s']:.2f} s ({r['told']:,}) |")
    return results


if __name__ == "__main__":  # the measuring half, run by bench_store in a fresh process
    print(json.dumps(measure(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "")))
