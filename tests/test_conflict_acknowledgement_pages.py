"""Conflicts on the pages, in AppTest: the action-day board lists the conflicts command has not
acknowledged first, and a commander acknowledges one with a note (refused beside its field when
empty, confirmed when saved); each package's card on "My agency's packages" says it is in conflict,
with whom as its liaison may read it, and whether command has acknowledged it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from coordination import services
from coordination.models import ConflictAcknowledgement, PackageConflict, TargetPackage
from tests.helpers import open_page

NOTE = "Both teams briefed, FBI's P-FBI enters first"


@pytest.fixture
def conflicts(sqlite_store, key_file, monkeypatch):
    """The app's database, with the deconfliction key (the packages are made by `make`)."""
    monkeypatch.setenv("COORD_DATABASE_URL", str(sqlite_store.engine.url))
    return sqlite_store


def make(store, fbi_marking: str = "AMBER") -> None:
    """MET's P-MET, FBI's P-FBI and, an hour later, NCA's P-NCA at one door: three conflicts, MET's with
    NCA's acknowledged by command."""
    soon = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    for subject, ref, extra in (("liaison.met", "P-MET", {}), ("liaison.fbi", "P-FBI", {"tlp": fbi_marking}),
                                ("liaison.nca", "P-NCA", {"h_hour": (soon + timedelta(hours=1)).isoformat()})):
        with store.writer() as s:
            services.create_package(s, store.principal(subject), {
                "reference": ref, "jurisdiction": "GB-EAW", "address": "37 Barthor Road, London SW1A 1AA",
                "team_call_sign": "ALPHA", "legal_authority": "W/1", "h_hour": soon.isoformat()} | extra)
    with store.writer() as s:
        services.acknowledge_conflict(s, store.principal("commander.met"), conflict_with(store, "P-NCA"),
                                      "NCA waits for MET's all-clear")


def conflict_with(store, ref: str) -> int:
    """The conflict of MET's P-MET with `ref`."""
    with store.reader() as s:
        ids = sorted(s.scalars(select(TargetPackage.id).where(TargetPackage.reference.in_(["P-MET", ref]))))
        return s.scalar(select(PackageConflict.id).where(PackageConflict.first_id == ids[0],
                                                         PackageConflict.second_id == ids[1]))


def everything(at) -> str:
    """All the page says, as Streamlit escapes it undone."""
    parts = []
    for group in (at.warning, at.info, at.markdown, at.caption, at.text, at.error, at.success, at.subheader):
        parts += [e.value.replace("\\", "") for e in group]
    return " ".join(parts)


def acknowledgement_form(at, conflict_id: int):
    note = next(t for t in at.text_input if t.key and t.key.startswith(f"conflict-{conflict_id}-acknowledge-note"))
    button = next(b for b in at.button if b.label == "Acknowledge this conflict"
                  and f"conflict-{conflict_id}-acknowledge" in (b.key or ""))
    return note, button


def test_the_board_lists_open_conflicts_first_and_command_acknowledges_one_with_a_note(conflicts):
    make(conflicts)
    at = open_page("commander.met", "action_day")
    assert "Conflicts between packages (3, 2 not acknowledged by command)" in [h.value for h in at.subheader]
    said = [m.value.replace("\\", "") for m in at.markdown]
    open_at = said.index("Command has not acknowledged this conflict yet.")
    acknowledged_at = next(n for n, m in enumerate(said) if m.startswith("Acknowledged by command (Casey Commander"))
    assert open_at < acknowledged_at and "NCA waits for MET's all-clear" in said[acknowledged_at]
    assert [w.value.replace("\\", "").startswith("FBI's package P-FBI and MET's package P-MET conflict")
            for w in at.warning][:1] == [True]  # the open one, first

    fbi = conflict_with(conflicts, "P-FBI")
    note, button = acknowledgement_form(at, fbi)
    button.click().run()  # no note
    assert not at.exception
    assert any(e.value.replace("\\", "").startswith("The note is required: say what command decided")
               for e in at.error)
    with conflicts.reader() as s:
        assert s.scalar(select(ConflictAcknowledgement).filter_by(conflict_id=fbi)) is None

    note, button = acknowledgement_form(at, fbi)
    note.input(NOTE)
    button.click().run()
    assert not at.exception
    assert [s.value.replace("\\", "") for s in at.success] == [
        "Conflict acknowledged; both lead agencies' liaisons are told."]
    with conflicts.reader() as s:
        assert s.scalar(select(ConflictAcknowledgement).filter_by(conflict_id=fbi)).note == NOTE
    assert "Conflicts between packages (3, 1 not acknowledged by command)" in [h.value for h in at.subheader]
    assert any(m.value.replace("\\", "").endswith(NOTE) for m in at.markdown)
    assert len([t for t in at.text_input if (t.key or "").startswith("conflict-")]) == 1  # FBI's with NCA's


def test_a_liaison_reads_the_acknowledgement_on_the_board_and_on_the_card_and_cannot_acknowledge(conflicts):
    make(conflicts)
    with conflicts.writer() as s:
        services.acknowledge_conflict(s, conflicts.principal("commander.met"), conflict_with(conflicts, "P-FBI"), NOTE)
    board = open_page("liaison.fbi", "action_day")
    assert not [t for t in board.text_input if (t.key or "").startswith("conflict-")]
    assert any(m.value.replace("\\", "").endswith(NOTE) for m in board.markdown)
    cards = open_page("liaison.met", "my_packages")
    told = [i.value.replace("\\", "") for i in cards.info]
    assert len(told) == 2 and all(t.startswith("Your agency's package P-MET conflicts (same address") for t in told)
    assert any("with FBI's package P-FBI" in t and t.endswith(NOTE) for t in told)
    assert any("with NCA's package P-NCA" in t and t.endswith("NCA waits for MET's all-clear") for t in told)


def test_a_liaison_who_may_not_read_the_other_package_learns_nothing_of_it_from_card_or_board(conflicts):
    make(conflicts, fbi_marking="AMBER+STRICT")
    with conflicts.writer() as s:
        services.acknowledge_conflict(s, conflicts.principal("commander.met"), conflict_with(conflicts, "P-FBI"), NOTE)
    for page in ("my_packages", "action_day", "inbox"):
        at = open_page("liaison.met", page)
        text = everything(at)
        assert "another agency's package; contact command" in text or page == "inbox", page
        for secret in ("FBI", "P-FBI", NOTE, "enters first"):
            assert secret not in text, (page, secret)
    with conflicts.reader() as s:
        assert s.scalar(select(func.count()).select_from(ConflictAcknowledgement)) == 2
