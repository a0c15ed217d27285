"""Signing in through the local OpenID provider's own form, in headless Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import offline_context, sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("subject", "name", "caption", "landing"), [
    ("commander.met", "Casey Commander", "MET · commander", "Operation Elaborate"),
    ("liaison.fbi", "Frankie Liaison", "FBI · liaison", "FBI tasks"),  # a liaison starts from their own tasks
])
def test_sign_in_land_on_the_right_page_and_sign_out(stack, page, subject, name, caption, landing):
    sign_in(page, stack.app, subject)
    expect(page.get_by_role("heading", name=landing)).to_be_visible()
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text(name)).to_be_visible()
    expect(sidebar.get_by_text(caption)).to_be_visible()
    expect(sidebar.get_by_role("link", name="Users")).to_have_count(0)  # an admin's page, not theirs
    sidebar.get_by_role("link", name="Operation overview").click()
    expect(page.get_by_text("Evidence awaiting analysis")).to_be_visible()
    sidebar.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="End session").click()  # the provider confirms the end of its session
    expect(page.get_by_role("button", name="Sign in with the local demo provider")).to_be_visible()
    page.goto(stack.app)
    expect(page.get_by_role("button", name="Sign in with the local demo provider")).to_be_visible()
    expect(page.get_by_text(name)).to_have_count(0)


def test_an_unprovisioned_subject_sees_access_pending(stack, page):
    sign_in(page, stack.app, "not.provisioned", predefined=False)
    expect(page.get_by_role("heading", name="Access pending")).to_be_visible()
    expect(page.get_by_text("not.provisioned")).to_be_visible()
    expect(page.get_by_text("Evidence awaiting analysis")).to_have_count(0)


def test_a_sign_in_on_one_replica_holds_on_the_other(stack, page):
    stack.balancer.pin(page.context, 0)
    sign_in(page, stack.app, "commander.met")
    expect(page.get_by_text("Casey Commander")).to_be_visible()
    before = stack.balancer.sessions()
    stack.balancer.pin(page.context, 1)  # as if the balancer had moved this browser to the other replica
    page.goto(stack.app)
    expect(page.get_by_role("heading", name="Operation Elaborate")).to_be_visible()
    expect(page.get_by_test_id("stSidebar").get_by_text("Casey Commander")).to_be_visible()
    assert stack.balancer.sessions()[1] > before[1]  # the page really came from the other replica


def test_the_app_asks_nothing_of_the_internet(stack, browser):
    context = offline_context(browser)
    outside: list[str] = []

    def watch(request) -> None:  # only what the app's own pages ask for (the provider's form is not ours)
        ours = (stack.app, stack.issuer, "data:", "blob:")  # the provider is on loopback too
        if request.frame.url.startswith(stack.app) and not request.url.startswith(ours):
            outside.append(request.url)

    context.on("request", watch)
    page = context.new_page()
    sign_in(page, stack.app, "commander.met")
    expect(page.get_by_text("Evidence awaiting analysis")).to_be_visible()
    page.wait_for_load_state("networkidle")
    context.close()
    assert outside == [], outside
