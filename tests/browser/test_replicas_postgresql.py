"""Two replicas on one PostgreSQL: a change saved through one shows on the other's live picture."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import choose, offline_context, sign_in, tile

pytestmark = pytest.mark.browser


def test_a_save_through_one_replica_shows_on_the_others_dashboard(pg_stack, browser):
    watcher_context, editor_context = offline_context(browser), offline_context(browser)
    try:
        pg_stack.balancer.pin(watcher_context, 0)
        watcher = watcher_context.new_page()
        sign_in(watcher, pg_stack.app, "commander.met")
        watcher.get_by_test_id("stSidebarNav").get_by_role("link", name="Operation picture").click()
        expect(tile(watcher, "Suspects past lead")).to_have_text("0", timeout=20_000)

        pg_stack.balancer.pin(editor_context, 1)  # the editor's browser sticks to the other replica
        before = pg_stack.balancer.sessions()
        editor = editor_context.new_page()
        sign_in(editor, pg_stack.app, "liaison.met")
        editor.get_by_test_id("stSidebarNav").get_by_role("link", name="Suspects", exact=True).click()
        editor.get_by_role("tab", name="New").click()
        form = editor.get_by_test_id("stForm").filter(has=editor.get_by_role("button", name="Create"))
        form.get_by_label("Reference *").fill("REPLICA-1")
        form.get_by_label("Full name *").fill("Synthetic Replica")
        for label, option in (("Tier *", "money handler"), ("Status *", "identified")):
            choose(editor, label, option, form)
        form.get_by_role("button", name="Create").click()
        expect(editor.get_by_text("Created REPLICA-1.")).to_be_visible(timeout=20_000)

        expect(tile(watcher, "Suspects past lead")).to_have_text("1", timeout=20_000)
        assert pg_stack.balancer.sessions()[1] > before[1]
    finally:
        watcher_context.close()
        editor_context.close()
