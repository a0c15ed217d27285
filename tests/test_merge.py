"""No edit is ever lost: two people save the same record from the same version, each naming only
the fields they changed; the second save keeps the first's changes and applies its own, and a field
both changed differently is refused as a whole, named, with nothing written."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from coordination import exports, services
from coordination.errors import AlreadySubmitted, ConflictError
from coordination.kinds import ARRESTS, EVIDENCE, SUSPECTS, TASKS, Kind
from coordination.models import TaskUpdate
from tests.conftest import SHA

# field -> values a person might type (export text, so what is read back compares as typed)
CHOICES = {
    SUSPECTS.name: {"full_name": ["Synthetic A", "Synthetic B", "Synthetic C"], "aliases": ["", "ace", "bee"],
                    "address": ["", "1 Test Street", "2 Test Road"], "tier": ["user", "money handler", "developer"],
                    "status": ["lead", "identified", "located"], "notes": ["", "first note", "second note"],
                    "tlp": ["GREEN", "AMBER", "CLEAR"]},
    ARRESTS.name: {"place": ["London", "Leeds", "Luton"], "offences": ["fraud", "conspiracy", "money laundering"],
                   "outcome": ["bailed", "charged", "released under investigation"],
                   "on_action_day": ["yes", "no"],
                   "arrested_at": ["2022-11-07T06:00:00Z", "2022-11-08T07:30:00Z", "2022-11-09T10:00:00Z"]},
    EVIDENCE.name: {"description": ["Phone", "Laptop", "Server image"],
                    "status": ["seized", "awaiting analysis", "analysed"], "classification": ["OFFICIAL",
                                                                                              "OFFICIAL-SENSITIVE"]},
    TASKS.name: {"title": ["Trace wallet", "Image server", "Serve request"], "description": ["", "a", "b"],
                 "priority": ["low", "high", "critical"], "due_date": ["", "2022-12-01", "2023-01-15"],
                 "status": ["open", "in progress", "blocked"]},
}
CREATE = {SUSPECTS.name: services.create_suspect, ARRESTS.name: services.create_arrest,
          EVIDENCE.name: services.create_evidence_item, TASKS.name: services.create_task}
UPDATE = {SUSPECTS.name: services.update_suspect, ARRESTS.name: services.update_arrest,
          EVIDENCE.name: services.update_evidence_item, TASKS.name: services.update_task}
counter = itertools.count()


def _new_record(store, kind: Kind) -> str:
    met = store.principal("liaison.met")
    key = f"MERGE-{next(counter)}"
    base = {name: values[0] for name, values in CHOICES[kind.name].items() if values[0]}
    with store.writer() as session:
        if kind is ARRESTS:
            services.create_suspect(session, met, {"reference": f"{key}-S", "full_name": "x", "tier": "user",
                                                   "status": "lead"})
            base |= {"suspect": f"{key}-S", "jurisdiction": "GB-EAW"}
        if kind is EVIDENCE:
            base |= {"item_type": "phone", "sha256": SHA, "seized_from": "x", "seized_at": "2022-11-07T06:00:00Z",
                     "seized_place": "x", "holder_name": "DC Example"}
        CREATE[kind.name](session, met, {kind.key: key, **base})
    return key


def _read(store, kind: Kind, key: str) -> dict[str, str]:
    with store.reader() as session:
        export = exports.build(session, store.principal("liaison.met"), kind.name,
                               [getattr(kind.model, kind.key) == key])
    return dict(zip(export.columns, export.rows[0], strict=True))


edits = st.sampled_from(list(CHOICES)).flatmap(lambda name: st.tuples(
    st.just(name),
    st.dictionaries(st.sampled_from(list(CHOICES[name])), st.integers(0, 2), max_size=len(CHOICES[name])),
    st.dictionaries(st.sampled_from(list(CHOICES[name])), st.integers(0, 2), max_size=len(CHOICES[name]))))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits)
def test_two_editors_never_lose_a_change_that_was_not_shown(store, case):
    name, first_picks, second_picks = case
    kind = {k.name: k for k in (SUSPECTS, ARRESTS, EVIDENCE, TASKS)}[name]
    met = store.principal("liaison.met")
    key = _new_record(store, kind)
    loaded = _read(store, kind, key)  # both open the record at this version
    record_id = _record_id(store, kind, key)
    first, second = ({f: typed for f, i in picks.items() if (typed := _choice(name, f, i)) != loaded[f]}
                     for picks in (first_picks, second_picks))
    with store.writer() as session:
        UPDATE[name](session, met, record_id, int(loaded["version"]), first, loaded={f: loaded[f] for f in first})
    after_first = _read(store, kind, key)
    clashes = {f for f in first.keys() & second.keys() if first[f] != second[f]}
    with store.writer() as session:
        if clashes:
            with pytest.raises(ConflictError) as refused:
                UPDATE[name](session, met, record_id, int(loaded["version"]), second,
                             loaded={f: loaded[f] for f in second})
            assert set(refused.value.fields) == clashes  # every clash is shown, by name
            assert _read(store, kind, key) == after_first  # and nothing of the second save was written
            return
        UPDATE[name](session, met, record_id, int(loaded["version"]), second, loaded={f: loaded[f] for f in second})
    final = _read(store, kind, key)
    for field in CHOICES[name]:
        expected = second.get(field, first.get(field, loaded[field]))
        assert final[field] == expected, f"{field}: {final[field]!r}, expected {expected!r}"


def _choice(kind_name: str, field: str, index: int) -> str:
    values = CHOICES[kind_name][field]
    return values[index % len(values)]


def _record_id(store, kind: Kind, key: str) -> int:
    with store.reader() as session:
        return session.scalar(select(kind.model.id).where(getattr(kind.model, kind.key) == key))


def test_a_save_without_what_was_loaded_still_refuses_a_newer_version(store):
    """A spreadsheet row or the CLI says only the version it saw: any newer version is a conflict."""
    key = _new_record(store, TASKS)
    met = store.principal("liaison.met")
    record_id = _record_id(store, TASKS, key)
    with store.writer() as session:
        services.update_task(session, met, record_id, 1, {"priority": "critical"})
    with store.writer() as session, pytest.raises(ConflictError) as refused:
        services.update_task(session, met, record_id, 1, {"title": "Mine"})
    assert refused.value.fields == () and key in str(refused.value)


def test_a_status_changed_through_an_update_survives_an_edit_from_the_version_before(store):
    """The liaison adds an update that starts the task, then saves a title from the page they loaded
    before: the status stays 'in progress'."""
    key = _new_record(store, TASKS)
    fbi_task = _record_id(store, TASKS, key)
    met = store.principal("liaison.met")
    with store.writer() as session:
        services.add_task_update(session, met, fbi_task, "Started", "in progress", 1, loaded_status="open")
    with store.writer() as session:
        services.update_task(session, met, fbi_task, 1, {"title": "New title"}, loaded={"title": "Trace wallet"})
    final = _read(store, TASKS, key)
    assert (final["title"], final["status"], final["version"]) == ("New title", "in progress", "3")


def test_a_form_sent_twice_writes_once(store):
    """A double click or a resubmitted form carries the same token: the second finds it taken."""
    key = _new_record(store, TASKS)
    task_id = _record_id(store, TASKS, key)
    met = store.principal("liaison.met")
    for attempt in range(2):
        with store.writer() as session:
            if attempt == 0:
                services.add_task_update(session, met, task_id, "Served", submission="form-token-1")
            else:
                with pytest.raises(AlreadySubmitted):
                    services.add_task_update(session, met, task_id, "Served", submission="form-token-1")
    with store.reader() as session:
        notes = session.scalars(select(TaskUpdate.body).where(TaskUpdate.task_id == task_id)).all()
    assert notes == ["Served"]
    with store.writer() as session:  # a new rendering of the form has a new token
        services.add_task_update(session, met, task_id, "Served again", submission="form-token-2")
