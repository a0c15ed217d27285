"""SQLite connections: WAL, foreign keys, busy timeout, and writers that lock at BEGIN."""

from __future__ import annotations

import threading
import time

from sqlalchemy import text

from coordination.db import write_session


def test_every_sqlite_connection_gets_the_pragmas(sqlite_store):
    connections = [sqlite_store.engine.connect() for _ in range(3)]
    try:
        for connection in connections:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    finally:
        for connection in connections:
            connection.close()


def test_a_second_writer_waits_for_the_first_instead_of_failing(sqlite_store):
    """The writer's BEGIN IMMEDIATE takes the lock up front: the second waits at BEGIN."""
    order: list[str] = []
    first_has_lock = threading.Event()

    def first() -> None:
        with write_session(sqlite_store.engine) as session:
            session.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: the write lock is ours now
            first_has_lock.set()
            time.sleep(0.5)
            session.execute(text("UPDATE agency SET name = name || '' WHERE code = 'MET'"))
            order.append("first commits")
            session.commit()

    thread = threading.Thread(target=first)
    thread.start()
    first_has_lock.wait(5)
    with write_session(sqlite_store.engine) as session:
        session.execute(text("SELECT 1"))
        order.append("second begins")
        session.commit()
    thread.join()
    assert order == ["first commits", "second begins"]
