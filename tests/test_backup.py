"""Backups taken while writes go on restore to a database whose audit chain verifies."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import func, select, text

from coordination import audit, backup, services, standing_data
from coordination.db import make_engine, read_session, write_session
from coordination.models import Base, Suspect
from coordination.principal import principal_for_subject
from tests.conftest import TEST_ISSUER, postgres_url, require


def write_suspects(engine, count: int, prefix: str) -> None:
    with read_session(engine) as session:
        liaison = principal_for_subject(session, "liaison.met")
    with write_session(engine) as session:
        for n in range(count):
            services.create_suspect(session, liaison, {"reference": f"{prefix}-{n}", "full_name": "Synthetic",
                                                       "tier": "user", "status": "lead"})


def verified_events(engine) -> tuple[int, int]:
    with read_session(engine) as session:
        result = audit.verify(session)
        assert result.ok, result.reason
        return result.events, session.scalar(select(func.count()).select_from(Suspect))


def test_sqlite_backup_while_writing_restores_a_verifiable_copy(sqlite_store, tmp_path):
    url = str(sqlite_store.engine.url)
    write_suspects(sqlite_store.engine, 50, "BEFORE")
    writer = threading.Thread(target=write_suspects, args=(sqlite_store.engine, 300, "DURING"))
    writer.start()
    copy = backup.backup(url, tmp_path / "backup.db")
    writer.join()
    events_after, suspects_after = verified_events(sqlite_store.engine)

    restored_url = f"sqlite:///{tmp_path / 'restored.db'}"
    backup.restore(restored_url, copy)
    restored = make_engine(restored_url)
    events, suspects = verified_events(restored)
    restored.dispose()
    assert 50 <= suspects <= suspects_after == 350
    assert events <= events_after


def test_backup_refuses_to_overwrite_a_file(sqlite_store, tmp_path):
    existing = tmp_path / "taken.db"
    existing.write_bytes(b"keep me")
    with pytest.raises(backup.BackupError, match="exists already"):
        backup.backup(str(sqlite_store.engine.url), existing)
    assert existing.read_bytes() == b"keep me"


def _fresh_database(name: str) -> str:
    admin = make_engine(postgres_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return postgres_url().rsplit("/", 1)[0] + f"/{name}"


def test_postgresql_backup_and_restore(tmp_path):
    require(postgres_url() is not None, "COORD_TEST_POSTGRES_URL is not set")
    tag = uuid.uuid4().hex[:8]
    source_url, target_url = _fresh_database(f"coord_src_{tag}"), _fresh_database(f"coord_dst_{tag}")
    source = make_engine(source_url)
    Base.metadata.create_all(source)
    with write_session(source) as session:
        standing_data.seed(session, TEST_ISSUER)
        session.commit()
    write_suspects(source, 20, "PG")
    expected = verified_events(source)
    source.dispose()

    copy = backup.backup(source_url, tmp_path / "backup.dump")
    backup.restore(target_url, copy)
    target = make_engine(target_url)
    assert verified_events(target) == expected
    target.dispose()
    for url in (source_url, target_url):
        _drop(url.rsplit("/", 1)[1])


def _drop(name: str) -> None:
    admin = make_engine(postgres_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
