"""What every model shares: the declarative `Base` with its constraint naming convention, the
timezone-aware `UTCDateTime` column type, `utcnow` and `str_enum`.

`Base.metadata.create_all` (the tests' schema) also creates the database triggers the migrations
create: the append-only guards and the tally counters.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum, MetaData, event
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from coordination import tallies
from coordination.append_only import create_statements

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stored as UTC; always comes back timezone-aware (SQLite forgets the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: times must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def str_enum(cls: type[enum.Enum]) -> Enum:
    """Store an enum by its value (e.g. 'AMBER+STRICT') in a VARCHAR. SQLAlchemy refuses unknown
    values on bind; no generated CHECK, whose names collide when one table uses an enum twice."""
    return Enum(cls, native_enum=False, create_constraint=False, length=32,
                values_callable=lambda e: [m.value for m in e], validate_strings=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


@event.listens_for(Base.metadata, "after_create")
def _create_triggers(target, connection, **_kw) -> None:
    """create_all (the tests' schema) gets the same triggers as the migrations."""
    for statement in create_statements(connection.dialect.name) + tallies.create_statements(connection.dialect.name):
        connection.exec_driver_sql(statement)
