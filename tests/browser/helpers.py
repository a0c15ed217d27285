"""What the browser tests do again and again, in one module: browser contexts that reach nothing but
loopback, signing in through the local provider, going to a page, Streamlit's widgets (a selectbox, a
record's edit form, a tile), records made and read straight in the stack's database, and screenshots
of a whole page."""

from __future__ import annotations

from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from coordination.db import make_engine, read_session, write_session
from coordination.principal import principal_for_subject

SIZES = {"desk": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}  # the layout tests' sizes
TIMEOUT_MS = 20_000  # a page's and an expectation's default: CI machines are shared and slow at times


def offline_context(browser: Browser, **options) -> BrowserContext:
    """A browser context (cookies of its own: another person's browser) from which nothing leaves the
    machine: the demo provider's own form links a CDN stylesheet."""
    context = browser.new_context(**options)
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1")
                  else route.abort())
    return context


def second_window(page: Page) -> Page:
    """Another person's browser beside `page`'s; close it with `.context.close()`."""
    other = offline_context(page.context.browser).new_page()
    other.set_default_timeout(TIMEOUT_MS)
    return other


def sign_in(page: Page, app: str, subject: str, predefined: bool = True) -> None:
    """Through the local OpenID provider's own form: one of its demo identities, or any subject typed."""
    page.goto(app)
    page.get_by_role("button", name="Sign in with the local demo provider").click()
    page.wait_for_url("**/oauth2/authorize**")
    if predefined:
        page.get_by_role("button", name=subject, exact=True).click()
    else:
        page.fill("input[name=sub]", subject)
        page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{app}/**")


def go_to(page: Page, section: str, heading: str | None = None) -> None:
    """Follow the sidebar's link to `section`, until the page's title (`heading`, else the link's name) shows."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=section, exact=True).click()
    expect(page.get_by_role("heading", name=heading or section, exact=True)).to_be_visible()


def open_record(page: Page, app: str, subject: str, section: str, key: str, by: str = "reference") -> None:
    """Signed in as `subject`, the record `key` of `section`, opened by its reference."""
    sign_in(page, app, subject)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=section, exact=True).click()
    page.get_by_label(f"Open by {by}").fill(key)
    page.get_by_label(f"Open by {by}").press("Enter")
    expect(page.get_by_role("heading", name=key)).to_be_visible()


def choose(page: Page, label: str, option: str, within: Page | Locator | None = None) -> None:
    """A Streamlit selectbox: click, type to filter, Enter to choose."""
    (within or page).get_by_label(label).click()
    page.keyboard.type(option)
    page.keyboard.press("Enter")


def edit_form(page: Page) -> Locator:
    """The open record's form of details (the one saved with "Save")."""
    return page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Save"))


def tile(page: Page, label: str) -> Locator:
    """The value of the picture's or the board's tile labelled `label`."""
    return page.get_by_test_id("stMetric").filter(has_text=label).get_by_test_id("stMetricValue")


def create(stack, subject: str, use_case, data: dict) -> None:
    """A record made through a use case as `subject`, straight in the stack's database."""
    engine = make_engine(stack.database_url)
    with write_session(engine) as session:
        use_case(session, principal_for_subject(session, subject), data)
    engine.dispose()


def read(stack, query):
    """The one row `query` reads from the stack's database."""
    engine = make_engine(stack.database_url)
    with read_session(engine) as session:
        value = session.execute(query).one()
    engine.dispose()
    return value


# The main area's layout in one string: how many elements it holds and where its charts, tiles, tables
# and headings are drawn. Kept on `window` between polls: how long it has stayed the same.
_LAYOUT_QUIET_FOR = """(quietMs) => {
  const main = document.querySelector('[data-testid=stMain]');
  if (!main) return false;
  const boxes = [...main.querySelectorAll('.js-plotly-plot, .main-svg, [data-testid=stMetric], '
                                          + '[data-testid=stDataFrame], h1, h2, h3')]
    .map(e => { const r = e.getBoundingClientRect(); return [r.x, r.y, r.width, r.height].map(Math.round); });
  const shape = main.getElementsByTagName('*').length + ' ' + JSON.stringify(boxes);
  const seen = window.__layout;
  if (!seen || seen.shape !== shape) { window.__layout = {shape, since: performance.now()}; return false; }
  return performance.now() - seen.since >= quietMs;
}"""


def settled(page: Page, quiet_ms: int = 700) -> None:
    """Until the page has stopped laying itself out (Plotly draws a chart again once its box has found
    its size; Streamlit redraws after a resize): nothing in the main area moved for `quiet_ms`. A wait
    for a condition, not for a fixed time; it fails after the page's default timeout."""
    page.evaluate("() => { window.__layout = null; }")
    page.wait_for_function(_LAYOUT_QUIET_FOR, arg=quiet_ms, polling=100)


def whole_page_screenshot(page: Page, path, settle: bool = True) -> None:
    """The whole page at the viewport's width: Streamlit scrolls its main area, not the document,
    so the window is made as tall as that area for the picture, then put back (and, with `settle`,
    laid out again, for a test that measures the layout next)."""
    size = page.viewport_size
    height = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": max(height, size["height"])})
    settled(page)
    page.screenshot(path=path)
    page.set_viewport_size(size)
    if settle:
        settled(page)
