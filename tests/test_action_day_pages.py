"""The action day's pages in AppTest: a liaison moves their agency's packages with taps (and an abort
with a tapped reason, a search with its items), the board shows what its viewer may see, and
redraws only when the audit head moved."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from coordination import db, services
from coordination.models import Arrest, EvidenceItem, PackageStatus, PackageStatusChange, TargetPackage, UserSession
from coordination.ui import gate
from tests.conftest import suspect
from tests.helpers import open_page
from tests.test_records_ui import open_record, said


@pytest.fixture
def day(sqlite_store, monkeypatch):
    """MET: P-1 planned for two subjects, P-2 entered, P-STRICT (AMBER+STRICT) nil; FBI: P-FBI planned."""
    monkeypatch.setenv("COORD_DATABASE_URL", str(sqlite_store.engine.url))
    store = sqlite_store
    met, fbi = store.principal("liaison.met"), store.principal("liaison.fbi")
    soon = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    with store.writer() as s:
        for ref in ("S-1", "S-2"):
            suspect(s, met, ref, status="located")
        for ref, who, extra in [("P-1", met, {"subjects": "S-1, S-2"}), ("P-2", met, {"subjects": "S-1"}),
                                ("P-STRICT", met, {"tlp": "AMBER+STRICT"}), ("P-FBI", fbi, {"jurisdiction": "US-CA"})]:
            services.create_package(s, who, {
                "reference": ref, "jurisdiction": "GB-EAW", "address": f"{ref} Street", "team_call_sign": "ALPHA",
                "legal_authority": "W/1", "h_hour": soon.isoformat()} | extra)
    for ref, path in [("P-2", ["briefed", "deployed", "entered"]),
                      ("P-STRICT", ["briefed", "deployed", "entered", "nil: subject not present"])]:
        for status in path:
            change(store, ref, status, note="nobody home" if status.startswith("nil") else "")
    return store


def package(store, ref: str) -> TargetPackage:
    with store.reader() as s:
        return s.scalar(select(TargetPackage).where(TargetPackage.reference == ref))


def change(store, ref: str, status: str, note: str = "") -> None:
    found = package(store, ref)
    with store.writer() as s:
        services.change_package_status(s, store.principal("liaison.met"), found.id, found.version, status, note=note)


def tap(at, store, ref: str, label: str):
    prefix = f"package-{package(store, ref).id}-"
    chosen = next(b for b in at.button if b.key and b.key.startswith(prefix) and b.label == label)
    chosen.click().run()
    assert not at.exception
    return at


def test_a_liaison_moves_a_package_with_one_tap_and_reads_a_confirmation(day):
    at = open_page("liaison.met", "my_packages")
    assert at.title[0].value == "MET packages"
    labels = [b.label for b in at.button if b.key and b.key.startswith(f"package-{package(day, 'P-1').id}-")]
    assert labels == ["Briefed", "Abort"]
    tap(at, day, "P-1", "Briefed")
    assert package(day, "P-1").status is PackageStatus.BRIEFED
    assert any("P-1 is now briefed (was planned)." in s.value.replace("\\", "") for s in at.success)  # shown escaped
    texts = " ".join(t.value for t in at.text)
    assert "P-FBI" not in texts and "P-FBI" not in " ".join(m.value for m in at.markdown)  # another agency's


def test_an_abort_takes_a_tapped_reason(day):
    at = open_page("liaison.met", "my_packages")
    tap(at, day, "P-1", "Abort")
    tap(at, day, "P-1", "Operation compromised")  # chosen; the confirmation records it
    tap(at, day, "P-1", "Confirm: abort P-1")
    assert package(day, "P-1").status is PackageStatus.ABORTED
    with day.reader() as s:
        assert s.scalar(select(PackageStatusChange.note).order_by(PackageStatusChange.id.desc()).limit(1)) \
            == "Operation compromised"


def test_arrest_made_arrests_the_ticked_subjects(day):
    for status in ("briefed", "deployed", "entered"):
        change(day, "P-1", status)
    at = open_page("liaison.met", "my_packages")
    tap(at, day, "P-1", "Arrest made")  # the confirmation step names who is arrested
    next(c for c in at.checkbox if c.label == "Arrested: S-2").uncheck().run()
    tap(at, day, "P-1", "Confirm: arrest made")
    with day.reader() as s:
        assert [a.suspect.reference for a in s.scalars(select(Arrest))] == ["S-1"]


def test_a_search_records_its_items_or_nothing_with_the_reason(day):
    """Rows added on the phone; a refused row's reason under it, the others kept as typed, nothing written
    until all pass; a phone and a laptop sealed without hashes."""
    at = open_page("liaison.met", "my_packages")
    tap(at, day, "P-2", "Searched: items seized")
    pid = package(day, "P-2").id
    submit = f"FormSubmitter:package-{pid}-seized-Record the search and its items"
    more = f"FormSubmitter:package-{pid}-seized-Add another item"
    assert at.text_input(key=f"package-{pid}-ex-0-sha256").proto.help  # the rule said beside the field

    def row(n: int, kind: str, description: str, **fields) -> None:
        at.selectbox(key=f"package-{pid}-ex-{n}-type").select(kind)
        at.text_input(key=f"package-{pid}-ex-{n}-description").input(description)
        for name, value in fields.items():
            at.text_input(key=f"package-{pid}-ex-{n}-{name}").input(value)

    row(0, "phone", "black iPhone", where="kitchen drawer", seal="SEAL-1", condition="switched off")
    at.button(key=more).click().run()
    row(1, "laptop", "grey laptop", seal="SEAL-2", sha256="not a hash")
    at.button(key=more).click().run()
    assert at.selectbox(key=f"package-{pid}-ex-2-type").value == ""  # a third row, left empty: not sent
    at.button(key=submit).click().run()
    assert not at.exception
    assert at.session_state[f"package-{pid}-row-problems"] == {
        1: ["SHA-256 (data handed over only) is not a SHA-256 digest (64 hexadecimal characters)"]}
    assert any("is not a SHA-256 digest" in e.value.replace("\\", "") for e in at.error)  # shown escaped
    assert any("item 2 needs correcting" in e.value for e in at.error)  # the card says which
    assert at.text_input(key=f"package-{pid}-ex-0-description").value == "black iPhone"  # kept as typed
    assert package(day, "P-2").status is PackageStatus.ENTERED
    with day.reader() as s:
        assert s.scalar(select(func.count()).select_from(EvidenceItem)) == 0
    at.text_input(key=f"package-{pid}-ex-1-sha256").input("")  # a sealed laptop has no hash
    at.button(key=submit).click().run()
    assert not at.exception
    assert package(day, "P-2").status is PackageStatus.ITEMS_SEIZED
    with day.reader() as s:
        items = s.scalars(select(EvidenceItem).order_by(EvidenceItem.reference)).all()
        assert [(i.reference, i.item_type.value, i.sha256) for i in items] == [
            ("P-2-E1", "phone", None), ("P-2-E2", "laptop", None)]
        assert items[0].where_found == "kitchen drawer"


def test_a_packages_card_names_its_jurisdiction(day):
    at = open_page("liaison.met", "my_packages")
    captions = " ".join(c.value.replace("\\", "") for c in at.caption)
    assert "· England and Wales · team ALPHA" in captions and "GB-EAW" not in captions, captions


@pytest.mark.parametrize("typed", ["99:99", "7.40"])
def test_a_time_seized_not_typed_as_hh_mm_is_refused_in_the_forms_own_words(day, typed):
    """The field asks for HH:MM: a slip is refused under its row saying so, never in the ISO form the
    service reads; the other rows kept, nothing written."""
    at = open_page("liaison.met", "my_packages")
    tap(at, day, "P-2", "Searched: items seized")
    pid = package(day, "P-2").id
    at.selectbox(key=f"package-{pid}-ex-0-type").select("phone")
    at.text_input(key=f"package-{pid}-ex-0-description").input("black iPhone")
    at.text_input(key=f"package-{pid}-ex-0-at").input(typed)
    at.button(key=f"FormSubmitter:package-{pid}-seized-Record the search and its items").click().run()
    assert not at.exception
    shown = " ".join(e.value.replace("\\", "") for e in at.error)
    assert f"Time seized '{typed}' is not a time of day: type it as HH:MM (e.g. 06:40)" in shown, shown
    assert "YYYY" not in shown and "item 1 needs correcting" in shown
    assert at.text_input(key=f"package-{pid}-ex-0-description").value == "black iPhone"
    assert package(day, "P-2").status is PackageStatus.ENTERED
    with day.reader() as s:
        assert s.scalar(select(func.count()).select_from(EvidenceItem)) == 0


def test_a_time_seized_later_than_now_is_refused_in_words(day):
    """'Later than now' said with the local time now, not an ISO moment 'in the future'. The package is
    in whichever of two jurisdictions it is day in (03:00-21:59), so the hour after now is today's."""
    code, zone = next((code, zone) for code, zone in (("GB-EAW", "Europe/London"), ("US-CA", "America/Los_Angeles"))
                      if 3 <= datetime.now(ZoneInfo(zone)).hour <= 21)
    with day.writer() as s:
        services.create_package(s, day.principal("liaison.met"), {
            "reference": "P-LATE", "jurisdiction": code, "address": "1 Late Street", "team_call_sign": "ALPHA",
            "legal_authority": "W/1", "h_hour": datetime.now(UTC).replace(microsecond=0).isoformat()})
    for status in ("briefed", "deployed", "entered"):
        change(day, "P-LATE", status)
    later = f"{datetime.now(ZoneInfo(zone)) + timedelta(hours=1):%H:%M}"
    at = open_page("liaison.met", "my_packages")
    tap(at, day, "P-LATE", "Searched: items seized")
    pid = package(day, "P-LATE").id
    at.selectbox(key=f"package-{pid}-ex-0-type").select("phone")
    at.text_input(key=f"package-{pid}-ex-0-description").input("black iPhone")
    at.text_input(key=f"package-{pid}-ex-0-at").input(later)
    at.button(key=f"FormSubmitter:package-{pid}-seized-Record the search and its items").click().run()
    assert not at.exception
    shown = " ".join(e.value.replace("\\", "") for e in at.error)
    assert f"Time seized '{later}' is later than now (" in shown and "in the future" not in shown, shown
    assert package(day, "P-LATE").status is PackageStatus.ENTERED
    with day.reader() as s:
        assert s.scalar(select(func.count()).select_from(EvidenceItem)) == 0


def test_the_board_shows_what_its_viewer_may_see_and_the_reasons(day):
    at = open_page("commander.met", "action_day")
    assert at.title[0].value == "Action day board"
    tables = [t.value for t in at.dataframe]
    stopped = tables[-1]
    assert list(stopped["Package"]) == ["P-STRICT"] and list(stopped["Reason"]) == ["nobody home"]
    assert list(stopped["Jurisdiction"]) == ["England and Wales"]  # its name, never its code
    fbi = open_page("liaison.fbi", "action_day")
    assert "P-STRICT" not in " ".join(str(t.value.to_dict()) for t in fbi.dataframe)
    assert [m.value for m in fbi.metric][0] == "3"  # P-1, P-2 and P-FBI


def test_the_board_redraws_after_a_write_and_only_then(day):
    at = open_page("commander.met", "action_day")
    before = at.session_state["action-day-board-head"][0]
    at.run()
    assert at.session_state["action-day-board-head"][0] == before  # nothing written: the same head
    change(day, "P-1", "briefed")
    at.run()
    assert at.session_state["action-day-board-head"][0] > before
    counts = at.dataframe[0].value
    assert int(counts.loc[counts["Jurisdiction"] == "England and Wales", "briefed"].iloc[0]) == 1  # named


def test_the_target_packages_page_lists_what_its_viewer_may_see(day):
    commander = open_page("commander.met", "packages")
    assert commander.title[0].value == "Target packages"
    shown = " ".join(str(t.value.to_dict()) for t in commander.dataframe)
    assert all(ref in shown for ref in ("P-1", "P-2", "P-STRICT", "P-FBI"))
    fbi = open_page("liaison.fbi", "packages")
    shown = " ".join(str(t.value.to_dict()) for t in fbi.dataframe)
    assert "P-FBI" in shown and "P-STRICT" not in shown


@pytest.mark.parametrize(("day_picked", "utc"), [
    (date(2030, 11, 7), datetime(2030, 11, 7, 14, 0, tzinfo=UTC)),  # PST, UTC-8
    (date(2030, 7, 7), datetime(2030, 7, 7, 13, 0, tzinfo=UTC)),  # PDT, UTC-7
])
def test_a_new_packages_h_hour_is_picked_in_its_jurisdictions_local_time(day, day_picked, utc):
    at = open_page("liaison.met", "packages")
    assert at.date_input(key="packages-new-h_hour-date").label == "Planned H-hour (date, local time) *"
    for name, value in {"reference": "P-NEW", "address": "1 Ocean Avenue, Los Angeles", "team_call_sign": "ECHO-1",
                        "legal_authority": "Warrant US/1"}.items():
        at.text_input(key=f"packages-new-{name}").input(value)
    at.selectbox(key="packages-new-jurisdiction").select("US-CA")
    at.date_input(key="packages-new-h_hour-date").set_value(day_picked)
    at.time_input(key="packages-new-h_hour-time").set_value(dt_time(6, 0))
    at.button(key="packages-create-Create").click().run()  # a live form (record_forms): a plain button
    assert not at.exception
    assert "Created P-NEW." in said(at.success), said(at.error)
    assert package(day, "P-NEW").h_hour == utc


def test_a_packages_h_hour_is_shown_for_editing_in_local_time_with_utc_beside(day):
    at = open_record(open_page("liaison.fbi", "packages"), "packages", "P-FBI")
    found = package(day, "P-FBI")
    local = found.h_hour.astimezone(ZoneInfo("America/Los_Angeles"))
    editing = f"packages-{found.id}-h_hour"
    assert at.time_input(key=f"{editing}-time").value == local.time().replace(second=0, tzinfo=None)
    assert any(c.value.startswith(f"Saved as **{found.h_hour:%a %d %b %Y %H:%M} UTC**") for c in at.caption)
    assert any("America/Los_Angeles, P" in c and c.endswith(" now.") for c in said(at.caption))  # its zone named


def idle_for(store, subject: str, minutes: int) -> None:
    """As if nobody had touched the page for `minutes` (the sign-in's idle clock moved back)."""
    with store.writer() as s:
        for row in s.scalars(select(UserSession).where(UserSession.subject == subject)):
            row.last_seen_at = datetime.now(UTC) - timedelta(minutes=minutes)
        s.commit()


def last_seen(store, subject: str) -> datetime:
    with store.reader() as s:
        return s.scalar(select(UserSession.last_seen_at).where(UserSession.subject == subject))


def test_the_boards_own_redraws_are_not_activity_and_an_idle_board_is_signed_out(day):
    at = open_page("commander.met", "action_day")
    idle_for(day, "commander.met", 29)
    quiet_since = last_seen(day, "commander.met")
    change(day, "P-1", "briefed")  # the board redraws itself for the change
    at.session_state[gate.BY_ITSELF_KEY] = True
    at.run()
    assert at.title[0].value == "Action day board" and last_seen(day, "commander.met") == quiet_since
    idle_for(day, "commander.met", 31)
    at.session_state[gate.BY_ITSELF_KEY] = True
    at.run()
    assert not at.exception
    assert not [t for t in at.title if t.value == "Action day board"]
    assert any("without activity" in m.value for m in [*at.info, *at.warning, *at.error, *at.markdown])


def test_a_person_at_the_board_keeps_it_alive(day):
    at = open_page("commander.met", "action_day")
    idle_for(day, "commander.met", 29)
    quiet_since = last_seen(day, "commander.met")
    at.selectbox(key="board-day").select_index(0).run()  # a person's choice: activity
    assert last_seen(day, "commander.met") > quiet_since


def test_the_boards_own_redraw_writes_nothing_so_never_waits_for_writers(day, monkeypatch):
    """While another replica's long write holds SQLite's lock, the app's connections may not wait for it
    at all (a busy timeout of 0): a redraw that wrote, or waited to, would fail with "database is locked"."""
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 0)  # the app's engine is made with it (by the URL: its own)
    at = open_page("commander.met", "action_day")
    change(day, "P-1", "briefed")
    writer = sqlite3.connect(day.engine.url.database, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # another replica's long write holds the lock
        at.session_state[gate.BY_ITSELF_KEY] = True
        at.run()
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert not at.exception and at.title[0].value == "Action day board"
