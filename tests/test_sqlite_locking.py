"""SQLite under concurrent writers: services on one file from several threads all succeed (no
"database is locked"), the audit chain verifies, and every connection has WAL, foreign keys and a
busy timeout."""

from __future__ import annotations

import threading

from sqlalchemy import event, func, select, text

from coordination import audit, services
from coordination.models import AuditEvent, Suspect, Task, TaskUpdate

THREADS = 4
WRITES = 25  # per thread: create suspect, update it, create task, change its status, ...
LIAISONS = ["liaison.met", "liaison.nca", "liaison.fbi", "liaison.europol"]
PRAGMAS = ("journal_mode", "foreign_keys", "busy_timeout")


def writes(store, principal, worker: int) -> None:
    """WRITES service calls, each in its own session (so the pool hands out several connections)."""
    for n in range(WRITES):
        with store.writer() as session:
            step, ref = n % 4, f"W{worker}-{n // 4}"
            if step == 0:
                services.create_suspect(session, principal, {"reference": ref, "full_name": "Synthetic",
                                                             "tier": "user", "status": "lead"})
            elif step == 1:
                suspect = session.scalar(select(Suspect).where(Suspect.reference == ref))
                services.update_suspect(session, principal, suspect.id, suspect.version, {"status": "identified"})
            elif step == 2:
                services.create_task(session, principal, {"reference": ref, "title": "Cross-match",
                                                          "status": "open", "priority": "low"})
            else:
                task = session.scalar(select(Task).where(Task.reference == ref))
                services.add_task_update(session, principal, task.id, "started", "in progress", task.version)


def test_concurrent_service_writers_on_one_file_all_succeed(sqlite_store):
    store = sqlite_store
    seen_pragmas: list[tuple] = []

    @event.listens_for(store.engine, "connect")
    def record_pragmas(dbapi_connection, _record) -> None:  # runs after the engine's own set-up
        cursor = dbapi_connection.cursor()
        seen_pragmas.append(tuple(cursor.execute(f"PRAGMA {name}").fetchone()[0] for name in PRAGMAS))
        cursor.close()

    store.engine.dispose()  # every connection from here on is a new one, recorded above
    principals = [store.principal(subject) for subject in LIAISONS]
    start = _head(store)
    errors: list[str] = []
    barrier = threading.Barrier(THREADS)

    def worker(number: int) -> None:
        barrier.wait()
        try:
            writes(store, principals[number], number)
        except Exception as error:  # "database is locked" or anything else a writer would see
            errors.append(repr(error))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with store.reader() as session:
        assert session.scalar(select(func.count()).where(AuditEvent.seq > start)) == THREADS * WRITES
        assert session.scalar(select(func.count()).select_from(TaskUpdate)) == THREADS * len(range(3, WRITES, 4))
        result = audit.verify(session)
    assert result.ok, result.reason
    assert len(seen_pragmas) >= 2  # several connections were used, and each was set up
    assert all(mode == "wal" and keys == 1 and timeout >= 5000 for mode, keys, timeout in seen_pragmas), seen_pragmas


def _head(store) -> int:
    with store.reader() as session:
        return audit.head(session)[0]


def test_readers_are_not_blocked_by_a_writer_holding_the_lock(sqlite_store):
    """WAL: while a writer holds the write lock, a reader still reads the last committed state."""
    with sqlite_store.writer() as writer:
        writer.execute(text("UPDATE agency SET name = 'Renamed' WHERE code = 'MET'"))  # lock held, not committed
        with sqlite_store.reader() as reader:
            assert reader.scalar(text("SELECT name FROM agency WHERE code = 'MET'")) == "Metropolitan Police Service"
        writer.rollback()
