"""Two real browsers: a commander gives a task to the FBI, and the FBI liaison, signed in elsewhere,
sees their unread count rise by itself and opens the task from their inbox."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from coordination import services
from tests.browser.helpers import choose, create, edit_form, open_record, second_window, sign_in

pytestmark = pytest.mark.browser


def test_a_liaison_sees_the_unread_count_rise_when_a_commander_assigns_a_task_and_opens_it(stack, page):
    create(stack, "commander.met", services.create_task, {"reference": "BELL-1", "title": "Serve the request",
                                                          "status": "open", "priority": "high"})
    sign_in(page, stack.app, "liaison.fbi")
    badge = page.get_by_role("link", name=re.compile(r"^Inbox: \d+ unread$"))
    expect(badge).to_be_visible()
    before = int(re.search(r"\d+", badge.inner_text()).group())

    commander = second_window(page)
    open_record(commander, stack.app, "commander.met", "Tasks", "BELL-1")
    choose(commander, "Owning agency", "FBI", edit_form(commander))
    commander.get_by_role("button", name="Save").click()
    expect(commander.get_by_text("BELL-1 saved, version 2.")).to_be_visible()
    commander.context.close()

    # no click on the liaison's page: the sidebar counts again by itself
    expect(page.get_by_role("link", name=f"Inbox: {before + 1} unread")).to_be_visible()
    page.get_by_role("link", name=f"Inbox: {before + 1} unread").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    expect(page.get_by_text("Task FBI/BELL-1 was assigned to your agency.")).to_be_visible()
    page.get_by_role("button", name="Open FBI/BELL-1").click()
    expect(page.get_by_role("heading", name="BELL-1")).to_be_visible()
    expect(page.get_by_text("Owned by FBI")).to_be_visible()
    expect(page.get_by_role("link", name=f"Inbox: {before} unread")).to_be_visible()
