"""SQLite connections: WAL, foreign keys, busy timeout, and writers that lock at BEGIN."""

from __future__ import annotations

import threading
import time

from sqlalchemy import event, text

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
    first_has_lock, second_at_begin = threading.Event(), threading.Event()
    second = threading.get_ident()  # this thread

    def at_begin(_connection, _cursor, statement, *_) -> None:
        if statement == "BEGIN IMMEDIATE" and threading.get_ident() == second:
            order.append("second asks for the lock")
            second_at_begin.set()

    def first() -> None:
        with write_session(sqlite_store.engine) as session:
            session.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: the write lock is ours now
            first_has_lock.set()
            second_at_begin.wait(30)  # held until the second writer asks for it (a deferred BEGIN never does)
            time.sleep(0.1)  # and a moment more, so that it is waiting inside SQLite when the lock comes free
            session.execute(text("UPDATE agency SET name = name || '' WHERE code = 'MET'"))
            order.append("first commits")
            session.commit()

    event.listen(sqlite_store.engine, "before_cursor_execute", at_begin)
    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert first_has_lock.wait(30)
        with write_session(sqlite_store.engine) as session:
            session.execute(text("SELECT 1"))
            order.append("second begins")
            session.commit()
    finally:
        thread.join()
        event.remove(sqlite_store.engine, "before_cursor_execute", at_begin)
    assert order == ["second asks for the lock", "first commits", "second begins"]
