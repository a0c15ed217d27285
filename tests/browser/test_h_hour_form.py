"""The new-package form at a desk and on a phone: the jurisdiction picked by name, the H-hour's zone
named beside it, the UTC moment shown before saving, a local time the clocks skip refused under it as
it is typed, and one that happens twice asked about. A screenshot of each state at each size is saved
in the test's tmp dir: look at them after a layout change."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.helpers import SIZES, choose, sign_in, whole_page_screenshot

pytestmark = pytest.mark.browser


def typed(page: Page, segment: Locator, value: str) -> None:
    """One segment of a date or time input (year, month, day; hour, minute): focused, then typed."""
    segment.click()
    page.keyboard.type(value)


@pytest.mark.parametrize("size", SIZES)
def test_the_h_hour_is_typed_in_the_jurisdictions_local_time_with_utc_beside(stack, sized_page, size, tmp_path):
    page = sized_page
    sign_in(page, stack.app, "liaison.met")
    page.goto(f"{stack.app}/packages")
    expect(page.get_by_role("heading", name="Target packages", exact=True)).to_be_visible()
    page.get_by_role("tab", name="New").click()
    form = page.locator(".st-key-packages-create")
    expect(form.get_by_text("choose the jurisdiction above")).to_be_visible()
    choose(page, "Jurisdiction *", "United States (California)", form)
    expect(form.get_by_text("local time in United States (California), America/Los_Angeles")).to_be_visible()
    expect(form.get_by_text("Saved as")).to_be_visible()
    whole_page_screenshot(page, tmp_path / f"new-package-{size}.png")

    for part, value in (("year", "2027"), ("month", "03"), ("day", "14")):
        typed(page, form.get_by_role("spinbutton", name=f"{part}, Planned H-hour (date, local time) *"), value)
    for part, value in (("hour", "02"), ("minute", "30")):
        typed(page, form.get_by_role("spinbutton", name=f"{part}, Planned H-hour (time, local time) *"), value)
    page.keyboard.press("Tab")  # the input is sent when it loses the focus
    expect(form.get_by_text("02:30 does not exist in America/Los_Angeles on 14 March 2027")).to_be_visible()
    expect(form.get_by_text("Saved as")).to_have_count(0)
    whole_page_screenshot(page, tmp_path / f"new-package-skipped-{size}.png")

    for part, value in (("month", "11"), ("day", "07")):
        typed(page, form.get_by_role("spinbutton", name=f"{part}, Planned H-hour (date, local time) *"), value)
    for part, value in (("hour", "01"), ("minute", "30")):
        typed(page, form.get_by_role("spinbutton", name=f"{part}, Planned H-hour (time, local time) *"), value)
    page.keyboard.press("Tab")
    asked = "01:30 happens twice in America/Los_Angeles on 7 November 2027: which one?"
    expect(form.get_by_text(asked)).to_be_visible()
    whole_page_screenshot(page, tmp_path / f"new-package-twice-{size}.png")
    form.get_by_text("01:30 PST, the second (09:30 UTC)").click()
    expect(form.get_by_text("Saved as Sun 07 Nov 2027 09:30 UTC")).to_be_visible()
