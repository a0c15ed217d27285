"""Many writers at once, through the services: nobody sees an error, every write lands, and the
audit chain never forks (issue 7: 16 threads x 200 mixed writes, on SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from coordination import audit, services
from coordination.models import AuditEvent, Suspect, Task, TaskUpdate

THREADS = 16
WRITES = 200
LIAISONS = ["liaison.met", "liaison.nca", "liaison.europol", "liaison.eurojust", "liaison.nl-police", "liaison.fbi"]


def mixed_writes(store, worker: int, errors: list) -> None:
    """Per cycle of four: create a suspect, update it, create a task, add a status change to it."""
    principal = store.principal(LIAISONS[worker % len(LIAISONS)])
    try:
        with store.writer() as session:
            for n in range(WRITES // 4):
                suspect = services.create_suspect(session, principal, {
                    "reference": f"W{worker}-S{n}", "full_name": f"Synthetic {worker}/{n}",
                    "tier": "user", "status": "lead"})
                services.update_suspect(session, principal, suspect.id, suspect.version, {"status": "identified"})
                task = services.create_task(session, principal, {
                    "reference": f"W{worker}-T{n}", "title": "Cross-match", "status": "open", "priority": "low"})
                services.add_task_update(session, principal, task.id, "started", "in progress", task.version)
    except Exception as error:  # any error a writer would see fails the test
        errors.append((worker, repr(error)))


@pytest.mark.slow
def test_sixteen_writers_lose_nothing_and_the_chain_verifies(store):
    with store.reader() as session:
        start_seq = audit.head(session)[0]
    errors: list = []
    threads = [threading.Thread(target=mixed_writes, args=(store, worker, errors)) for worker in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    cycles = THREADS * WRITES // 4
    with store.reader() as session:
        assert session.scalar(select(func.count()).select_from(Suspect).where(Suspect.status == "identified")) == cycles
        assert session.scalar(select(func.count()).select_from(Task).where(Task.status == "in progress")) == cycles
        assert session.scalar(select(func.count()).select_from(TaskUpdate)) == cycles
        assert session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.seq > start_seq)) \
            == THREADS * WRITES
        result = audit.verify(session)
    assert result.ok, result.reason
