"""The decision log on both stores: commanders write, others read by marking, nothing is ever
changed or deleted (not even by hand-written SQL), corrections chain, pins go with them."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select, text

from coordination import briefing, policy, services
from coordination.errors import NotFound, PermissionDenied, ValidationError
from coordination.markings import TLP
from coordination.models import AuditEvent, Decision, DecisionPin, Outcome
from coordination.queries import decisions

DECISION = {"reference": "DEC-1", "decision": "Strike on Monday 05:00 London time",
            "rationale": "All partners ready; the servers are imaged", "options": "Wait a week; strike now"}


def record(store, subject: str = "commander.met", corrects: int | None = None, **data) -> Decision:
    with store.writer() as session:
        return services.record_decision(session, store.principal(subject), DECISION | data, corrects=corrects)


def log(store, subject: str) -> dict[str, decisions.Entry]:
    with store.reader() as session:
        return {entry.reference: entry for entry in decisions.log(session, store.principal(subject))}


def test_a_commander_records_a_decision_and_others_read_it_by_its_marking(store):
    record(store)
    record(store, reference="DEC-STRICT", tlp="AMBER+STRICT")
    record(store, reference="DEC-RED", tlp="RED", recipients="liaison.fbi")
    entry = log(store, "commander.met")["DEC-1"]
    assert (entry.decision, entry.decided_by, entry.marking) == (
        DECISION["decision"], "Casey Commander (MET)", "OFFICIAL-SENSITIVE TLP:AMBER")
    assert entry.recorded.startswith("Casey Commander (MET), ") and entry.recorded.endswith(" UTC")
    assert set(log(store, "commander.met")) == {"DEC-1", "DEC-STRICT", "DEC-RED"}  # named on RED: the author
    # MET's AMBER+STRICT is MET's only; its RED is for named people of MET (naming FBI's liaison is not enough)
    assert set(log(store, "liaison.fbi")) == {"DEC-1"}
    assert set(log(store, "liaison.met")) == {"DEC-1", "DEC-STRICT"}
    assert set(log(store, "admin")) == set()


@pytest.mark.parametrize("subject", ["liaison.met", "analyst.europol", "observer.eurojust", "admin"])
def test_only_commanders_write_the_log(store, subject):
    who = store.principal(subject)
    assert not policy.can_record_decision(who) and not policy.can_pin_decision(who)
    with pytest.raises(PermissionDenied, match="may not create this decision"):
        record(store, subject)
    with store.reader() as session:
        assert session.scalar(select(func.count()).select_from(Decision)) == 0
        refused = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
        assert (refused.outcome, refused.entity) == (Outcome.REFUSED, "decision")


def test_the_database_refuses_to_change_or_delete_the_log(store):
    first = record(store)
    with store.writer() as session:
        services.pin_decision(session, store.principal("commander.met"), first.id, True)
    for statement in ("UPDATE decision SET decision = 'something else'", "DELETE FROM decision",
                      "UPDATE decision_pin SET pinned = false", "DELETE FROM decision_pin"):
        with pytest.raises(Exception, match="append-only"), store.engine.begin() as connection:
            connection.execute(text(statement))
    entry = log(store, "commander.met")["DEC-1"]
    assert entry.decision == DECISION["decision"] and entry.pinned


def test_a_correction_is_a_new_entry_and_the_old_one_shows_as_corrected(store):
    commander = store.principal("commander.met")
    first = record(store)
    with store.writer() as session:
        services.pin_decision(session, commander, first.id, True)
    second = record(store, corrects=first.id, reference="DEC-2", decision="Strike on Tuesday 05:00")
    entries = log(store, "liaison.fbi")
    assert (entries["DEC-1"].corrected_by, entries["DEC-2"].corrects) == ("DEC-2", "DEC-1")
    assert entries["DEC-1"].decision == DECISION["decision"]  # kept as it was
    assert (entries["DEC-1"].pinned, entries["DEC-2"].pinned) == (False, True)  # the pin goes to the correction
    with pytest.raises(ValidationError) as refused:
        record(store, corrects=first.id, reference="DEC-3")
    assert "has been corrected already" in refused.value.problems["corrects"]
    record(store, corrects=second.id, reference="DEC-3")
    entries = log(store, "commander.met")
    assert [entries[r].corrected_by for r in ("DEC-1", "DEC-2", "DEC-3")] == ["DEC-2", "DEC-3", None]


def test_a_correction_of_an_entry_the_author_may_not_read_is_refused_as_a_missing_one(store):
    hidden = record(store, "commander.met", reference="DEC-RED", tlp="RED", recipients="liaison.met")
    other = store.principal("commander.met")
    with store.writer() as session:  # the author is always a recipient: take a commander who is not named
        session.execute(text("DELETE FROM recipient WHERE user_id = :me"), {"me": other.user_id})
        session.commit()
    for target in (hidden.id, 999_999):
        with pytest.raises(NotFound, match="does not exist or is not visible to you"):
            record(store, corrects=target, reference=f"DEC-{target}")


def test_pinning_is_for_commanders_and_asking_twice_writes_once(store):
    first = record(store)
    with store.writer() as session:
        with pytest.raises(PermissionDenied, match="may not change this decision"):
            services.pin_decision(session, store.principal("liaison.met"), first.id, True)
    for pinned in (True, True, False, False, True):
        with store.writer() as session:
            services.pin_decision(session, store.principal("commander.met"), first.id, pinned)
    with store.reader() as session:
        assert [p.pinned for p in session.scalars(select(DecisionPin).order_by(DecisionPin.id))] == [True, False, True]
        assert [e.reference for e in decisions.pinned(session, store.principal("liaison.fbi"))] == ["DEC-1"]
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.entity == "decision",
                                                                  AuditEvent.outcome == Outcome.OK)
                                  .order_by(AuditEvent.seq)).all()
        assert actions == ["create", "pin", "unpin", "pin"]


def test_every_bad_value_is_refused_with_a_reason_and_nothing_is_written(store):
    with pytest.raises(ValidationError) as refused:
        record(store, reference="", decision="x" * 2_001, rationale=" ", decided_at="2999-01-01T00:00:00Z",
               classification="SECRET", tlp="PURPLE", colour="red")
    problems = refused.value.problems
    assert set(problems) == {"reference", "decision", "rationale", "decided_at", "classification", "tlp", "colour"}
    assert "at most 2,000" in problems["decision"] and "not accredited" in problems["classification"]
    record(store)
    with pytest.raises(ValidationError, match="already used"):
        record(store)
    with store.reader() as session:
        assert session.scalar(select(func.count()).select_from(Decision)) == 1


def briefing_text(store, subject: str):
    result = briefing.export(store.engine, store.principal(subject), with_charts=False)
    said = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(result.pdf)).pages)
    return result.contents, " ".join(said.split())  # a table cell's text wraps


def test_the_briefing_lists_the_pinned_decisions_its_author_may_read_and_is_marked_for_them(store):
    commander = store.principal("commander.met")
    shown = record(store, reference="DEC-PINNED", decision="Hold the Dutch arrests until 06:00")
    record(store, reference="DEC-UNPINNED", decision="Brief the press after the action day")
    strict = record(store, reference="DEC-STRICT", decision="Keep the informant out of it", tlp="AMBER+STRICT")
    with store.writer() as session:
        for decision in (shown, strict):
            services.pin_decision(session, commander, decision.id, True)
    contents, said = briefing_text(store, "commander.met")
    assert "Pinned decisions" in said and "Hold the Dutch arrests until 06:00" in said
    assert "Keep the informant out of it" in said and "Brief the press" not in said
    assert contents.tlp is TLP.AMBER_STRICT  # the highest marking it names: the pinned AMBER+STRICT decision
    contents, said = briefing_text(store, "liaison.fbi")
    assert "Hold the Dutch arrests until 06:00" in said and "Keep the informant out of it" not in said
    assert contents.tlp is TLP.AMBER


def test_a_correction_the_author_may_not_read_answers_as_if_there_were_none(store):
    """A commander corrects an entry that another commander already corrected with a RED entry the
    first may not read: saved like any correction (no "corrected already" telling that a hidden
    entry exists), attached after the hidden one so every entry is still corrected once."""
    first = record(store)
    hidden = record(store, corrects=first.id, reference="DEC-RED", tlp="RED", recipients="liaison.met")
    author = store.principal("commander.met")
    with store.writer() as session:  # the author is always a recipient: take a commander who is not named
        session.execute(text("DELETE FROM recipient WHERE user_id = :me"), {"me": author.user_id})
        session.commit()
    assert log(store, "commander.met")["DEC-1"].corrected_by is None  # as far as the author can tell
    mine = record(store, corrects=first.id, reference="DEC-2")
    with store.reader() as session:
        assert session.get(Decision, mine.id).corrects_id == hidden.id
    entries = log(store, "commander.met")  # linked as if the hidden entry were not there
    assert "DEC-RED" not in entries
    assert (entries["DEC-1"].corrected_by, entries["DEC-2"].corrects) == ("DEC-2", "DEC-1")
    with pytest.raises(ValidationError) as refused:  # a readable correction is named, as before
        record(store, corrects=first.id, reference="DEC-3")
    assert "has been corrected already (by DEC-2)" in refused.value.problems["corrects"]
