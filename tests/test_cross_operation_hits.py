"""Deconfliction between operations (issue 27), on SQLite and PostgreSQL: identifiers keyed with the
deployment's one key match across operations; each side is told that ANOTHER operation holds the
value and whom to contact there, never that operation's name, records, agency, marking or value, nor
how many operations; the marking rules apply on top; exclusions are each operation's; key rotation
re-keys every operation. Operation A is the seeded Elaborate (lead MET); B is Operation Launder (lead
NCA), whose liaison is NCA's. Phone numbers are from Ofcom's drama range: synthetic."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coordination import aggregates, deconfliction_key, notices, services
from coordination.errors import ValidationError
from coordination.kinds import SUSPECTS
from coordination.models import Hit, Identifier, Notification, Operation, Role, User
from coordination.principal import Principal
from coordination.queries import hits
from tests.conftest import suspect
from tests.operations import LAUNDER_CONTACT, add_launder, add_operation, reading

PHONE = "phone number"
LONDON = "020 7946 0018"  # as a MET liaison types it (read in GB)
SAME_NUMBER = "+44 20 7946 0018"  # as NCA types it in the other operation
B_CONTACT = LAUNDER_CONTACT  # B's deconfliction contact: names no agency
B_SECRETS = ("LAUNDER", "Launder", "NCA", "N-1", "N-2", SAME_NUMBER, "7946")  # what no reader of A may see


@pytest.fixture
def launder(store, key_file) -> int:
    return add_launder(store)


def held(store, who: Principal, reference: str, value: str, tlp: str | None = None) -> int:
    """A suspect of `who`'s agency in `who`'s operation, holding the phone number `value`: its id."""
    with store.writer() as session:
        record = suspect(session, who, reference, tlp=tlp)
        services.add_identifier(session, who, SUSPECTS, record.id, PHONE, value)
        return record.id


def told(store, who: Principal) -> list[hits.HitRow]:
    with store.reader() as session:
        return hits.hits_for_agency(session, who)


def said(rows: list[hits.HitRow]) -> str:
    return " ".join(repr(row) for row in rows)


def test_a_number_in_two_operations_tells_each_side_another_operation_and_whom_to_contact(store, launder):
    met, nca = reading(store, "liaison.met"), reading(store, "liaison.nca", "LAUNDER")
    mine = held(store, met, "M-1", LONDON)
    theirs = held(store, nca, "N-1", SAME_NUMBER)

    [for_met] = told(store, met)
    assert (for_met.my_record_reference, for_met.other_agency_code) == ("M-1", "another operation")
    assert for_met.sentence.startswith("Another operation also holds this phone number (hit found ")
    assert for_met.sentence.endswith(f"; contact: {B_CONTACT}")
    assert for_met.of_another_operation and not for_met.possible_duplicate and for_met.request_status is None
    assert not any(secret in said([for_met]) for secret in B_SECRETS)
    [for_nca] = told(store, nca)  # A's own contact, as A's command wrote it
    assert (for_nca.my_record_reference, for_nca.other_agency_code) == ("N-1", "another operation")
    assert for_nca.sentence.endswith("; contact: the Metropolitan Police Service deconfliction desk")
    assert not any(secret in said([for_nca]) for secret in ("ELABORATE", "Elaborate", "M-1", LONDON, "MET"))
    with store.reader() as session:  # on the record as on the list
        assert [row.sentence for row in hits.hits_on_record(session, met, "suspect", mine)] == [for_met.sentence]
        assert [row.sentence for row in hits.hits_on_record(session, nca, "suspect", theirs)] == [for_nca.sentence]
        assert hits.hits_on_record(session, met, "suspect", theirs) == []  # B's record: not A's to read
        # the picture counts the line as with "another operation", never under NCA's name
        assert [tuple(row) for row in aggregates.hits_between_agencies(session, met)] == [
            ("MET", "another operation", 1)]
        assert [tuple(row) for row in aggregates.hits_between_agencies(session, met, aggregates.Filters(
            agencies=("NCA",)))] == []  # NCA's side is B's: filtering on NCA in A counts nothing of B's
    # command of each operation: their own record and "another operation"
    [for_command] = told(store, reading(store, "commander.met"))
    assert (for_command.my_record_reference, for_command.other_agency_code) == ("M-1", "another operation")
    [for_b_command] = told(store, reading(store, "commander.met", "LAUNDER"))
    assert (for_b_command.my_record_reference, for_b_command.other_agency_code) == ("N-1", "another operation")
    # no contact request crosses operations: whom to contact instead, in words
    with store.writer() as session, pytest.raises(ValidationError) as refused:
        services.ask_for_contact(session, met, for_met.id, "same number as our suspect")
    assert refused.value.problems == {"hit": f"this hit is with another operation, which no request reaches: "
                                             f"contact {B_CONTACT}"}
    # each side's operation's liaisons hear of it, on their own record, as a hit with another operation
    with store.reader() as session:
        heard = set(session.execute(select(User.subject, Notification.event, Notification.entity_id)
                                    .join(User, User.id == Notification.user_id)
                                    .where(Notification.event == notices.HIT_ELSEWHERE.name)).all())
    assert heard == {("liaison.met", notices.HIT_ELSEWHERE.name, mine)}  # NCA's liaison made the hit: not told
    assert not any(secret in notices.HIT_ELSEWHERE.sentence for secret in B_SECRETS)


def test_the_side_that_was_there_first_hears_of_the_hit_in_its_own_operation(store, launder):
    met, nca = reading(store, "liaison.met"), reading(store, "liaison.nca", "LAUNDER")
    theirs = held(store, nca, "N-1", SAME_NUMBER)
    held(store, met, "M-1", LONDON)
    with store.reader() as session:
        heard = set(session.execute(select(User.subject, Notification.entity_id)
                                    .join(User, User.id == Notification.user_id)
                                    .where(Notification.event == notices.HIT_ELSEWHERE.name)).all())
    assert heard == {("liaison.nca", theirs)}  # B's liaison, in B, of B's record
    assert [row.other_agency_code for row in told(store, nca)] == ["another operation"]


def test_several_operations_holding_a_value_are_one_line(store, launder):
    met = reading(store, "liaison.met")
    with store.writer() as session:
        add_operation(session, "THIRD", "Operation Third", "FBI", {"liaison.fbi": Role.LIAISON})
        session.commit()
    held(store, met, "M-1", LONDON)
    held(store, reading(store, "liaison.nca", "LAUNDER"), "N-1", SAME_NUMBER)
    held(store, reading(store, "liaison.fbi", "THIRD"), "F-1", SAME_NUMBER)
    with store.reader() as session:
        assert session.scalar(select(Hit.id).where(Hit.first_operation_id != Hit.second_operation_id).offset(2)
                              ) is not None  # three hits across operations: A-B, A-C, B-C
    [line] = told(store, met)  # one line for every other operation together: how many is not told
    assert line.other_agency_code == "another operation"


def test_a_red_record_across_operations_is_told_to_its_owner_only(store, launder):
    met, nca = reading(store, "liaison.met"), reading(store, "liaison.nca", "LAUNDER")
    held(store, met, "M-RED", LONDON, tlp="RED")  # its author is a named recipient
    held(store, nca, "N-1", SAME_NUMBER)
    [for_met] = told(store, met)
    assert (for_met.my_record_reference, for_met.other_agency_code) == ("M-RED", "another operation")
    assert told(store, nca) == []  # nothing tells B that A holds it on a RED record
    assert told(store, reading(store, "commander.met")) == []
    assert told(store, reading(store, "commander.met", "LAUNDER")) == []
    with store.reader() as session:
        heard = session.execute(select(User.subject, Notification.event).join(User, User.id == Notification.user_id)
                                 .where(Notification.event == notices.HIT_ELSEWHERE.name)).all()
        assert heard == [("liaison.met", notices.HIT_ELSEWHERE.name)]  # NCA made the hit and hears nothing


def test_a_member_of_both_reading_one_is_told_as_its_member_no_more(store, launder):
    fbi_a, fbi_b = reading(store, "liaison.fbi"), reading(store, "liaison.fbi", "LAUNDER")
    held(store, fbi_a, "F-A", SAME_NUMBER)
    held(store, fbi_b, "F-B", SAME_NUMBER)
    [in_a] = told(store, fbi_a)  # FBI's two records, one per operation: not a possible duplicate
    assert (in_a.my_record_reference, in_a.other_agency_code, in_a.possible_duplicate) == (
        "F-A", "another operation", False)
    assert "F-B" not in said([in_a]) and "LAUNDER" not in said([in_a])
    [in_b] = told(store, fbi_b)
    assert (in_b.my_record_reference, in_b.other_agency_code) == ("F-B", "another operation")
    assert "F-A" not in said([in_b])


def test_a_value_excluded_in_one_operation_makes_no_hit_for_it(store, launder):
    met, nca = reading(store, "liaison.met"), reading(store, "liaison.nca", "LAUNDER")
    with store.writer() as session:
        services.add_exclusion(session, reading(store, "commander.met"), PHONE, LONDON, "a bank's switchboard")
    held(store, met, "M-1", LONDON)
    held(store, nca, "N-1", SAME_NUMBER)
    assert told(store, met) == [] and told(store, nca) == []
    with store.reader() as session:
        assert session.scalar(select(Hit.id)) is None
    # excluded in A only: B's own two records still hit each other
    held(store, nca, "N-2", SAME_NUMBER)
    [duplicate] = told(store, nca)
    assert duplicate.possible_duplicate and duplicate.other_agency_code == "NCA"


def test_key_rotation_rekeys_every_operation_so_they_keep_matching(store, launder, tmp_path, monkeypatch):
    met, nca = reading(store, "liaison.met"), reading(store, "liaison.nca", "LAUNDER")
    held(store, met, "M-1", LONDON)
    held(store, nca, "N-1", SAME_NUMBER)
    new_file = deconfliction_key.make_key_file(tmp_path / "new.key")
    new_key = deconfliction_key.read_key_file(new_file)
    with store.writer() as session:
        assert services.rotate_key(session, reading(store, "commander.met"), new_key) == 1  # A's own count
    monkeypatch.setenv(deconfliction_key.ENVIRONMENT, str(new_file))
    with store.reader() as session:
        assert set(session.scalars(select(Operation.deconfliction_key_fingerprint))) == {new_key.fingerprint}
        assert len(set(session.scalars(select(Identifier.keyed)))) == 1  # both operations' under the new key
    held(store, reading(store, "liaison.nca", "LAUNDER"), "N-2", SAME_NUMBER)  # B's key check passes
    with store.reader() as session:
        across = session.scalars(select(Hit).where(Hit.first_operation_id != Hit.second_operation_id)).all()
    assert len(across) == 2  # M-1 with N-1 (kept), and with N-2 (new, under the new key)
    assert [row.other_agency_code for row in told(store, met)] == ["another operation"]
