"""Issue 15: no message, count or export tells a person whether a record they may not read exists;
references are unique per agency and cannot be taken by look-alikes."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from coordination import exports, record_references, services
from coordination.errors import ValidationError
from coordination.kinds import ARRESTS, SUSPECTS
from coordination.models import Arrest, Suspect
from coordination.queries import records
from coordination.queries.history import history
from coordination.services import imports

SUSPECT = {"full_name": "Synthetic Person", "tier": "user", "status": "lead"}
ARREST = {"jurisdiction": "GB-EAW", "arrested_at": "2022-11-07T06:00:00Z", "place": "London", "offences": "fraud",
          "outcome": "bailed"}
TASK = {"title": "Trace wallet", "status": "open", "priority": "high"}


def make(store, subject: str, create, **data):
    with store.writer() as session:
        return create(session, store.principal(subject), data)


def refusal(store, subject: str, create, **data) -> dict[str, str]:
    with store.writer() as session, pytest.raises(ValidationError) as raised:
        create(session, store.principal(subject), data)
    return raised.value.problems


@pytest.fixture
def hidden(store):
    """MET's AMBER+STRICT suspect S-HIDDEN and task T-HIDDEN: FBI may not read them."""
    make(store, "liaison.met", services.create_suspect, reference="S-HIDDEN", tlp="AMBER+STRICT", **SUSPECT)
    make(store, "liaison.met", services.create_task, reference="T-HIDDEN", tlp="AMBER+STRICT", **TASK)
    return store


def test_a_link_to_a_hidden_record_reads_exactly_like_a_link_to_nothing(hidden):
    def said(field, name, create, **data):
        problem = refusal(hidden, "liaison.fbi", create, **data)[field]
        return problem.replace(name, "NAME")
    assert said("suspect", "S-HIDDEN", services.create_arrest, reference="A-1", suspect="S-HIDDEN", **ARREST) == \
        said("suspect", "S-NOWHERE", services.create_arrest, reference="A-1", suspect="S-NOWHERE", **ARREST) == \
        "no suspect with reference 'NAME'"
    assert said("depends_on", "T-HIDDEN", services.create_task, reference="T-1", depends_on="T-HIDDEN", **TASK) == \
        said("depends_on", "T-NOWHERE", services.create_task, reference="T-1", depends_on="T-NOWHERE", **TASK)


def test_a_hidden_records_reference_is_free_for_another_agency_and_taken_in_its_own(hidden):
    mine = make(hidden, "liaison.fbi", services.create_suspect, reference="S-HIDDEN", **SUSPECT)
    assert mine.owning_agency_id == hidden.principal("liaison.fbi").agency_id
    problems = refusal(hidden, "liaison.met", services.create_suspect, reference="S-HIDDEN", **SUSPECT)
    assert problems == {"reference": "'S-HIDDEN' is already used by another suspect of MET"}


def test_an_import_dry_run_says_would_create_for_a_hidden_reference_as_for_a_free_one(hidden):
    content = b"reference,full_name,tier,status\nS-HIDDEN,A,user,lead\nS-FREE,B,user,lead\n"
    result = imports.import_file(hidden.engine, hidden.principal("liaison.fbi"), "suspects", "f.csv", content,
                                 dry_run=True)
    assert result.ok and result.created == 2, result.problems


@pytest.fixture
def shared(store):
    """MET and FBI both use S-SAME; FBI's arrest A-F links MET's S-MET, then raised out of FBI's sight."""
    for subject in ("liaison.met", "liaison.fbi"):
        make(store, subject, services.create_suspect, reference="S-SAME", **SUSPECT)
    met_suspect = make(store, "liaison.met", services.create_suspect, reference="S-MET", **SUSPECT)
    make(store, "liaison.fbi", services.create_arrest, reference="A-F", suspect="S-MET", **ARREST)
    with store.writer() as session:
        services.update_suspect(session, store.principal("liaison.met"), met_suspect.id, 1, {"tlp": "AMBER+STRICT"})
    return store


def test_exports_name_a_linked_record_the_reader_may_not_read_as_restricted(shared):
    with shared.writer() as session:
        fbi = exports.build(session, shared.principal("liaison.fbi"), "arrests")
        met = exports.build(session, shared.principal("liaison.met"), "arrests")
    column = ARRESTS.columns.index("suspect")
    assert [row[column] for row in fbi.rows] == [record_references.RESTRICTED]
    assert [row[column] for row in met.rows] == ["S-MET"]
    assert not any("S-MET" in cell for row in fbi.rows for cell in row)


def test_a_restricted_link_imported_back_keeps_the_link(shared):
    with shared.writer() as session:
        data = exports.build(session, shared.principal("liaison.fbi"), "arrests").csv()
    again = imports.import_file(shared.engine, shared.principal("liaison.fbi"), "arrests", "a.csv", data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1), again.problems
    edited = data.decode("utf-8-sig").replace(",London,", ",Leeds,").encode()
    changed = imports.import_file(shared.engine, shared.principal("liaison.fbi"), "arrests", "a.csv", edited)
    assert (changed.updated, changed.problems) == (1, [])
    with shared.reader() as session:
        arrest = session.scalar(select(Arrest).where(Arrest.reference == "A-F"))
        assert (arrest.place, arrest.suspect.reference) == ("Leeds", "S-MET")
    new = data.decode("utf-8-sig").replace("A-F,", "A-G,").encode()  # a new record may not link the unseen
    refused = imports.import_file(shared.engine, shared.principal("liaison.fbi"), "arrests", "a.csv", new)
    assert [p.column for p in refused.problems] == ["suspect"]


def test_a_reference_several_agencies_use_is_qualified_by_agency_where_it_must_be(shared):
    nca = "liaison.nca"
    problems = refusal(shared, nca, services.create_arrest, reference="A-N", suspect="S-SAME", **ARREST)
    assert "AGENCY/S-SAME" in problems["suspect"]
    arrest = make(shared, nca, services.create_arrest, reference="A-N", suspect="MET/S-SAME", **ARREST)
    own = make(shared, "liaison.fbi", services.create_arrest, reference="A-FS", suspect="S-SAME", **ARREST)
    with shared.reader() as session:
        assert session.get(Arrest, arrest.id).suspect.owning_agency.code == "MET"
        assert session.get(Arrest, own.id).suspect.owning_agency.code == "FBI"  # the linking agency's own
    with shared.writer() as session:
        data = exports.build(session, shared.principal(nca), "arrests")
    column = ARRESTS.columns.index("suspect")
    named = {row[0]: row[column] for row in data.rows}
    assert named["A-N"] == "MET/S-SAME" and named["A-FS"] == "S-SAME"  # plain: the row's own agency's
    again = imports.import_file(shared.engine, shared.principal(nca), "arrests", "a.csv", data.csv())
    assert again.ok and again.unchanged == len(data.rows), again.problems
    with shared.reader() as session:
        assert records.find(session, shared.principal(nca), SUSPECTS, "FBI/S-SAME").values["owning_agency"] == "FBI"
        assert records.find(session, shared.principal("liaison.met"), SUSPECTS, "S-SAME").values[
            "owning_agency"] == "MET"
        assert records.find(session, shared.principal(nca), SUSPECTS, "S-SAME") is None  # which one? say so


# --- look-alike references --------------------------------------------------------------------

@pytest.mark.parametrize("look_alike", ["SUS-\u200b000718", "SUS\u2011000718", "SUS-\u202e000718",
                                        "SUS-000718\u00ad", "SUS-00071\u0338", "[x](https://evil.invalid)"])
def test_invisible_format_bidi_and_unsafe_characters_are_refused(store, look_alike):
    problems = refusal(store, "liaison.met", services.create_suspect, reference=look_alike, **SUSPECT)
    assert set(problems) == {"reference"}


@pytest.mark.parametrize("look_alike", ["SUS-OOO718", "SUS-0007l8", "\u0405US-000718", "SU\u0405-\u041e00718"])
def test_a_look_alike_of_an_agencys_reference_is_refused_in_that_agency_only(store, look_alike):
    make(store, "liaison.met", services.create_suspect, reference="SUS-000718", **SUSPECT)
    problems = refusal(store, "liaison.met", services.create_suspect, reference=look_alike, **SUSPECT)
    assert problems == {"reference": f"'{look_alike}' looks like 'SUS-000718', already used by another suspect "
                                     "of MET"}
    assert make(store, "liaison.fbi", services.create_suspect, reference=look_alike, **SUSPECT).id


def test_an_import_refuses_look_alikes_of_stored_references_and_of_its_own_rows(store):
    make(store, "liaison.met", services.create_suspect, reference="SUS-000718", **SUSPECT)
    content = b"reference,full_name,tier,status\nSUS-OOO718,A,user,lead\nS-1,B,user,lead\nS-l,C,user,lead\n"
    result = imports.import_file(store.engine, store.principal("liaison.met"), "suspects", "f.csv", content)
    assert [(p.row, p.column) for p in result.problems] == [(2, "reference"), (4, "reference")]
    assert "looks like 'SUS-000718'" in result.problems[0].reason and "on row 3" in result.problems[1].reason


def test_references_are_stored_in_nfc_with_their_skeleton(store):
    made = make(store, "liaison.met", services.create_suspect, reference="  SUS-Ame\u0301lie   1 ", **SUSPECT)
    with store.reader() as session:
        stored = session.get(Suspect, made.id)
    assert stored.reference == "SUS-Am\u00e9lie 1"
    assert stored.reference_skeleton == record_references.skeleton("SUS-Am\u00e9lie 1")


@given(st.text(max_size=80))
def test_the_reference_parser_returns_a_reference_or_a_plain_reason(value):
    parse = record_references.reference(64)
    try:
        parsed = parse(None, value)
    except ValueError as error:  # a reference or a reason, both right; a reason is never empty
        assert str(error)  # noqa: PT017
        return
    assert parsed == record_references.normalise(parsed) and 0 < len(parsed) <= 64
    # stored, it looks like what was typed (spaces aside): a look-alike of the typed text is one of the stored
    assert record_references.skeleton(parsed) == record_references.skeleton(re.sub(" {2,}", " ", value.strip()))


@given(st.one_of(st.text(max_size=80), st.integers(), st.none(), st.binary(max_size=8)))
def test_the_reference_parser_takes_anything_without_crashing(value):
    try:
        record_references.reference(64)(None, value)
    except ValueError:
        pass


# --- history and briefing changes: no values from a time the reader could not read the record -----

def test_history_and_briefing_hide_values_from_before_a_record_was_lowered_or_while_it_was_raised(store):
    from datetime import UTC, datetime

    from coordination.briefing import contents
    from coordination.queries import marking_history, tasks

    met, fbi = store.principal("liaison.met"), store.principal("liaison.fbi")
    with store.writer() as session:
        red = services.create_suspect(session, met, {"reference": "S-R", "full_name": "Secret Name",
                                                     "tier": "user", "status": "lead", "tlp": "RED"})
        services.update_suspect(session, met, red.id, 1, {"full_name": "Lowered Name"})  # readable once lowered
        services.update_suspect(session, met, red.id, 2, {"tlp": "AMBER"})
        services.update_suspect(session, met, red.id, 3, {"full_name": "Public Name"})
        services.update_suspect(session, met, red.id, 4, {"tlp": "AMBER+STRICT"})
        services.update_suspect(session, met, red.id, 5, {"full_name": "Strict Name"})
        services.update_suspect(session, met, red.id, 6, {"tlp": "GREEN"})
        task = services.create_task(session, met, {"reference": "T-R", "title": "Quiet", "status": "open",
                                                   "priority": "high", "tlp": "RED"})
        services.add_task_update(session, met, task.id, "Secret note")
        services.update_task(session, met, task.id, 1, {"tlp": "AMBER"})
        services.add_task_update(session, met, task.id, "Open note")
    with store.reader() as session:
        seen = history(session, fbi, SUSPECTS, red.id)
        own = history(session, met, SUSPECTS, red.id)
        notes = tasks.task_updates(session, fbi, task.id)
        changes = contents.gather(session, fbi, now=datetime.now(UTC)).changes
    text = repr(seen) + repr(notes) + repr(changes.lines)
    assert "Secret" not in text
    assert "Public Name" in repr(seen) and "Lowered Name" in repr(seen) and "Open note" in repr(notes)
    assert [entry.what.endswith(marking_history.REDACTED) for entry in seen] == [True, True, False, False, True,
                                                                                 True, False]  # the values after
    assert [f"{marking_history.REDACTED} →" in entry.what for entry in seen] == [False, True, True, False, False,
                                                                                 True, True]  # and before
    assert "Secret Name" in repr(own) and repr(own).count("Strict Name") == 1  # the owner saw it all along
    assert [n["note"] for n in notes] == [marking_history.REDACTED, "Open note"]
    assert any("Public Name" in what for *_, what in changes.lines)


def test_rows_inserted_in_bulk_get_their_skeletons_too(store):
    content = "reference,full_name,tier,status\nS-OI,A,user,lead\nЅ-2,B,user,lead\n".encode()
    assert imports.import_file(store.engine, store.principal("liaison.met"), "suspects", "f.csv", content).committed
    with store.reader() as session:
        stored = dict(session.execute(select(Suspect.reference, Suspect.reference_skeleton)).all())
    assert stored == {"S-OI": record_references.skeleton("S-OI"), "Ѕ-2": "S-2"}
