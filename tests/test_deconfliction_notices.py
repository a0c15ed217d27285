"""Deconfliction tells people as it happens (issue 18): a hit on their agency's record, a request for
contact about it, the answer to their own request; by the telling rule, never a value."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coordination import deconfliction_key, notices, services
from coordination.kinds import SUSPECTS
from coordination.models import Suspect
from coordination.queries import hits, notifications
from tests.conftest import suspect


@pytest.fixture
def people(store, tmp_path, monkeypatch):
    path = deconfliction_key.make_key_file(tmp_path / "deconfliction.key")
    monkeypatch.setenv(deconfliction_key.ENVIRONMENT, str(path))
    return {name: store.principal(f"liaison.{name}") for name in ("met", "fbi", "nca")}


def holding(store, who, reference, number, tlp=None) -> int:
    with store.writer() as s:
        record = suspect(s, who, reference, tlp=tlp)
        services.add_identifier(s, who, SUSPECTS, record.id, "phone", number)
        return record.id


def told(store, who) -> list[str]:
    with store.reader() as s:
        return [entry.sentence for entry in notifications.inbox(s, who).entries]


def test_both_agencies_hear_of_a_hit_on_their_own_record_and_nobody_else_does(store, people):
    holding(store, people["met"], "M-1", "+44 20 7946 0018")
    holding(store, people["fbi"], "F-1", "+44 20 7946 0018")
    assert told(store, people["met"]) == [said(notices.HIT_FOUND, "MET/M-1")]
    assert told(store, people["fbi"]) == []  # the FBI liaison made the hit: their page shows it as they save
    assert told(store, people["nca"]) == []
    assert not any("7946" in sentence for sentence in told(store, people["met"]) + told(store, people["fbi"]))


def test_a_hit_on_a_red_record_is_told_to_its_owner_only(store, people):
    holding(store, people["fbi"], "F-RED", "+44 20 7946 0018", tlp="RED")
    holding(store, people["met"], "M-1", "+44 20 7946 0018")
    assert told(store, people["met"]) == []
    with store.writer() as s:  # the FBI liaison is told once named on the RED record (read-time check)
        services.update_suspect(s, people["fbi"], *_named(s, people["fbi"], "F-RED"))
    assert told(store, people["fbi"]) == [said(notices.HIT_FOUND, "FBI/F-RED")]


def test_hits_found_when_a_value_leaves_the_exclusion_list_are_told_as_any_hit(store, people):
    command = store.principal("commander.met")
    with store.writer() as s:
        exclusion = services.add_exclusion(s, command, "phone", "+44 20 7946 0018", "a bank's switchboard").id
    holding(store, people["met"], "M-1", "+44 20 7946 0018")
    holding(store, people["fbi"], "F-1", "+44 20 7946 0018")
    assert told(store, people["met"]) == told(store, people["fbi"]) == []  # excluded: no hit
    with store.writer() as s:
        services.remove_exclusion(s, command, exclusion)
    assert told(store, people["met"]) == [said(notices.HIT_FOUND, "MET/M-1")]
    assert told(store, people["fbi"]) == [said(notices.HIT_FOUND, "FBI/F-1")]
    assert told(store, people["nca"]) == []


def said(event: notices.Event, reference: str) -> str:
    return event.sentence.format(entity="suspect", record=reference)


def _named(session, who, reference):
    record = session.scalar(select(Suspect).where(Suspect.reference == reference))
    return record.id, record.version, {"recipients": "liaison.fbi"}


def test_a_request_reaches_the_owner_and_its_answer_the_asker_about_their_own_record(store, people):
    holding(store, people["met"], "M-1", "+44 20 7946 0018")
    holding(store, people["fbi"], "F-1", "+44 20 7946 0018", tlp="AMBER+STRICT")
    with store.reader() as s:
        (hit,) = hits.hits_for_agency(s, people["met"])
    with store.writer() as s:
        request = services.ask_for_contact(s, people["met"], hit.id, "same number as our target")
    assert said(notices.CONTACT_ASKED, "FBI/F-1") in told(store, people["fbi"])
    with store.writer() as s:
        services.decline_contact(s, people["fbi"], request.id, "not now")
    answered = said(notices.CONTACT_ANSWERED, "MET/M-1")
    assert answered in told(store, people["met"])  # about MET's own record: F-1 stays unreadable to MET
