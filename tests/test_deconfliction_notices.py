"""Deconfliction tells people as it happens (issue 18): a hit on their agency's record, a request for
contact about it, the answer to their own request; by the telling rule, never a value."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, update

from coordination import deconfliction_key, notices, services
from coordination.aggregates import picture
from coordination.errors import ValidationError
from coordination.kinds import SUSPECTS
from coordination.models import ContactStatus, Hit, Identifier, Suspect
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


def test_a_hit_tells_that_the_other_agency_holds_it_not_on_how_many_records_nor_since_when(store, people):
    """A hostile partner read from a hit line the date its own value was entered ("since ...") and,
    from the number of lines, how many records hold it. One line per value of the reader's and other
    agency, dated when the hit was found; the reader's notifications, count and request status alike."""
    met, fbi = people["met"], people["fbi"]
    theirs = [holding(store, fbi, "F-1", "+44 20 7946 0018")]
    with store.writer() as s:  # FBI entered its value long ago
        s.execute(update(Identifier).values(added_at=datetime(2021, 3, 14, 9, tzinfo=UTC)))
        s.commit()
    mine = holding(store, met, "M-1", "020 7946 0018")
    theirs += [holding(store, fbi, f"F-{n}", "+44 20 7946 0018") for n in (2, 3)]  # two more records later

    with store.reader() as s:
        [line] = hits.hits_for_agency(s, met)
        assert hits.hits_on_record(s, met, "suspect", mine) == [line]
        found = s.scalar(select(func.min(Hit.found_at)))
        assert line.sentence == f"FBI also holds this phone number (hit found {found.day} {found:%b %Y})"
        assert "2021" not in line.sentence and not hasattr(line, "since")
        assert picture(s, met).open_hits == 1
        assert [row.my_record_reference for row in hits.hits_for_agency(s, fbi)  # each of its own records
                if not row.possible_duplicate] == ["F-3", "F-2", "F-1"]
    assert told(store, met) == []  # MET made the hit itself; FBI's next records tell it nothing more
    assert told(store, fbi) == [said(notices.HIT_FOUND, "FBI/F-1")]  # when MET added it (F-2, F-3: its own adds)

    with store.writer() as s:  # asked once about the line: it reads asked, whichever of FBI's hits shows it
        services.ask_for_contact(s, met, line.id, "same number")
        first = s.scalar(select(Identifier.id).where(Identifier.record_id == theirs[0]))
        services.remove_identifier(s, fbi, first)
    with store.reader() as s:
        [after] = hits.hits_for_agency(s, met)
        assert after.request_status is ContactStatus.PENDING and after.id != line.id
    with store.writer() as s, pytest.raises(ValidationError):
        services.ask_for_contact(s, met, after.id, "again")
