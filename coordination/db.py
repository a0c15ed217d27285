"""Engines and sessions. SQLite gets WAL, foreign keys, a busy timeout, and write
transactions that take the write lock at BEGIN so concurrent writers queue instead of
failing with "database is locked" halfway through; PostgreSQL writers queue on one advisory lock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import ColumnElement, Engine, Table, any_, bindparam, create_engine, event, insert
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from coordination import settings

SQLITE_BUSY_TIMEOUT_MS = 10_000
WRITER_LOCK = 0x61756469  # PostgreSQL advisory lock id that serialises writers; audit.lock_head takes it too
_WRITE = "coord_write"
_BULK_CACHE = "coord_bulk_cache"


def make_engine(url: str | None = None, **kwargs) -> Engine:
    url = url or settings.load().database_url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)
        _configure_sqlite(engine)
        return engine
    if parsed.drivername in ("postgresql", "postgres"):
        url = parsed.set(drivername="postgresql+psycopg")
    # a replica serves many people at once, each write on its own connection: room for 30 before one
    # waits (PostgreSQL allows 100 by default; SQLAlchemy's default of 15 made a 16th writer wait)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    engine = create_engine(url, pool_pre_ping=True, **kwargs)
    _configure_postgresql(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:
        # We issue BEGIN ourselves (below), so the driver must not.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if holds_write_lock(connection) else "BEGIN")

    @event.listens_for(engine, "checkin")
    def on_checkin(dbapi_connection, record) -> None:
        if record.info.pop(_BULK_CACHE, False):  # back to the everyday cache (`bulk_cache`)
            dbapi_connection.execute(f"PRAGMA cache_size={SQLITE_DEFAULT_CACHE}")


def _configure_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "begin")
    def on_begin(connection) -> None:
        # Writers queue on one lock from their first statement, as SQLite's BEGIN IMMEDIATE makes
        # them: the tally triggers update shared count rows, and two writers taking those row locks
        # in opposite orders would deadlock. (The audit chain's appends take the same lock.)
        if holds_write_lock(connection):
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_LOCK})")


def holds_write_lock(connection) -> bool:
    """Did this connection's transaction take the writers' lock at BEGIN (a `writer` engine's)?"""
    return bool(connection.get_execution_options().get(_WRITE, False))


def writer(engine: Engine) -> Engine:
    """The same pool, marked so that each transaction takes the write lock up front."""
    return engine.execution_options(**{_WRITE: True})


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session for service calls; each service call commits its own transaction."""
    with Session(writer(engine), expire_on_commit=False) as session:
        yield session


def one_of(session: Session, column, values) -> ColumnElement[bool]:
    """`column IN values`, on PostgreSQL as one array parameter: psycopg spends about 40 ms turning a
    statement of 5,000 placeholders into its own form, every time it is run."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)


SQLITE_BULK_CACHE_KIB = 256 * 1024
SQLITE_DEFAULT_CACHE = -2000  # SQLite's own default (KiB when negative)


def bulk_cache(session: Session) -> None:
    """On SQLite, give this session's connection a page cache fit for one bulk write (256 MB, not
    2 MB) until it goes back to the pool: an import of 100,000 identifiers touches pages all over an
    index of 1.5 million random keys, which a small cache reads and spills again and again (its
    inserts took 3.8 s rather than 2.5 s). Only for the bulk write: every pooled connection holding
    that much would add up."""
    if session.get_bind().dialect.name == "sqlite":
        connection = session.connection()
        connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_BULK_CACHE_KIB}")
        connection.connection.info[_BULK_CACHE] = True


COPY_FROM = 100  # PostgreSQL: from this many rows, COPY (several times faster than executemany)


def insert_rows(session: Session, table: Table, rows: list[dict]) -> None:
    """Insert plain rows (each with the same keys) in the session's transaction, as fast as the store
    allows: each value bound once as SQLAlchemy binds it (enums as their values, times in UTC), then
    one executemany of plain tuples, or on PostgreSQL for many rows one COPY (several times faster).
    (SQLAlchemy's own executemany looked at every value of every row again: 0.7 s of an import of
    100,000 identifiers on SQLite.) Nothing is read back: give ids if you need them."""
    if not rows:
        return
    dialect = session.get_bind().dialect
    session.flush()  # what the ORM holds goes first: these rows bypass it
    columns = list(rows[0])
    processors = [(name, table.c[name].type.bind_processor(dialect)) for name in columns]
    bound = ([process(row[name]) if process else row[name] for name, process in processors] for row in rows)
    if dialect.name == "postgresql" and len(rows) >= COPY_FROM:
        names = ", ".join(dialect.identifier_preparer.quote(name) for name in columns)
        cursor = session.connection().connection.driver_connection.cursor()
        with cursor.copy(f"COPY {dialect.identifier_preparer.format_table(table)} ({names}) FROM STDIN") as copy:
            for values in bound:
                copy.write_row(values)
        return
    defaulted = any(column.default is not None and column.name not in columns for column in table.c)
    if dialect.paramstyle != "qmark" or defaulted:  # a few rows on PostgreSQL; defaults SQLAlchemy fills in
        session.execute(insert(table), rows)
        return
    names = ", ".join(dialect.identifier_preparer.quote(name) for name in columns)  # the model's own, quoted
    session.connection().exec_driver_sql(
        f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({names}) "  # noqa: S608 (values bound)
        f"VALUES ({', '.join('?' * len(columns))})", [tuple(values) for values in bound])
