"""Identifier addresses meet by the keys of their building, as target packages do (coordination.places):
"3011AD" and "3011 AD", a flat and its building, the country written beside or in the address; next
door and the same street in another town do not. On SQLite and PostgreSQL; streets are synthetic."""

from __future__ import annotations

import csv
import itertools
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from coordination import services
from coordination.errors import ValidationError
from coordination.kinds import SUSPECTS
from coordination.models import AuditEvent, Hit, HitMatch, Identifier
from coordination.services import identifier_imports
from tests.conftest import suspect
from tests.test_identifier_imports import csv_bytes
from tests.test_identifiers_core import make_suspect, told

ADDRESS = "address"
PAIRS = Path(__file__).parent / "data" / "address_pairs.csv"
MATCHES = {"same address": HitMatch.SAME_ADDRESS, "same building": HitMatch.SAME_BUILDING}
HEX = re.compile(r"[0-9a-f]{64}")


@pytest.fixture
def people(store, key_file):
    return {name: store.principal(f"liaison.{name}") for name in ("met", "nca", "nl-police", "fbi")}


def add(store, who, record_id, value, country=None) -> int:
    with store.writer() as s:
        return services.add_identifier(s, who, SUSPECTS, record_id, ADDRESS, value, country).id


def hits_between(store, first: int, second: int) -> list[HitMatch]:
    with store.reader() as s:
        return list(s.scalars(select(Hit.match).where(Hit.first_id == min(first, second),
                                                      Hit.second_id == max(first, second))))


def test_a_dutch_postcode_with_or_without_its_space_and_the_country_added_is_the_same_address(store, people):
    dutch = add(store, people["nl-police"], make_suspect(store, people["nl-police"], "NL-1"),
                "Coolsingel 40, 3011AD Rotterdam")
    british = add(store, people["met"], make_suspect(store, people["met"], "M-1"),
                  "Coolsingel 40, 3011 AD, Rotterdam, Netherlands")  # MET's own country is GB
    assert hits_between(store, dutch, british) == [HitMatch.SAME_ADDRESS]
    [for_met] = told(store, people["met"])
    assert for_met.sentence.startswith("NL-POLICE also holds this address, written another way (hit found ")
    with store.reader() as s:
        countries = dict(s.execute(select(Identifier.id, Identifier.country)).all())
        normal = set(s.scalars(select(Identifier.normalised)))
    assert countries == {dutch: "NL", british: "NL"}  # read by the name it ends with, not MET's country
    assert len(normal) == 2  # not one normal form: the building's keys met


def test_a_flat_and_its_building_are_the_same_building_and_next_door_is_not(store, people):
    met, nca, fbi = people["met"], people["nca"], people["fbi"]
    flat = add(store, met, make_suspect(store, met, "M-1"), "Flat 2, 37 Barthor Road, London SW1A 1AA")
    building = add(store, nca, make_suspect(store, nca, "N-1"), "37 Barthor Rd, London")
    assert hits_between(store, flat, building) == [HitMatch.SAME_BUILDING]
    [for_nca] = told(store, nca)
    assert for_nca.sentence.startswith("MET holds an address in the same building as this one (another flat) (")
    with store.reader() as s:
        before = set(s.scalars(select(Hit.id)))
    record = make_suspect(store, fbi, "F-1")
    add(store, fbi, record, "39 Barthor Road, London SW1A 1AA", "GB")  # next door
    add(store, fbi, record, "37 Barthor Road, Leeds", "united kingdom")  # the same street in another town
    add(store, fbi, record, "Flat 2, 37 Barthor Road, London, SW1A 1AA, UK")  # the flat, in GB by its name
    with store.reader() as s:
        new = s.execute(select(Hit.match, Hit.first_id, Hit.second_id).where(Hit.id.not_in(before))).all()
    assert sorted((match, first) for match, first, _ in new) == [
        (HitMatch.SAME_ADDRESS, flat), (HitMatch.SAME_BUILDING, building)]


def test_the_country_beside_an_address_decides_how_it_is_read(store, people):
    nl, fbi = people["nl-police"], people["fbi"]
    dutch = add(store, nl, make_suspect(store, nl, "NL-1"), "Coolsingel 40, 3011AD Rotterdam")
    record = make_suspect(store, fbi, "F-1")
    read_in_the_us = add(store, fbi, record, "Coolsingel 40, 3011 AD Rotterdam")  # FBI's country: no key agrees
    assert hits_between(store, dutch, read_in_the_us) == []
    read_in_nl = add(store, fbi, record, "Rotterdam, Coolsingel 40 3011 AD", "Netherlands")
    assert hits_between(store, dutch, read_in_nl) == [HitMatch.SAME_ADDRESS]
    with store.writer() as s, pytest.raises(ValidationError) as refused:
        services.add_identifier(s, fbi, SUSPECTS, record, ADDRESS, "Coolsingel 41, 3011 AD Rotterdam", "Narnia")
    assert list(refused.value.problems) == ["qualifier"]
    assert refused.value.problems["qualifier"].startswith("is not one this system knows")
    with store.reader() as s:
        assert s.scalar(select(Identifier.id).where(Identifier.value.like("Coolsingel 41%"))) is None


def test_no_plain_address_is_stored_in_the_key_columns(store, people):
    met, nca = people["met"], people["nca"]
    add(store, met, make_suspect(store, met, "M-1"), "Flat 2, 37 Barthor Road, London SW1A 1AA")
    add(store, nca, make_suspect(store, nca, "N-1"), "37 Barthor Rd, London")
    with store.reader() as s:
        rows = s.execute(select(Identifier.postcode_keyed, Identifier.street_keyed, Identifier.unit_keyed)).all()
    keys = [value for row in rows for value in row if value is not None]
    assert len(keys) == 4  # the flat's postcode, street and flat; the building's street
    assert all(HEX.fullmatch(value) for value in keys)
    assert not any(word in value for value in keys for word in ("barthor", "sw1a", "london", "flat"))


def test_an_import_matches_by_any_key_and_its_export_imports_back_unchanged(store, people):
    met, fbi = people["met"], people["fbi"]
    building = add(store, met, make_suspect(store, met, "M-1"), "37 Barthor Road, London SW1A 1AA")
    dutch = add(store, people["nl-police"], make_suspect(store, people["nl-police"], "NL-1"),
                "Coolsingel 40, 3011AD Rotterdam")
    with store.writer() as s:
        suspect(s, fbi, "F-1")
    result = identifier_imports.import_identifiers(store.engine, fbi, "file.csv", csv_bytes(
        'suspect,F-1,address,"Flat 3, 37 Barthor Rd, London SW1A1AA",GB',
        'suspect,F-1,address,"40 Coolsingel, 3011 ad Rotterdam",Netherlands',
        'suspect,F-1,address,"41 Coolsingel, 3011 AD Rotterdam",NL'))  # next door
    assert result.ok and result.committed and result.created == 3
    with store.reader() as s:
        record = s.scalar(select(SUSPECTS.model.id).where(SUSPECTS.model.reference == "F-1"))
        imported = dict(s.execute(select(Identifier.value, Identifier.id).where(Identifier.record_id == record)).all())
    assert hits_between(store, building, imported["Flat 3, 37 Barthor Rd, London SW1A1AA"]) == [
        HitMatch.SAME_BUILDING]
    assert hits_between(store, dutch, imported["40 Coolsingel, 3011 ad Rotterdam"]) == [HitMatch.SAME_ADDRESS]
    assert hits_between(store, dutch, imported["41 Coolsingel, 3011 AD Rotterdam"]) == []

    from coordination.services import exports  # the file FBI exports, imported back as it is
    made = exports.export_file(store.engine, fbi, "identifiers", "csv")
    again = identifier_imports.import_identifiers(store.engine, fbi, made.name, made.data)
    assert again.ok and (again.created, again.unchanged) == (0, made.rows) and made.rows >= 3


def test_addresses_stored_before_their_buildings_were_keyed_are_keyed_when_identifiers_are_next_added(store, people):
    """As revision 0017 leaves a database: addresses without a country or building keys, no building hits."""
    met, nca = people["met"], people["nca"]
    flat = add(store, met, make_suspect(store, met, "M-1"), "Flat 2, 37 Barthor Road, London SW1A 1AA")
    building = add(store, nca, make_suspect(store, nca, "N-1"), "37 Barthor Rd, London")
    with store.writer() as s:
        s.execute(text("DELETE FROM hit"))
        s.execute(update(Identifier).values(country=None, postcode_keyed=None, street_keyed=None, unit_keyed=None))
        s.commit()
    # an import that adds nothing changes nothing (an unchanged export stays unchanged)
    result = identifier_imports.import_identifiers(store.engine, met, "file.csv", csv_bytes(
        'suspect,M-1,address,"Flat 2, 37 Barthor Road, London SW1A 1AA",'))
    assert result.ok and result.unchanged == 1
    assert hits_between(store, flat, building) == []
    with store.writer() as s:
        services.add_identifier(s, met, SUSPECTS, s.scalar(select(SUSPECTS.model.id).where(
            SUSPECTS.model.reference == "M-1")), "phone number", "020 7946 0018")
    assert hits_between(store, flat, building) == [HitMatch.SAME_BUILDING]
    with store.reader() as s:
        assert set(s.scalars(select(Identifier.country).where(Identifier.kind == ADDRESS))) == {"GB"}
        [event] = s.scalars(select(AuditEvent).where(AuditEvent.action == "key identifier addresses")).all()
        assert json.loads(event.after) == {"identifiers": 2}  # how many, never which


def corpus_sample(per_group: int = 3) -> list[dict]:
    """The first pairs of each convention and expectation of the package corpus."""
    with PAIRS.open(encoding="utf-8") as file:
        rows = sorted(csv.DictReader(file), key=lambda row: (row["convention"], row["expected"]))
    return [row for _, group in itertools.groupby(rows, key=lambda row: (row["convention"], row["expected"]))
            for row in itertools.islice(group, per_group)]


def test_pairs_of_the_address_corpus_meet_as_identifiers_as_they_do_as_packages(store, people):
    met, fbi = people["met"], people["fbi"]
    sample = corpus_sample()
    assert {row["convention"] for row in sample} == {"UK", "NL", "US", "fallback"} and len(sample) >= 30
    wrong = []
    for n, row in enumerate(sample):
        first = add(store, met, make_suspect(store, met, f"M-{n}"), row["first"], row["country"])
        second = add(store, fbi, make_suspect(store, fbi, f"F-{n}"), row["second"], row["country"])
        want = [MATCHES[row["expected"]]] if row["expected"] in MATCHES else []
        if hits_between(store, first, second) not in (want, [HitMatch.EXACT] if want == [HitMatch.SAME_ADDRESS]
                                                      else want):
            wrong.append((row["first"], row["second"], row["expected"], hits_between(store, first, second)))
    assert wrong == []


def test_a_check_of_an_address_names_the_agencies_holding_it_or_one_in_its_building(store, people):
    met, nca, fbi = people["met"], people["nca"], people["fbi"]
    add(store, met, make_suspect(store, met, "M-1"), "Flat 2, 37 Barthor Road, London SW1A 1AA")
    add(store, nca, make_suspect(store, nca, "N-1"), "37 Barthor Rd, London")
    with store.writer() as s:
        building = services.check_identifier(s, fbi, ADDRESS, "37 Barthor Road, London SW1A1AA", "GB")
        next_door = services.check_identifier(s, fbi, ADDRESS, "39 Barthor Road, London SW1A1AA", "GB")
        from_met = services.check_identifier(s, met, ADDRESS, "Flat 5, 37 Barthor Road, London")
    assert building.agencies == ["MET", "NCA"]
    assert building.sentence == "MET and NCA also hold this address or one in its building."
    assert next_door.agencies == [] and from_met.agencies == ["NCA"]  # never one's own agency


def test_the_command_line_reads_an_address_in_the_country_given_beside_it(sqlite_store, key_file):
    from click.testing import CliRunner

    from coordination.cli import cli

    store = sqlite_store
    nl = store.principal("liaison.nl-police")
    add(store, nl, make_suspect(store, nl, "NL-1"), "Coolsingel 40, 3011AD Rotterdam")
    url = ["--as", "liaison.fbi", "--database-url", str(store.engine.url)]
    said = [CliRunner().invoke(cli, ["deconflict", "check", "--kind", "address", "Coolsingel 40, 3011 AD Rotterdam",
                                     *country, *url]) for country in ([], ["--qualifier", "Netherlands"])]
    assert [result.exit_code for result in said] == [0, 0], [result.output for result in said]
    assert said[0].output.strip().endswith("No other agency holds this address.")  # read in FBI's country
    assert said[1].output.strip().endswith(": NL-POLICE also holds this address or one in its building.")
    refused = CliRunner().invoke(cli, ["deconflict", "check", "--kind", "address", "Coolsingel 40, Rotterdam",
                                       "--qualifier", "Atlantis", *url])
    assert refused.exit_code == 1 and refused.output.startswith("error: qualifier: is not one this system")


def test_two_flats_of_one_building_within_one_agency_are_told_as_the_same_building_not_a_duplicate(store, people):
    from coordination.ui.widgets.deconfliction_page import match_words

    met = people["met"]
    add(store, met, make_suspect(store, met, "M-1"), "Flat 2, 37 Barthor Road, London SW1A 1AA")
    add(store, met, make_suspect(store, met, "M-2"), "Flat 3, 37 Barthor Road, London SW1A 1AA")
    add(store, met, make_suspect(store, met, "M-3"), "37 Barthor Rd, SW1A1AA London, Flat 3")  # M-2's flat
    rows = sorted(told(store, met), key=lambda row: (row.my_record_reference, row.match))
    building = "Another record of MET holds an address in the same building as this one (another flat)"
    # within one agency a hit is told once, on its first side: M-1 with M-2 and with M-3, M-2 with M-3
    assert [(row.my_record_reference, match_words(row), row.sentence.split(" (hit found")[0]) for row in rows] == [
        ("M-1", "same building", building), ("M-1", "same building", building),
        ("M-2", "possible duplicate", "Another record of MET also holds this address, written another way: a "
                                      "possible duplicate")]


def test_a_town_less_address_hits_its_building_and_a_check_finds_it_but_not_in_another_town(store, people):
    met, nca, fbi = people["met"], people["nca"], people["fbi"]
    building = add(store, met, make_suspect(store, met, "M-1"), "37 Barthor Rd, London SW1A 1AA")
    town_less = add(store, nca, make_suspect(store, nca, "N-1"), "Flat 2, 37 Barthor Road")
    named = add(store, nca, make_suspect(store, nca, "N-2"), "2 Barthor Court, 37 Barthor Road, London")
    leeds = add(store, fbi, make_suspect(store, fbi, "F-1"), "37 Barthor Road, Leeds", "GB")
    assert hits_between(store, building, town_less) == [HitMatch.SAME_BUILDING]
    assert hits_between(store, building, named) == [HitMatch.SAME_BUILDING]
    assert hits_between(store, town_less, leeds) == [HitMatch.SAME_BUILDING]  # nothing written says otherwise
    assert hits_between(store, building, leeds) == hits_between(store, named, leeds) == []  # two towns
    with store.writer() as s:
        from_fbi = services.check_identifier(s, fbi, ADDRESS, "37 Barthor Road", "GB")
        in_bristol = services.check_identifier(s, fbi, ADDRESS, "37 Barthor Road, Bristol BS8 1TH", "GB")
    assert from_fbi.agencies == ["MET", "NCA"]
    assert in_bristol.agencies == ["NCA"]  # the town-less line only
    with store.reader() as s:
        bare = s.scalars(select(Identifier.bare_keyed)).all()
    assert all(HEX.fullmatch(value) for value in bare) and len(set(bare)) == 1


def test_the_hard_forms_of_the_corpus_meet_as_identifiers_as_they_do_as_packages(store, people):
    met, fbi = people["met"], people["fbi"]
    with PAIRS.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    hard = rows[next(n for n, row in enumerate(rows) if row["why"] == "issue 26: neither town nor postcode"):]
    wrong = []
    for n, row in enumerate(hard):
        first = add(store, met, make_suspect(store, met, f"M-{n}"), row["first"], row["country"])
        second = add(store, fbi, make_suspect(store, fbi, f"F-{n}"), row["second"], row["country"])
        want = [MATCHES[row["expected"]]] if row["expected"] in MATCHES else []
        got = hits_between(store, first, second)
        if got not in (want, [HitMatch.EXACT] if want == [HitMatch.SAME_ADDRESS] else want):
            wrong.append((row["first"], row["second"], row["expected"], got))
    assert wrong == []
