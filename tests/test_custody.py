"""Chain-of-custody invariants under random sequences of transfers (hypothesis)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError

from coordination import services
from coordination.errors import PermissionDenied
from coordination.models import CustodyEvent, EvidenceItem
from coordination.reference import AGENCIES

LIAISONS = {"MET": "liaison.met", "NCA": "liaison.nca", "EUROPOL": "liaison.europol", "EUROJUST": "liaison.eurojust",
            "NL-POLICE": "liaison.nl-police", "FBI": "liaison.fbi"}
CODES = [code for code, _, _ in AGENCIES]
SHA = "5e" * 32
counter = itertools.count(1)

# a step: which agency's liaison tries, to which agency and holder, and whether the hash re-check matches
steps = st.lists(st.tuples(st.sampled_from(CODES), st.sampled_from(CODES), st.sampled_from(["lab", "store", "desk"]),
                           st.booleans()), min_size=1, max_size=8)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_custody_stays_a_single_unbroken_chain(sqlite_store, steps):
    store = sqlite_store
    ref = f"E-{next(counter)}"
    with store.writer() as session:
        item = services.create_evidence_item(session, store.principal("liaison.met"), {
            "exhibit_ref": ref, "item_type": "laptop", "description": "Laptop", "sha256": SHA, "seized_from": "x",
            "seized_at": "2022-11-07T06:00:00Z", "seized_place": "London", "status": "seized",
            "holder_name": "DC Seizer"})
    holder, holder_name, version = "MET", "DC Seizer", 1
    when = datetime(2022, 11, 7, 7, tzinfo=UTC)
    expected_matches = []
    for actor, to, place, matches in steps:
        when += timedelta(hours=1)
        data = {"to_agency": to, "to_holder": f"{to} {place}", "occurred_at": when, "place": place,
                "purpose": "analysis", "condition": "sealed", "hash_checked": SHA if matches else "0" * 64}
        with store.writer() as session:
            if actor != holder:
                try:
                    services.transfer_custody(session, store.principal(LIAISONS[actor]), item.id, version, data)
                except PermissionDenied:
                    continue
                raise AssertionError(f"{actor} moved an item held by {holder}")
            if (to, f"{to} {place}") == (holder, holder_name):
                continue  # handing an item to its own holder is refused as a validation error
            services.transfer_custody(session, store.principal(LIAISONS[actor]), item.id, version, data)
        holder, holder_name, version = to, f"{to} {place}", version + 1
        expected_matches.append(matches)

    with store.reader() as session:
        chain = session.scalars(select(CustodyEvent).where(CustodyEvent.evidence_item_id == item.id)
                                .order_by(CustodyEvent.sequence)).all()
        item = session.get(EvidenceItem, item.id)
        assert [e.sequence for e in chain] == list(range(1, len(chain) + 1))
        assert len(chain) == 1 + len(expected_matches)
        for previous, event in itertools.pairwise(chain):
            assert (event.from_agency_id, event.from_holder) == (previous.to_agency_id, previous.to_holder)
            assert event.occurred_at >= previous.occurred_at
        assert (item.holder_agency.code, item.holder_name) == (holder, holder_name)
        assert (chain[-1].to_agency_id, chain[-1].to_holder) == (item.holder_agency_id, item.holder_name)
        assert [e.hash_matches for e in chain[1:]] == expected_matches


def test_custody_events_cannot_be_edited_in_bulk_or_one_by_one(store):
    with store.writer() as session:
        services.create_evidence_item(session, store.principal("liaison.met"), {
            "exhibit_ref": "E-X", "item_type": "cash", "description": "Cash", "seized_from": "x",
            "seized_at": "2022-11-07T06:00:00Z", "seized_place": "London", "status": "seized", "holder_name": "DC A"})
        with pytest.raises(PermissionError, match="bulk UPDATE of custody_event"):
            session.execute(update(CustodyEvent).values(to_holder="someone else"))
        session.rollback()
        event = session.scalar(select(CustodyEvent))
        event.to_holder = "someone else"
        with pytest.raises(DBAPIError, match="append-only"):  # the database's own trigger
            session.flush()
