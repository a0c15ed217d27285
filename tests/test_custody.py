"""Chain-of-custody invariants under random sequences of transfer attempts (hypothesis), on both stores."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError

from coordination import audit, services
from coordination.errors import PermissionDenied, RefusedWrite, ValidationError
from coordination.models import AuditEvent, CustodyEvent, EvidenceItem, Outcome
from coordination.standing_data import AGENCIES

CODES = [code for code, _, _ in AGENCIES]
ACTORS = {code: f"liaison.{code.lower()}" for code in CODES} | {"COMMAND": "commander.met",
                                                                "OBSERVER": "observer.eurojust"}
SHA = "5e" * 32
SEIZED_AT = datetime(2022, 11, 7, 6, tzinfo=UTC)
ITEM = {"item_type": "laptop", "description": "Laptop", "sha256": SHA, "seized_from": "x",
        "seized_at": SEIZED_AT, "seized_place": "London", "status": "seized", "holder_name": "MET desk"}
counter = itertools.count(1)

# a step: who tries, to which agency and holder, whether the re-computed hash matches, and whether
# the transfer is dated before the previous custody event
steps = st.lists(st.tuples(st.sampled_from(list(ACTORS)), st.sampled_from(CODES),
                           st.sampled_from(["lab", "store", "desk"]), st.booleans(),
                           st.sampled_from([False, False, False, True])), min_size=1, max_size=8)


def audit_tail(session, after_seq: int) -> list[tuple[str, Outcome]]:
    return [(e.action, e.outcome) for e in session.scalars(
        select(AuditEvent).where(AuditEvent.seq > after_seq).order_by(AuditEvent.seq))]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_custody_stays_a_single_unbroken_chain(store, steps):
    principals = {actor: store.principal(subject) for actor, subject in ACTORS.items()}
    with store.writer() as session:
        item = services.create_evidence_item(session, principals["MET"], ITEM | {"reference": f"E-{next(counter)}"})
        start = audit.head(session)[0]
    holder, version, last_time = ("MET", "MET desk"), 1, SEIZED_AT
    expected_audit, expected_matches = [], []
    for n, (actor, to, place, matches, backdated) in enumerate(steps):
        when = last_time - timedelta(minutes=1) if backdated else last_time + timedelta(hours=1)
        target = (to, f"{to} {place}")
        data = {"to_agency": to, "to_holder": target[1], "occurred_at": when, "place": place, "purpose": "analysis",
                "condition": "sealed", "hash_checked": SHA if matches else f"{n:064x}"}
        with store.writer() as session:
            if actor != holder[0]:
                with pytest.raises(PermissionDenied):
                    services.transfer_custody(session, principals[actor], item.id, version, data)
                expected_audit.append(("transfer custody", Outcome.REFUSED))
            elif backdated or target == holder:
                with pytest.raises(ValidationError) as raised:
                    services.transfer_custody(session, principals[actor], item.id, version, data)
                wrong = {"occurred_at": backdated, "to_holder": target == holder}
                assert set(raised.value.problems) == {name for name, is_wrong in wrong.items() if is_wrong}
            else:
                event = services.transfer_custody(session, principals[actor], item.id, version, data)
                assert (event.hash_matches, event.from_holder) == (matches, holder[1])
                holder, version, last_time = target, version + 1, when
                expected_audit.append(("transfer custody", Outcome.OK))
                expected_matches.append(matches)

    with store.reader() as session:
        chain = session.scalars(select(CustodyEvent).where(CustodyEvent.evidence_item_id == item.id)
                                .order_by(CustodyEvent.sequence)).all()
        item = session.get(EvidenceItem, item.id)
        assert [e.sequence for e in chain] == list(range(1, len(expected_matches) + 2))  # gap-free from 1
        for previous, event in itertools.pairwise(chain):
            assert (event.from_agency_id, event.from_holder) == (previous.to_agency_id, previous.to_holder)
            assert event.occurred_at >= previous.occurred_at
        assert (item.holder_agency.code, item.holder_name, item.version) == (*holder, version)
        assert (chain[-1].to_agency_id, chain[-1].to_holder) == (item.holder_agency_id, item.holder_name)
        assert [e.hash_matches for e in chain] == [True, *expected_matches]
        assert audit_tail(session, start) == expected_audit  # refusals recorded; invalid attempts leave nothing


def test_a_hash_mismatch_is_recorded_on_the_event_and_in_the_audit_trail(store):
    met = store.principal("liaison.met")
    with store.writer() as session:
        item = services.create_evidence_item(session, met, ITEM | {"reference": "E-H"})
        event = services.transfer_custody(session, met, item.id, 1, {
            "to_agency": "NCA", "to_holder": "NCA lab", "occurred_at": "2022-11-08T09:00:00Z", "place": "Lab",
            "purpose": "analysis", "condition": "sealed", "hash_checked": "ab" * 32})
        trail = session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
    assert (event.hash_checked, event.hash_matches) == ("ab" * 32, False)
    assert "differs" in trail.detail and '"hash_matches":false' in trail.after


def test_custody_has_no_edit_service_and_the_holder_is_not_an_editable_field(store):
    assert [name for name in services.__all__ if "custody" in name] == ["transfer_custody"]
    met = store.principal("liaison.met")
    with store.writer() as session:
        item = services.create_evidence_item(session, met, ITEM | {"reference": "E-F"})
        with pytest.raises(ValidationError) as raised:
            services.update_evidence_item(session, met, item.id, 1, {"holder_name": "someone else"})
    assert set(raised.value.problems) == {"holder_name"}


def test_custody_events_cannot_be_edited_in_bulk_or_one_by_one(store):
    with store.writer() as session:
        services.create_evidence_item(session, store.principal("liaison.met"), ITEM | {
            "reference": "E-X", "item_type": "cash", "sha256": None})
        with pytest.raises(RefusedWrite, match="bulk UPDATE of custody_event"):
            session.execute(update(CustodyEvent).values(to_holder="someone else"))
        session.rollback()
        event = session.scalar(select(CustodyEvent))
        event.to_holder = "someone else"
        with pytest.raises(DBAPIError, match="append-only"):  # the database's own trigger
            session.flush()
