"""Conflicts handled, not only shown, in Chromium (issue 26): MET's and NCA's teams are planned for one
building written two ways; the MET commander, at a desk, finds the conflict first on the board,
is refused an acknowledgement without a note beside the field, and acknowledges it with one; MET's
liaison, on a 390x844 phone, reads on the package's own card with whom it conflicts and what command
decided. Screenshots of both go to COORD_SHOTS (default: the test's temporary directory)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from coordination import deconfliction_key, services
from coordination.db import make_engine, read_session, write_session
from coordination.models import ConflictAcknowledgement
from coordination.principal import principal_for_subject
from tests.browser.helpers import SIZES, TIMEOUT_MS, offline_context, sign_in, whole_page_screenshot

pytestmark = pytest.mark.browser
NOTE = "Both teams briefed, MET enters first, NCA holds the stairwell"


def planned(database_url: str) -> int:
    """MET's PKG-MET-7 at "37 Barthor Rd, London SW1A 1AA" and NCA's PKG-NCA-3 at "Flat 2, 37 Barthor
    Road, London" an hour later: one building. Returns MET's package id."""
    engine = make_engine(database_url)
    soon = (datetime.now(UTC) + timedelta(hours=2)).replace(second=0, microsecond=0)
    made = {}
    for subject, reference, address, h_hour in (
            ("liaison.met", "PKG-MET-7", "37 Barthor Rd, London SW1A 1AA", soon),
            ("liaison.nca", "PKG-NCA-3", "Flat 2, 37 Barthor Road, London", soon + timedelta(hours=1))):
        with read_session(engine) as session:
            who = principal_for_subject(session, subject)
        with write_session(engine) as session:
            made[subject] = services.create_package(session, who, {
                "reference": reference, "jurisdiction": "GB-EAW", "address": address, "team_call_sign": "ALPHA",
                "legal_authority": "Warrant W/7", "h_hour": h_hour.isoformat()}).id
    engine.dispose()
    return made["liaison.met"]


def acknowledged(database_url: str) -> list[str]:
    engine = make_engine(database_url)
    with read_session(engine) as session:
        notes = list(session.scalars(select(ConflictAcknowledgement.note)))
    engine.dispose()
    return notes


def test_command_acknowledges_a_conflict_and_the_liaison_reads_it_on_the_packages_card(stack, browser, tmp_path,
                                                                                       monkeypatch):
    monkeypatch.setenv(deconfliction_key.ENVIRONMENT, str(stack.key_file))  # the packages are keyed as the app does
    shots = Path(os.environ.get("COORD_SHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    met_package = planned(stack.database_url)
    desk_context = offline_context(browser, viewport=SIZES["desk"])
    phone_context = offline_context(browser, viewport=SIZES["phone"])
    try:
        desk = desk_context.new_page()
        desk.set_default_timeout(TIMEOUT_MS)
        sign_in(desk, stack.app, "commander.met")
        desk.goto(f"{stack.app}/action_day")
        expect(desk.get_by_text("Conflicts between packages (1, 1 not acknowledged by command)")).to_be_visible()
        expect(desk.get_by_text("Command has not acknowledged this conflict yet.")).to_be_visible()
        whole_page_screenshot(desk, shots / "board_open_desk.png")

        desk.get_by_role("button", name="Acknowledge this conflict").click()
        expect(desk.get_by_text("The note is required: say what command decided")).to_be_visible()
        assert acknowledged(stack.database_url) == []
        desk.get_by_label("Command's note for both lead agencies (required)").fill(NOTE)
        desk.get_by_role("button", name="Acknowledge this conflict").click()
        expect(desk.get_by_text("Conflict acknowledged; both lead agencies' liaisons are told.")).to_be_visible()
        expect(desk.get_by_text("Conflicts between packages (1, 0 not acknowledged by command)")).to_be_visible()
        expect(desk.get_by_text(NOTE, exact=False)).to_be_visible()
        assert acknowledged(stack.database_url) == [NOTE]
        whole_page_screenshot(desk, shots / "board_acknowledged_desk.png")

        phone = phone_context.new_page()
        phone.set_default_timeout(TIMEOUT_MS)
        sign_in(phone, stack.app, "liaison.met")
        phone.goto(f"{stack.app}/my_packages")
        card = phone.locator(f".st-key-card-{met_package}")
        told = "Your agency's package PKG-MET-7 conflicts (same building"
        expect(card.get_by_text(told, exact=False)).to_be_visible()
        expect(card.get_by_text("with NCA's package PKG-NCA-3", exact=False)).to_be_visible()
        expect(card.get_by_text("Acknowledged by command (Casey Commander (MET)", exact=False)).to_be_visible()
        expect(card.get_by_text(NOTE, exact=False)).to_be_visible()
        whole_page_screenshot(phone, shots / "my_packages_phone.png")
        phone.goto(f"{stack.app}/action_day")
        expect(phone.get_by_text(NOTE, exact=False)).to_be_visible()
        expect(phone.get_by_role("button", name="Acknowledge this conflict")).to_have_count(0)  # command's alone
        whole_page_screenshot(phone, shots / "board_phone.png")
    finally:
        desk_context.close()
        phone_context.close()
