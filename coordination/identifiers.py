"""Identifiers in their one normal form, so that two agencies typing the same phone number, wallet or
person differently still match: each kind is normalised by the library made for it, never by hand,
and a value that does not validate is refused with the reason.

`normalise(kind, value, qualifier=..., region=...)` is the one entry point. `qualifier` is what some
kinds need besides the value: the platform of an online handle (required), the chain of a wallet
(optional when the address says it), the date of birth of a person (required), the country of an
address (optional). `region` is the ISO country a phone number without a country code, or an address
naming no country, is read in (the owning agency's).

Decisions (each kind's function says more):
- every kind: a value or qualifier with an invisible or direction-changing character (U+202E, U+200B,
  ...: coordination.text.unseen) is refused in words, before any library reads it (phonenumbers and
  IDNA would drop some silently); people's names and addresses keep the zero-width (non-)joiner
  their scripts spell with (transliteration drops it), the other kinds are codes and refuse it too.
- phone: E.164 (phonenumbers); e-mail: syntax only (email-validator), compared lowercased.
- online handle: platform from a closed list (or "other:<name>"); normal "platform:handle".
- wallet: Bitcoin and Litecoin (Base58Check, Bech32/Bech32m), Ethereum (EIP-55 checked when mixed
  case); normal "btc:<address>", "ltc:<address>", "eth:<address>"; test networks are refused.
- bank account: IBAN only (python-stdnum); no maintained library checks UK sort code and account
  number (the VocaLink modulus rules), so those are refused with a request for the IBAN.
- IMEI: 15 digits with the Luhn check; an IMEISV (16 digits) is reduced to its IMEI (the first 14
  digits and the check digit) so that both match; 14 digits are refused (the check digit is missing).
- IP address: compressed, IPv4-mapped IPv6 read as IPv4; addresses that name a different machine on
  every network (private, loopback, link-local...) are refused: they would match everywhere.
- person: name folded (NFKC, transliterated, casefolded) with its words sorted, so "SMITH John" and
  "John Smith" match; normal "name|YYYY-MM-DD"; phonetic: Double Metaphone of each word + the date.
- address: folded, punctuation out, common abbreviations written out, UK postcode normalised. Its
  limits: no gazetteer, so "Flat 2, 10 High St" and "10 High Street, Flat 2" are two normal forms, nor
  do two spellings of a place name meet; "St" is always read as "street" (never "Saint"). Its
  qualifier is its country (a code or a name; without one, the country its last part names, else
  `region`, the owning agency's): the building keys that meet where the normal forms do not come
  from coordination.places by that country's conventions (services.identifiers keys them).

Nothing here reaches the network (e-mail addresses are checked for syntax only).
"""

from __future__ import annotations

import datetime
import functools
import ipaddress
import re
import string
import unicodedata
from dataclasses import dataclass

import base58
import bech32m
import email_validator
import idna
import phonenumbers

# pycryptodome (maintained; it reuses pyCrypto's package name, which bandit flags): Keccak-256 for the
# EIP-55 checksum of Ethereum addresses, a spelling check, not a security function
from Crypto.Hash import keccak  # nosec B413
from metaphone import doublemetaphone
from stdnum import exceptions as stdnum_errors
from stdnum import iban, imei, luhn
from uk_postcodes_parsing import postcode_utils
from unidecode import unidecode

from coordination import places
from coordination.models.enums import IdentifierKind
from coordination.text import unseen

MAX_VALUE = 300  # longer input is refused before any parsing: bounded time on hostile input


@dataclass(frozen=True)
class Normalised:
    kind: IdentifierKind
    value: str  # the normal form: what is keyed and compared
    shown: str | None  # how its own agency reads it; None: written out from the value when read (`display`)
    phonetic: str | None = None  # people only: the sound of the name and the birth date, for possible matches
    country: str | None = None  # addresses only: the country whose conventions give its building's keys

    @property
    def display(self) -> str:
        """How its own agency reads it. A phone number is written out only when asked: that was a fifth
        of its normalising, for every row of an import, which never shows it."""
        if self.shown is not None:
            return self.shown
        return phonenumbers.format_number(phonenumbers.parse(self.value), phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalise(kind: IdentifierKind | str, value: str, *, qualifier: str | None = None,
              region: str | None = None) -> Normalised:
    """The normal form of `value` as an identifier of `kind`; ValueError with a reason a liaison reads."""
    kind = _KINDS.get(_kind_key(kind)) if isinstance(kind, str) else None
    if kind is None:
        raise ValueError(f"is not a kind of identifier (one of: {', '.join(k.value for k in IdentifierKind)})")
    if not isinstance(value, str) or not value.strip():
        raise ValueError("is required")
    if qualifier is not None and not isinstance(qualifier, str):
        raise ValueError("has a qualifier that is not text")
    if len(value) > MAX_VALUE or (qualifier is not None and len(qualifier) > MAX_VALUE):
        raise ValueError(f"is longer than {MAX_VALUE} characters")
    refusal = unseen(value, joiners=kind in _SPELLED)
    if refusal:
        raise ValueError(refusal)
    if qualifier is not None and (refusal := unseen(qualifier, joiners=False)):
        raise ValueError(f"has a qualifier (platform, chain or date of birth) that {refusal}")
    if qualifier is not None:
        qualifier = qualifier.strip() or None
    normal = _NORMALISERS[kind](value.strip(), qualifier, region)
    if len(normal.value) > MAX_VALUE:  # written out (NFKC, transliteration) it can grow
        raise ValueError(f"is longer than {MAX_VALUE} characters once written out")
    return normal


def _kind_key(name: str) -> str:
    return name.strip().casefold().replace("-", "_").replace(" ", "_")


# a kind by its value ("phone number") or its name ("phone", "IP_ADDRESS"), as a command line gives it
_KINDS = {_kind_key(k.value): k for k in IdentifierKind} | {_kind_key(k.name): k for k in IdentifierKind}


def reads_region(kind: IdentifierKind | str, value: str) -> bool:
    """Whether `normalise` reads `region` for this value: for a phone number not written with its
    country code (phonenumbers takes the country from a leading + and ignores the region then) and for
    an address, so a caller need not look the region up otherwise."""
    kind = _KINDS.get(_kind_key(kind)) if isinstance(kind, str) else kind
    if kind is IdentifierKind.ADDRESS:  # the country an address is read in, when none is written
        return True
    return kind is IdentifierKind.PHONE and not (isinstance(value, str) and value.strip().startswith("+"))


def _fold(text: str) -> str:
    """Compatibility forms joined (full-width, ligatures), then case folded: how people's text compares."""
    return unicodedata.normalize("NFKC", text).casefold()


# kinds written in words, whose scripts may spell with the zero-width (non-)joiner
_SPELLED = frozenset({IdentifierKind.PERSON, IdentifierKind.ADDRESS})


def _has_control(text: str) -> bool:
    """Control characters and line breaks (invisible and direction-changing characters are refused
    before, by `normalise`)."""
    return any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in text)


# --- phone and e-mail ---------------------------------------------------------------------------

_COUNTRY_SHORT = {"GB": "UK", "US": "US"}


def _country(region: str | None) -> str:
    """'UK', 'Netherlands': the country of a region code, for reasons."""
    if not region:
        return "international"
    example = phonenumbers.example_number(region)
    from phonenumbers import geocoder  # only for a refusal's wording: its place names take 0.3 s to load

    name = geocoder.country_name_for_number(example, "en") if example else ""
    return _COUNTRY_SHORT.get(region) or name or region


def _region(region: str | None) -> str | None:
    region = (region or "").strip().upper()
    region = "GB" if region == "UK" else region
    return region if region in phonenumbers.SUPPORTED_REGIONS else None


_PARSE_REASONS = {
    phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
        "has no valid country code (write it as +44 ..., +31 ...)",
    phonenumbers.NumberParseException.NOT_A_NUMBER: "is not a phone number",
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "is too short to be a phone number",
    phonenumbers.NumberParseException.TOO_SHORT_NSN: "is too short to be a phone number",
    phonenumbers.NumberParseException.TOO_LONG: "is too long to be a phone number",
}


def _phone(value: str, qualifier: str | None, region: str | None) -> Normalised:
    """E.164; a number without a country code is read in `region` (the owning agency's country)."""
    region = _region(region)
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as error:
        if error.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE \
                and not value.startswith(("+", "00")):
            raise ValueError("has no country code (write it as +44 ..., +31 ...)") from None
        raise ValueError(_PARSE_REASONS.get(error.error_type, "is not a phone number")) from None
    if not phonenumbers.is_valid_number(number):
        country = _country(phonenumbers.region_code_for_country_code(number.country_code))
        raise ValueError(f"is not a valid {country} phone number")
    return Normalised(IdentifierKind.PHONE, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
                      None)


def _email(value: str, qualifier: str | None, region: str | None) -> Normalised:
    """Syntax only (never a DNS look-up); compared lowercased, as mail providers do in practice."""
    try:
        checked = email_validator.validate_email(value, check_deliverability=False)
    except email_validator.EmailNotValidError as error:
        raise ValueError(f"is not a valid e-mail address ({error})") from None
    normal = checked.normalized.lower()
    return Normalised(IdentifierKind.EMAIL, normal, checked.normalized)


# --- online handles -----------------------------------------------------------------------------

PLATFORMS = {  # the platform as it is named in the normal form: what people call it
    "telegram": "Telegram", "whatsapp": "WhatsApp", "signal": "Signal", "x": "X (Twitter)",
    "instagram": "Instagram", "facebook": "Facebook", "tiktok": "TikTok", "snapchat": "Snapchat",
    "discord": "Discord", "reddit": "Reddit", "youtube": "YouTube", "twitch": "Twitch",
    "linkedin": "LinkedIn", "skype": "Skype", "wickr": "Wickr", "threema": "Threema",
    "session": "Session", "wechat": "WeChat", "kik": "Kik", "icq": "ICQ", "jabber": "Jabber (XMPP)",
    "github": "GitHub", "steam": "Steam", "onlyfans": "OnlyFans", "mastodon": "Mastodon",
}
_PLATFORM_ALIASES = {"twitter": "x", "x (twitter)": "x", "xmpp": "jabber", "jabber (xmpp)": "jabber",
                     "fb": "facebook", "ig": "instagram", "tg": "telegram"}
_OTHER = "other:"


def _platform(qualifier: str | None) -> tuple[str, str]:
    """(normal, shown) of a platform: one of PLATFORMS, or "other:<name>" for the rest."""
    if not qualifier:
        raise ValueError("needs its platform (Telegram, Instagram, ... or other:<name>)")
    folded = " ".join(_fold(qualifier).split())
    folded = _PLATFORM_ALIASES.get(folded, folded)
    if folded in PLATFORMS:
        return folded, PLATFORMS[folded]
    if folded.startswith(_OTHER):
        name = folded[len(_OTHER):].strip()
        if name and len(name) <= 40 and all(c.isalnum() or c in " .-_" for c in name):
            return _OTHER + name, name
    raise ValueError("has a platform this system does not know: choose one of "
                     f"{', '.join(sorted(PLATFORMS.values()))}, or write other:<name>")


def _handle(value: str, qualifier: str | None, region: str | None) -> Normalised:
    """The handle without its @, in compatibility form, case folded: handles are case-insensitive on
    every listed platform."""
    platform, platform_shown = _platform(qualifier)
    handle = _fold(value).removeprefix("@").strip()
    if not handle:
        raise ValueError("is only an @: write the handle after it")
    if any(character.isspace() for character in handle) or _has_control(handle):
        raise ValueError("holds spaces or invisible characters: a handle is one word")
    if "/" in handle or "://" in value:
        raise ValueError("is a web address: write the handle alone (without https://...)")
    if len(handle) > 100:
        raise ValueError("is longer than 100 characters: no platform allows handles that long")
    return Normalised(IdentifierKind.HANDLE, f"{platform}:{handle}", f"@{handle} on {platform_shown}")


# --- crypto wallets -----------------------------------------------------------------------------

CHAINS = {"btc": "Bitcoin", "ltc": "Litecoin", "eth": "Ethereum"}
_CHAIN_ALIASES = {"bitcoin": "btc", "litecoin": "ltc", "ethereum": "eth", "ether": "eth", "xbt": "btc"}
# Base58Check version bytes: which chain an address is for. 0x05 (P2SH, "3...") is Bitcoin's and
# also Litecoin's old script address: read as Bitcoin unless the chain says Litecoin.
_SHARED_SCRIPT_VERSION = 0x05
_BASE58_VERSIONS = {0x00: "btc", _SHARED_SCRIPT_VERSION: "btc", 0x30: "ltc", 0x32: "ltc"}
_BASE58_TESTNET = {0x6F, 0xC4, 0x3A}
_BASE58_ALPHABET = set(base58.BITCOIN_ALPHABET.decode())
_BECH32_PREFIXES = {"bc": "btc", "ltc": "ltc"}
_BECH32_TESTNET = {"tb", "bcrt", "tltc", "rltc"}
_ETHEREUM = re.compile(r"0[xX][0-9a-fA-F]{40}")


def _chain(qualifier: str | None) -> str | None:
    if qualifier is None:
        return None
    folded = _fold(qualifier)
    folded = _CHAIN_ALIASES.get(folded, folded)
    if folded not in CHAINS:
        raise ValueError(f"has a chain this system cannot check: one of {', '.join(CHAINS.values())}")
    return folded


def _wallet(value: str, qualifier: str | None, region: str | None) -> Normalised:
    """A checksum-validated address; the chain comes from the address (and must agree with the
    qualifier when one is given)."""
    chain = _chain(qualifier)
    if _ETHEREUM.fullmatch(value):
        found, address = "eth", _ethereum(value)
    elif "1" in value and value.lower().rpartition("1")[0] in _BECH32_PREFIXES.keys() | _BECH32_TESTNET:
        found, address = _bech32(value)
    else:
        found, address = _base58(value, chain)
    if chain and chain != found:
        raise ValueError(f"is a {CHAINS[found]} address, not a {CHAINS[chain]} one")
    shown = _eip55(address) if found == "eth" else address
    return Normalised(IdentifierKind.WALLET, f"{found}:{address}", f"{CHAINS[found]} {shown}")


def _ethereum(value: str) -> str:
    hexdigits = value[2:]
    mixed = hexdigits != hexdigits.lower() and hexdigits != hexdigits.upper()
    if mixed and _eip55("0x" + hexdigits.lower()) != "0x" + hexdigits:
        raise ValueError("is not a valid Ethereum address: its upper and lower case letters (the EIP-55 "
                         "checksum) do not match; a character may be mistyped")
    return "0x" + hexdigits.lower()


def _eip55(address: str) -> str:
    """The EIP-55 mixed-case form: a letter is upper case where Keccak-256 of the address has a high nibble."""
    hexdigits = address[2:]
    digest = keccak.new(digest_bits=256, data=hexdigits.encode("ascii")).hexdigest()
    return "0x" + "".join(c.upper() if int(d, 16) >= 8 else c for c, d in zip(hexdigits, digest[:40], strict=True))


def _bech32(value: str) -> tuple[str, str]:
    if value != value.lower() and value != value.upper():
        raise ValueError("is not a valid wallet address: a Bech32 address is all lower or all upper case")
    address = value.lower()
    prefix = address.rpartition("1")[0]
    if prefix in _BECH32_TESTNET:
        raise ValueError("is a test network address: test coins hold no value")
    try:
        bech32m.decode(prefix, address)  # Bech32 for segwit version 0, Bech32m (BIP 350) for later ones
    except ValueError:
        raise ValueError(f"is not a valid {CHAINS[_BECH32_PREFIXES[prefix]]} address: its checksum or "
                         "length is wrong (a character may be mistyped or missing)") from None
    return _BECH32_PREFIXES[prefix], address


def _base58(value: str, chain: str | None) -> tuple[str, str]:
    if not 26 <= len(value) <= 35 or not set(value) <= _BASE58_ALPHABET:
        raise ValueError("is not a wallet address this system can check (Bitcoin, Litecoin or Ethereum)")
    try:
        payload = base58.b58decode_check(value)
    except ValueError:
        raise ValueError("is not a valid wallet address: its checksum is wrong (a character may be mistyped "
                         "or missing)") from None
    if len(payload) != 21:
        raise ValueError("is not a wallet address this system can check (Bitcoin, Litecoin or Ethereum)")
    if payload[0] in _BASE58_TESTNET:
        raise ValueError("is a test network address: test coins hold no value")
    if payload[0] not in _BASE58_VERSIONS:
        raise ValueError("is not a wallet address this system can check (Bitcoin, Litecoin or Ethereum)")
    if payload[0] == _SHARED_SCRIPT_VERSION and chain == "ltc":
        return "ltc", value
    return _BASE58_VERSIONS[payload[0]], value


# --- bank accounts and IMEIs --------------------------------------------------------------------

_SORT_CODE_AND_ACCOUNT = re.compile(r"\d{2}[- ]?\d{2}[- ]?\d{2}[ /,;-]*\d{6,8}")
_IBAN_START = re.compile(r"[A-Za-z]{2}\d{2}")


def _bank_account(value: str) -> Normalised:
    """An IBAN, compact and upper case; its check digits and, where python-stdnum knows them, its
    country's layout and national check digits are verified."""
    compact = iban.compact(value)
    if _SORT_CODE_AND_ACCOUNT.fullmatch(value.strip()):
        raise ValueError("looks like a UK sort code and account number: these cannot be checked here, "
                         "so write the account's IBAN (GB.. on statements and in online banking)")
    if not _IBAN_START.match(compact) or not compact.isalnum() or not compact.isascii():
        raise ValueError("is not an IBAN: an IBAN starts with its country code and two check digits "
                         "(GB82 WEST ...) followed by letters and digits")
    try:
        normal = iban.validate(compact)
    except stdnum_errors.InvalidChecksum:
        raise ValueError("is not a valid IBAN: its check digits do not match (a character may be "
                         "mistyped or missing)") from None
    except stdnum_errors.ValidationError:
        raise ValueError(f"is not a valid IBAN: wrong length or layout for its country ({compact[:2]})") from None
    return Normalised(IdentifierKind.BANK_ACCOUNT, normal, iban.format(normal))


def _imei(value: str) -> Normalised:
    """15 digits with their Luhn check digit; an IMEISV (16 digits, no check digit) is reduced to the
    IMEI of the same device so both match."""
    digits = imei.compact(value)
    if not digits.isdigit() or not digits.isascii():
        raise ValueError("is not an IMEI: an IMEI is 15 digits (dial *#06# on the phone)")
    if len(digits) == 14:
        raise ValueError("has 14 digits: write all 15 digits of the IMEI (the last is its check digit)")
    if len(digits) == 16:  # IMEISV: type allocation code, serial number, software version
        digits = digits[:14] + luhn.calc_check_digit(digits[:14])
    if len(digits) != 15:
        raise ValueError(f"has {len(digits)} digits: an IMEI has 15 (an IMEISV 16)")
    if not luhn.is_valid(digits):
        raise ValueError("is not a valid IMEI: its check digit does not match (a digit may be mistyped)")
    if set(digits[:8]) == {"0"}:
        raise ValueError("is a placeholder IMEI (no type allocation code): it identifies no device")
    return Normalised(IdentifierKind.IMEI, digits, digits)


# --- networks -----------------------------------------------------------------------------------

# Documentation ranges (RFC 5737, RFC 3849) stay allowed: examples and synthetic data use them.
_DOCUMENTATION = [ipaddress.ip_network(n) for n in
                  ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")]


def _ip_address(value: str) -> Normalised:
    """Compressed; an IPv4-mapped IPv6 address is the IPv4 address; a zone (%eth0) is dropped."""
    text = value.strip("[]").partition("%")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        if re.fullmatch(r"[\d.]+", text) and re.search(r"(^|\.)0\d", text):
            raise ValueError("is not an IP address: a part starts with 0, which is ambiguous (octal)") from None
        if "/" in text:
            raise ValueError("is a network range, not one IP address") from None
        raise ValueError("is not an IP address (IPv4 like 203.0.113.5 or IPv6 like 2001:db8::1)") from None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if not address.is_global and not any(address in network for network in _DOCUMENTATION):
        raise ValueError("is a local or reserved address (private, loopback, link-local...): it names a "
                         "different machine on every network, so it cannot identify one")
    return Normalised(IdentifierKind.IP_ADDRESS, address.compressed, address.compressed)


def _domain(value: str) -> Normalised:
    """IDNA 2008 with UTS 46 mapping (what browsers do): the A-label form, lowercase, no trailing dot."""
    if "://" in value or "/" in value or "@" in value:
        raise ValueError("is a web or e-mail address: write the domain alone (example.com)")
    text = value.removesuffix(".")
    try:
        ascii_form = idna.encode(text, uts46=True).decode("ascii").lower()
        shown = idna.decode(ascii_form)
    except (idna.IDNAError, UnicodeError) as error:
        raise ValueError(f"is not a valid domain name ({_idna_reason(error)})") from None
    labels = ascii_form.split(".")
    if "" in labels:  # idna lets one empty part through at the end ("example.org.." less its root dot)
        raise ValueError("is not a valid domain name (two dots follow each other, or it starts with a dot)")
    if len(labels) < 2:
        raise ValueError("is not a domain name: it needs at least one dot (example.com)")
    if labels[-1].isdigit():
        raise ValueError("is not a domain name: its last part is a number (an IP address is its own kind)")
    return Normalised(IdentifierKind.DOMAIN, ascii_form, shown)


_IDNA_REASONS = (  # idna's messages quote the characters; these say what is wrong in plain words
    ("too long", "a part between dots is longer than 63 characters, or the whole longer than 253"),
    ("empty label", "two dots follow each other, or it starts with a dot"),
    ("hyphen", "a part between dots starts or ends with a hyphen, or has two in 3rd and 4th place"),
    ("a-label", "a part starting xn-- is not valid punycode"),
    ("directionality", "it mixes right-to-left and left-to-right writing in one part"),
    ("joiner", "it holds an invisible joining character"),
)


def _idna_reason(error: Exception) -> str:
    message = str(error).lower()
    reasons = [reason for clue, reason in _IDNA_REASONS if clue in message]
    return reasons[0] if reasons else "it holds a character that domain names do not allow"


# --- people and addresses -----------------------------------------------------------------------

_DATE_FORMATS = (("%Y-%m-%d", re.compile(r"\d{4}-\d{2}-\d{2}")),
                 ("%d/%m/%Y", re.compile(r"\d{1,2}/\d{1,2}/\d{4}")),
                 ("%d.%m.%Y", re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}")))
OLDEST_BIRTH = datetime.date(1900, 1, 1)
_NAME_PUNCTUATION = str.maketrans({"'": "", "’": "", "`": "", "-": " ", ".": " ", ",": " "})


def _birth_date(qualifier: str | None) -> datetime.date:
    if not qualifier:
        raise ValueError("needs the person's date of birth (YYYY-MM-DD or DD/MM/YYYY)")
    for pattern, shape in _DATE_FORMATS:
        if shape.fullmatch(qualifier):
            try:
                born = datetime.datetime.strptime(qualifier, pattern).date()
            except ValueError:
                raise ValueError("has a date of birth that is not a date of the calendar") from None
            if not OLDEST_BIRTH <= born <= datetime.date.today():
                raise ValueError(f"has a date of birth outside {OLDEST_BIRTH.year} to today")
            return born
    raise ValueError("has a date of birth that is not written YYYY-MM-DD or DD/MM/YYYY")


def _name_words(value: str) -> list[str]:
    """The name's words folded: compatibility forms joined, transliterated to ASCII, case folded,
    apostrophes dropped, hyphens and dots as spaces; sorted, so the order it was typed in is lost."""
    if _has_control(value):
        raise ValueError("holds control characters or line breaks")
    folded = unidecode(unicodedata.normalize("NFKC", value)).casefold().translate(_NAME_PUNCTUATION)
    words = folded.split()
    if any(not word.isalpha() for word in words):
        raise ValueError("is not a name: it holds digits or signs (only letters, spaces, hyphens and apostrophes)")
    if not words:
        raise ValueError("holds no letters that can be read as a name")
    return sorted(words)


@functools.lru_cache(maxsize=50_000)  # names repeat across a file (first names, surnames): bounded
def _sound(word: str) -> str:
    """The Double Metaphone primary key of one folded word."""
    return doublemetaphone(word)[0]


def _person(value: str, qualifier: str | None, region: str | None) -> Normalised:
    born = _birth_date(qualifier)
    words = _name_words(value)
    sounds = sorted(filter(None, map(_sound, words)))
    shown = f"{' '.join(value.split())}, born {born.isoformat()}"
    phonetic = f"{' '.join(sounds)}|{born.isoformat()}" if sounds else None
    return Normalised(IdentifierKind.PERSON, f"{' '.join(words)}|{born.isoformat()}", shown, phonetic)


ABBREVIATIONS = {  # how UK and US addresses shorten street words: written out so both typings match
    "st": "street", "str": "street", "rd": "road", "ave": "avenue", "av": "avenue", "ln": "lane",
    "dr": "drive", "ct": "court", "pl": "place", "sq": "square", "cres": "crescent", "cl": "close",
    "gdns": "gardens", "gro": "grove", "gr": "grove", "pk": "park", "ter": "terrace", "terr": "terrace",
    "blvd": "boulevard", "hwy": "highway", "mt": "mount", "apt": "apartment", "flt": "flat",
    "bldg": "building", "ho": "house", "fl": "floor", "n": "north", "s": "south", "e": "east",
    "w": "west", "ne": "northeast", "nw": "northwest", "se": "southeast", "sw": "southwest",
}
_ADDRESS_PUNCTUATION = str.maketrans({c: " " for c in string.punctuation if c != "'"} | {"'": ""})


def _address(value: str, qualifier: str | None, region: str | None) -> Normalised:
    if _has_control(value):
        raise ValueError("holds control characters or line breaks")
    words = unidecode(unicodedata.normalize("NFKC", value)).casefold().translate(_ADDRESS_PUNCTUATION).split()
    words, postcode = _with_postcode(words)
    if postcode and len(words) == 2:
        raise ValueError("is only a postcode: write the street or building too")
    words = [ABBREVIATIONS.get(word, word) for word in words]
    if len(words) < 2 or not any(c.isalpha() for c in "".join(words)):
        raise ValueError("is too short to be an address (a number and street, or a building, and the town)")
    shown = ", ".join(" ".join(part.split()) for part in value.split(",") if part.strip())
    return Normalised(IdentifierKind.ADDRESS, " ".join(words), shown, country=places.address_country(
        value, qualifier, region))


def _with_postcode(words: list[str]) -> tuple[list[str], str | None]:
    """The words with a UK postcode, typed in one word or two, as its two parts ("sw1a 2aa"), and
    the postcode if there is one. Looked for from the end, where addresses write it."""
    for start in range(len(words) - 1, -1, -1):
        for width in (2, 1):
            candidate = " ".join(words[start:start + width])
            if len(words[start:start + width]) == width and postcode_utils.is_valid(candidate):
                postcode = postcode_utils.to_normalised(candidate).lower()
                return [*words[:start], *postcode.split(), *words[start + width:]], postcode
    return words, None


def _value_only(normaliser):
    """Kinds that take no qualifier and no region."""
    return lambda value, qualifier, region: normaliser(value)


_NORMALISERS = {
    IdentifierKind.PHONE: _phone,
    IdentifierKind.EMAIL: _email,
    IdentifierKind.HANDLE: _handle,
    IdentifierKind.WALLET: _wallet,
    IdentifierKind.BANK_ACCOUNT: _value_only(_bank_account),
    IdentifierKind.IMEI: _value_only(_imei),
    IdentifierKind.IP_ADDRESS: _value_only(_ip_address),
    IdentifierKind.DOMAIN: _value_only(_domain),
    IdentifierKind.PERSON: _person,
    IdentifierKind.ADDRESS: _address,
}
