"""The operation picture reads whole at a desk and on a phone: no chart title or tile label cut,
no number on a bar shrunk too small to read, the chart toolbar clear of the titles, tiles two to a
row on a phone, and a hint that the charts open their records. A screenshot of the whole page in
each case is saved in the test's tmp dir (a failure names it): look at them after a layout change."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import SIZES, settled, sign_in, whole_page_screenshot

pytestmark = pytest.mark.browser

# What is cut: a Plotly title (.gtitle) reaching outside its chart's drawing (.main-svg), or a tile
# label (or anything in it) narrower than its text (Streamlit cuts labels with an ellipsis).
CUT = """() => {
  const cut = [];
  const outside = (inner, outer) => inner.left < outer.left - 1 || inner.right > outer.right + 1
    || inner.top < outer.top - 1 || inner.bottom > outer.bottom + 1;
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    const drawing = plot.querySelector('.main-svg').getBoundingClientRect();
    for (const title of plot.querySelectorAll('.gtitle')) {
      if (outside(title.getBoundingClientRect(), drawing)) cut.push('chart title: ' + title.textContent);
    }
  }
  for (const label of document.querySelectorAll('[data-testid="stMetricLabel"]')) {
    if ([label, ...label.querySelectorAll('*')].some(el => el.scrollWidth > el.clientWidth)) {
      cut.push('tile label: ' + label.textContent);
    }
  }
  return cut;
}"""

# Numbers on bars drawn too small to read: Plotly shrinks a number to fit its bar; a 10 px digit's
# box is 13 px high.
TINY_NUMBERS = """() => [...document.querySelectorAll('.js-plotly-plot .bartext')]
  .filter(text => text.textContent && text.getBoundingClientRect().height > 0
          && text.getBoundingClientRect().height < 12.5)
  .map(text => text.textContent)"""

# The rows the tiles sit in: the distinct tops of the tiles' boxes, in pixels.
TILE_ROWS = """() => [...new Set([...document.querySelectorAll('[data-testid="stMetric"]')]
  .map(tile => Math.round(tile.getBoundingClientRect().top)))].length"""

# Where the chart's own toolbar (shown on hover) overlaps its title.
TOOLBAR_ON_TITLE = """(plot) => {
  const bar = plot.querySelector('.modebar');
  const title = plot.querySelector('.gtitle');
  if (!bar || !title || getComputedStyle(bar).opacity === '0') return false;
  const a = bar.getBoundingClientRect(), b = title.getBoundingClientRect();
  return a.width > 0 && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}"""


# The chart's toolbar has faded in under the pointer (or the chart has none).
TOOLBAR_SHOWN = """(plot) => { const bar = plot.querySelector('.modebar');
  return !bar || getComputedStyle(bar).opacity === '1'; }"""


@pytest.mark.parametrize("query", ["", "?agency=FBI"], ids=["everything", "fbi"])
@pytest.mark.parametrize("size", SIZES)
def test_nothing_on_the_picture_is_cut_at_a_desk_or_on_a_phone(demo_stack, sized_page, size, query, tmp_path):
    page = sized_page
    sign_in(page, demo_stack.app, "commander.met")
    page.goto(f"{demo_stack.app}/dashboard{query}")
    expect(page.get_by_role("heading", name="Operation picture")).to_be_visible()
    expect(page.locator(".js-plotly-plot")).to_have_count(8)
    expect(page.locator(".js-plotly-plot .gtitle")).to_have_count(8)
    expect(page.get_by_test_id("stMetric")).to_have_count(8)
    settled(page)  # Plotly draws a chart once more when its box has found its size
    shot = tmp_path / f"picture-{size}-{request_name(query)}.png"
    whole_page_screenshot(page, shot)

    assert page.evaluate(CUT) == [], f"cut on the {size} (see {shot})"
    assert page.evaluate(TINY_NUMBERS) == [], f"numbers too small to read on the {size} (see {shot})"
    assert page.evaluate(TILE_ROWS) == (4 if size == "phone" else 2)  # two tiles to a row on a phone, four at a desk
    expect(page.get_by_text("Click a bar or a point")).to_be_visible()

    for index in range(8):
        plot = page.locator(".js-plotly-plot").nth(index)
        plot.scroll_into_view_if_needed()
        plot.hover()
        page.wait_for_function(TOOLBAR_SHOWN, arg=plot.element_handle())  # (it fades in)
        assert not plot.evaluate(TOOLBAR_ON_TITLE), (
            f"the toolbar covers {plot.locator('.gtitle').text_content()!r} on the {size}")


def request_name(query: str) -> str:
    return query.removeprefix("?").replace("=", "-") or "everything"


def test_a_selected_bar_opens_its_records_under_the_name_the_chart_shows(demo_stack, page):
    sign_in(page, demo_stack.app, "commander.met")
    page.goto(f"{demo_stack.app}/dashboard")
    chart = page.locator(".js-plotly-plot").filter(has_text="Arrests by jurisdiction")
    expect(chart.locator(".point").first).to_be_visible()
    names = chart.locator(".ytick text").all_text_contents()  # the jurisdictions as the chart names them
    chart.locator(".point").first.click(force=True)  # Plotly's drag layer above the bars takes the click
    heading = page.get_by_role("heading", name=re.compile("^Arrests in "))
    expect(heading).to_be_visible()
    assert heading.inner_text().removeprefix("Arrests in ") in names  # "England and Wales", not "GB-EAW"
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
