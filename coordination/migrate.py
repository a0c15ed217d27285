"""Schema migrations through Alembic, callable from the CLI, the demo loader and the tests."""

from __future__ import annotations

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


def _run(url_or_engine: str | Engine, action) -> None:
    engine = make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    config = _config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        action(config)
    if isinstance(url_or_engine, str):
        engine.dispose()


def upgrade(url_or_engine: str | Engine, revision: str = "head") -> None:
    _run(url_or_engine, lambda config: command.upgrade(config, revision))


def downgrade(url_or_engine: str | Engine, revision: str) -> None:
    _run(url_or_engine, lambda config: command.downgrade(config, revision))


def current(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def pending_diff(engine: Engine) -> list:
    """What autogenerate would add to bring a migrated database to the models: must be empty."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)
