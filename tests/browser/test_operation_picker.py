"""Choosing the operation in Chromium (issue 27): the Met's commander of Operation Elaborate is a liaison in
NCA's Operation Picklock; he switches to it in the sidebar and sees a liaison's navigation and its record,
switches back, and a link naming Picklock (as a mail's does) opens it in a fresh browser. A link naming
an operation he takes no part in answers as a missing one. Screenshots of the sidebar at a desk and on a
phone go to COORD_SHOTS (default /tmp/shots_picker)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from coordination import services
from coordination.db import make_engine, read_session, write_session
from coordination.models import Role, User
from coordination.principal import principal_for_subject
from tests.browser.helpers import SIZES, TIMEOUT_MS, choose, offline_context, sign_in
from tests.operations import add_operation

pytestmark = pytest.mark.browser
COMMANDER = "commander.met"
OURS, HIDDEN = "PICKLOCK", "PICKLOCK2"  # his second operation; one he takes no part in
SUSPECT = "PICK-1"  # a suspect of Picklock's, recorded by him there
SHOTS = Path(os.environ.get("COORD_SHOTS", "/tmp/shots_picker"))


@pytest.fixture(scope="module")
def picklock(stack) -> str:
    """Picklock (NCA's, the commander a liaison there, with one suspect of his) and Picklock 2 (NCA's,
    without him), added to the session's stack."""
    engine = make_engine(stack.database_url)
    with write_session(engine) as session:
        add_operation(session, OURS, "Operation Picklock", "NCA", {COMMANDER: Role.LIAISON,
                                                                   "liaison.nca": Role.COMMANDER})
        add_operation(session, HIDDEN, "Operation Picklock 2", "NCA", {"liaison.nca": Role.COMMANDER})
        session.commit()
    with write_session(engine) as session:
        in_picklock = principal_for_subject(session, COMMANDER, operation=OURS)
        services.create_suspect(session, in_picklock, {"reference": SUSPECT, "full_name": "Synthetic Picklock",
                                                       "tier": "money handler", "status": "lead"})
    engine.dispose()
    return stack.app


@contextmanager
def window(browser, size: str) -> Iterator[Page]:
    """A browser of its own at SIZES[size], pages and expectations waiting as long as CI may need."""
    context = offline_context(browser, viewport=SIZES[size])
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        expect.set_options(timeout=TIMEOUT_MS)
        yield page
    finally:
        context.close()


def sidebar(page: Page):
    return page.get_by_test_id("stSidebar")


def reads(page: Page, code: str, name: str, role: str) -> None:
    """The page reads operation `name` in `role`: its navigation headed by the name, the role beside the
    person's name, the address carrying the code."""
    expect(sidebar(page).get_by_text(f"MET · {role}")).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav").get_by_text(name, exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(rf"[?&]operation={code}(&|$)"))


def last_operation_code(stack) -> str:
    engine = make_engine(stack.database_url)
    with read_session(engine) as session:
        user = session.scalar(select(User).where(User.subject == COMMANDER))
        code = next(m.operation.code for m in user.memberships if m.operation_id == user.last_operation_id)
    engine.dispose()
    return code


def test_the_commander_switches_to_the_operation_where_he_is_a_liaison_and_back(picklock, stack, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with window(browser, "desk") as page:
        sign_in(page, picklock, COMMANDER)
        reads(page, "ELABORATE", "Operation Elaborate", "commander")
        nav = page.get_by_test_id("stSidebarNav")
        expect(nav.get_by_role("link", name="My agency's tasks")).to_have_count(0)  # a liaison's page
        picker = sidebar(page).get_by_label("Operation")
        expect(picker).to_be_visible()
        sidebar(page).screenshot(path=SHOTS / "1-desk-sidebar-elaborate.png")

        choose(page, "Operation", "Operation Picklock,", sidebar(page))
        reads(page, OURS, "Operation Picklock", "liaison")
        expect(page.get_by_role("heading", name="Operation Picklock", exact=True)).to_be_visible()  # the overview
        expect(nav.get_by_role("link", name="My agency's tasks")).to_be_visible()
        expect(page).to_have_title("Operation Picklock · coordination")
        assert last_operation_code(stack) == OURS
        sidebar(page).screenshot(path=SHOTS / "2-desk-sidebar-picklock.png")
        nav.get_by_role("link", name="Suspects", exact=True).click()
        page.get_by_label("Open by reference").fill(SUSPECT)
        page.get_by_label("Open by reference").press("Enter")
        expect(page.get_by_role("heading", name=SUSPECT)).to_be_visible()
        reads(page, OURS, "Operation Picklock", "liaison")  # a page's link kept the operation
        page.screenshot(path=SHOTS / "3-desk-picklock-suspect.png")

        choose(page, "Operation", "Operation Elaborate,", sidebar(page))
        reads(page, "ELABORATE", "Operation Elaborate", "commander")
        expect(nav.get_by_role("link", name="My agency's tasks")).to_have_count(0)
        expect(page.get_by_role("heading", name=SUSPECT)).to_have_count(0)  # the record left with its operation
        page.get_by_label("Open by reference").fill(SUSPECT)
        page.get_by_label("Open by reference").press("Enter")  # and Elaborate has none such
        expect(page.get_by_text(f"{SUSPECT}: no suspect with that reference is visible to you.")).to_be_visible()
        assert last_operation_code(stack) == "ELABORATE"


def test_a_link_opens_the_operation_it_names_and_one_not_his_answers_as_missing(picklock, browser):
    with window(browser, "desk") as page:
        sign_in(page, picklock, COMMANDER)
        reads(page, "ELABORATE", "Operation Elaborate", "commander")  # his last choice
        page.goto(f"{picklock}/suspects?open={SUSPECT}&operation={OURS}")  # as a mail links a record
        expect(page.get_by_role("heading", name=SUSPECT)).to_be_visible()
        reads(page, OURS, "Operation Picklock", "liaison")
        for code in (HIDDEN, "NOSUCH"):
            page.goto(f"{picklock}/?operation={code}")
            expect(page.get_by_text(f"There is no operation {code} you take part in.")).to_be_visible()
            reads(page, "ELABORATE", "Operation Elaborate", "commander")
            expect(sidebar(page).get_by_text("Picklock 2")).to_have_count(0)


def test_the_picker_on_a_phone(picklock, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with window(browser, "phone") as page:
        sign_in(page, picklock, COMMANDER)
        page.goto(f"{picklock}/?operation={OURS}")
        expect(page.get_by_role("heading", name="MET tasks")).to_be_visible()  # a liaison's landing page
        page.get_by_test_id("stExpandSidebarButton").click()
        reads(page, OURS, "Operation Picklock", "liaison")
        box = sidebar(page).get_by_label("Operation").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= SIZES["phone"]["width"]
        page.screenshot(path=SHOTS / "4-phone-sidebar-picklock.png")
        choose(page, "Operation", "Operation Elaborate,", sidebar(page))
        reads(page, "ELABORATE", "Operation Elaborate", "commander")
