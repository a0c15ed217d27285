"""Seizures as they happen, in Chromium (issue 26): on a 390x844 phone a liaison records "Searched: items
seized" with a phone and a laptop, sealed at the door without hashes (a second row added on the phone);
then at a desk the phone's data is acquired at the lab and recorded on the evidence page with its
SHA-256. Screenshots go to COORD_SHOTS (default /tmp/shots_seize)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from coordination import services
from coordination.db import make_engine, read_session, write_session
from coordination.models import Acquisition, EvidenceItem, TargetPackage
from coordination.principal import principal_for_subject
from tests.browser.helpers import (
    SIZES,
    TIMEOUT_MS,
    choose,
    offline_context,
    open_record,
    sign_in,
    whole_page_screenshot,
)

pytestmark = pytest.mark.browser
MET = "liaison.met"
IMAGE_SHA = "5e" * 32
SHOTS = Path(os.environ.get("COORD_SHOTS", "/tmp/shots_seize"))


def entered_package(database_url: str, reference: str) -> int:
    """A MET package planned for now and moved to entered: the team is inside."""
    engine = make_engine(database_url)
    with read_session(engine) as session:
        met = principal_for_subject(session, MET)
    with write_session(engine) as session:
        package_id = services.create_package(session, met, {
            "reference": reference, "jurisdiction": "GB-EAW", "address": f"{reference} Synthetic Road, London",
            "team_call_sign": "ALPHA-7", "legal_authority": "Warrant W/77",
            "h_hour": datetime.now(UTC).replace(second=0, microsecond=0).isoformat()}).id
    for status in ("briefed", "deployed", "entered"):
        with write_session(engine) as session:
            version = session.get(TargetPackage, package_id).version
            services.change_package_status(session, met, package_id, version, status)
    engine.dispose()
    return package_id


def rows(database_url: str, query) -> list:
    engine = make_engine(database_url)
    with read_session(engine) as session:
        found = list(session.execute(query).all())
    engine.dispose()
    return found


def test_a_phone_and_a_laptop_are_seized_at_the_door_and_the_phone_acquired_later(stack, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    package_id = entered_package(stack.database_url, "SZ-1")
    ours = select(EvidenceItem.id).where(EvidenceItem.reference.like("SZ-1-%"))  # the stack is the session's
    context = offline_context(browser, viewport=SIZES["phone"])
    try:
        phone = context.new_page()
        phone.set_default_timeout(TIMEOUT_MS)
        sign_in(phone, stack.app, MET)
        phone.goto(f"{stack.app}/my_packages")
        card = phone.locator(f".st-key-card-{package_id}")
        expect(card.get_by_text("England and Wales", exact=False)).to_be_visible()  # named, not GB-EAW
        card.get_by_role("button", name="Searched: items seized").click()
        form = card.get_by_test_id("stForm")
        expect(form.get_by_label("Item 1 description")).to_be_visible()
        choose(phone, "Item 1 type", "phone", form)
        for label, value in (("Item 1 description", "black iPhone, screen cracked"),
                             ("Item 1 where found", "kitchen drawer"), ("Item 1 seal number", "SEAL-7001"),
                             ("Item 1 condition", "switched off, Faraday bag"), ("Item 1 seized by", "DC Example")):
            form.get_by_label(label).fill(value)
        form.get_by_role("button", name="Add another item").click()
        expect(form.get_by_label("Item 2 description")).to_be_visible()
        expect(form.get_by_label("Item 1 description")).to_have_value("black iPhone, screen cracked")  # kept
        choose(phone, "Item 2 type", "laptop", form)
        for label, value in (("Item 2 description", "grey ThinkPad"), ("Item 2 where found", "bedroom desk"),
                             ("Item 2 seal number", "SEAL-7002"), ("Item 2 condition", "lid closed, on")):
            form.get_by_label(label).fill(value)
        record = form.get_by_role("button", name="Record the search and its items")
        box = record.bounding_box()
        assert box["width"] >= 280  # the confirmation spans the form across the phone
        whole_page_screenshot(phone, SHOTS / "1-phone-two-items.png")
        assert rows(stack.database_url, ours) == []  # nothing before the confirmation
        laptop_hash = form.get_by_role("textbox", name="Item 2 SHA-256 (data handed over only)")
        laptop_hash.fill("not a hash")  # a slip of the finger
        record.click()
        expect(form.get_by_text("is not a SHA-256 digest (64 hexadecimal characters)", exact=False)).to_be_visible()
        expect(form.get_by_label("Item 1 seal number")).to_have_value("SEAL-7001")  # the other row kept
        whole_page_screenshot(phone, SHOTS / "1b-phone-row-refused.png")
        assert rows(stack.database_url, ours) == []  # nothing written
        laptop_hash.fill("")  # a sealed laptop has none
        record.click()
        expect(phone.get_by_text("SZ-1 is now searched: items seized (was entered).")).to_be_visible()
        phone.screenshot(path=SHOTS / "2-phone-recorded.png")
    finally:
        context.close()
    seized = rows(stack.database_url, select(EvidenceItem.reference, EvidenceItem.item_type, EvidenceItem.sha256,
                                             EvidenceItem.where_found).where(EvidenceItem.reference.like("SZ-1-%"))
                 .order_by(EvidenceItem.reference))
    assert [(r.reference, r.item_type.value, r.sha256, r.where_found) for r in seized] == [
        ("SZ-1-E1", "phone", None, "kitchen drawer"), ("SZ-1-E2", "laptop", None, "bedroom desk")]

    desk_context = offline_context(browser, viewport=SIZES["desk"])
    try:
        desk = desk_context.new_page()
        desk.set_default_timeout(TIMEOUT_MS)
        open_record(desk, stack.app, MET, "Evidence", "SZ-1-E1", by="exhibit reference")
        desk.get_by_role("tab", name="Acquisitions").click()
        expect(desk.get_by_text("No acquisition of SZ-1-E1 is recorded yet", exact=False)).to_be_visible()
        form = desk.get_by_test_id("stForm").filter(has=desk.get_by_role("button", name="Record the acquisition"))
        choose(desk, "Method *", "full file system extraction", form)
        for label, value in (("Tool *", "Cellebrite UFED"), ("Tool version *", "7.69"), ("Examiner *", "DC Forensic"),
                             ("SHA-256 of the image *", IMAGE_SHA), ("Lab (where it was made) *", "Met lab"),
                             ("Held by (person or unit at the lab) *", "Met lab exhibits officer")):
            form.get_by_label(label).fill(value)
        form.get_by_role("button", name="Record the acquisition").click()
        expect(desk.get_by_text(f"ACQ-SZ-1-E1-1 recorded: the full file system extraction of SZ-1-E1, "
                                f"SHA-256 {IMAGE_SHA}, held by Met lab exhibits officer.")).to_be_visible()
        desk.get_by_role("tab", name="Acquisitions").click()
        expect(desk.get_by_text("Custody of ACQ-SZ-1-E1-1")).to_be_visible()
        desk.get_by_text("Custody of ACQ-SZ-1-E1-1").click()
        desk.get_by_role("button", name="Review the hand-over").click()  # nothing typed: asked nothing
        expect(desk.get_by_text("To holder (person or unit) is required")).to_be_visible()
        expect(desk.get_by_text("Record the hand-over of", exact=False)).to_have_count(0)
        whole_page_screenshot(desk, SHOTS / "3-desk-acquisition.png")
    finally:
        desk_context.close()
    acquired = rows(stack.database_url, select(Acquisition.reference, Acquisition.sha256)
                    .where(Acquisition.reference.like("ACQ-SZ-1-%")))
    assert [(a.reference, a.sha256) for a in acquired] == [("ACQ-SZ-1-E1-1", IMAGE_SHA)]
