"""What makes two addresses one place: the keys that identify a building, by the conventions of the
jurisdiction's country, or coordinates close together. Used by event deconfliction
(coordination.services.action_day) to warn two agencies whose teams would stand at one door.

`address_keys(address, country)` reads an address as people type it and gives its `AddressKeys`:

- `postcode`: the postcode and the building number, where postcodes are that fine: the UK (a
  postcode unit, read by uk-postcodes-parsing, and the building number) and the Netherlands (the
  Dutch postcode "3011 AD" and the house number with its letter); in the US the ZIP code with the
  street line (a ZIP is a district, not a building);
- `street`: street, building number and locality (town; in the US city and state), for the UK and
  the Netherlands whether or not a postcode is written, and for the US by USPS Publication 28
  (usaddress-scourgify: "West 42nd Street" is "W 42ND ST");
- `unit`: the flat, apartment, unit, suite or floor, set aside from the building (None: none written);
- `folded`: the whole address in its folded normal form (`normalise_address`), the one key of the
  other countries, whose conventions are not read here.

Street types, directionals and building-number suffixes are written one way (Rd/Road, W/West,
221B/221b, 123-H/123 H), a trailing country name is dropped. `match` is the rule over two addresses'
keys, plain or keyed alike (it compares them for equality only): "same address", "same building"
(two flats of one building: the teams share a door and a stairwell) or None.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from unidecode import unidecode

EARTH_RADIUS_M = 6_371_000
ADDRESS = 300  # the longest package address (coordination.kinds)
SAME_ADDRESS, SAME_BUILDING = "same address", "same building"
UNDERSTOOD = ("GB", "NL", "US")  # countries whose conventions are read; others: the folded form only


@dataclass(frozen=True)
class AddressKeys:
    """What identifies an address: plain (from `address_keys`) or each keyed (services.action_day)."""
    folded: str | None
    postcode: str | None = None
    street: str | None = None
    unit: str | None = None
    bare: str | None = None  # street and building number without town or postcode: see `match`


def match(a: AddressKeys, b: AddressKeys) -> str | None:
    """Whether two addresses are one place: "same address", "same building" or None.

    The same building: the postcode keys agree, or the street keys agree unless both name a postcode
    and the postcodes differ (then it is the same street name in another district), or the street
    and number alone agree where nothing written says otherwise: not both with a postcode (two
    postcodes are two districts) nor both with a town (two towns are two streets). So "Flat 2, 37
    Barthor Road" (neither town nor postcode) is in the building of "37 Barthor Rd, London SW1A 1AA":
    a false hit costs a phone call, a false miss two teams at one door. The same address: the same
    building with the same flat (or none written on either), or the same folded text."""
    if a.folded is not None and a.folded == b.folded:
        return SAME_ADDRESS
    building = (a.postcode is not None and a.postcode == b.postcode) or (
        a.street is not None and a.street == b.street and not (a.postcode and b.postcode)) or (
        a.bare is not None and a.bare == b.bare and not (a.postcode and b.postcode) and not (a.street and b.street))
    if not building:
        return None
    return SAME_ADDRESS if a.unit == b.unit else SAME_BUILDING


def keyed(key, plain: AddressKeys) -> AddressKeys:
    """`plain`'s keys each keyed under the operation's `key` (a deconfliction_key.MatchingKey), as target
    packages (services.action_day) and address identifiers (services.identifiers) store them: the
    folded form as an address identifier's value is keyed, the building keys (postcode, street, bare
    street) under one name, the flat under another; None where `plain` has none."""
    def under(name: str, value: str | None) -> str | None:
        return key.keyed(name, value) if value else None
    return AddressKeys(under("address", plain.folded), under("address building", plain.postcode),
                       under("address building", plain.street), under("address unit", plain.unit),
                       under("address building", plain.bare))


def normalise_address(address: str) -> str:
    """One spelling per address, as identifier deconfliction normalises addresses (folded, punctuation
    out, abbreviations written out, UK postcodes normalised: "12, Baker St." and "12 baker street" are
    the same place); text too short to be an address by those rules ("Unit 4") is compared folded.

    An address the address field refuses (control characters, line breaks, invisible or
    direction-changing characters) is never keyed: ValueError with the field's reason. The field
    refused it before it was stored, so only a caller that skipped the field sees it; keyed as typed,
    "12 Baker<U+202E> Street" would miss "12 Baker Street" and pass for no conflict."""
    from coordination import fields, identifiers  # they read the models, which read this module

    fields.text(ADDRESS)(None, address)
    try:
        return identifiers.normalise("address", address).value[:ADDRESS]
    except ValueError:  # only the address's shape can be wrong here: its characters passed the field
        return " ".join(unicodedata.normalize("NFKC", address).casefold().split())[:ADDRESS]


def address_keys(address: str, country: str | None) -> AddressKeys:
    """The keys of `address` in a jurisdiction of `country` (ISO 3166-1 alpha-2: GB, NL, US, ...).
    ValueError (the field's reason) for text the address field refuses, as `normalise_address`."""
    country = (country or "").upper()
    normalise_address(address)  # the field's refusal, on the text as typed
    plain = _without_country(address, country) if country else _fold(address)
    folded = normalise_address(plain)
    if country == "US":
        keys = _us(plain)
    elif country in ("GB", "NL"):
        keys = _european(plain, country)
    else:
        return AddressKeys(folded)
    return AddressKeys(folded, *keys)


# --- the country an identifier address is read in ------------------------------------------------

UNKNOWN_COUNTRY = "ZZ"  # CLDR's "unknown region": an address read by no country's conventions
UNKNOWN_COUNTRY_REASON = "is not one this system knows"


def country_named(text: str) -> str:
    """The ISO 3166-1 alpha-2 code of the country `text` names: its code ("NL", "gb") or a name this
    module knows ("Netherlands", "United Kingdom"); ValueError (a reason a liaison reads) otherwise."""
    from phonenumbers import SUPPORTED_REGIONS  # every ISO country code, from a library already in use

    folded = " ".join(re.sub(r"[^\w\s]", " ", _fold(text)).split())
    if folded.upper() in SUPPORTED_REGIONS:
        return folded.upper()
    if folded == "uk":
        return "GB"
    named = next((code for code, names in COUNTRY_NAMES.items() if folded in names), None)
    if named is None:
        raise ValueError(f"{UNKNOWN_COUNTRY_REASON}: write its two-letter code (GB, NL, US, ...)")
    return named


def country_written(address: str) -> str | None:
    """The country an address names in its last part ("..., Rotterdam, Netherlands"), or None. Two-letter
    names other than "UK" are not read there: ", CA" is a US state far more often than Canada."""
    last = _fold(address).rsplit(",", 1)[-1] if "," in address else ""
    last = " ".join(re.sub(r"[^\w\s]", " ", last).split())
    if len(last) < 3 and last != "uk":
        return None
    try:
        return country_named(last)
    except ValueError:
        return None


def address_country(address: str, written: str | None, owner: str | None) -> str:
    """The country whose conventions read an identifier address: the one written beside it (`written`:
    a code or a name; ValueError when it names none), else the one its last part names, else the
    owning agency's (`owner`), else UNKNOWN_COUNTRY."""
    if written and written.strip():
        return country_named(written)
    return country_written(address) or (owner or "").upper() or UNKNOWN_COUNTRY


# --- reading the text ---------------------------------------------------------------------------

COUNTRY_NAMES = {  # a trailing country name is dropped: "..., 3011 AD Rotterdam, Netherlands"
    "GB": ("united kingdom", "uk", "u k", "gb", "great britain", "england", "scotland", "wales",
           "northern ireland", "britain"),
    "NL": ("the netherlands", "netherlands", "nederland", "holland", "nl"),
    "US": ("united states of america", "united states", "usa", "u s a", "us", "u s", "america"),
    "IE": ("ireland", "eire", "ie"), "DE": ("germany", "deutschland", "de"), "ES": ("spain", "espana", "es"),
    "FR": ("france", "fr"), "BE": ("belgium", "belgique", "belgie", "be"), "PT": ("portugal", "pt"),
    "UA": ("ukraine", "ua"), "AU": ("australia", "au"),
}
STREET_TYPES = {  # written out one way: the words people shorten
    "rd": "road", "st": "street", "str": "street", "ave": "avenue", "av": "avenue", "avn": "avenue",
    "ln": "lane", "dr": "drive", "ct": "court", "pl": "place", "sq": "square", "cres": "crescent",
    "cl": "close", "gdns": "gardens", "gro": "grove", "gr": "grove", "pk": "park", "ter": "terrace",
    "terr": "terrace", "blvd": "boulevard", "hwy": "highway", "pde": "parade", "wy": "way", "cir": "circle",
    "pkwy": "parkway", "mws": "mews", "wlk": "walk", "bldgs": "buildings",
}
STREET_WORDS = frozenset(STREET_TYPES.values()) | {
    "row", "hill", "rise", "green", "view", "vale", "gate", "yard", "wharf", "quay", "embankment", "mews",
    "walk", "buildings", "circus", "approach", "broadway", "court", "park", "place"}
DIRECTIONS = {"n": "north", "s": "south", "e": "east", "w": "west", "ne": "northeast", "nw": "northwest",
              "se": "southeast", "sw": "southwest"}
UNIT_WORDS = {"flat": "", "apartment": "", "apt": "", "appartement": "", "unit": "", "suite": "", "ste": "",
              "room": "", "rm": "", "#": "", "no": "", "floor": "floor ", "fl": "floor ", "flr": "floor "}
FLOOR_WORDS = frozenset({"floor", "fl", "flr", "verdieping", "etage"})  # "2nd floor", "2e verdieping"
ORDINALS = {"ground": 0, "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "top": 99,
            "basement": -1, "lower": -1, "upper": 1,
            "eerste": 1, "tweede": 2, "derde": 3, "vierde": 4}
NL_ADDITIONS = {"hs": "0", "huis": "0", "bg": "0", "boven": "1", "bv": "1", "i": "1", "ii": "2", "iii": "3",
                "iv": "4", "zw": "zw", "rood": "rood"}
_NL_POSTCODE = re.compile(r"^[1-9]\d{3}[a-z]{2}$")
_NUMBER = re.compile(r"^\d{1,6}(?:-\d{1,6})?[a-z]?$")
_ORDINAL_FLOOR = re.compile(r"^(\d{1,3})(?:st|nd|rd|th|e|de|ste)?$")
_GLUED = (  # number suffixes written one way: "123-H", "123 h" -> "123h" (not n/s/e/w: directions)
    (re.compile(r"\b(\d+)\s*-\s*([a-z])\b(?!-)"), r"\1\2"),
    (re.compile(r"\b(\d+)\s+([a-df-mo-rt-vx-z])\b(?!-)"), r"\1\2"),
    (re.compile(r"#\s*"), "# "),
    (re.compile(r"\b([1-9]\d{3})\s+([a-z]{2})\b"), r"\1\2"),  # Dutch postcode "3011 ad" -> "3011ad"
)


def _fold(text: str) -> str:
    return unidecode(unicodedata.normalize("NFKC", text)).casefold()


def _without_country(address: str, country: str) -> str:
    """`address` folded, without trailing names of its country ("..., London, UK" -> "..., london")."""
    folded = _fold(address)
    names = sorted((*COUNTRY_NAMES.get(country, ()), country.lower()), key=len, reverse=True)
    patterns = [re.compile(r"[\s,.;]+" + r"[\s.]*".join(re.escape(word) for word in name.split()) + r"[\s.,;]*$")
                for name in names]
    cut = True
    while cut:
        cut = False
        for pattern in patterns:
            found = pattern.search(folded)
            if found and re.search(r"\w", folded[:found.start()]):
                folded, cut = folded[:found.start()], True
                break
    return folded


def _parts(address: str) -> list[list[str]]:
    """The address's comma-separated parts, each as its folded words (suffixes glued to numbers)."""
    text = _fold(address)
    parts = []
    for part in re.split(r"[,;\n]+", text):
        part = re.sub(r"['\u2019`]", "", part)
        part = re.sub(r"[^\w#\-\s]|_", " ", part)
        part = re.sub(r"(?<![\d])-|-(?![\d\w])", " ", part)  # hyphens in names: spaces
        for pattern, replacement in _GLUED:
            part = pattern.sub(replacement, part)
        words = part.split()
        if words:
            parts.append(words)
    return parts


def _take_units(parts: list[list[str]], country: str) -> tuple[list[list[str]], str | None]:
    """The parts with their flat, unit and floor words taken out, and those as one normal form."""
    units: list[str] = []
    kept = []
    for words in parts:
        rest: list[str] = []
        i = 0
        while i < len(words):
            word, after = words[i], words[i + 1] if i + 1 < len(words) else None
            if word in UNIT_WORDS and after is not None and (word != "no" or rest) and re.fullmatch(
                    r"[a-z]?\d{1,5}[a-z]?|[a-z]", after) and not (word == "no" and not rest):
                if word in ("fl", "floor", "flr") and _ORDINAL_FLOOR.fullmatch(after):
                    units.append(f"floor {_floor(after)}")
                else:
                    units.append(UNIT_WORDS[word] + after)
                i += 2
            elif after in FLOOR_WORDS and (word in ORDINALS or _ORDINAL_FLOOR.fullmatch(word)):
                units.append(f"floor {_floor(word)}")
                i += 2
            elif word in ("basement", "ground") and after in ("flat", None):
                units.append(f"floor {ORDINALS[word]}")
                i += 1
            elif country == "NL" and after == "hoog" and _ORDINAL_FLOOR.fullmatch(word):
                units.append(f"floor {_floor(word)}")
                i += 2
            elif country == "NL" and word in NL_ADDITIONS and rest and _NUMBER.fullmatch(rest[-1]):
                units.append(NL_ADDITIONS[word])
                i += 1
            else:
                rest.append(word)
                i += 1
        if country == "NL":  # Dutch additions after a dash: "40-2", "40-ii" (a floor or a door)
            rest = [_nl_number(word, units) for word in rest]
        if rest:
            kept.append(rest)
    return kept, " ".join(sorted(units)) or None


def _floor(word: str) -> int:
    """A floor's number from "2nd", "2", "second", "ground" (0), "basement" (-1)."""
    found = _ORDINAL_FLOOR.fullmatch(word)
    return int(found.group(1)) if found else ORDINALS[word]


def _nl_number(word: str, units: list[str]) -> str:
    found = re.fullmatch(r"(\d{1,5}[a-z]?)-(\d{1,3}|[iv]{1,3}|hs|bg)", word)
    if not found:
        return word
    units.append(NL_ADDITIONS.get(found.group(2), found.group(2)))
    return found.group(1)


def _take_postcode(parts: list[list[str]], country: str) -> tuple[list[list[str]], str | None]:
    """The parts without the postcode, and the postcode in its normal form. Looked for from the end."""
    for p in range(len(parts) - 1, -1, -1):
        words = parts[p]
        for start in range(len(words) - 1, -1, -1):
            for width in (2, 1):
                chunk = words[start:start + width]
                if len(chunk) != width:
                    continue
                postcode = _postcode(" ".join(chunk), country)
                if postcode:
                    kept = [*parts[:p], [*words[:start], *words[start + width:]], *parts[p + 1:]]
                    return [w for w in kept if w], postcode
    return parts, None


def _postcode(text: str, country: str) -> str | None:
    if country == "NL":
        return text if _NL_POSTCODE.fullmatch(text) else None
    from uk_postcodes_parsing import postcode_utils
    if len(text) <= 8 and any(c.isdigit() for c in text) and postcode_utils.is_valid(text):
        return postcode_utils.to_normalised(text).lower()
    return None


def _street(words: list[str], country: str) -> str:
    """A street name written one way: street types and directions written out ("St" first: Saint)."""
    out = []
    for n, word in enumerate(words):
        if word in DIRECTIONS and len(words) > 1:
            word = DIRECTIONS[word]
        elif word == "st" and n == 0 and len(words) > 1:
            word = "saint"
        elif word in STREET_TYPES and (n == len(words) - 1 or country != "NL"):
            word = STREET_TYPES[word]
        elif country == "NL" and word.endswith("str") and len(word) > 4:
            word = word + "aat"  # "Hoofdstr." is "Hoofdstraat"
        out.append(word)
    return " ".join(out)


def _european(address: str, country: str) -> tuple[str | None, str | None, str | None, str | None]:
    """(postcode key, street key, unit, bare street key) of a UK or Dutch address, the number before or
    after the street."""
    if country == "GB":  # "2/37 Barthor Road", "Flat 2/37 ...": flat 2 of number 37
        address = _UK_FLAT_OF.sub(r"flat \1, \2", address)
    parts = _parts(address)
    parts, unit = _take_units(parts, country)
    parts, postcode = _take_postcode(parts, country)
    if country == "GB":
        parts, flat = _named_building_flat(parts)
        unit = " ".join(sorted(filter(None, [unit, flat]))) or None
    # the building number: in the UK first in its part ("Building 5, 20 Quenwick Road": 20), in the
    # Netherlands before or after the street
    found = next(((p, i) for p, words in enumerate(parts) for i, word in enumerate(words)
                  if _NUMBER.fullmatch(word) and (i == 0 or country == "NL")), None)
    if found is None:
        return None, None, unit, None
    p, i = found
    if len(parts[p]) == 1 and p + 1 < len(parts):  # "37, Barthor Road": the number alone before its street
        parts = [*parts[:p], parts[p] + parts[p + 1], *parts[p + 2:]]
    words, number = parts[p], parts[p][i]
    if i > 0:  # the street before the number (Dutch): "Coolsingel 40 Rotterdam"
        street, locality = words[:i], words[i + 1:]
    else:  # the number first: "37 Barthor Road London"; the street ends at its last street word
        after = words[i + 1:]
        ends = [n for n, word in enumerate(after) if word in STREET_WORDS or word in STREET_TYPES
                or (country == "NL" and re.search(r"(straat|weg|laan|gracht|kade|plein|singel|dijk)$", word))]
        cut = ends[-1] + 1 if ends else len(after)
        street, locality = after[:cut], after[cut:]
    if not locality:
        later = [w for w in parts[p + 1:] if w]
        locality = later[-1] if later else []
    postcode_key = f"{country.lower()}|{postcode}|{number}" if postcode else None
    street_key = (f"{country.lower()}|{_street(street, country)}|{number}|{_street(locality, country)}"
                  if street and locality else None)
    bare_key = f"{country.lower()}|{_street(street, country)}|{number}"[:ADDRESS] if street else None
    return postcode_key, street_key, unit, bare_key


_UK_FLAT_OF = re.compile(r"\b(?:flat\s+)?(\d{1,4}[a-z]?)\s*/\s*(\d{1,5}[a-z]?)\b")


def _named_building_flat(parts: list[list[str]]) -> tuple[list[list[str]], str | None]:
    """A UK flat written as a number in a named building before the street line ("2 Barthor Court,
    37 Barthor Road"): of two parts that start with a number, the last one naming a street is the
    street line, and the number of a part before it is the flat (the building's name set aside)."""
    def street_word(word: str) -> bool:
        return word in STREET_WORDS or word in STREET_TYPES
    split = []  # written without commas: "2 barthor court 37 barthor road" is two parts
    for words in parts:
        at = next((j for j in range(2, len(words) - 1) if _NUMBER.fullmatch(words[0]) and _NUMBER.fullmatch(
            words[j]) and street_word(words[j - 1]) and any(map(street_word, words[j + 1:]))), None)
        split += [words[:at], words[at:]] if at else [words]
    parts = split
    numbered = [p for p, words in enumerate(parts) if len(words) > 1 and _NUMBER.fullmatch(words[0])]
    streets = [p for p in numbered if any(map(street_word, parts[p][1:]))]
    if len(numbered) < 2 or not streets or streets[-1] == numbered[0]:
        return parts, None
    line = streets[-1]
    flats = [parts[p][0] for p in numbered if p < line]
    return [words for p, words in enumerate(parts) if not (p < line and p in numbered)], " ".join(flats)


# --- the US: USPS Publication 28, by usaddress-scourgify -----------------------------------------

def _us(address: str) -> tuple[str | None, str | None, str | None, str | None]:
    """(ZIP key, street key, unit) of a US address normalised by USPS Publication 28 (usaddress-scourgify);
    an address it cannot read has none (the folded form still matches it)."""
    from scourgify import normalize_address_record  # loaded on first use: it reads its tables then

    parts = _parts(address)
    parts, unit = _take_units(parts, "US")
    text = ", ".join(" ".join(_post_directional(words)) for words in parts)
    try:
        record = normalize_address_record(text)
    except Exception:  # noqa: BLE001 -- it raises its own kinds, and others on text it cannot parse
        return None, None, unit, None
    line = " ".join((record.get("address_line_1") or "").casefold().split())
    for pattern, replacement in _GLUED[:2]:
        line = pattern.sub(replacement, line)
    second = (record.get("address_line_2") or "").casefold().split()
    if second:  # "APT 4", "STE 200", "# 4": the designator set aside, as for other countries
        unit = " ".join(sorted(filter(None, [unit, " ".join(w for w in second if w not in _US_DESIGNATORS)])))
    number, _, street = line.partition(" ")
    if not _NUMBER.fullmatch(number) or not street:
        return None, None, unit or None, None
    city, state = (record.get("city") or "").casefold(), (record.get("state") or "").casefold()
    zip5 = (record.get("postal_code") or "")[:5]
    zip_key = f"us|{zip5}|{number}|{street}" if zip5 else None
    street_key = f"us|{street}|{number}|{city}|{state}" if city and state else None
    bare_key = f"us|{street}|{number}" if state or not city else None  # a city without its state: neither
    return zip_key, street_key, unit or None, bare_key


def _post_directional(words: list[str]) -> list[str]:
    """A direction after the street type written short, as Publication 28 does: "ave northwest albany"
    is read as "AVE NW" in Albany, where the parser would take "Northwest Albany" for the city."""
    short = {name: letters for letters, name in DIRECTIONS.items()}
    return [short[word] if word in short and n and (words[n - 1] in STREET_TYPES or words[n - 1] in STREET_WORDS)
            else word for n, word in enumerate(words)]


_US_DESIGNATORS = frozenset({"apt", "ste", "unit", "#", "rm", "fl", "bldg", "ofc", "lot", "spc", "trlr", "dept",
                             "ph", "frnt", "rear", "side", "uppr", "lowr", "bsmt", "lbby"})


# --- coordinates --------------------------------------------------------------------------------

def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine): exact enough at 100 m, anywhere on earth."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def degrees_around(latitude: float, metres: float) -> tuple[float, float]:
    """(latitude, longitude) degrees that surely cover `metres` around a point: a box to search in."""
    d_lat = math.degrees(metres / EARTH_RADIUS_M) * 1.01
    d_lon = d_lat / max(math.cos(math.radians(min(abs(latitude) + d_lat, 89.9))), 1e-6)
    return d_lat, min(d_lon, 360.0)
