"""Deconfliction end to end, in two real browser windows through the real OpenID provider: the Dutch
liaison adds a wallet the FBI holds; the FBI liaison, watching the Deconfliction page, sees the hit at
its next refresh; the Dutch liaison asks for contact; the FBI approves with H2; the Dutch liaison opens
the FBI's record and reads the condition on it. Until then the record stays the FBI's alone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from coordination import deconfliction_key, services
from coordination.db import make_engine, write_session
from coordination.kinds import SUSPECTS
from coordination.principal import principal_for_subject
from tests.browser.helpers import choose, go_to, second_window, sign_in

pytestmark = pytest.mark.browser

WALLET = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"  # checksum-valid; a well-known example address
DUTCH, THEIRS = "DCF-NL-1", "DCF-FBI-1"


@pytest.fixture
def held(stack, monkeypatch):
    """A Dutch suspect; an FBI suspect, AMBER+STRICT (unreadable to the Dutch), holding the wallet."""
    monkeypatch.setenv(deconfliction_key.ENVIRONMENT, str(stack.key_file))
    engine = make_engine(stack.database_url)
    with write_session(engine) as session:
        nl, fbi = (principal_for_subject(session, s) for s in ("liaison.nl-police", "liaison.fbi"))
        services.create_suspect(session, nl, {"reference": DUTCH, "full_name": "Synthetic Dutch Subject",
                                              "tier": "heavy user", "status": "identified"})
        theirs = services.create_suspect(session, fbi, {"reference": THEIRS, "full_name": "Synthetic US Subject",
                                                        "tier": "money handler", "status": "located",
                                                        "tlp": "AMBER+STRICT"})
        services.add_identifier(session, fbi, SUSPECTS, theirs.id, "crypto wallet", WALLET)
    engine.dispose()
    return stack


def open_suspect(page: Page, key: str) -> None:
    """Type the reference and press Enter, once: what is sent is opened, even when the page reruns
    meanwhile (this clicks the link of the page it is on, which reruns it while the box is typed in)."""
    go_to(page, "Suspects")
    box = page.get_by_label("Open by reference")
    box.fill(key)
    box.press("Enter")


def test_a_shared_wallet_is_told_asked_about_approved_and_read_under_its_condition(held, page):
    fbi = second_window(page)
    sign_in(fbi, held.app, "liaison.fbi")
    go_to(fbi, "Deconfliction")
    expect(fbi.get_by_text("No open hits")).to_be_visible()

    sign_in(page, held.app, "liaison.nl-police")
    open_suspect(page, "FBI/" + THEIRS)  # not readable yet: AMBER+STRICT of another agency
    expect(page.get_by_text("no suspect with that reference is visible to you")).to_be_visible()
    open_suspect(page, DUTCH)
    expect(page.get_by_role("heading", name=DUTCH, exact=True)).to_be_visible()
    page.get_by_role("tab", name="Identifiers").click()
    choose(page, "Kind of identifier", "crypto wallet")
    expect(page.get_by_label("Chain (Bitcoin, Litecoin or Ethereum", exact=False)).to_be_visible()  # redrawn
    expect(page.get_by_label("Value *")).to_have_count(1)  # the phone number's input is gone
    page.get_by_label("Value *").fill(WALLET)
    page.get_by_role("button", name="Add identifier").click()
    expect(page.get_by_text(f"Added the crypto wallet to {DUTCH}")).to_be_visible()
    expect(page.get_by_text("FBI also holds this crypto wallet (hit found ")).to_be_visible()

    # the FBI's page refreshes by itself (every 2 s in the test stack): no reload
    expect(fbi.get_by_text("1 open hit, newest first")).to_be_visible()
    expect(fbi.get_by_test_id("stDataFrame")).to_contain_text("NL-POLICE also holds this crypto wallet")

    page.get_by_text("Ask FBI for contact").click()
    page.get_by_label("Why you ask (the other agency reads it) *").fill(
        "Our subject paid into it; we plan a search next week")
    page.get_by_role("button", name="Ask for contact").click()
    expect(page.get_by_text("Asked FBI for contact about the crypto wallet on " + DUTCH)).to_be_visible()

    fbi.get_by_role("tab", name="Contact requests").click()
    expect(fbi.get_by_text("Our subject paid into it")).to_be_visible()
    choose(fbi, "Handling condition, if you approve", "H2")
    fbi.get_by_role("button", name="Approve").click()
    expect(fbi.get_by_text("NL-POLICE's request approved with H2 (not to be passed on without permission).")) \
        .to_be_visible()

    open_suspect(page, "FBI/" + THEIRS)
    expect(page.get_by_role("heading", name=THEIRS, exact=True)).to_be_visible()
    expect(page.get_by_text("Handling condition H2: not to be passed on without permission.")).to_be_visible()
    expect(page.get_by_text("Read under a contact request FBI approved on")).to_be_visible()
    fbi.context.close()
