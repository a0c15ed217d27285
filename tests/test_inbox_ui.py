"""The inbox in AppTest: the unread count in the sidebar, entries as sentences that open their
record, mark read, settings; a person who reads no records has no inbox."""

from __future__ import annotations

import re

import pytest

from coordination import services
from tests.helpers import open_page


@pytest.fixture
def told(sqlite_store, monkeypatch):
    monkeypatch.setenv("COORD_DATABASE_URL", str(sqlite_store.engine.url))
    commander = sqlite_store.principal("commander.met")
    with sqlite_store.writer() as s:
        for ref in ("T-1", "T-2"):
            services.create_task(s, commander, {"reference": ref, "title": f"Serve request {ref}", "status": "open",
                                                "priority": "high", "owning_agency": "FBI"})
    return sqlite_store


def texts(elements) -> list[str]:
    return [re.sub(r"\\(.)", r"\1", element.value) for element in elements]


def badge(at) -> str:
    return next(link.label for link in at.sidebar.get("page_link"))


def test_the_sidebar_counts_unread_and_the_inbox_tells_in_sentences(told):
    at = open_page("liaison.fbi", "inbox")
    assert badge(at) == "Inbox: 2 unread"
    shown = texts(at.markdown)
    assert "**New** · Task FBI/T-2 was assigned to your agency." in shown
    assert "**New** · Task FBI/T-1 was assigned to your agency." in shown
    assert any("Serve request T-1" in caption for caption in texts(at.caption))
    read = [b for b in at.button if b.label == "Read"][0]
    read.click().run()
    assert badge(at) == "Inbox: 1 unread"
    at.radio(key="inbox-show").set_value("Unread").run()
    assert [b.label for b in at.button if b.label.startswith("Open")] == [r"Open FBI\/T\-1"]
    assert not at.button(key="inbox-all-read").disabled
    at.button(key="inbox-all-read").click().run()
    assert badge(at) == "Inbox: 0 unread" and "Nothing here." in texts(at.info)
    assert "1 notification marked read." in texts(at.success)
    assert at.button(key="inbox-all-read").disabled  # nothing left to mark


def test_opening_an_entry_marks_it_read_and_shows_the_record_on_its_page(told):
    at = open_page("liaison.fbi", "inbox")
    [b for b in at.button if b.label == r"Open FBI\/T\-1"][0].click().run()
    assert not at.exception
    assert at.query_params.get("open") in ("FBI/T-1", ["FBI/T-1"])
    assert texts(at.subheader) == ["T-1"]  # the task's own page, its record open
    assert any("Owned by FBI" in caption for caption in texts(at.caption))
    assert badge(at) == "Inbox: 1 unread"


def test_settings_are_saved_and_refused_in_words(told):
    at = open_page("liaison.fbi", "inbox")
    form_radio = [r for r in at.radio if r.label == "Mail"][0]
    form_radio.set_value("hourly digest")
    [m for m in at.multiselect if m.label == "Do not tell me about"][0].select("Overdue tasks")
    [b for b in at.button if b.label == "Save settings"][0].click().run()
    assert "Notification settings saved." in texts(at.success)
    assert not [t for t in at.text_input if "briefing" in t.label]  # a liaison has no daily briefing
    commander = open_page("commander.met", "inbox")
    [t for t in commander.text_input if "briefing" in t.label][0].input("7am")
    [b for b in commander.button if b.label == "Save settings"][0].click().run()
    assert any("HH:MM" in message for message in texts(commander.error))


def test_an_admin_has_no_inbox(told):
    at = open_page("admin", "users")
    assert not list(at.sidebar.get("page_link"))
