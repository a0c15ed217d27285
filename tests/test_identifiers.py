"""Identifier normalisation: typings of one value meet in one normal form, different values do not,
and every bad value (tests/hostile/identifier_corpus.py) or any text at all is refused with a reason,
never a traceback."""

from __future__ import annotations

import datetime
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coordination.identifiers import MAX_VALUE, Normalised, normalise, reads_region
from coordination.models.enums import IdentifierKind as K
from tests.hostile.identifier_corpus import BAD

# Each group: typings (value, qualifier, region) of ONE identifier, then its normal form.
SAME = [
    (K.PHONE, [("020 7946 0018", None, "GB"), ("+44 20 7946 0018", None, None), ("0044 (0)20-7946-0018", None, "NL"),
               ("+442079460018", None, "US"), ("tel:+44-20-7946-0018", None, None)], "+442079460018"),
    (K.PHONE, [("06 12345678", None, "NL"), ("+31 6 1234 5678", None, "GB"), ("0031612345678", None, "NL")],
     "+31612345678"),
    (K.EMAIL, [("Someone@Example.org", None, None), ("someone@EXAMPLE.ORG", None, None),
               ("  someone@example.org ", None, None)], "someone@example.org"),
    (K.HANDLE, [("@Fraud_Ster", "Telegram", None), ("fraud_ster", "telegram", None),
                ("ＦＲＡＵＤ_ＳＴＥＲ", "TG", None)],
     "telegram:fraud_ster"),
    (K.HANDLE, [("@spoofer", "Twitter", None), ("Spoofer", "x", None)], "x:spoofer"),
    (K.HANDLE, [("@seller", "other: Dread", None), ("SELLER", "Other:dread", None)], "other:dread:seller"),
    (K.WALLET, [("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", None, None), ("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "BTC", None),
                (" 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 ", "bitcoin", None)], "btc:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"),
    (K.WALLET, [("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", None, None),
                ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "bitcoin", None)],
     "btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"),
    (K.WALLET, [("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", None, None)],  # taproot, Bech32m
     "btc:bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"),
    (K.WALLET, [("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", None, None),
                ("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "ethereum", None),
                ("0X5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED", "ETH", None)],
     "eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"),
    (K.WALLET, [("LVg2kJoFNg45Nbpy53h7Fe1wKyeXVRhMH9", None, None),
                ("LVg2kJoFNg45Nbpy53h7Fe1wKyeXVRhMH9", "LTC", None)],
     "ltc:LVg2kJoFNg45Nbpy53h7Fe1wKyeXVRhMH9"),
    (K.BANK_ACCOUNT, [("GB82 WEST 1234 5698 7654 32", None, None), ("gb82west12345698765432", None, None),
                      ("GB82-WEST-1234-5698-7654-32", None, None)], "GB82WEST12345698765432"),
    (K.IMEI, [("35-209900-176148-1", None, None), ("352099001761481", None, None),
              ("35 209900 176148 23", None, None), ("３５２０９９００１７６１４８１", None, None)], "352099001761481"),
    (K.IP_ADDRESS, [("203.0.113.5", None, None), ("::ffff:203.0.113.5", None, None), ("::FFFF:cb00:7105", None, None)],
     "203.0.113.5"),
    (K.IP_ADDRESS, [("2001:0DB8:0000:0000:0000:0000:0000:0001", None, None), ("[2001:db8::1]", None, None)],
     "2001:db8::1"),
    (K.DOMAIN, [("Bücher.example", None, None), ("BÜCHER.EXAMPLE.", None, None), ("xn--bcher-kva.example", None, None)],
     "xn--bcher-kva.example"),
    (K.DOMAIN, [("Example.ORG", None, None), ("ｅｘａｍｐｌｅ．ｏｒｇ", None, None)], "example.org"),
    (K.PERSON, [("John Smith", "1990-03-12", None), ("SMITH, John", "12/03/1990", None),
                ("  john   smith ", "12.03.1990", None), ("Jöhn Smith", "1990-03-12", None)], "john smith|1990-03-12"),
    (K.PERSON, [("Seán O'Brien-Murphy", "1985-01-02", None), ("sean obrien murphy", "02/01/1985", None)],
     "murphy obrien sean|1985-01-02"),
    (K.ADDRESS, [("Flat 2, 10 High St., London SW1A2AA", None, None),
                 ("flat 2 10 high street london sw1a 2aa", None, None),
                 ("FLAT 2  10 HIGH STREET, LONDON, SW1A 2AA", None, None)], "flat 2 10 high street london sw1a 2aa"),
    (K.PERSON, [("مهدی\u200cزاده", "1980-05-06", None), ("مهدیزاده", "1980-05-06", None)],  # ZWNJ in a Persian name
     "mhdyzdh|1980-05-06"),
    (K.ADDRESS, [("4 Rue de l’Église, Paris", None, None), ("4 rue de l'eglise paris", None, None)],
     "4 rue de leglise paris"),
]

# Pairs that look alike but are different identifiers: they must not meet.
DIFFERENT = [
    (K.PHONE, ("020 7946 0018", None, "GB"), ("020 7946 0019", None, "GB")),
    (K.PHONE, ("020 7946 0018", None, "GB"), ("+1 202 555 0123", None, None)),
    (K.EMAIL, ("someone@example.org", None, None), ("some.one@example.org", None, None)),
    (K.HANDLE, ("@fraudster", "telegram", None), ("@fraudster", "instagram", None)),
    (K.WALLET, ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", None, None), ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "ltc", None)),
    (K.BANK_ACCOUNT, ("GB82 WEST 1234 5698 7654 32", None, None), ("GB33 BUKB 2020 1555 5555 55", None, None)),
    (K.IMEI, ("352099001761481", None, None), ("490154203237518", None, None)),
    (K.IP_ADDRESS, ("203.0.113.5", None, None), ("203.0.113.50", None, None)),
    (K.DOMAIN, ("example.org", None, None), ("example.org.uk", None, None)),
    (K.PERSON, ("John Smith", "1990-03-12", None), ("John Smith", "1990-12-03", None)),
    (K.PERSON, ("John Smith", "1990-03-12", None), ("Jon Smyth", "1990-03-12", None)),
    (K.ADDRESS, ("10 High Street, London", None, None), ("10 High Road, London", None, None)),
]


@pytest.mark.parametrize(("kind", "typings", "normal"), SAME, ids=[f"{g[0].name}-{g[2][:12]}" for g in SAME])
def test_typings_of_one_identifier_meet_in_one_normal_form(kind, typings, normal):
    for value, qualifier, region in typings:
        assert normalise(kind, value, qualifier=qualifier, region=region).value == normal, value


@pytest.mark.parametrize(("kind", "first", "second"), DIFFERENT, ids=[g[0].name for g in DIFFERENT])
def test_different_identifiers_stay_apart(kind, first, second):
    one, other = (normalise(kind, value, qualifier=q, region=r) for value, q, r in (first, second))
    assert one.value != other.value


CORPUS = [(kind, *case) for kind, cases in BAD.items() for case in cases]


def test_the_corpus_holds_ten_bad_values_of_every_kind():
    assert {kind: len(BAD.get(kind, [])) >= 10 for kind in K} == {kind: True for kind in K}


@pytest.mark.parametrize(("kind", "value", "qualifier", "region", "says"), CORPUS,
                         ids=[f"{c[0].name}-{i}" for i, c in enumerate(CORPUS)])
def test_a_bad_value_is_refused_with_its_reason(kind, value, qualifier, region, says):
    with pytest.raises(ValueError, match=re.escape(says)):
        normalise(kind, value, qualifier=qualifier, region=region)


def test_what_each_kind_shows_its_own_agency():
    assert normalise(K.PHONE, "020 7946 0018", region="GB").display == "+44 20 7946 0018"
    assert normalise(K.BANK_ACCOUNT, "gb82west12345698765432").display == "GB82 WEST 1234 5698 7654 32"
    assert normalise(K.WALLET, "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed").display == \
        "Ethereum 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"  # EIP-55's own test vector
    assert normalise(K.DOMAIN, "xn--bcher-kva.example").display == "bücher.example"
    assert normalise(K.HANDLE, "@Fraud", qualifier="tg").display == "@fraud on Telegram"
    assert normalise(K.PERSON, "SMITH  John", qualifier="12/03/1990").display == "SMITH John, born 1990-03-12"


def test_people_whose_names_sound_alike_share_a_phonetic_key_only_when_born_the_same_day():
    smith = normalise(K.PERSON, "John Smith", qualifier="1990-03-12")
    smyth = normalise(K.PERSON, "Jon Smyth", qualifier="1990-03-12")
    later = normalise(K.PERSON, "Jon Smyth", qualifier="1990-03-13")
    brown = normalise(K.PERSON, "John Brown", qualifier="1990-03-12")
    assert smith.phonetic == smyth.phonetic == "JN SM0|1990-03-12"
    assert later.phonetic != smith.phonetic and brown.phonetic != smith.phonetic
    assert normalise(K.PHONE, "+44 20 7946 0018").phonetic is None


def test_a_kind_is_named_by_its_value_or_its_name():
    assert normalise("phone number", "+44 20 7946 0018") == normalise("phone", "+44 20 7946 0018") \
        == normalise("PHONE", "+44 20 7946 0018") == normalise(K.PHONE, "+44 20 7946 0018")
    assert normalise("ip address", "203.0.113.5").kind is K.IP_ADDRESS
    with pytest.raises(ValueError, match="is not a kind of identifier"):
        normalise("fax", "+44 20 7946 0018")


def test_a_phone_number_region_is_only_a_default():
    assert normalise(K.PHONE, "+31 6 1234 5678", region="GB").value == "+31612345678"
    assert normalise(K.PHONE, "020 7946 0018", region="uk").value == "+442079460018"
    with pytest.raises(ValueError, match="has no country code"):
        normalise(K.PHONE, "020 7946 0018", region="Narnia")


def test_a_person_born_today_is_accepted_and_tomorrow_is_not():
    today = datetime.date.today()
    assert normalise(K.PERSON, "Baby Doe", qualifier=today.isoformat()).value.endswith(today.isoformat())
    with pytest.raises(ValueError, match="outside 1900 to today"):
        normalise(K.PERSON, "Baby Doe", qualifier=(today + datetime.timedelta(days=1)).isoformat())


def test_input_is_bounded_before_parsing():
    for kind in K:
        with pytest.raises(ValueError, match=f"longer than {MAX_VALUE}"):
            normalise(kind, "1" * 10_000_000)
        with pytest.raises(ValueError, match=f"longer than {MAX_VALUE}"):
            normalise(kind, "1", qualifier="x" * (MAX_VALUE + 1))


def test_a_value_that_grows_when_written_out_is_refused():
    # U+FDFA (one character) is 18 letters under NFKC and more transliterated
    with pytest.raises(ValueError, match="once written out"):
        normalise(K.ADDRESS, "10 " + "\ufdfa" * 100)


def _one_of_many(draw_text):
    return st.one_of(draw_text, st.from_regex(r"[0-9+ ()\-.:a-fA-Fx@/%\[\]]{0,60}", fullmatch=True),
                     st.from_regex(r"[13LMmbtcBC]{1,4}[1-9A-HJ-NP-Za-km-z]{20,45}", fullmatch=True))


TEXT = st.text(max_size=MAX_VALUE + 5)
QUALIFIERS = st.one_of(st.none(), st.sampled_from(["telegram", "other:forum", "btc", "ltc", "eth", "1990-03-12",
                                                   "12/03/1990", "2999-01-01"]), st.text(max_size=40))
REGIONS = st.one_of(st.none(), st.sampled_from(["GB", "NL", "US", "uk"]), st.text(max_size=4))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(list(K)), value=_one_of_many(TEXT), qualifier=QUALIFIERS, region=REGIONS)
def test_any_text_is_normalised_or_refused_with_a_reason(kind, value, qualifier, region):
    try:
        normal = normalise(kind, value, qualifier=qualifier, region=region)
    except ValueError as refusal:  # either outcome is right: the assertion is on the refusal's wording
        assert str(refusal) and "Traceback" not in str(refusal)  # noqa: PT017
        return
    assert isinstance(normal, Normalised) and normal.kind is kind
    assert 0 < len(normal.value) <= MAX_VALUE and normal.display
    # the normal form is stable: normalising what it shows gives it again (for kinds whose display is a value)
    if kind in (K.PHONE, K.EMAIL, K.BANK_ACCOUNT, K.IMEI, K.IP_ADDRESS, K.DOMAIN):
        assert normalise(kind, normal.display, qualifier=qualifier, region=region).value == normal.value


def _outcome(kind, value, region):
    try:
        return normalise(kind, value, region=region).value
    except ValueError as refusal:
        return f"refused: {refusal}"


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from(list(K)), value=st.one_of(
    st.from_regex(r"[+＋0 ]{0,2}[0-9 ()\-.]{0,20}", fullmatch=True), st.text(max_size=30)),
    region=st.sampled_from(["GB", "NL", "US"]))
def test_a_value_that_reads_no_region_normalises_the_same_in_any(kind, value, region):
    """`reads_region` lets a caller skip looking the region up: it must be right whenever it says no."""
    if not reads_region(kind, value):
        assert _outcome(kind, value, None) == _outcome(kind, value, region)


def test_a_phone_number_without_its_country_code_reads_the_region():
    assert reads_region(K.PHONE, "020 7946 0018") and reads_region("phone", "0044 20 7946 0018")
    assert not reads_region("phone number", " +44 20 7946 0018") and not reads_region(K.EMAIL, "a@example.org")
