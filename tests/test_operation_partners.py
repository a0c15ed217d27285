"""Agencies taking part (issue 27), on SQLite and PostgreSQL: where a form names an agency taking part
(a record's owning agency, a custody transfer's, a briefing's audience), the pickers offer the
operation's partners only and the services refuse any other agency in words. EUROJUST is taken out
of Operation Elaborate's partners here."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coordination import briefing, services
from coordination.errors import ValidationError
from coordination.models import Agency, CustodyEvent, OperationPartner
from coordination.queries import standing_data
from tests.conftest import SHA
from tests.helpers import open_page

ITEM = {"reference": "EXH-P", "item_type": "phone", "description": "phone", "sha256": SHA, "seized_from": "x",
        "seized_at": "2022-11-07T06:00:00Z", "seized_place": "x", "status": "awaiting analysis",
        "holder_name": "DC Example"}
TRANSFER = {"to_holder": "the lab", "occurred_at": "2022-11-08T06:00:00Z", "place": "London",
            "purpose": "forensic analysis", "condition": "sealed", "hash_checked": SHA}
REFUSED = "'EUROJUST' is not a partner agency of this operation"


@pytest.fixture
def without_eurojust(store):
    with store.writer() as session:
        eurojust = session.scalar(select(Agency.id).where(Agency.code == "EUROJUST"))
        session.delete(session.scalars(select(OperationPartner).where(OperationPartner.agency_id == eurojust)).one())
        session.commit()
    return store


def test_the_pickers_offer_the_operations_partners_only(without_eurojust):
    store = without_eurojust
    with store.reader() as session:
        everyone = standing_data.agency_codes(session)
        partners = standing_data.partner_codes(session, store.principal("commander.met").operation_id)
        assert partners == sorted(set(everyone) - {"EUROJUST"}) and "EUROJUST" in everyone
        assert standing_data.partner_codes(session, None) == []


def test_a_record_owned_by_an_agency_not_taking_part_is_refused_in_words(without_eurojust):
    store = without_eurojust
    commander = store.principal("commander.met")
    with store.writer() as session, pytest.raises(ValidationError) as refused:
        services.create_task(session, commander, {"reference": "T-P", "title": "Image the server", "status": "open",
                                                  "priority": "low", "owning_agency": "EUROJUST"})
    assert refused.value.problems == {"owning_agency": REFUSED}
    with store.writer() as session:  # a partner is taken
        services.create_task(session, commander, {"reference": "T-P", "title": "Image the server", "status": "open",
                                                  "priority": "low", "owning_agency": "NCA"})


def test_a_custody_transfer_to_an_agency_not_taking_part_is_refused_in_words(without_eurojust):
    store = without_eurojust
    met = store.principal("liaison.met")
    with store.writer() as session:
        item = services.create_evidence_item(session, met, ITEM)
        item_id, version = item.id, item.version
    with store.writer() as session, pytest.raises(ValidationError) as refused:
        services.transfer_custody(session, met, item_id, version, TRANSFER | {"to_agency": "EUROJUST"})
    assert refused.value.problems == {"to_agency": REFUSED}
    with store.writer() as session:
        services.transfer_custody(session, met, item_id, version, TRANSFER | {"to_agency": "NCA"})
    with store.reader() as session:
        assert len(session.scalars(select(CustodyEvent).where(CustodyEvent.evidence_item_id == item_id)).all()) == 2


def test_a_briefing_for_or_as_an_agency_not_taking_part_is_refused_in_words(without_eurojust):
    store = without_eurojust
    commander = store.principal("commander.met")
    for audience in (briefing.Audience(as_liaison_of="EUROJUST"), briefing.Audience(agencies=("EUROJUST",))):
        with store.writer() as session, pytest.raises(ValidationError) as refused:
            services.authorise_briefing(session, commander, audience)
        assert refused.value.problems == {"agencies": "no partner agency 'EUROJUST'"}
    with store.writer() as session:
        services.authorise_briefing(session, commander, briefing.Audience(as_liaison_of="FBI", agencies=("NCA",)))


def test_a_forms_agency_picker_offers_the_partners_only(sqlite_store, monkeypatch):
    """The new task form of a commander: its owning agency offers the operation's partners."""
    monkeypatch.setenv("COORD_DATABASE_URL", str(sqlite_store.engine.url))
    with sqlite_store.writer() as session:
        eurojust = session.scalar(select(Agency.id).where(Agency.code == "EUROJUST"))
        session.delete(session.scalars(select(OperationPartner).where(OperationPartner.agency_id == eurojust)).one())
        session.commit()
    at = open_page("commander.met", "tasks")
    offered = at.selectbox(key="tasks-new-owning_agency").options
    assert "NCA" in offered and "EUROJUST" not in offered
