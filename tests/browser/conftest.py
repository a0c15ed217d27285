"""A real stack for browser tests: the local OpenID provider, two app replicas sharing one
database and one cookie secret behind Debian's haproxy (sticky by cookie, websockets through), and
headless Chromium driven by Playwright."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from coordination import deconfliction_key, demo, devstack, standing_data
from coordination.db import make_engine, write_session
from coordination.models import Base
from tests.browser.helpers import SIZES, TIMEOUT_MS, offline_context
from tests.browser.load_balancer import LoadBalancer, haproxy
from tests.conftest import PG_SCHEMA, postgres_engine, postgres_url, require

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@contextmanager
def held_ports(count: int) -> Iterator[list[int]]:
    """`count` loopback ports, held until the block ends so that nothing else can take one before our
    server listens on it. Each is bound (not listening) with SO_REUSEADDR: the system then hands it to
    no one else, neither to a bind to port 0 nor as an outgoing connection's own port, while a server
    that binds with SO_REUSEADDR, as Streamlit's, uvicorn's, haproxy's and asyncio's (aiosmtpd) do,
    may listen on it. Until one does, a connection to the port is refused."""
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sockets.append(held := socket.socket())
            held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            held.bind(("127.0.0.1", 0))
        yield [held.getsockname()[1] for held in sockets]
    finally:
        for held in sockets:
            held.close()


@dataclass
class Stack:
    issuer: str
    app: str  # the load balancer's address, which every browser uses
    balancer: LoadBalancer  # pin a browser to replica 0 or 1; count what each served
    database_url: str
    key_file: Path  # the deconfliction key the replicas run with


def _reference_data(engine, issuer: str, key_file: Path) -> None:
    with write_session(engine) as session:
        standing_data.seed(session, issuer)
        session.commit()


def _running_stack(work: Path, database_url: str, fill: Callable = _reference_data,
                   replicas: int = 2) -> Iterator[Stack]:
    """The provider, `replicas` app replicas on `database_url` (schema built here, then filled by
    `fill(engine, issuer, key file)`: the reference data unless told otherwise) and the load balancer;
    every replica runs with one deconfliction key made here."""
    require(CHROMIUM.exists(), "Chromium is not installed (apt-get install chromium)")
    require(haproxy() is not None, "haproxy is not installed (apt-get install haproxy)")
    with held_ports(3 + replicas) as ports:  # held until the stack stops
        yield from _stack_on(work, database_url, fill, ports)


def _stack_on(work: Path, database_url: str, fill: Callable, ports: list[int]) -> Iterator[Stack]:
    oidc_port, proxy_port, stats_port, *replica_ports = ports
    issuer = f"http://127.0.0.1:{oidc_port}"
    engine = make_engine(database_url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    key_file = deconfliction_key.make_key_file(work / "deconfliction.key")
    fill(engine, issuer, key_file)
    engine.dispose()
    secrets = work / "secrets.toml"
    devstack.write_secrets(secrets, proxy_port, oidc_port)  # one public origin for both replicas
    env = {"COORD_DATABASE_URL": database_url, "COORD_REFRESH_S": "2",  # live pages refresh quickly
           deconfliction_key.ENVIRONMENT: str(key_file)}
    provider = devstack.start(devstack.provider_command(oidc_port), f"{issuer}/.well-known/openid-configuration",
                              log=work / "oidc.log")
    apps = []
    try:
        for port in replica_ports:
            apps.append(devstack.start(devstack.app_command(port, secrets), f"http://127.0.0.1:{port}/_stcore/health",
                                       env=env, log=work / f"app-{port}.log"))
        balancer = LoadBalancer(proxy_port, replica_ports, stats_port, work)
        try:
            yield Stack(issuer, f"http://127.0.0.1:{proxy_port}", balancer, database_url, key_file)
        finally:
            balancer.close()
    finally:
        devstack.stop(*apps, provider)


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Iterator[Stack]:
    """On SQLite."""
    work = tmp_path_factory.mktemp("stack")
    yield from _running_stack(work, f"sqlite:///{work / 'coordination.db'}")


@pytest.fixture(scope="session")
def demo_stack(tmp_path_factory) -> Iterator[Stack]:
    """On SQLite, holding the demo operation as of today (one replica): a picture worth looking at."""
    def demo_operation(engine, issuer: str, key_file: Path) -> None:
        demo.load(engine, issuer=issuer, as_of=datetime.now(UTC).date(), key=deconfliction_key.read_key_file(key_file))

    work = tmp_path_factory.mktemp("demo_stack")
    yield from _running_stack(work, f"sqlite:///{work / 'coordination.db'}", fill=demo_operation, replicas=1)


@pytest.fixture(scope="session")
def pg_stack(tmp_path_factory) -> Iterator[Stack]:
    """On PostgreSQL, in a schema of its own: how replicas run in production."""
    require(postgres_url() is not None, "COORD_TEST_POSTGRES_URL is not set")
    schema = f"{PG_SCHEMA}_browser"
    postgres_engine(schema).dispose()  # creates the schema
    url = make_engine(postgres_url()).url.render_as_string(hide_password=False)
    yield from _running_stack(tmp_path_factory.mktemp("pg_stack"), f"{url}?options=-csearch_path%3D{schema}")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    require(CHROMIUM.exists(), "Chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _offline_page(browser, timeout_ms: int, **context_options) -> Iterator:
    context = offline_context(browser, **context_options)
    page = context.new_page()
    page.set_default_timeout(timeout_ms)
    expect.set_options(timeout=timeout_ms)  # expectations too: CI machines are shared and slow at times
    yield page
    context.close()


@pytest.fixture
def page(browser):
    yield from _offline_page(browser, TIMEOUT_MS)


@pytest.fixture
def sized_page(browser, request):
    """A page at the size under test (its name is the test's `size` parameter, a key of SIZES)."""
    yield from _offline_page(browser, 30_000, viewport=SIZES[request.node.callspec.params["size"]])
