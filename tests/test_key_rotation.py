"""Key rotation on both stores: every identifier and exclusion re-keyed in one transaction (people's
sound-alike keys too), every hit kept, the old key matching nothing, a new identifier under the new
key still hitting; target packages' addresses re-keyed too; commanders only; audited without a value."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect, select

from coordination import deconfliction_key, services
from coordination.cli import cli
from coordination.deconfliction_key import KeyMissing
from coordination.errors import PermissionDenied, ValidationError
from coordination.kinds import SUSPECTS
from coordination.models import (
    AuditEvent,
    Exclusion,
    Hit,
    HitMatch,
    Identifier,
    Operation,
    PackageConflict,
    TargetPackage,
)
from tests.conftest import suspect

PHONE, PERSON = "phone number", "person"
NUMBER = "+44 20 7946 0789"  # Ofcom's drama range: synthetic
SWITCHBOARD = "+44 20 7946 0000"
PEOPLE = (("liaison.met", "John Smith"), ("liaison.fbi", "Jon Smyth"))  # sound alike, born the same day
BORN = "1990-03-12"


@pytest.fixture
def keys(tmp_path, monkeypatch):
    old = deconfliction_key.make_key_file(tmp_path / "old.key")
    new = deconfliction_key.make_key_file(tmp_path / "new.key")
    monkeypatch.setenv(deconfliction_key.ENVIRONMENT, str(old))
    return old, new


def operation_with_hits(store) -> None:
    """A phone number shared by FBI and NL-POLICE (an exact hit), two people who sound alike (a
    possible hit), and an excluded switchboard number."""
    with store.writer() as session:
        for subject in ("liaison.fbi", "liaison.nl-police"):
            who = store.principal(subject)
            record = suspect(session, who, f"{who.agency_code}-PHONE")
            services.add_identifier(session, who, SUSPECTS, record.id, PHONE, NUMBER)
            services.add_identifier(session, who, SUSPECTS, record.id, PHONE, SWITCHBOARD)
        for subject, name in PEOPLE:
            who = store.principal(subject)
            record = suspect(session, who, f"{who.agency_code}-PERSON")
            services.add_identifier(session, who, SUSPECTS, record.id, PERSON, name, qualifier=BORN)
        services.add_exclusion(session, store.principal("commander.met"), PHONE, SWITCHBOARD, "a bank's switchboard")


def snapshot(store):
    with store.reader() as session:
        identifiers = {i.id: (i.keyed, i.phonetic_keyed) for i in session.scalars(select(Identifier))}
        hits = {(h.first_id, h.second_id, h.match, h.closed_reason) for h in session.scalars(select(Hit))}
        exclusions = set(session.scalars(select(Exclusion.keyed)))
        fingerprint = session.scalar(select(Operation.deconfliction_key_fingerprint))
    return identifiers, hits, exclusions, fingerprint


def test_rotation_rekeys_everything_keeps_every_hit_and_the_old_key_matches_nothing(store, keys, monkeypatch):
    old_file, new_file = keys
    old_key, new_key = (deconfliction_key.read_key_file(path) for path in keys)
    operation_with_hits(store)
    identifiers, hits, exclusions, fingerprint = snapshot(store)
    assert fingerprint == old_key.fingerprint
    indexes = sorted((i["name"], i["column_names"]) for i in inspect(store.engine).get_indexes("identifier"))
    assert {match for _, _, match, _ in hits} == {HitMatch.EXACT, HitMatch.POSSIBLE}
    with store.writer() as session:
        assert services.rotate_key(session, store.principal("commander.met"), new_key) == len(identifiers) == 6
    after, hits_after, exclusions_after, fingerprint_after = snapshot(store)
    assert hits_after == hits and fingerprint_after == new_key.fingerprint
    assert sorted((i["name"], i["column_names"]) for i in inspect(store.engine).get_indexes("identifier")) == indexes
    assert len(indexes) == 8  # the indexes built again after the update are the model's
    assert set(after) == set(identifiers)
    assert not {keyed for keyed, _ in after.values()} & {keyed for keyed, _ in identifiers.values()}
    people = [i for i in after if identifiers[i][1] is not None]
    assert len(people) == 2 and all(after[i][1] not in (None, identifiers[i][1]) for i in people)
    assert after[people[0]][1] == after[people[1]][1]  # still sound alike under the new key
    assert exclusions_after == {new_key.keyed(PHONE, "+442079460000")} and not exclusions & exclusions_after
    with store.reader() as session:
        stored = set(session.scalars(select(Identifier.keyed)))
    assert not stored & {old_key.keyed(PHONE, "+442079460789"), old_key.keyed(PHONE, "+442079460000")}

    # the old key file finds nothing: it is refused, saying so
    with store.writer() as session, pytest.raises(KeyMissing):
        services.check_identifier(session, store.principal("liaison.met"), PHONE, NUMBER)
    monkeypatch.setenv(deconfliction_key.ENVIRONMENT, str(new_file))
    with store.writer() as session:
        assert services.check_identifier(session, store.principal("liaison.met"), PHONE, NUMBER).agencies == \
            ["FBI", "NL-POLICE"]
        nca = store.principal("liaison.nca")
        record = suspect(session, nca, "NCA-PHONE")
        services.add_identifier(session, nca, SUSPECTS, record.id, PHONE, NUMBER)
    _, hits_now, _, _ = snapshot(store)
    assert len(hits_now - hits) == 2  # the new identifier hits both holders under the new key


def test_only_command_rotates_a_new_key_and_the_event_holds_no_value(store, keys):
    old_key, new_key = (deconfliction_key.read_key_file(path) for path in keys)
    operation_with_hits(store)
    with store.writer() as session:
        with pytest.raises(PermissionDenied):
            services.rotate_key(session, store.principal("liaison.met"), new_key)
        with pytest.raises(ValidationError) as refused:
            services.rotate_key(session, store.principal("commander.met"), old_key)
        assert set(refused.value.problems) == {"new_key"}
        services.rotate_key(session, store.principal("commander.met"), new_key)
    with store.reader() as session:
        [event] = session.scalars(select(AuditEvent).where(AuditEvent.action == "rotate deconfliction key",
                                                           AuditEvent.outcome == "ok")).all()
        values = [v for i in session.scalars(select(Identifier)) for v in (i.value, i.normalised)]
    assert new_key.fingerprint in event.after and '"identifiers":6' in event.after
    assert all(value not in f"{event.before}{event.after}" for value in values)


def test_the_command_line_rotates_and_says_which_key_to_name(sqlite_store, keys):
    old_file, new_file = keys
    operation_with_hits(sqlite_store)
    result = CliRunner().invoke(cli, ["deconflict", "rotate-key", "--new-key-file", str(new_file), "--as",
                                      "commander.met", "--database-url", str(sqlite_store.engine.url)])
    assert result.exit_code == 0, result.output
    assert "re-keyed every operation's identifiers" in result.output
    assert "(6 identifiers of this operation)" in result.output
    assert f"{deconfliction_key.ENVIRONMENT}={new_file.resolve()}" in result.output
    again = CliRunner().invoke(cli, ["deconflict", "rotate-key", "--new-key-file", str(new_file), "--as",
                                     "commander.met", "--database-url", str(sqlite_store.engine.url)])
    assert again.exit_code == 1 and "is the key in use already" in again.output


def test_rotation_rekeys_target_packages_too_and_their_conflicts_hold_under_the_new_key(store, keys, monkeypatch):
    from tests.test_action_day import create, warnings

    old_file, new_file = keys
    old_key, new_key = (deconfliction_key.read_key_file(path) for path in keys)
    create(store, "liaison.met", "P-MET", address="4 Rotation Row")
    create(store, "liaison.nl-police", "P-NL", address="4 rotation row")
    with store.writer() as session:
        services.rotate_key(session, store.principal("commander.met"), new_key)
    with store.reader() as session:
        assert set(session.scalars(select(TargetPackage.address_keyed))) == {new_key.keyed("address", "4 rotation row")}
        [event] = session.scalars(select(AuditEvent.after).where(AuditEvent.action == "rotate deconfliction key"))
    assert '"target packages":2' in event and "rotation" not in event.lower()
    with pytest.raises(KeyMissing):  # the old key file is refused for packages too
        create(store, "liaison.fbi", "P-OLD", address="4 Rotation Row")
    monkeypatch.setenv(deconfliction_key.ENVIRONMENT, str(new_file))
    create(store, "liaison.fbi", "P-FBI", address="4 ROTATION ROW")
    assert len(warnings(store, "liaison.fbi")) == 2 and len(warnings(store, "commander.met")) == 3  # with both


def test_rotation_rekeys_the_keys_of_address_buildings_and_they_still_meet(store, keys, monkeypatch):
    _, new_file = keys
    new_key = deconfliction_key.read_key_file(new_file)
    with store.writer() as session:
        for subject, address in (("liaison.met", "Flat 2, 37 Barthor Road, London SW1A 1AA"),
                                 ("liaison.nca", "37 Barthor Rd, London SW1A1AA")):
            who = store.principal(subject)
            services.add_identifier(session, who, SUSPECTS, suspect(session, who, f"{who.agency_code}-1").id,
                                    "address", address)

    def buildings():
        with store.reader() as session:
            return {i.id: (i.postcode_keyed, i.street_keyed, i.unit_keyed) for i in session.scalars(select(Identifier))}

    before, (_, hits, _, _) = buildings(), snapshot(store)
    assert {match for _, _, match, _ in hits} == {HitMatch.SAME_BUILDING}
    with store.writer() as session:
        services.rotate_key(session, store.principal("commander.met"), new_key)
    after, (_, hits_after, _, _) = buildings(), snapshot(store)
    assert hits_after == hits
    flat, building = sorted(after)
    assert [keyed is None for keyed in after[flat]] == [keyed is None for keyed in before[flat]] == [False] * 3
    assert not ({k for keys_of in after.values() for k in keys_of}
                & {k for keys_of in before.values() for k in keys_of}) - {None}
    assert after[flat][:2] == after[building][:2]  # the same building under the new key
    monkeypatch.setenv(deconfliction_key.ENVIRONMENT, str(new_file))
    with store.writer() as session:
        fbi = store.principal("liaison.fbi")
        services.add_identifier(session, fbi, SUSPECTS, suspect(session, fbi, "FBI-1").id, "address",
                                "37, Barthor Road, London, SW1A 1AA, United Kingdom")
    _, hits_now, _, _ = snapshot(store)
    assert sorted(match for _, _, match, _ in hits_now - hits) == [HitMatch.SAME_ADDRESS, HitMatch.SAME_BUILDING]


def test_rotation_rekeys_the_bare_street_keys_of_packages_and_identifiers(store, keys, monkeypatch):
    """A town-less line meets its building by the bare street key: under the new key it still does."""
    from tests.test_action_day import create

    old_file, new_file = keys
    old_key, new_key = (deconfliction_key.read_key_file(path) for path in keys)
    create(store, "liaison.met", "P-MET", address="37 Barthor Rd, London SW1A 1AA")
    create(store, "liaison.nca", "P-NCA", address="Flat 2, 37 Barthor Road")
    with store.writer() as session:
        for subject, address in (("liaison.met", "37 Barthor Rd, London SW1A 1AA"),
                                 ("liaison.nca", "Flat 2, 37 Barthor Road")):
            who = store.principal(subject)
            services.add_identifier(session, who, SUSPECTS, suspect(session, who, f"{who.agency_code}-1").id,
                                    "address", address, "GB")
        services.rotate_key(session, store.principal("commander.met"), new_key)
    with store.reader() as session:
        keyed = {*session.scalars(select(TargetPackage.bare_keyed)), *session.scalars(select(Identifier.bare_keyed))}
        assert set(session.scalars(select(Hit.match))) == {HitMatch.SAME_BUILDING}
    assert keyed == {new_key.keyed("address building", "gb|barthor road|37")}
    assert old_key.keyed("address building", "gb|barthor road|37") not in keyed
    monkeypatch.setenv(deconfliction_key.ENVIRONMENT, str(new_file))
    create(store, "liaison.fbi", "P-FBI", address="37 Barthor Road")  # meets both under the new key
    with store.reader() as session:
        assert sorted(session.scalars(select(PackageConflict.reason))) == ["same address", "same building",
                                                                           "same building"]
