"""The deconfliction screens read whole at a desk and on a phone, on the demo operation: the
Deconfliction page's tabs, a record's Identifiers tab with its hits, and the picture's tiles. A page
shows labels and sentences, never a column name, an id or JSON. A screenshot of each screen at each
size is saved in the test's tmp dir (a failure names it): look at them after a layout change."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import aliased

from coordination.db import make_engine, read_session
from coordination.models import Agency, Hit, Identifier, Suspect
from tests.browser.helpers import SIZES, settled, sign_in, tile, whole_page_screenshot

pytestmark = pytest.mark.browser

# what a person must never read: a column's name (snake_case), an id, JSON, a Python value
# the main area's text as read: the names of Material icons (an expander's arrow) are glyphs, not words
READ = """() => { const main = document.querySelector('[data-testid=stMain]').cloneNode(true);
  main.querySelectorAll('[data-testid=stIconMaterial]').forEach(icon => icon.remove());
  return main.innerText; }"""
MACHINE_WORDS = re.compile(r"\b[a-z]+_[a-z_]+\b|\b(?:None|True|False|id)\b|[{}]|\bHitRow\b")



def suspect_with_a_hit(stack, agency: str) -> str:
    """The reference of one of `agency`'s suspects (not RED) holding an identifier another agency holds."""
    engine = make_engine(stack.database_url)
    mine, other = aliased(Identifier), aliased(Identifier)
    with read_session(engine) as session:
        reference = session.scalar(
            select(Suspect.reference).join(mine, (mine.record_entity == "suspect") & (mine.record_id == Suspect.id))
            .join(Hit, (Hit.first_id == mine.id) | (Hit.second_id == mine.id))
            .join(other, (other.id == Hit.first_id) | (other.id == Hit.second_id))
            .join(Agency, Agency.id == Suspect.owning_agency_id)
            .where(Agency.code == agency, other.id != mine.id, other.owning_agency_id != mine.owning_agency_id,
                   other.tlp != "RED", Suspect.tlp != "RED").order_by(Suspect.id).limit(1))
    engine.dispose()
    return reference


def readable(page, shot) -> None:
    text = page.evaluate(READ)
    assert "Traceback" not in text and not page.get_by_test_id("stException").count(), f"an exception (see {shot})"
    words = sorted(set(MACHINE_WORDS.findall(text)))
    assert words == [], f"machine words on the page: {words} (see {shot})"


@pytest.mark.parametrize("size", SIZES)
def test_the_deconfliction_page_reads_whole_for_a_liaison_and_command(demo_stack, sized_page, size, tmp_path):
    page = sized_page
    for subject, tabs in (("liaison.fbi", ["Hits", "Contact requests", "Check an identifier"]),
                          ("commander.met", ["Hits", "Contact requests", "Check an identifier", "Command"])):
        sign_in(page, demo_stack.app, subject)
        page.goto(f"{demo_stack.app}/deconfliction")
        expect(page.get_by_role("heading", name="Deconfliction", exact=True)).to_be_visible()
        for tab in tabs:
            page.get_by_role("tab", name=tab).click()
            expect(page.get_by_role("tab", name=tab)).to_have_attribute("aria-selected", "true")
            settled(page)
            shot = tmp_path / f"deconfliction-{subject}-{tab.replace(' ', '-').lower()}-{size}.png"
            whole_page_screenshot(page, shot, settle=False)  # (what is read next is text, not layout)
            readable(page, shot)
        page.context.clear_cookies()


@pytest.mark.parametrize("size", SIZES)
def test_a_record_tells_its_hits_as_sentences(demo_stack, sized_page, size, tmp_path):
    page = sized_page
    reference = suspect_with_a_hit(demo_stack, "FBI")
    sign_in(page, demo_stack.app, "liaison.fbi")
    page.goto(f"{demo_stack.app}/suspects")
    page.get_by_label("Open by reference").fill(reference)
    page.get_by_label("Open by reference").press("Enter")
    page.get_by_role("tab", name="Identifiers").click()
    expect(page.get_by_text(re.compile(r"also holds this (phone number|e-mail address) \(hit found "))).to_be_visible()
    settled(page)
    shot = tmp_path / f"record-identifiers-{size}.png"
    whole_page_screenshot(page, shot)
    readable(page, shot)


@pytest.mark.parametrize("size", SIZES)
def test_the_picture_shows_the_hits_tiles_and_chart(demo_stack, sized_page, size, tmp_path):
    page = sized_page
    sign_in(page, demo_stack.app, "liaison.met")
    page.goto(f"{demo_stack.app}/dashboard")
    expect(page.get_by_test_id("stMetric")).to_have_count(8)
    expect(page.locator(".js-plotly-plot .gtitle").filter(has_text="Open hits between")).to_have_count(1)
    settled(page)
    shot = tmp_path / f"picture-liaison-met-{size}.png"
    whole_page_screenshot(page, shot)
    assert int(tile(page, "Open hits").inner_text().replace(",", "")) > 0, f"no hits (see {shot})"
