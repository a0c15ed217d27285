"""Action-day figures (issue 17): 200 target packages, 20 liaisons' writers moving them at once; the
commander's board rerun (AppTest) after they did, and the board's no-change check (the audit head read
its one-second fragment makes); in Chromium, the time from a status change to the board showing it.

Targets: board rerun under 200 ms median on SQLite and PostgreSQL; no-change check under 10 ms;
change-to-visible 3 s at p95.
"""

from __future__ import annotations

import os
import socket
import statistics
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import inspect

from bench import signed_in
from bench.dashboard import CHROMIUM_ARGS
from coordination import demo, devstack, migrate, services, standing_data
from coordination.db import make_engine, read_session, write_session
from coordination.models import PackageStatus, TargetPackage
from coordination.principal import principal_for_subject
from coordination.queries.action_day import LIVE_AHEAD, LIVE_BEHIND
from coordination.settings import load
from coordination.ui.widgets import audit_watch

PACKAGES = 200
WRITERS = 20
RUNS = 15
AGENCIES = {"liaison.met": "GB-EAW", "liaison.nca": "GB-SCT", "liaison.nl-police": "NL", "liaison.fbi": "US-CA",
            "liaison.europol": "DE"}
STEPS = (PackageStatus.BRIEFED, PackageStatus.DEPLOYED, PackageStatus.ENTERED, PackageStatus.NIL,
         PackageStatus.CLOSED)


def fresh(url: str) -> None:
    """An empty schema at head with the reference data and 200 planned packages, 40 per agency."""
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        for old in Path(engine.url.database).parent.glob(Path(engine.url.database).name + "*"):
            old.unlink()
    else:
        demo.empty_database(engine)
    if "operation" not in inspect(engine).get_table_names():
        migrate.upgrade(engine)
    with write_session(engine) as session:
        standing_data.seed(session, load().demo_issuer)
        session.commit()
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    with write_session(engine) as session:
        for n in range(PACKAGES):
            subject = list(AGENCIES)[n % len(AGENCIES)]
            who = principal_for_subject(session, subject)
            services.create_suspect(session, who, {"reference": f"B-S-{n}", "full_name": "Synthetic",
                                                   "tier": "user", "status": "located"})
            services.create_package(session, who, {
                "reference": f"B-P-{n:03d}", "jurisdiction": AGENCIES[subject], "address": f"{n} Bench Road",
                "team_call_sign": f"T-{n}", "subjects": f"B-S-{n}", "legal_authority": "W/1",
                # within half an hour of now, so that they fall on the board's day (its day picker
                # shows one UTC day) whatever the hour the bench runs; never an hour past (silent)
                "h_hour": (now + timedelta(minutes=(n % 60) - 30)).isoformat()})
    engine.dispose()


def writers(url: str) -> dict:
    """20 threads, four per agency, each moving its share of its agency's packages through the day."""
    engine = make_engine(url)
    with read_session(engine) as session:
        rows = session.execute(select_packages()).all()
        people = {s: principal_for_subject(session, s) for s in AGENCIES}
    by_agency: dict[int, list[int]] = {}
    for package_id, agency_id in rows:
        by_agency.setdefault(agency_id, []).append(package_id)
    shares = []
    for who in people.values():
        mine = by_agency[who.agency_id]
        shares += [(who, mine[k::WRITERS // len(AGENCIES)]) for k in range(WRITERS // len(AGENCIES))]
    latencies: list[float] = []
    lock = threading.Lock()

    def work(who, package_ids):
        for status in STEPS:
            for package_id in package_ids:
                with write_session(engine) as session:
                    version = session.get(TargetPackage, package_id).version
                    start = time.perf_counter()
                    services.change_package_status(session, who, package_id, version, status,
                                                   note="bench" if status is PackageStatus.NIL else "")
                    took = time.perf_counter() - start
                with lock:
                    latencies.append(took)

    threads = [threading.Thread(target=work, args=share) for share in shares]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    engine.dispose()
    latencies.sort()
    return {"writes": len(latencies), "writes_per_s": len(latencies) / elapsed,
            "write_median_ms": statistics.median(latencies) * 1000,
            "write_p95_ms": latencies[int(0.95 * len(latencies)) - 1] * 1000}


def select_packages():
    from sqlalchemy import select
    return select(TargetPackage.id, TargetPackage.owning_agency_id).order_by(TargetPackage.id)


def board_ms(url: str) -> dict:
    """The board's full rerun for a commander (AppTest), and the no-change check its fragment makes."""
    os.environ["COORD_DATABASE_URL"] = url
    at = signed_in.page("commander.met", "action_day")
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
    engine = make_engine(url)
    checks = []
    for _ in range(200):
        start = time.perf_counter()
        audit_watch.head_now(engine)
        checks.append(time.perf_counter() - start)
    engine.dispose()
    return {"board_median_ms": statistics.median(times) * 1000, "check_median_ms": statistics.median(checks) * 1000}


def browser_latency(out: Path, runs: int = 10) -> list[float]:
    """Seconds from a status change (written as a liaison would) to the board in Chromium showing it."""
    from playwright.sync_api import sync_playwright

    url = f"sqlite:///{out / 'action_day_browser.db'}"
    fresh(url)
    engine = make_engine(url)
    oidc_port, app_port = load().oidc_port, _free_port()
    secrets = out / "action_day_secrets.toml"
    devstack.write_secrets(secrets, app_port, oidc_port)
    provider = devstack.start(devstack.provider_command(oidc_port),
                              f"{load().demo_issuer}/.well-known/openid-configuration")
    app = devstack.start(devstack.app_command(app_port, secrets), f"http://127.0.0.1:{app_port}/_stcore/health",
                         env={"COORD_DATABASE_URL": url})
    seconds = []
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = chromium.new_page(viewport={"width": 1440, "height": 900})
            page.goto(f"http://127.0.0.1:{app_port}")
            page.get_by_role("button", name="Sign in with the local demo provider").click()
            page.get_by_role("button", name="commander.met", exact=True).click()
            page.wait_for_url(f"http://127.0.0.1:{app_port}/**")
            page.goto(f"http://127.0.0.1:{app_port}/action_day")
            live = page.get_by_test_id("stMetric").filter(has_text="Live (before an outcome)")
            value = live.get_by_test_id("stMetricValue")
            value.wait_for(timeout=60_000)
            with read_session(engine) as session:
                who = principal_for_subject(session, "liaison.met")
                # the board opens on its live window: a package outside it would change nothing on it
                now = datetime.now(UTC)
                ids = list(session.scalars(select_packages().with_only_columns(TargetPackage.id)
                                           .where(TargetPackage.owning_agency_id == who.agency_id,
                                                  TargetPackage.h_hour >= now - LIVE_BEHIND,
                                                  TargetPackage.h_hour < now + LIVE_AHEAD)))[:runs]
            for package_id in ids:
                before = value.inner_text()
                page.wait_for_timeout(700)  # land the change anywhere in the fragment's second
                with write_session(engine) as session:
                    version = session.get(TargetPackage, package_id).version
                    services.change_package_status(session, who, package_id, version, "aborted", note="bench")
                start = time.perf_counter()
                page.wait_for_function("([el, before]) => el.innerText !== before",
                                       arg=[value.element_handle(), before], timeout=30_000)
                seconds.append(time.perf_counter() - start)
            chromium.close()
    finally:
        devstack.stop(app, provider)
        engine.dispose()
    return sorted(seconds)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(out: Path, postgres_url: str | None) -> list[dict]:
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for store, url in [("sqlite", f"sqlite:///{out / 'action_day.db'}")] + (
            [("postgresql", postgres_url)] if postgres_url else []):
        fresh(url)
        written = writers(url)
        rows.append({"store": store, **written, **board_ms(url)})
    print("\n| store      | writes | writes/s | write median ms | write p95 ms | board rerun ms | no-change ms |")
    print("|------------|--------|----------|-----------------|--------------|----------------|--------------|")
    for r in rows:
        print(f"| {r['store']:<10} | {r['writes']:>6} | {r['writes_per_s']:>8.0f} | {r['write_median_ms']:>15.1f} | "
              f"{r['write_p95_ms']:>12.1f} | {r['board_median_ms']:>14.0f} | {r['check_median_ms']:>12.2f} |")
    if Path("/usr/bin/chromium").exists():
        seconds = browser_latency(out)
        p95 = seconds[max(0, int(round(0.95 * len(seconds))) - 1)]
        print(f"\nchange-to-visible in Chromium over {len(seconds)} changes: median "
              f"{statistics.median(seconds):.2f} s, p95 {p95:.2f} s, max {seconds[-1]:.2f} s (target p95 3 s)")
    return rows
