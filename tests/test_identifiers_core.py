"""Identifiers on records, the hits they make and whom they are told to, exclusions, and the key check,
on SQLite and PostgreSQL. Phone numbers are from Ofcom's drama range (020 7946 0xxx): synthetic."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import aliased

from coordination import deconfliction_key, policy, services
from coordination.aggregates import told_hits
from coordination.deconfliction_key import KeyMissing
from coordination.errors import NotFound, PermissionDenied, ValidationError
from coordination.kinds import EVIDENCE, SUSPECTS
from coordination.markings import TLP
from coordination.models import (
    Agency,
    AuditEvent,
    Hit,
    HitClosed,
    Identifier,
    IdentifierKind,
    Operation,
    Recipient,
    Role,
    Suspect,
    User,
    hit_copies,
)
from coordination.principal import Principal
from coordination.queries import hits
from tests.conftest import SHA, suspect
from tests.operations import add_operation

PHONE = "phone number"
EMAIL = "e-mail address"
LONDON = "020 7946 0018"  # as a MET liaison types it (read in GB)
SAME_NUMBER = "+44 20 7946 0018"  # as the FBI types it


@pytest.fixture
def people(store, key_file):
    return {name: store.principal(name) for name in
            ("liaison.met", "liaison.fbi", "liaison.nca", "commander.met", "analyst.europol")}


def make_suspect(store, who, reference, tlp=None) -> int:
    with store.writer() as s:
        return suspect(s, who, reference, tlp=tlp).id


def add(store, who, record_id, value, kind=PHONE, record_kind=SUSPECTS):
    with store.writer() as s:
        return services.add_identifier(s, who, record_kind, record_id, kind, value).id


def told(store, who) -> list[hits.HitRow]:
    with store.reader() as s:
        return hits.hits_for_agency(s, who)


def test_a_shared_number_is_a_hit_told_to_both_agencies_and_command(store, people):
    met, fbi, nca = people["liaison.met"], people["liaison.fbi"], people["liaison.nca"]
    mine = make_suspect(store, met, "M-1")
    theirs = make_suspect(store, fbi, "F-1")
    add(store, met, mine, LONDON)
    assert told(store, met) == [] and told(store, fbi) == []
    add(store, fbi, theirs, SAME_NUMBER)

    [for_met] = told(store, met)
    assert (for_met.other_agency_code, for_met.my_record_reference) == ("FBI", "M-1")
    assert for_met.my_record_kind == "suspects"
    assert for_met.sentence.startswith("FBI also holds this phone number (hit found ")
    assert not for_met.possible_duplicate and for_met.request_status is None
    [for_fbi] = told(store, fbi)
    assert (for_fbi.other_agency_code, for_fbi.my_record_reference) == ("MET", "F-1")
    assert told(store, nca) == []
    [for_command] = told(store, people["commander.met"])
    assert for_command.my_agency_code == "MET"  # the commander's own agency's side
    with store.reader() as s:
        assert [h.id for h in hits.hits_on_record(s, fbi, "suspect", theirs)] == [for_fbi.id]
        assert hits.hits_on_record(s, fbi, "suspect", mine) == []  # MET's record: FBI is not its side
        assert hits.hits_on_record(s, nca, "suspect", theirs) == []


def test_the_same_value_on_the_same_record_is_one_identifier(store, people):
    met = people["liaison.met"]
    mine = make_suspect(store, met, "M-1")
    first = add(store, met, mine, LONDON)
    assert add(store, met, mine, "+442079460018") == first
    with store.reader() as s:
        [row] = hits.identifiers_on_record(s, met, "suspect", mine)
        assert (row.kind, row.value, row.added_by) == (IdentifierKind.PHONE, LONDON, "Morgan Liaison")


def test_refusals_bad_values_other_agencies_records_and_unreadable_records(store, people):
    met, fbi = people["liaison.met"], people["liaison.fbi"]
    mine = make_suspect(store, met, "M-1")
    secret = make_suspect(store, met, "M-STRICT", tlp="AMBER+STRICT")
    with store.writer() as s, pytest.raises(ValidationError) as refused:
        services.add_identifier(s, met, SUSPECTS, mine, PHONE, "12")
    assert "value" in refused.value.problems
    with store.writer() as s, pytest.raises(ValidationError) as refused:
        services.add_identifier(s, met, SUSPECTS, mine, "shoe size", "44")
    assert "kind" in refused.value.problems
    with store.writer() as s, pytest.raises(PermissionDenied):
        services.add_identifier(s, fbi, SUSPECTS, mine, PHONE, SAME_NUMBER)
    with store.writer() as s, pytest.raises(NotFound) as hidden:
        services.add_identifier(s, fbi, SUSPECTS, secret, PHONE, SAME_NUMBER)
    with store.writer() as s, pytest.raises(NotFound) as missing:
        services.add_identifier(s, fbi, SUSPECTS, 99_999, PHONE, SAME_NUMBER)
    assert str(hidden.value).replace(str(secret), "N") == str(missing.value).replace("99999", "N")
    with store.reader() as s:
        assert s.scalar(select(Identifier.id)) is None
        assert hits.identifiers_on_record(s, fbi, "suspect", secret) == []


def test_an_excluded_value_makes_no_hit_and_excluding_closes_open_hits(store, people):
    met, fbi, command = people["liaison.met"], people["liaison.fbi"], people["commander.met"]
    mine, theirs = make_suspect(store, met, "M-1"), make_suspect(store, fbi, "F-1")
    add(store, met, mine, LONDON)
    add(store, fbi, theirs, SAME_NUMBER)
    assert len(told(store, met)) == 1
    with store.writer() as s, pytest.raises(PermissionDenied):
        services.add_exclusion(s, met, PHONE, LONDON, "a bank's number")
    with store.writer() as s:
        exclusion = services.add_exclusion(s, command, PHONE, "+44 20 7946 0018", "a bank's switchboard").id
    assert told(store, met) == [] and told(store, fbi) == []
    with store.reader() as s:
        assert s.scalar(select(Hit.closed_reason)) is HitClosed.EXCLUDED
        [row] = hits.exclusions(s, command)
        assert (row.value, row.reason) == ("+442079460018", "a bank's switchboard")
        assert hits.exclusions(s, met) == []
    other = make_suspect(store, people["liaison.nca"], "N-1")
    add(store, people["liaison.nca"], other, LONDON)  # excluded: no new hit
    assert told(store, people["liaison.nca"]) == []

    with store.writer() as s:
        services.remove_exclusion(s, command, exclusion)
    assert [h.other_agency_code for h in told(store, met)] == ["NCA", "FBI"]  # newest first
    assert sorted(h.other_agency_code for h in told(store, fbi)) == ["MET", "NCA"]
    with store.reader() as s:  # the closed hit reopened, not made twice
        assert s.scalar(select(text("count(*)")).select_from(Hit)) == 3


def test_a_hit_on_a_red_record_is_told_to_its_owner_only(store, people):
    met, fbi, command = people["liaison.met"], people["liaison.fbi"], people["commander.met"]
    red = make_suspect(store, met, "M-RED", tlp="RED")  # its author is a named recipient
    theirs = make_suspect(store, fbi, "F-1")
    add(store, fbi, theirs, SAME_NUMBER)
    add(store, met, red, LONDON)
    [for_met] = told(store, met)
    assert (for_met.my_record_reference, for_met.other_agency_code) == ("M-RED", "FBI")
    assert told(store, fbi) == [] and told(store, command) == []
    with store.reader() as s:
        assert hits.hits_on_record(s, fbi, "suspect", theirs) == []
    other_met = Principal(None, "x", "y", "someone", met.agency_id, "MET", Role.LIAISON)  # not named
    assert told(store, other_met) == []


def test_a_value_twice_in_one_agency_is_a_possible_duplicate_for_that_agency(store, people):
    met = people["liaison.met"]
    one, two = make_suspect(store, met, "M-1"), make_suspect(store, met, "M-2")
    add(store, met, one, "boss@example.com", EMAIL)
    add(store, met, two, "Boss@Example.COM", EMAIL)
    [row] = told(store, met)
    assert row.possible_duplicate and row.other_agency_code == "MET"
    assert row.sentence.startswith("Another record of MET also holds this e-mail address: a possible duplicate")
    assert told(store, people["liaison.fbi"]) == []


def test_removing_an_identifier_closes_its_hits(store, people):
    met, fbi = people["liaison.met"], people["liaison.fbi"]
    mine, theirs = make_suspect(store, met, "M-1"), make_suspect(store, fbi, "F-1")
    identifier = add(store, met, mine, LONDON)
    add(store, fbi, theirs, SAME_NUMBER)
    with store.writer() as s, pytest.raises(PermissionDenied):
        services.remove_identifier(s, fbi, identifier)
    with store.writer() as s:
        services.remove_identifier(s, met, identifier)
    assert told(store, met) == [] and told(store, fbi) == []
    with store.reader() as s:
        assert s.scalar(select(Hit.closed_reason)) is HitClosed.REMOVED
        assert hits.identifiers_on_record(s, met, "suspect", mine) == []
    add(store, met, mine, LONDON)  # added again: a new identifier, a new hit
    assert len(told(store, fbi)) == 1


def test_a_marking_change_moves_the_identifiers_copies(store, people):
    met, fbi = people["liaison.met"], people["liaison.fbi"]
    mine, theirs = make_suspect(store, met, "M-1"), make_suspect(store, fbi, "F-1")
    add(store, met, mine, LONDON)
    add(store, fbi, theirs, SAME_NUMBER)
    with store.writer() as s:
        services.update_suspect(s, met, mine, 1, {"tlp": "RED"})
    with store.reader() as s:
        assert s.scalar(select(Identifier.tlp).where(Identifier.record_id == mine)) is TLP.RED
    assert told(store, fbi) == [] and len(told(store, met)) == 1
    with store.writer() as s:
        services.update_suspect(s, met, mine, 2, {"tlp": "GREEN"})
    assert len(told(store, fbi)) == 1


def test_evidence_items_hold_identifiers_too(store, people):
    met, fbi = people["liaison.met"], people["liaison.fbi"]
    with store.writer() as s:
        item = services.create_evidence_item(s, met, {
            "reference": "E-1", "item_type": "phone", "description": "phone", "sha256": SHA, "seized_from": "x",
            "seized_at": "2022-11-07T06:00:00Z", "seized_place": "x", "status": "awaiting analysis",
            "holder_name": "DC Example"}).id
    add(store, met, item, LONDON, record_kind=EVIDENCE)
    add(store, fbi, make_suspect(store, fbi, "F-1"), SAME_NUMBER)
    [row] = told(store, met)
    assert (row.my_record_kind, row.my_record_reference) == ("evidence", "E-1")


def test_another_key_is_refused(store, people, tmp_path, monkeypatch):
    met = people["liaison.met"]
    mine = make_suspect(store, met, "M-1")
    add(store, met, mine, LONDON)
    other = deconfliction_key.make_key_file(tmp_path / "other.key")
    monkeypatch.setenv(deconfliction_key.ENVIRONMENT, str(other))
    with store.writer() as s, pytest.raises(KeyMissing, match="not the key"):
        services.add_identifier(s, met, SUSPECTS, mine, EMAIL, "boss@example.com")
    monkeypatch.delenv(deconfliction_key.ENVIRONMENT)
    with store.writer() as s, pytest.raises(KeyMissing, match="is not set"):
        services.add_identifier(s, met, SUSPECTS, mine, EMAIL, "boss@example.com")
    with store.reader() as s:
        assert s.scalar(select(text("count(*)")).select_from(Identifier)) == 1


def test_no_plain_value_in_hits_or_in_their_audit_events(store, people):
    met, fbi = people["liaison.met"], people["liaison.fbi"]
    mine, theirs = make_suspect(store, met, "M-1"), make_suspect(store, fbi, "F-1")
    add(store, met, mine, LONDON)
    add(store, fbi, theirs, SAME_NUMBER)
    with store.writer() as s:
        services.add_exclusion(s, people["commander.met"], PHONE, "+44 20 7946 0999", "a bank")
    values = ("7946", "+442079460018")
    with store.reader() as s:
        hit_rows = [" ".join(map(str, row)) for row in s.execute(select(Hit.__table__))]
        events = s.execute(select(AuditEvent.action, AuditEvent.entity, AuditEvent.actor_subject,
                                  AuditEvent.before, AuditEvent.after, AuditEvent.detail)).all()
    assert hit_rows and not any(value in row for row in hit_rows for value in values)
    hit_events = [event for event in events if event.entity == "hit"]
    assert [event.action for event in hit_events] == ["hit found"]
    assert '"agencies":["FBI","MET"]' in hit_events[0].after
    carrying = {(e.action, e.actor_subject) for e in events if any(v in " ".join(map(str, e)) for v in values)}
    # the value is only in each owner's own event, and in command's exclusion list
    assert carrying == {("add identifier", "liaison.met"), ("add identifier", "liaison.fbi"),
                        ("add exclusion", "commander.met")}


# --- the telling rule: SQL and Python agree ---------------------------------------------------------

def test_told_in_sql_agrees_with_is_told_over_operations_agencies_markings_and_roles(store):
    """Every pair of sides (two operations x two agencies x five markings, RED with and without the
    viewer named) and every role of either agency, reading either operation or none: the SQL clause
    and its Python twin tell the same hits (the viewer's side always of the operation read), and the
    pre-filter on the hit's copies keeps every hit that is told."""
    with store.writer() as s:
        operation = s.scalar(select(Operation.id))
        elsewhere = add_operation(s, "ELSEWHERE", "Operation Elsewhere", "NCA", {})
        met, fbi = (s.scalar(select(Agency.id).where(Agency.code == code)) for code in ("MET", "FBI"))
        viewer = s.scalar(select(User.id).where(User.subject == "liaison.met"))
        sides = [(of, agency, tlp, named) for of in (operation, elsewhere) for agency in (met, fbi) for tlp in TLP
                 for named in ((False, True) if tlp is TLP.RED else (False,))]
        made, held = {}, {}
        for n, (of, agency, tlp, named) in enumerate(sides, start=1):
            held[n] = Identifier(id=n, operation_id=of, kind=IdentifierKind.PHONE, value="v", normalised="v",
                                 keyed="k", record_entity="suspect", record_id=n, owning_agency_id=agency, tlp=tlp)
            s.add(held[n])
            if named:
                s.add(Recipient(entity="suspect", entity_id=n, user_id=viewer))
            made[n] = policy.HitSide(agency, tlp, named, of)
        s.flush()
        pairs = list(itertools.combinations(made, 2))
        s.add_all(Hit(operation_id=held[a].operation_id, match="exact", first_id=a, second_id=b,
                      **hit_copies(held[a], held[b])) for a, b in pairs)
        s.commit()
    first, second = aliased(Identifier), aliased(Identifier)
    principals = [Principal(viewer, "x", "v", "viewer", agency, "", role, up_to, operation_id=reads)
                  for role in [*Role, None] for agency in (met, fbi) for up_to in (None, TLP.GREEN, TLP.AMBER_STRICT)
                  for reads in (operation, elsewhere, None)]
    with store.reader() as s:
        for principal in principals:
            for mine, other in ((first, second), (second, first)):
                in_sql = set(s.execute(select(mine.id, other.id).select_from(Hit)
                                       .join(first, first.id == Hit.first_id).join(second, second.id == Hit.second_id)
                                       .where(policy.told(principal, mine, other))).all())
                oriented = pairs if mine is first else [(b, a) for a, b in pairs]
                in_python = {(m, o) for m, o in oriented if policy.is_told(principal, made[m], made[o])}
                assert in_sql == in_python, (principal.role, principal.agency_id, principal.operation_id)
                assert all(made[m].operation_id == principal.operation_id for m, _ in in_python)
            maybe = set(s.execute(select(Hit.first_id, Hit.second_id).where(
                policy.may_be_told(principal, Hit))).all())
            told_either = {(a, b) for a, b in pairs if policy.is_told(principal, made[a], made[b])
                           or policy.is_told(principal, made[b], made[a])}
            assert told_either <= maybe  # the pre-filter on the hit row never hides a hit that is told
            # the picture's count reads the rule over the hit's own copies of its sides: the same hits
            pair_of = {hit_id: (a, b) for hit_id, a, b in s.execute(select(Hit.id, Hit.first_id, Hit.second_id))}
            assert {pair_of[hit_id] for hit_id, *_ in told_hits(s, principal)} == told_either
    across = [(a, b) for a, b in pairs if made[a].operation_id != made[b].operation_id]
    assert any(policy.is_told(p, made[a], made[b]) for p in principals for a, b in across)  # not vacuous
    # the same agency in another operation is another operation, never a possible duplicate: a RED side
    # there is not told to a side that is not RED, whoever reads
    red_there = [(a, b) for a, b in across if made[b].tlp is TLP.RED and made[a].tlp is not TLP.RED]
    assert not any(policy.is_told(p, made[a], made[b]) for p in principals for a, b in red_there)


def test_suspect_model_unchanged_by_identifiers(store, people):
    """Adding identifiers is an update of the record's identifiers, not of its columns: its version stays."""
    met = people["liaison.met"]
    mine = make_suspect(store, met, "M-1")
    add(store, met, mine, LONDON)
    with store.reader() as s:
        assert s.get(Suspect, mine).version == 1


@pytest.mark.parametrize(("kind", "value", "qualifier", "field"), [
    (PHONE, None, None, "value"), (PHONE, "  ", None, "value"), (PHONE, "0" * 100_000, None, "value"),
    (PHONE, "020 7946 0018\x00", None, "value"), (PHONE, LONDON, 5, "qualifier"), (None, LONDON, None, "kind"),
    ("phone number\u202e", LONDON, None, "kind"), (EMAIL, "not an address", None, "value")])
def test_hostile_values_are_refused_with_a_reason_per_field(store, people, kind, value, qualifier, field):
    met = people["liaison.met"]
    mine = make_suspect(store, met, "M-1")
    with store.writer() as s, pytest.raises(ValidationError) as refused:
        services.add_identifier(s, met, SUSPECTS, mine, kind, value, qualifier)
    assert list(refused.value.problems) == [field]
    with store.writer() as s, pytest.raises(NotFound):
        services.add_identifier(s, met, SUSPECTS, str(mine), PHONE, LONDON)
    with store.writer() as s, pytest.raises(NotFound):
        services.remove_identifier(s, met, "1 OR 1=1")
    for reason in ("", "two\nlines", 5, "x" * 301):
        with store.writer() as s, pytest.raises(ValidationError) as refused:
            services.add_exclusion(s, people["commander.met"], PHONE, LONDON, reason)
        assert list(refused.value.problems) == ["reason"]
    with store.reader() as s:
        assert s.scalar(select(text("count(*)")).select_from(Identifier)) == 0


def test_a_record_saved_with_several_identifiers_checks_them_together(store, people):
    met, fbi = people["liaison.met"], people["liaison.fbi"]
    mine, theirs = make_suspect(store, met, "M-1"), make_suspect(store, fbi, "F-1")
    add(store, fbi, theirs, SAME_NUMBER)
    with store.writer() as s, pytest.raises(ValidationError) as refused:
        services.add_identifiers(s, met, SUSPECTS, mine, [(PHONE, LONDON, None), (EMAIL, "nobody", None)])
    assert list(refused.value.problems) == ["value 2"]
    with store.writer() as s:
        added = services.add_identifiers(s, met, SUSPECTS, mine, [
            (PHONE, LONDON, None), (EMAIL, "boss@example.com", None), (PHONE, "+442079460018", None)])
    assert added[0].id == added[2].id != added[1].id  # the same number twice is one identifier
    assert [h.other_agency_code for h in told(store, met)] == ["FBI"]


def test_an_owner_change_moves_the_identifiers_and_hits_copies(store, people):
    """No role may hand a suspect to another agency today; the hook that update_record runs when one
    does is checked directly."""
    from coordination.services.pipeline import identifiers_follow
    met, fbi = people["liaison.met"], people["liaison.fbi"]
    mine, theirs = make_suspect(store, met, "M-1"), make_suspect(store, fbi, "F-1")
    add(store, met, mine, LONDON)
    add(store, fbi, theirs, SAME_NUMBER)
    with store.writer() as s:
        record = s.get(Suspect, mine)
        record.owning_agency_id = people["liaison.nca"].agency_id
        s.flush()
        identifiers_follow(s, record)
        s.commit()
    assert [h.other_agency_code for h in told(store, fbi)] == ["NCA"]
    assert told(store, met) == [] and [h.my_record_reference for h in told(store, people["liaison.nca"])] == ["M-1"]


def test_people_whose_names_sound_alike_born_the_same_day_are_a_possible_match(store, people):
    met, fbi = people["liaison.met"], people["liaison.fbi"]
    mine, theirs = make_suspect(store, met, "M-1"), make_suspect(store, fbi, "F-1")
    with store.writer() as s:
        services.add_identifier(s, met, SUSPECTS, mine, "person", "John Smith", "1990-02-03")
        services.add_identifier(s, fbi, SUSPECTS, theirs, "person", "Jon Smyth", "1990-02-03")
        services.add_identifier(s, fbi, SUSPECTS, make_suspect(store, fbi, "F-2"), "person", "Jon Smyth",
                                "1991-02-03")  # another birthday: no match
    [row] = told(store, met)
    assert (row.match.value, row.other_agency_code) == ("possible", "FBI")
    assert row.sentence.startswith("FBI holds a person whose name sounds alike, born the same day")
    with store.writer() as s:  # the same person typed differently: exact, and no second, possible hit
        services.add_identifier(s, fbi, SUSPECTS, theirs, "person", "JOHN  SMITH", "1990-02-03")
    assert sorted(h.match.value for h in told(store, met)) == ["exact", "possible"]


def test_an_agencys_hits_page_newest_first(store, people):
    met, fbi = people["liaison.met"], people["liaison.fbi"]
    mine, theirs = make_suspect(store, met, "M-1"), make_suspect(store, fbi, "F-1")
    for n in range(3):
        add(store, met, mine, f"+44 20 7946 00{n}0")
        add(store, fbi, theirs, f"+44 20 7946 00{n}0")
    with store.reader() as s:
        first = hits.hits_for_agency(s, fbi, limit=2)
        rest = hits.hits_for_agency(s, fbi, limit=2, before=first[-1].id)
    assert [h.id for h in first + rest] == sorted((h.id for h in first + rest), reverse=True)
    assert (len(first), len(rest)) == (2, 1)
