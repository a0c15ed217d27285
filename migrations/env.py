"""Alembic environment: one engine from coordination.db, the models' metadata as the target."""

from __future__ import annotations

from alembic import context

from coordination import settings
from coordination.db import make_engine
from coordination.models import Base

config = context.config
target_metadata = Base.metadata


def database_url() -> str:
    return (context.get_x_argument(as_dictionary=True).get("database_url")
            or config.attributes.get("database_url")
            or settings.load().database_url)


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # handed over by coordination.migrate
        _run(connection)
        return
    engine = make_engine(database_url())
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run_migrations_online()
