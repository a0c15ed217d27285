"""No edit is ever lost, in two real browser windows: edits of different fields are merged, a status
set through an update survives a later save of the details, a double click writes once, a transfer
shows its new holder at once, and provisioning and disabling say what they did."""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from coordination import services
from coordination.models import EvidenceItem, Task, TaskUpdate, User
from tests.browser.helpers import choose, create, edit_form, open_record, read, second_window, sign_in
from tests.conftest import SHA

pytestmark = pytest.mark.browser
numbers = itertools.count(1)


def test_two_windows_edit_different_fields_and_both_changes_stay(stack, page):
    key = f"LOST-{next(numbers)}"
    create(stack, "liaison.met", services.create_task, {"reference": key, "title": "Trace the wallet",
                                                        "description": "As briefed", "status": "open",
                                                        "priority": "low"})
    open_record(page, stack.app, "liaison.met", "Tasks", key)
    other = second_window(page)
    open_record(other, stack.app, "liaison.met", "Tasks", key)

    choose(other, "Priority *", "critical", edit_form(other))
    other.get_by_role("button", name="Save").click()
    expect(other.get_by_text(f"{key} saved, version 2.")).to_be_visible()

    edit_form(page).get_by_label("Description").fill("Rewritten: trace through the exchange")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(f"{key} saved, version 3.")).to_be_visible()
    expect(edit_form(page).get_by_label("Priority *")).to_be_visible()
    saved = read(stack, select(Task.priority, Task.description).where(Task.reference == key))
    assert (saved.priority.value, saved.description) == ("critical", "Rewritten: trace through the exchange")
    other.context.close()


def test_a_status_set_by_an_update_survives_a_later_save_and_a_double_click_adds_one_note(stack, page):
    key = f"LOST-{next(numbers)}"
    create(stack, "liaison.fbi", services.create_task, {"reference": key, "title": "Serve the legal request",
                                                        "status": "open", "priority": "high"})
    open_record(page, stack.app, "liaison.fbi", "Tasks", key)
    page.get_by_role("tab", name="Updates").click()
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Add update"))
    form.get_by_label("Note *").fill("Request served on the hosting provider")
    choose(page, "Status (now open)", "in progress", form)
    form.get_by_role("button", name="Add update").dblclick()
    # the second click finds the note sent already: either confirmation may be the last one shown
    expect(page.get_by_text(re.compile(f"{key}: update added, status open → in progress.|"
                                       "This form was already sent; it was not written twice.")).first).to_be_visible()
    expect(form.get_by_label("Note *")).to_have_value("")  # cleared: nothing to send twice

    page.get_by_role("tab", name="Details").click()
    edit_form(page).get_by_label("Title *").fill("Serve the legal request (served)")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(f"{key} saved, version 3.")).to_be_visible()
    saved = read(stack, select(Task.id, Task.title, Task.status).where(Task.reference == key))
    assert (saved.title, saved.status.value) == ("Serve the legal request (served)", "in progress")
    notes = read(stack, select(func.count()).select_from(TaskUpdate).where(TaskUpdate.task_id == saved.id))
    assert notes == (1,)


def test_a_transfer_asks_first_and_shows_the_new_holder_at_once(stack, page):
    key = f"EXH-LOST-{next(numbers)}"
    create(stack, "liaison.met", services.create_evidence_item, {
        "reference": key, "item_type": "phone", "description": "Handset", "sha256": SHA, "seized_from": "x",
        "seized_at": "2022-11-07T06:00:00Z", "seized_place": "London", "status": "seized",
        "holder_name": "DC Example"})
    open_record(page, stack.app, "liaison.met", "Evidence", key, by="exhibit reference")
    page.get_by_role("tab", name="Custody").click()
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Review transfer"))
    choose(page, "To agency *", "NCA", form)
    for label, value in (("To holder (person or unit) *", "NCA lab"), ("Place *", "Lab"), ("Purpose *", "analysis"),
                         ("Condition *", "sealed"), ("SHA-256 re-computed now (digital items)", SHA)):
        form.get_by_label(label).fill(value)
    form.get_by_role("button", name="Review transfer").click()
    expect(page.get_by_text("cannot be changed afterwards")).to_be_visible()
    page.get_by_role("button", name="Confirm transfer").click()
    expect(page.get_by_text(f"{key} transferred to NCA NCA lab (custody event 2).")).to_be_visible()
    expect(page.get_by_text("held by NCA (NCA lab)")).to_be_visible()  # no reload needed
    page.get_by_role("tab", name="Custody").click()
    expect(page.get_by_text("Only the current holder's agency can transfer this item.")).to_be_visible()
    assert read(stack, select(EvidenceItem.holder_name).where(EvidenceItem.reference == key)) == ("NCA lab",)


def test_provisioning_and_disabling_say_what_they_did(stack, page):
    subject = f"liaison.lost{next(numbers)}"
    sign_in(page, stack.app, "admin")
    page.get_by_role("tab", name="Provision a user").click()
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Provision"))
    form.get_by_label("Subject").fill(subject)
    form.get_by_label("Name").fill("Lost Liaison")
    form.get_by_role("button", name="Provision").click()
    expect(page.get_by_text(f"Provisioned {subject}")).to_be_visible()
    page.get_by_role("combobox", name="User").click()
    page.keyboard.type(subject)
    page.keyboard.press("Enter")
    # the chosen user's form (while the page reruns, the previous user's form may still be shown)
    form = page.get_by_test_id("stForm").filter(has=page.get_by_text(f"Changing {subject}: Lost Liaison"))
    expect(form).to_have_count(1)
    form.get_by_text("Active (may sign in)").click()
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_text(re.compile(f"Saved {subject} .*disabled: signed out everywhere"))).to_be_visible()
    assert read(stack, select(User.active).where(User.subject == subject)) == (False,)


def test_a_reference_being_typed_survives_the_pages_self_refresh(stack, page):
    """A record page refreshes part of itself (the inbox count, every 2 s here): what a person is typing
    into "Open by reference" stays there across refreshes, the count does change meanwhile, and Enter
    opens the typed record (not the one open before)."""
    first, typed, task = (f"TYPED-{next(numbers)}" for _ in range(3))
    for key in (first, typed):
        create(stack, "liaison.fbi", services.create_suspect, {"reference": key, "full_name": "Synthetic Subject",
                                                               "tier": "heavy user", "status": "identified"})
    open_record(page, stack.app, "liaison.fbi", "Suspects", first)
    badge = page.get_by_role("link", name=re.compile(r"^Inbox: \d+ unread$"))
    before = int(re.search(r"\d+", badge.inner_text()).group())

    box = page.get_by_label("Open by reference")
    box.click()
    box.press("Control+a")
    box.press_sequentially(typed[:-2], delay=200)
    create(stack, "commander.met", services.create_task, {"reference": task, "title": "Serve the request",
                                                          "status": "open", "priority": "high", "owning_agency": "FBI"})
    expect(page.get_by_role("link", name=f"Inbox: {before + 1} unread")).to_be_visible()  # refreshed meanwhile
    page.wait_for_timeout(4_500)  # and two refreshes more
    box.press_sequentially(typed[-2:], delay=200)
    expect(box).to_have_value(typed)
    box.press("Enter")
    expect(page.get_by_role("heading", name=typed, exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name=first, exact=True)).to_have_count(0)
