"""A commander writes a decision into the log and pins it; the briefing they download lists it; a
liaison reads it in the log and on the timeline but is offered no way to write or pin."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.helpers import go_to, sign_in

pytestmark = pytest.mark.browser

DECISION = "Strike at 05:00 London time on the action day"


def test_a_commander_records_and_pins_a_decision_and_the_briefing_shows_it(stack, page, tmp_path):
    sign_in(page, stack.app, "commander.met")
    go_to(page, "Decision log")
    page.get_by_text("Record a decision").click()
    form = page.get_by_test_id("stForm")
    form.get_by_label("Reference *").fill("DEC-WEB-1")
    form.get_by_label("Decision *").fill(DECISION)
    form.get_by_label("Rationale *").fill("Every partner is ready; the servers are imaged")
    form.get_by_label("Options considered").fill("Wait a week; strike at noon")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Recorded decision DEC-WEB-1.")).to_be_visible()
    expect(page.get_by_text(DECISION)).to_be_visible()
    page.get_by_role("button", name="Pin into the briefing").click()
    expect(page.get_by_text("DEC-WEB-1 pinned into the briefing.")).to_be_visible()
    expect(page.get_by_role("button", name="Unpin from the briefing")).to_be_visible()

    go_to(page, "Operation picture")
    page.get_by_role("button", name="Prepare briefing PDF").click()
    download_button = page.get_by_role("button", name=re.compile("Download the briefing"))
    expect(download_button).to_be_visible(timeout=90_000)  # the first briefing may start Chromium for the charts
    with page.expect_download() as download:
        download_button.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    said = " ".join(" ".join(p.extract_text() for p in PdfReader(saved).pages).split())
    assert "Pinned decisions" in said and DECISION in said and "DEC-WEB-1" in said

    go_to(page, "Timeline")
    expect(page.get_by_text("pinned decision DEC-WEB-1 into the briefing")).to_be_visible()


def test_a_liaison_reads_the_log_and_may_not_write_it(stack, page):
    sign_in(page, stack.app, "liaison.fbi")
    go_to(page, "Decision log")
    expect(page.get_by_text(re.compile(r"entr(y|ies) you may read"))).to_be_visible()
    expect(page.get_by_text("Record a decision")).to_have_count(0)
    expect(page.get_by_role("button", name="Pin into the briefing")).to_have_count(0)
