"""The action day in Chromium: a Dutch liaison on a phone moves a deployed package to "arrest made" in
taps only (the arrest confirmed with a second tap), through one replica; a commander's board, open in
a second browser on the other replica, shows it by itself, without being reloaded (how soon is
bench/action_day.py's: 3 s at p95)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from coordination import services
from coordination.db import make_engine, read_session, write_session
from coordination.models import TargetPackage
from coordination.principal import principal_for_subject
from tests.browser.helpers import SIZES, offline_context, sign_in, tile

pytestmark = pytest.mark.browser


def deployed_package(database_url: str) -> None:
    """A Dutch package for one suspect, planned for now, briefed and deployed."""
    engine = make_engine(database_url)
    with read_session(engine) as session:
        nl = principal_for_subject(session, "liaison.nl-police")
    with write_session(engine) as session:
        services.create_suspect(session, nl, {"reference": "NL-S-1", "full_name": "Synthetic Subject",
                                              "tier": "user", "status": "located"})
        package_id = services.create_package(session, nl, {
            "reference": "NL-P-1", "jurisdiction": "NL", "address": "1 Synthetic Gracht, Amsterdam",
            "team_call_sign": "ORANJE-1", "subjects": "NL-S-1", "legal_authority": "Warrant NL/1",
            "h_hour": datetime.now(UTC).replace(second=0, microsecond=0).isoformat()}).id
        for status in ("briefed", "deployed"):
            version = session.get(TargetPackage, package_id, populate_existing=True).version
            services.change_package_status(session, nl, package_id, version, status)
    engine.dispose()


def test_a_phone_records_an_arrest_in_taps_and_the_board_shows_it_by_itself(stack, browser):
    deployed_package(stack.database_url)
    board_context, phone_context = (offline_context(browser, viewport=SIZES[size]) for size in ("desk", "phone"))
    try:
        stack.balancer.pin(board_context, 0)
        board = board_context.new_page()
        sign_in(board, stack.app, "commander.met")
        board.get_by_test_id("stSidebarNav").get_by_role("link", name="Action day board").click()
        expect(board.get_by_role("heading", name="Action day board")).to_be_visible(timeout=20_000)
        expect(tile(board, "Arrests made")).to_have_text("0", timeout=20_000)
        board.evaluate("window.boardNotReloaded = true")  # gone if the board's page is loaded again

        stack.balancer.pin(phone_context, 1)  # the phone's browser sticks to the other replica
        before = stack.balancer.sessions()
        phone = phone_context.new_page()
        sign_in(phone, stack.app, "liaison.nl-police")
        phone.goto(f"{stack.app}/my_packages")
        expect(phone.get_by_text("NL-P-1")).to_be_visible(timeout=20_000)
        phone.get_by_role("button", name="Entered").click()  # taps only: no field is typed in
        expect(phone.get_by_text("NL-P-1 is now entered (was deployed).")).to_be_visible(timeout=20_000)
        arrest = phone.get_by_role("button", name="Arrest made")
        expect(arrest).to_be_visible()
        box = arrest.bounding_box()
        assert box["width"] >= 300 and box["height"] >= 48  # a large target on a 390 px screen
        arrest.click()  # an outcome that writes records: confirmed with a second, deliberate tap
        phone.get_by_role("button", name="Confirm: arrest made").click()
        expect(tile(board, "Arrests made")).to_have_text("1", timeout=20_000)
        assert board.evaluate("window.boardNotReloaded === true")  # the board redrew itself, in place
        expect(phone.get_by_text("NL-P-1 is now arrest made (was entered).")).to_be_visible(timeout=20_000)
        assert stack.balancer.sessions()[1] > before[1]
    finally:
        board_context.close()
        phone_context.close()
