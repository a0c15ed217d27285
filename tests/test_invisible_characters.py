"""Text fields refuse invisible and direction-changing characters, in forms and in files, with a reason
in words: free text, names, package addresses and every identifier value (phone numbers included).

A right-to-left override (U+202E) makes a value display other than it is stored ("10 High Street"
reversed in part), and a zero-width space (U+200B) makes two values that read the same differ, so a
match is missed. Such a value is refused, never stripped: the person retypes it. The zero-width
joiner and non-joiner (U+200C, U+200D) stay allowed in names, addresses and free text, where scripts
such as Persian and the Indic ones spell words with them (the identifier rule for names decided so
first); identifier values that are codes (phone, e-mail, handle, wallet, ...) refuse them too."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from coordination import fields, identifiers, places, services
from coordination.errors import ValidationError
from coordination.kinds import SUSPECTS
from coordination.models import Identifier, Suspect, TargetPackage
from coordination.services import identifier_imports, imports
from tests.conftest import suspect

REFUSAL = "invisible or direction-changing character"
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e",
        "\u200f", "\u061c"]
INVISIBLE = ["\u200b", "\u2060", "\ufeff", "\u00ad", "\u180e"]
JOINERS = ["\u200c", "\u200d"]
# every format character (Unicode category Cf) this Python knows, joiners apart
FORMAT = [c for c in map(chr, range(sys.maxunicode + 1)) if unicodedata.category(c) == "Cf" and c not in JOINERS]
PHONE = "+44 20 7946 0018"
ADDRESS = "12 Baker Street, London"


def code(character: str) -> str:
    return f"U+{ord(character):04X}"


# --- the parsers --------------------------------------------------------------------------------

@pytest.mark.parametrize("character", BIDI + INVISIBLE)
def test_a_free_text_field_refuses_the_character_and_names_it(character):
    for parse in (fields.text(300), fields.text(10_000, multiline=True)):
        with pytest.raises(ValueError, match=REFUSAL) as refused:
            parse(None, f"Meet at {character}the back door")
        assert REFUSAL in str(refused.value) and code(character) in str(refused.value)
        assert "retype" in str(refused.value)


@given(st.text(max_size=20), st.sampled_from(FORMAT), st.text(max_size=20))
def test_no_format_character_passes_a_text_field(before, character, after):
    try:
        fields.text(300, multiline=True)(None, before + character + after)
    except ValueError:
        return
    raise AssertionError(f"{code(character)} was accepted")


@pytest.mark.parametrize("value", ["مهدی\u200cزاده", "क्\u200dष", "Ayşe İnce", "👩\u200d💻 on site"])
def test_names_and_notes_keep_the_joiners_their_scripts_need(value):
    assert fields.text(200)(None, value) == value


@pytest.mark.parametrize("character", ["\u2028", "\u2029"])
def test_a_one_line_field_refuses_a_unicode_line_break(character):
    with pytest.raises(ValueError, match="line breaks"):
        fields.text(300)(None, f"12 Baker{character}Street")


@pytest.mark.parametrize("character", BIDI + INVISIBLE + JOINERS)
@pytest.mark.parametrize(("kind", "value", "qualifier"), [
    ("phone number", PHONE, None), ("phone number", "020 7946 0018", None),
    ("e-mail address", "boss@example.com", None),
    ("online handle", "@fraudster", "telegram"), ("crypto wallet", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", None),
    ("bank account", "GB82 WEST 1234 5698 7654 32", None), ("IMEI", "352099001761481", None),
    ("IP address", "203.0.113.5", None), ("domain", "example.org", None)])
def test_an_identifier_value_refuses_the_character_with_a_reason(character, kind, value, qualifier):
    typed = value[:5] + character + value[5:]
    with pytest.raises(ValueError, match=REFUSAL) as refused:
        identifiers.normalise(kind, typed, qualifier=qualifier, region="GB")
    assert REFUSAL in str(refused.value) and code(character) in str(refused.value)


@given(st.sampled_from(FORMAT), st.integers(0, len(PHONE)))
def test_a_phone_number_with_any_format_character_anywhere_is_refused(character, at):
    with pytest.raises(ValueError, match=REFUSAL):
        identifiers.normalise("phone number", PHONE[:at] + character + PHONE[at:])


@pytest.mark.parametrize(("kind", "value", "qualifier"), [
    ("person", "Mehdi Za\u202edeh", "1980-05-06"), ("address", "10 High\u202eStreet, London", None),
    ("person", "Mehdi\u200bZadeh", "1980-05-06"), ("address", "10 High\u200bStreet, London", None),
    ("online handle", "@fraudster", "tele\u200bgram"), ("person", "Mehdi Zadeh", "1980\u202e-05-06")])
def test_names_addresses_and_qualifiers_refuse_it_too(kind, value, qualifier):
    with pytest.raises(ValueError, match=REFUSAL):
        identifiers.normalise(kind, value, qualifier=qualifier)


def test_a_persian_name_and_address_keep_their_non_joiner():
    assert identifiers.normalise("person", "مهدی\u200cزاده", qualifier="1980-05-06").value == "mhdyzdh|1980-05-06"
    assert identifiers.normalise("address", "12 خیابان\u200cها, Tehran").value


def test_a_package_address_is_never_keyed_from_a_refused_address():
    """The match key of an address is never made from text the address rule refuses: no folded
    fallback that keeps the override and so misses the same address typed plainly."""
    with pytest.raises(ValueError, match=REFUSAL):
        places.normalise_address("12 Baker\u202e Street, London")
    assert places.normalise_address("12 Baker St., London") == places.normalise_address("12 baker street london")
    assert places.normalise_address("Unit 4") == "unit 4"  # no address by the rules: compared folded


# --- through the services, and from files -------------------------------------------------------

def test_a_phone_number_with_a_zero_width_space_is_refused_on_a_record(store, key_file):
    met = store.principal("liaison.met")
    with store.writer() as s:
        record = suspect(s, met, "S-1").id
    for typed in ("020 7946\u200b0018", "\u202e020 7946 0018"):
        with store.writer() as s, pytest.raises(ValidationError) as refused:
            services.add_identifier(s, met, SUSPECTS, record, "phone number", typed)
        assert REFUSAL in refused.value.problems["value"]
    with store.reader() as s:
        assert s.scalar(select(func.count()).select_from(Identifier)) == 0


def test_a_phone_number_with_a_direction_mark_is_refused_from_a_file(store, key_file):
    met = store.principal("liaison.met")
    with store.writer() as s:
        suspect(s, met, "S-1")
    content = ("record_kind,record_reference,identifier_kind,value,qualifier\n"
               "suspect,S-1,phone number,+44 20 7946 0018,\n"
               "suspect,S-1,phone number,\u200f+44 20 7946 0019,\n").encode()
    result = identifier_imports.import_identifiers(store.engine, met, "file.csv", content)
    assert not result.ok and not result.committed
    [problem] = result.problems
    assert (problem.row, problem.column) == (3, "value") and REFUSAL in problem.reason and "U+200F" in problem.reason


def package(ref: str, **extra) -> dict:
    return {"reference": ref, "jurisdiction": "GB-EAW", "address": ADDRESS, "team_call_sign": "ALPHA-1",
            "legal_authority": "Warrant W/123", "h_hour": "2030-11-07T06:00:00+00:00"} | extra


def test_a_package_address_with_a_right_to_left_override_is_refused_in_the_form(store, key_file):
    met = store.principal("liaison.met")
    with store.writer() as s, pytest.raises(ValidationError) as refused:
        services.create_package(s, met, package("P-1", address="12 Baker\u202e Street, London"))
    assert REFUSAL in refused.value.problems["address"] and "U+202E" in refused.value.problems["address"]
    with store.writer() as s:
        created = services.create_package(s, met, package("P-1")).id
    with store.writer() as s, pytest.raises(ValidationError) as refused:
        services.update_package(s, met, created, 1, {"address": "\u2067" + ADDRESS + "\u2069"})
    assert REFUSAL in refused.value.problems["address"]


def test_a_package_address_with_a_right_to_left_override_is_refused_from_a_tasking_file(store, key_file):
    met = store.principal("liaison.met")
    content = ("reference,jurisdiction,address,team_call_sign,legal_authority,h_hour\n"
               f"P-1,GB-EAW,\"{ADDRESS}\",ALPHA-1,W/1,2030-11-07T06:00:00Z\n"
               "P-2,GB-EAW,12 Baker\u202e Street,BRAVO-2,W/2,2030-11-07T06:00:00Z\n").encode()
    result = imports.import_file(store.engine, met, "packages", "tasking.csv", content)
    assert not result.ok and not result.committed
    [problem] = result.problems
    assert (problem.row, problem.column) == (3, "address") and REFUSAL in problem.reason
    with store.reader() as s:
        assert s.scalar(select(func.count()).select_from(TargetPackage)) == 0


def test_notes_with_a_bidi_override_are_refused_in_the_form_and_from_a_file(store):
    met = store.principal("liaison.met")
    with store.writer() as s, pytest.raises(ValidationError) as refused:
        services.create_suspect(s, met, {"reference": "S-1", "full_name": "Alex Doe", "tier": "user",
                                         "status": "lead", "notes": "seen at the \u202eback door"})
    assert REFUSAL in refused.value.problems["notes"]
    content = "reference,full_name,tier,status,notes\nS-2,Ali\u202eecnerolF,user,lead,\nS-3,Bo,user,lead,a\u200bb\n"
    result = imports.import_file(store.engine, met, "suspects", "suspects.csv", content.encode())
    assert not result.ok
    assert sorted((p.row, p.column) for p in result.problems) == [(2, "full_name"), (3, "notes")]
    assert all(REFUSAL in p.reason for p in result.problems)
    with store.reader() as s:
        assert s.scalar(select(func.count()).select_from(Suspect)) == 0


def test_a_persian_name_with_its_non_joiner_is_recorded(store):
    met = store.principal("liaison.met")
    with store.writer() as s:
        services.create_suspect(s, met, {"reference": "S-1", "full_name": "مهدی\u200cزاده", "tier": "user",
                                         "status": "lead"})
    with store.reader() as s:
        assert s.scalar(select(Suspect.full_name)) == "مهدی\u200cزاده"


def test_an_address_stored_before_the_rule_is_matched_by_distance_until_retyped(store, key_file):
    """A package whose address was saved before the field refused such characters (written here past the
    field) is not keyed: other packages are still saved and keyed, the key still rotates, and the package
    itself asks, in words, for its address to be retyped when it is next checked."""
    met, fbi = store.principal("liaison.met"), store.principal("liaison.fbi")
    with store.writer() as s:
        old = services.create_package(s, met, package("P-OLD"))
        old_id = old.id
    with store.writer() as s:  # as an earlier version stored it
        s.get(TargetPackage, old_id).address = "12 Baker\u202e Street, London"
        s.get(TargetPackage, old_id).address_keyed = None
        s.commit()
    with store.writer() as s:
        other = services.create_package(s, fbi, package("P-NEW", address="99 Other Road, London"))
        assert other.address_keyed is not None
    with store.reader() as s:
        assert s.get(TargetPackage, old_id).address_keyed is None
    with store.writer() as s:
        stored = s.get(TargetPackage, old_id)
        with pytest.raises(ValidationError) as refused:
            services.update_package(s, met, old_id, stored.version, {"h_hour": "2030-11-07T07:00:00Z"})
    assert "retype the address" in refused.value.problems["address"]
    with store.writer() as s:
        stored = s.get(TargetPackage, old_id)
        services.update_package(s, met, old_id, stored.version, {"address": "12 Baker Street, London"})
    with store.reader() as s:
        assert s.get(TargetPackage, old_id).address_keyed is not None
