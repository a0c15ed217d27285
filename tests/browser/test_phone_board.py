"""A phone board that never misleads, in Chromium on a 390x844 phone (issue 26): "My agency's
packages" follows the day by itself while a note is being typed, keeps the note, waits for an
arrest's confirmation, and refuses a confirmation pressed on a package that has moved since in words
naming who moved it and when, writing nothing; and refuses a first tap on a card the phone still shows
after the server redrew it (the phone's websocket holds back what the server sends, so the tap lands
on the stale button, deterministically, as it would on a slow phone network)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from coordination import audit, services
from coordination.db import make_engine, read_session, write_session
from coordination.models import Arrest, PackageStatus, PackageStatusChange, TargetPackage
from coordination.principal import principal_for_subject
from coordination.text import plain
from tests.browser.helpers import SIZES, TIMEOUT_MS, offline_context, sign_in, whole_page_screenshot

pytestmark = pytest.mark.browser
NOOR = "liaison.nl-police"  # Noor Liaison: the phone, and the same liaison on another device


def made(database_url: str, reference: str, subject: str, through: tuple[str, ...]) -> int:
    """A Dutch package for one suspect, planned for now, moved `through` these statuses."""
    engine = make_engine(database_url)
    with read_session(engine) as session:
        nl = principal_for_subject(session, NOOR)
    with write_session(engine) as session:
        services.create_suspect(session, nl, {"reference": subject, "full_name": "Synthetic Subject",
                                              "tier": "user", "status": "located"})
        package_id = services.create_package(session, nl, {
            "reference": reference, "jurisdiction": "NL", "address": f"{reference} Synthetic Gracht, Amsterdam",
            "team_call_sign": "ORANJE-2", "subjects": subject, "legal_authority": "Warrant NL/2",
            "h_hour": datetime.now(UTC).replace(second=0, microsecond=0).isoformat()}).id
    engine.dispose()
    for status in through:
        moved(database_url, package_id, status)
    return package_id


def moved(database_url: str, package_id: int, status: str) -> None:
    engine = make_engine(database_url)
    with read_session(engine) as session:
        nl = principal_for_subject(session, NOOR)
    with write_session(engine) as session:
        version = session.get(TargetPackage, package_id).version
        services.change_package_status(session, nl, package_id, version, status)
    engine.dispose()


def state(database_url: str, package_id: int) -> tuple[PackageStatus, int, int]:
    engine = make_engine(database_url)
    with read_session(engine) as session:
        package = session.get(TargetPackage, package_id)
        arrests = session.scalar(select(func.count()).select_from(Arrest).where(Arrest.place == package.address))
        found = (package.status, package.version, arrests)
    engine.dispose()
    return found


def test_the_phone_follows_the_day_keeps_a_note_and_refuses_a_stale_confirmation(stack, browser, tmp_path):
    entered = made(stack.database_url, "NL-P-2", "NL-S-2", ("briefed", "deployed", "entered"))
    other = made(stack.database_url, "NL-P-3", "NL-S-3", ())
    context = offline_context(browser, viewport=SIZES["phone"])
    try:
        phone = context.new_page()
        phone.set_default_timeout(TIMEOUT_MS)
        sign_in(phone, stack.app, NOOR)
        phone.goto(f"{stack.app}/my_packages")
        card, other_card = phone.locator(f".st-key-card-{entered}"), phone.locator(f".st-key-card-{other}")
        expect(card.get_by_text("NL-P-2 · entered", exact=False)).to_be_visible()
        phone.evaluate("window.phoneNotReloaded = true")  # gone if the page is loaded again

        note = card.get_by_label("Note (optional)")
        note.click()
        note.press_sequentially("door forced, two occupants")  # typed, not yet sent: the field has the focus
        moved(stack.database_url, other, "briefed")  # another package moves meanwhile
        expect(other_card.get_by_text("NL-P-3 · briefed", exact=False)).to_be_visible()  # by itself
        assert phone.evaluate("window.phoneNotReloaded === true")
        expect(note).to_have_value("door forced, two occupants")

        card.get_by_role("button", name="Arrest made").click()
        confirm = card.get_by_role("button", name="Confirm: arrest made")
        expect(confirm).to_be_visible()
        box = confirm.bounding_box()
        assert box["width"] >= 300 and box["height"] >= 48  # a large target on a 390 px screen
        status, version, arrests = state(stack.database_url, entered)
        assert (status, arrests) == (PackageStatus.ENTERED, 0)  # one tap: nothing written
        confirm.scroll_into_view_if_needed()
        phone.screenshot(path=tmp_path / "my-packages-phone-confirm.png")

        moved(stack.database_url, entered, "nil: subject not present")  # on Noor's other device
        expect(card.get_by_text("NL-P-2 has changed since you tapped 'Arrest made'", exact=False)).to_be_visible()
        confirm.click()
        refusal = re.compile(r"NL-P-2 is already nil: subject not present \(Noor Liaison, NL-POLICE, "
                             r"\d\d:\d\d CES?T\)\. Nothing recorded\.")
        expect(card.get_by_text(refusal)).to_be_visible()
        expect(card.get_by_role("button", name="Close")).to_be_visible()  # the card as it is now
        assert state(stack.database_url, entered) == (PackageStatus.NIL, version + 1, 0)
        whole_page_screenshot(phone, tmp_path / "my-packages-phone.png")
        phone.screenshot(path=tmp_path / "my-packages-phone-viewport.png")
    finally:
        context.close()


class HeldBack:
    """The phone's websocket to the app, passed through both ways, except that what the server sends
    can be held back and delivered later, in order: the server redraws, the phone does not show it yet
    (a slow network), so a tap lands on the button the phone still shows. Counts what the phone sent."""

    def __init__(self) -> None:
        self.holding = False
        self.held: list[tuple[object, str | bytes]] = []
        self.sent = 0

    def route(self, ws) -> None:
        server = ws.connect_to_server()
        ws.on_message(lambda message: self._to_server(server, message))
        server.on_message(lambda message: self._to_phone(ws, message))

    def _to_server(self, server, message) -> None:
        server.send(message)
        self.sent += 1

    def _to_phone(self, ws, message) -> None:
        if self.holding:
            self.held.append((ws, message))
        else:
            ws.send(message)

    def holds(self, text: str) -> bool:
        return any(text.encode() in (m if isinstance(m, bytes) else m.encode()) for _, m in self.held)

    def release(self) -> None:
        while self.held:  # still holding while delivering: what arrives meanwhile queues behind
            ws, message = self.held.pop(0)
            ws.send(message)
        self.holding = False


def until(page, condition, what: str) -> None:
    """Wait (checking every 50 ms, up to the tests' timeout) for `condition`, a fact outside the page."""
    for _ in range(TIMEOUT_MS // 50):
        if condition():
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"gave up waiting: {what}")


def written(database_url: str, package_id: int) -> tuple:
    """What a refused tap must leave as it was: the package's status and version, its status changes,
    its arrests and the audit trail's head."""
    engine = make_engine(database_url)
    with read_session(engine) as session:
        changes = session.scalar(select(func.count()).select_from(PackageStatusChange)
                                 .where(PackageStatusChange.package_id == package_id))
        found = (*state(database_url, package_id), changes, audit.head(session))
    engine.dispose()
    return found


def test_a_first_tap_on_a_card_redrawn_since_is_refused_in_words(stack, browser, tmp_path):
    """Another device moves a package to briefed; the server redraws Noor's phone, which has not shown
    it yet; Noor taps 'Briefed', the first step the phone still shows. The tap carries the status and
    version it was pressed on: refused, naming who moved it and when; nothing written."""
    planned = made(stack.database_url, "NL-P-4", "NL-S-4", ())
    context = offline_context(browser, viewport=SIZES["phone"])
    held = HeldBack()
    context.route_web_socket("**/_stcore/stream", held.route)
    try:
        phone = context.new_page()
        phone.set_default_timeout(TIMEOUT_MS)
        sign_in(phone, stack.app, NOOR)
        phone.goto(f"{stack.app}/my_packages")
        card = phone.locator(f".st-key-card-{planned}")
        expect(card.get_by_text("NL-P-4 · planned", exact=False)).to_be_visible()
        briefed = card.get_by_role("button", name="Briefed", exact=True)
        expect(briefed).to_be_visible()

        held.holding = True
        moved(stack.database_url, planned, "briefed")  # on Noor's other device
        heading = f"**{plain('NL-P-4')}** · briefed · since"  # the card's heading, as the server draws it now
        until(phone, lambda: held.holds(heading), "the server redrawing the card as briefed")
        expect(card.get_by_text("NL-P-4 · planned", exact=False)).to_be_visible()  # the phone: not yet
        before = written(stack.database_url, planned)
        assert before[0] is PackageStatus.BRIEFED
        taps = held.sent
        briefed.click()  # the stale button, still under the finger
        until(phone, lambda: held.sent > taps, "the tap reaching the server")
        held.release()

        refusal = re.compile(r"NL-P-4 is already briefed \(Noor Liaison, NL-POLICE, \d\d:\d\d CES?T\)\. "
                             r"Nothing recorded\.")
        expect(card.get_by_text(refusal)).to_be_visible()
        expect(card.get_by_text("NL-P-4 · briefed", exact=False)).to_be_visible()
        expect(card.get_by_role("button", name="Deployed", exact=True)).to_be_visible()  # the card as it is now
        assert written(stack.database_url, planned) == before
        phone.screenshot(path=tmp_path / "my-packages-phone-stale-tap.png")
    finally:
        context.close()
