"""Shared fixtures: a real database per test, on SQLite and on PostgreSQL.

SQLite: a template file with the schema and reference data is built once and copied per test.
PostgreSQL (COORD_TEST_POSTGRES_URL): the schema is built once in its own search path, and every
table is truncated and re-seeded after each test.

In parallel (`pytest -n 2`, pytest-xdist), each worker process has a PostgreSQL database of its own,
the URL's database name with the worker's name after it (test_gw0, test_gw1; made when missing): the
writers' advisory lock (`db.WRITER_LOCK`) is one per database, so workers sharing one would queue on
each other's writes. Ports come from the system (port 0, or `held_ports` for the browser stack) and
files from `tmp_path`, which is per worker too.

With COORD_REQUIRE_ALL=1 (set by .ci/run), a test that would skip for want of PostgreSQL,
Chromium or the OpenID provider fails instead.
"""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from coordination import services, standing_data
from coordination.db import make_engine, read_session, write_session
from coordination.models import Base
from coordination.principal import Principal, principal_for_subject

TEST_ISSUER = "http://127.0.0.1:9400"
os.environ.setdefault("COORD_NOTIFY_EVERY_S", "0")  # no app (AppTest, browser stacks) runs the reminder pass by itself
PG_SCHEMA = os.environ.get("COORD_TEST_PG_SCHEMA", "coord_test")  # distinct per run sharing one database
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # gw0, gw1, ... under pytest-xdist; empty in one process

# CI tries the same generated examples every run, so that its verdict is the code's and a failure there
# reproduces; runs elsewhere draw new ones (one found a domain "0.." accepted: fixed, and in the corpus)
hypothesis_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


BROWSER_TESTS = Path(__file__).parent / "browser"


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups (--dist loadgroup)
def pytest_collection_modifyitems(items) -> None:
    """Every test under tests/browser is `browser`, marked or not: it runs in the browser tier (`make
    test-slow`), beside the stack it needs, never in the fast tier's parallel workers.

    In parallel, the tests sharing a module-scoped fixture (a demo operation loaded per store, say) run
    in one worker (an xdist group per module and store), so that it is built once, not once a worker."""
    for item in items:
        if BROWSER_TESTS in item.path.parents:
            item.add_marker(pytest.mark.browser)
        definitions = item._fixtureinfo.name2fixturedefs if hasattr(item, "_fixtureinfo") else {}
        shared = sorted(name for name, defs in definitions.items() if defs and defs[-1].scope == "module")
        if shared:
            params = item.callspec.params if hasattr(item, "callspec") else {}
            store = ",".join(str(params[name]) for name in shared if name in params)
            group = item.module.__name__ + (f"[{store}]" if store else "")
            item.add_marker(pytest.mark.xdist_group(group))


def require(condition: bool, reason: str) -> None:
    """Skip for want of a part (a database, a browser); in CI, fail instead."""
    if condition:
        return
    if os.environ.get("COORD_REQUIRE_ALL"):
        pytest.fail(f"required part missing in CI: {reason}")
    pytest.skip(reason)


def postgres_url() -> str | None:
    """COORD_TEST_POSTGRES_URL; under pytest-xdist, this worker's own database beside it."""
    url = os.environ.get("COORD_TEST_POSTGRES_URL")
    return _worker_database(url, WORKER) if url and WORKER else url


@functools.cache
def _worker_database(url: str, worker: str) -> str:
    """The database of `url` with `_worker` after its name, made through `url` when missing (and kept,
    as the schemas are, for the next run)."""
    parsed = make_url(url)
    name = f"{parsed.database}_{worker}"
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}):
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def postgres_engine(schema: str) -> Engine:
    """An engine on the test PostgreSQL whose tables live in `schema` (created if missing)."""
    url = postgres_url()
    require(url is not None, "COORD_TEST_POSTGRES_URL is not set")
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    admin.dispose()
    return make_engine(url, connect_args={"options": f"-csearch_path={schema}"})


@dataclass
class Store:
    """A test database: its engine, which kind it is, and shortcuts to act as a demo user."""

    engine: Engine
    kind: str

    def writer(self):
        return write_session(self.engine)

    def reader(self):
        return read_session(self.engine)

    def principal(self, subject: str) -> Principal:
        with read_session(self.engine) as session:
            return principal_for_subject(session, subject)


def _seed(engine: Engine) -> None:
    with write_session(engine) as session:
        standing_data.seed(session, TEST_ISSUER)
        session.commit()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    _seed(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_schema_engine() -> Iterator[Engine]:
    engine = postgres_engine(PG_SCHEMA)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def truncate_all(engine: Engine) -> None:
    names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path) -> Iterator[Store]:
    """A seeded database, fresh for this test, on each store."""
    if request.param == "sqlite":
        path = tmp_path / "coordination.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        engine = make_engine(f"sqlite:///{path}")
        yield Store(engine, "sqlite")
        engine.dispose()
    else:
        engine = request.getfixturevalue("postgres_schema_engine")
        truncate_all(engine)
        _seed(engine)
        yield Store(engine, "postgresql")
        truncate_all(engine)


@pytest.fixture
def sqlite_store(sqlite_template, tmp_path) -> Iterator[Store]:
    """SQLite only, for tests about SQLite itself."""
    path = tmp_path / "coordination.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield Store(engine, "sqlite")
    engine.dispose()


@pytest.fixture
def session(store) -> Iterator[Session]:
    with store.writer() as session:
        yield session


SHA = "ab" * 32


@pytest.fixture
def key_file(tmp_path, monkeypatch) -> Path:
    """A deconfliction key, named in the environment as a deployment names it."""
    from coordination import deconfliction_key

    path = deconfliction_key.make_key_file(tmp_path / "deconfliction.key")
    monkeypatch.setenv(deconfliction_key.ENVIRONMENT, str(path))
    return path


def suspect(session, who, ref, status="lead", tier="user", tlp=None):
    data = {"reference": ref, "full_name": f"Synthetic {ref}", "tier": tier, "status": status}
    if tlp:
        data["tlp"] = tlp
    return services.create_suspect(session, who, data)


@pytest.fixture
def operation(store):
    """A small operation: MET and FBI records, two canaries only MET and named people may see."""
    met, fbi, commander = (store.principal(s) for s in ("liaison.met", "liaison.fbi", "commander.met"))
    with store.writer() as s:
        for n, status in enumerate(["lead", "lead", "identified", "arrested", "arrested"]):
            suspect(s, met, f"M-{n}", status, tier="money handler" if n % 2 else "user")
        suspect(s, fbi, "F-1", "arrested", tier="administrator")
        suspect(s, met, "CANARY-STRICT", "located", tlp="AMBER+STRICT")
        suspect(s, met, "CANARY-RED", "located", tlp="RED")
        for ref, who, sus, where, when in [("A-1", met, "M-3", "GB-EAW", "2022-11-07T06:00:00Z"),
                                           ("A-2", met, "M-4", "GB-EAW", "2022-11-06T09:00:00Z"),
                                           ("A-3", fbi, "F-1", "US-CA", "2022-11-07T15:00:00Z")]:
            services.create_arrest(s, who, {"reference": ref, "suspect": sus, "jurisdiction": where,
                                            "arrested_at": when, "place": "x", "offences": "fraud",
                                            "outcome": "bailed"})
        services.create_arrest(s, met, {"reference": "A-CANARY", "suspect": "CANARY-STRICT", "jurisdiction": "NL",
                                        "arrested_at": "2022-11-07T07:00:00Z", "place": "x", "offences": "fraud",
                                        "outcome": "bailed", "tlp": "AMBER+STRICT"})
        for ref, status in [("E-1", "awaiting analysis"), ("E-2", "awaiting analysis"), ("E-3", "analysed")]:
            services.create_evidence_item(s, met, {
                "reference": ref, "item_type": "phone", "description": "phone", "sha256": SHA,
                "seized_from": "x", "seized_at": "2022-11-07T06:00:00Z", "seized_place": "x", "status": status,
                "holder_name": "DC Example"})
        for ref, who, status, due in [("T-1", met, "open", "2022-11-01"), ("T-2", met, "blocked", "2022-12-01"),
                                      ("T-3", fbi, "in progress", "2022-11-05"), ("T-4", fbi, "done", "2022-11-01")]:
            services.create_task(s, who, {"reference": ref, "title": "t", "status": status, "priority": "high",
                                          "due_date": due})
        services.create_task(s, commander, {"reference": "T-RED", "title": "t", "status": "open",
                                            "priority": "high", "owning_agency": "MET", "tlp": "RED"})
        for ref, who, where, subjects, tlp in [("P-1", met, "GB-EAW", "M-0, M-1", None),
                                               ("P-2", fbi, "US-CA", "F-1", None),
                                               ("P-CANARY", met, "NL", "CANARY-STRICT", "AMBER+STRICT")]:
            services.create_package(s, who, {"reference": ref, "jurisdiction": where, "address": f"{ref} Street",
                                             "team_call_sign": "ALPHA", "subjects": subjects, "legal_authority": "W/1",
                                             "h_hour": "2022-11-07T06:00:00Z"} | ({"tlp": tlp} if tlp else {}))
    return store


@pytest.fixture
def smtp():
    """A real SMTP server on loopback (the demo's mail sink): the mail settings to reach it, and what it keeps."""
    from coordination import mail, mail_sink

    controller, keeper = mail_sink.start(0)  # on a port the system chose
    yield mail.MailSettings(host="127.0.0.1", port=controller.port, app_url="https://coord.example"), keeper
    controller.stop()
