"""A commander watches the operation picture; a write from elsewhere shows without a reload."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from coordination import services
from tests.browser.helpers import create, go_to, sign_in, tile

pytestmark = pytest.mark.browser


def test_the_picture_refreshes_by_itself_and_asks_nothing_of_the_internet(stack, page):
    outside: list[str] = []  # what the app's own pages ask of anywhere but the app (the provider's form is not ours)
    page.on("request", lambda r: outside.append(r.url) if r.frame.url.startswith(stack.app)
            and not r.url.startswith((stack.app, stack.issuer, "data:", "blob:")) else None)
    sign_in(page, stack.app, "commander.met")
    go_to(page, "Operation picture")
    expect(page.locator(".js-plotly-plot").first).to_be_visible()
    expect(page.locator(".js-plotly-plot")).to_have_count(8)
    expect(page.locator(".geo .countries path").first).to_be_attached()  # outlines from static/, not a CDN
    before = int(tile(page, "Arrests in total").inner_text())

    create(stack, "liaison.met", services.create_suspect, {"reference": "LIVE-1", "full_name": "x", "tier": "user",
                                                           "status": "arrested"})
    create(stack, "liaison.met", services.create_arrest, {
        "reference": "LIVE-A1", "suspect": "LIVE-1", "jurisdiction": "GB-EAW", "arrested_at": "2022-11-07T06:00:00Z",
        "place": "London", "offences": "fraud", "outcome": "bailed"})
    expect(tile(page, "Arrests in total")).to_have_text(str(before + 1), timeout=15_000)
    assert page.get_by_role("heading", name="Operation picture").is_visible()  # same page, never reloaded
    assert outside == []


def test_a_commander_downloads_the_briefing_from_the_dashboard(stack, page, tmp_path):
    sign_in(page, stack.app, "commander.met")
    go_to(page, "Operation picture")
    page.get_by_role("button", name="Prepare briefing PDF").click()
    download_button = page.get_by_role("button", name=re.compile("Download the briefing"))
    expect(download_button).to_be_visible(timeout=90_000)  # the first briefing starts Chromium for the charts
    with page.expect_download() as download:
        download_button.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.startswith("briefing-operation-elaborate-") and saved.suffix == ".pdf"
    reader = PdfReader(saved)
    marking = reader.metadata.subject.replace(" ", "   ")  # the banner spaces its two labels apart
    assert all(page.extract_text().count(marking) == 2 for page in reader.pages)
    assert "Casey Commander" in reader.pages[0].extract_text()
    assert sum(len(page.images) for page in reader.pages) == 8 + 1  # the app found Chromium: 8 charts, 1 QR code
    assert "Verification" in reader.pages[-1].extract_text()
