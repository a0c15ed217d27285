"""Alembic builds the whole schema from empty, round-trips, and matches the models exactly."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import inspect, text

from coordination import migrate
from coordination.db import make_engine
from coordination.models import Base
from coordination.settings import PROJECT_ROOT
from tests.conftest import PG_SCHEMA, postgres_engine


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request, tmp_path):
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    else:
        schema = f"{PG_SCHEMA}_migrations"
        admin = postgres_engine(schema)
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
        engine = postgres_engine(schema)
    yield engine
    engine.dispose()


def tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_builds_every_table_and_autogenerate_finds_nothing_to_add(empty_engine):
    migrate.upgrade(empty_engine)
    assert tables(empty_engine) == set(Base.metadata.tables)
    assert migrate.pending_diff(empty_engine) == []


def test_downgrade_base_then_upgrade_head_round_trips(empty_engine):
    migrate.upgrade(empty_engine)
    migrate.downgrade(empty_engine, "base")
    assert tables(empty_engine) == set()
    assert migrate.current(empty_engine) is None
    migrate.upgrade(empty_engine)
    assert migrate.current(empty_engine) == "0003"
    assert migrate.pending_diff(empty_engine) == []


def test_the_database_refuses_to_rewrite_audit_events(empty_engine):
    migrate.upgrade(empty_engine)
    with empty_engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO audit_event (seq, occurred_at, actor_issuer, actor_subject, action, entity, outcome, "
            "prev_hash, hash) VALUES (1, '2022-11-07 06:00:00+00:00', 'i', 's', 'a', 'e', 'ok', 'p', 'h')"))
    for statement in ("UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event"):
        with pytest.raises(Exception, match="append-only"), empty_engine.begin() as connection:
            connection.execute(text(statement))
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT action FROM audit_event")).scalar_one() == "a"


def test_the_alembic_command_line_takes_the_url_and_finds_nothing_to_generate(tmp_path):
    """The plain `alembic` command (as in CI) reads -x database_url; `alembic check` is autogenerate."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    for args in (["upgrade", "head"], ["check"]):
        done = subprocess.run([sys.executable, "-m", "alembic", "-x", f"database_url={url}", *args],
                              cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
    assert migrate.current(url) == "0003" and migrate.pending_diff(url) == []
