"""Synthetic people, places and identifiers for the demo operation. Nobody here is real: names are
common given names joined to invented surnames built from syllables, in several scripts."""

from __future__ import annotations

import random

LATIN_GIVEN = ["Aaron", "Bella", "Callum", "Dana", "Elliot", "Fatima", "George", "Hannah", "Isaac", "Jade", "Kyle",
               "Leah", "Mason", "Nadia", "Owen", "Priya", "Quinn", "Ruby", "Samir", "Tara", "Umar", "Violet", "Wes",
               "Yusuf", "Zara", "Luca", "Sanne", "Daan", "Marta", "Pablo", "Aoife", "Cian", "Jonas", "Lea"]
LATIN_SYLLABLES = ["bar", "ven", "tor", "mal", "kes", "lin", "dor", "ra", "shi", "wick", "ley", "ton", "ford", "mer",
                   "quil", "zan", "ol", "ash", "per", "ny", "gal", "rin", "thor", "el", "vic", "hal", "bro", "den"]
TURKISH_GIVEN = ["Ayşe", "İbrahim", "Işıl", "Çağrı", "Gülşen", "Oğuz", "Şule", "İpek"]
TURKISH_SYLLABLES = ["kar", "taş", "yıl", "dız", "öz", "çe", "lik", "gün", "ak", "ın"]
CYRILLIC_GIVEN = ["Дмитрий", "Ольга", "Сергей", "Наталья", "Иван", "Мария"]
CYRILLIC_SYLLABLES = ["ков", "лин", "ров", "ме", "ски", "мар", "бе", "зу", "тал"]
ARABIC_GIVEN = ["محمد", "فاطمة", "عمر", "ليلى", "يوسف", "مريم"]
ARABIC_SYLLABLES = ["ال", "حد", "رى", "سم", "نا", "قو", "بي", "لي"]
CHINESE_FAMILY = ["王", "李", "张", "刘", "陈", "杨"]
CHINESE_GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军"]
CITIES = {"GB": ["London", "Birmingham", "Manchester", "Leeds", "Glasgow", "Liverpool", "Bristol"],
          "NL": ["Amsterdam", "Rotterdam", "The Hague"], "US": ["Los Angeles", "New York", "San Jose"],
          "IE": ["Dublin"], "ES": ["Madrid", "Málaga"], "DE": ["Berlin"], "FR": ["Paris"], "BE": ["Brussels"],
          "PT": ["Lisbon"], "UA": ["Kyiv"], "AU": ["Sydney"]}
STREETS = ["Road", "Street", "Lane", "Avenue", "Close", "Way"]


def _join(rng: random.Random, syllables: list[str], parts: int) -> str:
    return "".join(rng.choice(syllables) for _ in range(parts))


def person_name(rng: random.Random) -> str:
    """A synthetic full name; about one in six in a non-Latin script or with Turkish letters."""
    roll = rng.random()
    if roll < 0.05:
        return _join(rng, ARABIC_SYLLABLES, 3) + " " + rng.choice(ARABIC_GIVEN)
    if roll < 0.09:
        return rng.choice(CYRILLIC_GIVEN) + " " + _join(rng, CYRILLIC_SYLLABLES, 2).capitalize() + "ов"
    if roll < 0.12:
        return rng.choice(CHINESE_FAMILY) + "".join(rng.choice(CHINESE_GIVEN) for _ in range(rng.randint(1, 2)))
    if roll < 0.17:
        return rng.choice(TURKISH_GIVEN) + " " + _join(rng, TURKISH_SYLLABLES, 2).capitalize() + "oğlu"
    return rng.choice(LATIN_GIVEN) + " " + _join(rng, LATIN_SYLLABLES, rng.randint(2, 3)).capitalize()


def handle(rng: random.Random) -> str:
    return _join(rng, LATIN_SYLLABLES, 2) + rng.choice(["_", "", "."]) + str(rng.randint(1, 9999))


def address(rng: random.Random, country: str) -> str:
    city = rng.choice(CITIES.get(country, CITIES["GB"]))
    street = _join(rng, LATIN_SYLLABLES, 2).capitalize()
    return f"{rng.randint(1, 240)} {street} {rng.choice(STREETS)}, {city}"


def officer(rng: random.Random) -> str:
    return f"{rng.choice(['DC', 'DS', 'PC', 'SA', 'Officer'])} {_join(rng, LATIN_SYLLABLES, 2).capitalize()}"


def weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


# Telephone numbers set aside for drama and examples, so no real subscriber is ever named: Ofcom's
# UK ranges (area code, then the 1,000-number block) and the North American 555-0100 to 555-0199.
UK_FICTIONAL = ["20 7946 0", "113 496 0", "114 496 0", "116 496 0", "117 496 0", "118 496 0",
                "121 496 0", "131 496 0", "141 496 0", "151 496 0", "161 496 0", "191 498 0", "28 9649 0",
                "29 2018 0"]
US_AREA_CODES = ["202", "212", "213", "305", "310", "312", "404", "415", "512", "617", "646", "702", "713", "718",
                 "808", "818", "917", "206", "303", "602"]


def fictional_phone_numbers() -> list[str]:
    """Every fictional number above, in E.164 (16,000)."""
    uk = [f"+44{block.replace(' ', '')}{n:03d}" for block in UK_FICTIONAL for n in range(1000)]
    us = [f"+1{area}5550{n:03d}" for area in US_AREA_CODES for n in range(100, 200)]
    return uk + us


EMAIL_DOMAINS = ["example.com", "example.net", "example.org"]  # reserved for examples (RFC 2606)


def email(rng: random.Random, serial: int) -> str:
    """A lower-case address at a domain reserved for examples, unique by its serial number."""
    return f"{_join(rng, LATIN_SYLLABLES, 2)}.{serial}@{rng.choice(EMAIL_DOMAINS)}"


def typed_differently(rng: random.Random, email_address: str) -> str:
    """How another agency might have typed the same address: some letters in capitals."""
    local, _, domain = email_address.partition("@")
    return "".join(c.upper() if rng.random() < 0.3 else c for c in local) + "@" + domain.capitalize()
