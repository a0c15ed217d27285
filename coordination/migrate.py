"""Schema migrations through Alembic, callable from the CLI, the demo loader and the tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from coordination.db import make_engine
from coordination.models import Base
from coordination.settings import PROJECT_ROOT


def _config(engine: Engine) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["database_url"] = engine.url.render_as_string(hide_password=False)
    return config


@contextmanager
def _engine(url_or_engine: str | Engine) -> Iterator[Engine]:
    """The caller's engine as it is, or one made (and disposed of) for a URL."""
    if isinstance(url_or_engine, Engine):
        yield url_or_engine
        return
    engine = make_engine(url_or_engine)
    try:
        yield engine
    finally:
        engine.dispose()


def _run(url_or_engine: str | Engine, action) -> None:
    with _engine(url_or_engine) as engine, engine.begin() as connection:
        config = _config(engine)
        config.attributes["connection"] = connection
        action(config)


def upgrade(url_or_engine: str | Engine, revision: str = "head") -> None:
    _run(url_or_engine, lambda config: command.upgrade(config, revision))


def downgrade(url_or_engine: str | Engine, revision: str) -> None:
    _run(url_or_engine, lambda config: command.downgrade(config, revision))


def current(url_or_engine: str | Engine) -> str | None:
    with _engine(url_or_engine) as engine, engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def pending_diff(url_or_engine: str | Engine) -> list:
    """What autogenerate would add to bring a migrated database to the models: must be empty."""
    with _engine(url_or_engine) as engine, engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)
