"""A liaison imports tasks from a spreadsheet, finds them, edits one; another agency cannot."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import edit_form, go_to, second_window, sign_in

pytestmark = pytest.mark.browser

CSV = ("reference,title,status,priority,due_date\n"
       "WEB-1,Serve legal request on hosting provider,open,high,2022-11-20\n"
       "WEB-2,Image the Dutch server,blocked,critical,2022-11-10\n")


def test_a_liaison_imports_finds_and_edits_and_another_agency_cannot(stack, page, tmp_path):
    upload = tmp_path / "tasks.csv"
    upload.write_text(CSV, encoding="utf-8")
    sign_in(page, stack.app, "liaison.nl-police")
    go_to(page, "Tasks")
    page.get_by_role("tab", name="Import and export").click()
    page.locator("input[type=file]").set_input_files(str(upload))
    expect(page.get_by_text("2 rows: would create 2")).to_be_visible()
    page.get_by_role("button", name="Import 2 rows").click()
    expect(page.get_by_text("2 rows: created 2")).to_be_visible()

    page.get_by_role("tab", name="Records").click()
    page.get_by_role("textbox", name="Search").fill("WEB-")
    page.get_by_role("textbox", name="Search").press("Enter")
    expect(page.get_by_text("2 tasks you may see")).to_be_visible()
    page.get_by_label("Open by reference").fill("WEB-2")
    page.get_by_label("Open by reference").press("Enter")
    title = edit_form(page).get_by_label("Title *")
    title.fill("Image the Dutch server (warrant granted)")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("WEB-2 saved, version 2.")).to_be_visible()

    fbi = second_window(page)
    sign_in(fbi, stack.app, "liaison.fbi")
    go_to(fbi, "Tasks")
    fbi.get_by_label("Open by reference").fill("WEB-2")
    fbi.get_by_label("Open by reference").press("Enter")
    expect(edit_form(fbi).get_by_label("Title *")).to_have_value("Image the Dutch server (warrant granted)")
    expect(edit_form(fbi).get_by_label("Title *")).to_be_disabled()
    expect(fbi.get_by_role("button", name="Save")).to_be_disabled()
    expect(fbi.get_by_text("Read only: a liaison of FBI may not change this record.")).to_be_visible()
    fbi.context.close()
