"""Writes tests/data/address_pairs.csv, the address identity corpus (tests/test_address_identity.py):
synthetic street names in the real conventions of the UK, the Netherlands, the US and a fallback country
(Germany), seeded, so the file can be made again: `python tests/data/address_pairs.py tests/data/address_pairs.csv`.
The CSV is the corpus; this is how it was made."""
# ruff: noqa: E501
import csv
import random
import sys

rng = random.Random(26)
SYL = ["bar", "thor", "quen", "wick", "ell", "smere", "hal", "drow", "mar", "ton", "fen", "by", "ash", "combe",
       "wil", "ford", "brad", "ley", "orm", "sted", "kel", "vin", "tre", "moor", "lin", "den", "gar", "holt"]
GB_TOWNS = ["London", "Leeds", "Manchester", "Bristol", "Oxford", "Cardiff", "Glasgow", "Belfast", "Sheffield",
            "Newcastle upon Tyne", "Milton Keynes", "Edinburgh"]
GB_POSTCODES = ["SW1A 1AA", "E17 4PQ", "NW1 6XE", "M1 1AE", "LS6 2QX", "B33 8TH", "EH1 2NG", "G2 3PE", "BT1 5GS",
                "CR0 2RJ", "OX1 4AA", "BS8 1TH", "CF10 3NQ", "L1 8JQ", "NE1 7RU", "SE25 6XY", "N16 0AB", "W1D 3QF"]
GB_TYPES = [("Road", "Rd"), ("Street", "St"), ("Lane", "Ln"), ("Avenue", "Ave"), ("Crescent", "Cres"),
            ("Gardens", "Gdns"), ("Close", "Cl"), ("Terrace", "Terr"), ("Drive", "Dr"), ("Place", "Pl")]
NL_TOWNS = ["Rotterdam", "Utrecht", "Amsterdam", "Eindhoven", "Groningen", "Leiden", "Den Haag", "Zwolle"]
NL_SUFFIX = ["straat", "laan", "weg", "gracht", "kade", "singel", "plein", "dijk"]
US_CITIES = [("New York", "NY"), ("Springfield", "IL"), ("Los Angeles", "CA"), ("Oakland", "CA"),
             ("Buffalo", "NY"), ("Fresno", "CA"), ("Albany", "NY"), ("Sacramento", "CA")]
US_TYPES = [("Street", "St"), ("Avenue", "Ave"), ("Lane", "Ln"), ("Road", "Rd"), ("Boulevard", "Blvd"),
            ("Drive", "Dr"), ("Court", "Ct"), ("Place", "Pl")]
US_DIRS = [("West", "W"), ("East", "E"), ("North", "N"), ("South", "S")]
DE_TOWNS = [("10115", "Berlin"), ("80331", "München"), ("50667", "Köln"), ("20095", "Hamburg"), ("60311", "Frankfurt am Main")]

rows = []
def add(convention, country, a, b, expected, why):
    rows.append([convention, country, a, b, expected, why])

def name(parts=2):
    return "".join(rng.choice(SYL) for _ in range(parts)).capitalize()

def gb_postcode(): return rng.choice(GB_POSTCODES)
def nl_postcode(): return f"{rng.randint(1000, 9999)} {rng.choice('ABCDEFGHJKLMNPRTUVWXZ')}{rng.choice('ABCDEFGHJKLMNPRTUVWXZ')}"
def us_zip(): return f"{rng.randint(10001, 96199):05d}"

# --- UK: postcode unit + building number; street + number + town -----------------------------------------
for _ in range(26):
    street, (full, short) = name(), rng.choice(GB_TYPES)
    number = rng.randint(1, 240)
    town, postcode = rng.choice(GB_TOWNS), gb_postcode()
    base = f"{number} {street} {full}, {town} {postcode}"
    variants = [
        (f"{number} {street} {short}, {town} {postcode}", "same address", "street type abbreviated"),
        (f"{number} {street} {full}, {town}", "same address", "postcode left out"),
        (f"{number} {street} {short}., {town}, {postcode.replace(' ', '')}", "same address", "postcode without its space"),
        (f"{number}, {street.upper()} {full.upper()}, {town.upper()}", "same address", "capitals, comma after number"),
        (f"{number} {street} {full}, {town} {postcode}, United Kingdom", "same address", "country added"),
        (f"Flat {rng.randint(1, 9)}, {number} {street} {short}, {town}", "same building", "flat in front"),
        (f"{number} {street} {full}, Flat {rng.randint(1, 9)}, {town} {postcode}", "same building", "flat after"),
        (f"{number + 2} {street} {full}, {town} {postcode}", "none", "next door"),
        (f"{number} {street} {full}, {rng.choice([t for t in GB_TOWNS if t != town])}", "none", "same street, another town"),
        (f"{number} {street} {full}, {town} {rng.choice([p for p in GB_POSTCODES if p != postcode])}", "none", "another postcode"),
        (f"{number} {street} {rng.choice([t for t in GB_TYPES if t[0] != full])[0]}, {town}", "none", "another street type"),
        (f"{number}a {street} {full}, {town} {postcode}", "none", "a lettered number is another building"),
    ]
    for other, expected, why in rng.sample(variants, 6):
        add("UK", "GB", base, other, expected, why)
for _ in range(8):  # suffixes, East/West, flats of one building, floors
    street, (full, short), town, postcode = name(), rng.choice(GB_TYPES), rng.choice(GB_TOWNS), gb_postcode()
    number = rng.randint(1, 240)
    add("UK", "GB", f"{number}b {street} {full}, {town}", f"{number}B {street} {short}, {town}", "same address", "221b/221B")
    add("UK", "GB", f"{number}-B {street} {full}, {town} {postcode}", f"{number} b {street} {full} {town}", "same address", "123-B/123 b")
    add("UK", "GB", f"Flat 1, {number} {street} {full}, {town}", f"Flat 3, {number} {street} {short}, {town} {postcode}", "same building", "two flats")
    add("UK", "GB", f"Flat 4, {number} {street} {full}, {town}", f"Apartment 4, {number} {street} {short}, {town}", "same address", "flat and apartment 4")
    add("UK", "GB", f"2nd Floor, {number} {street} {full}, {town} {postcode}", f"{number} {street} {full}, {town}", "same building", "a floor")
    add("UK", "GB", f"{number} East {street} {full}, {town}", f"{number} West {street} {full}, {town}", "none", "East/West")
    add("UK", "GB", f"{number} {street} {full} North, {town}", f"{number} {street} {full} N, {town}", "same address", "N/North")
    add("UK", "GB", f"{number} St {street} {full}, {town}", f"{number} Saint {street} {full}, {town}", "same address", "St as Saint")

# --- Netherlands: postcode + house number; street + number + town ------------------------------------------
for _ in range(22):
    street = name() + rng.choice(NL_SUFFIX)
    number, town, postcode = rng.randint(1, 300), rng.choice(NL_TOWNS), nl_postcode()
    base = f"{street} {number}, {postcode} {town}"
    variants = [
        (f"{street} {number}, {postcode.replace(' ', '')} {town}", "same address", "postcode without its space"),
        (f"{number} {street}, {postcode} {town}", "same address", "number before the street"),
        (f"{street} {number}, {town}", "same address", "postcode left out"),
        (f"{street} {number}, {postcode} {town}, Nederland", "same address", "country added"),
        (f"{street.upper()} {number} {postcode.replace(' ', '').lower()} {town.upper()}", "same address", "capitals, no commas"),
        (f"{street} {number}-2, {postcode} {town}", "same building", "a floor written as a dash addition"),
        (f"{street} {number} 3 hoog, {town}", "same building", "a floor written 3 hoog"),
        (f"{street} {number + 1}, {postcode} {town}", "none", "next door"),
        (f"{street} {number}, {rng.choice([t for t in NL_TOWNS if t != town])}", "none", "same street, another town"),
        (f"{street} {number}, {nl_postcode()}", "none", "another postcode"),
        (f"{street} {number}A, {postcode} {town}", "none", "a house letter is another address"),
    ]
    for other, expected, why in rng.sample(variants, 6):
        add("NL", "NL", base, other, expected, why)
for _ in range(6):
    street, number, town, postcode = name() + "straat", rng.randint(1, 300), rng.choice(NL_TOWNS), nl_postcode()
    add("NL", "NL", f"{street} {number}a, {town}", f"{street} {number}-A, {postcode} {town}", "same address", "40a/40-A")
    add("NL", "NL", f"{street[:-6]}str. {number}, {town}", f"{street} {number}, {town}", "same address", "straat as str.")
    add("NL", "NL", f"{street} {number}-1, {postcode} {town}", f"{street} {number}-3, {postcode} {town}", "same building", "two floors")
    add("NL", "NL", f"{street} {number} hs, {postcode} {town}", f"{street} {number}-2, {postcode} {town}", "same building", "hs and -2")

# --- United States: USPS Publication 28 street line + city and state, or + ZIP -----------------------------------
for _ in range(22):
    street, (full, short) = name(), rng.choice(US_TYPES)
    number = rng.randint(1, 9800)
    (city, state), zip5 = rng.choice(US_CITIES), us_zip()
    (direction, d) = rng.choice(US_DIRS)
    base = f"{number} {direction} {street} {full}, {city}, {state} {zip5}"
    variants = [
        (f"{number} {d} {street} {short}, {city}, {state} {zip5}", "same address", "Publication 28 abbreviations"),
        (f"{number} {d}. {street} {short}., {city} {state}", "same address", "ZIP left out"),
        (f"{number} {direction} {street} {full}, {city}, {state} {zip5}-{rng.randint(1000, 9999)}", "same address", "ZIP+4"),
        (f"{number} {direction} {street} {full}, {city}, {state} {zip5}, USA", "same address", "country added"),
        (f"{number} {direction.upper()} {street.upper()} {full.upper()} {city.upper()} {state} {zip5}", "same address", "capitals, no commas"),
        (f"{number} {d} {street} {short} Apt {rng.randint(1, 30)}, {city}, {state} {zip5}", "same building", "an apartment"),
        (f"{number} {direction} {street} {full}, Suite {rng.randint(100, 400)}, {city}, {state}", "same building", "a suite"),
        (f"{number + 2} {direction} {street} {full}, {city}, {state} {zip5}", "none", "next door"),
        (f"{number} {rng.choice([x for x in US_DIRS if x[0] != direction])[0]} {street} {full}, {city}, {state} {zip5}", "none", "another direction"),
        (f"{number} {direction} {street} {full}, {rng.choice([c for c in US_CITIES if c[0] != city])[0]}, {rng.choice(['NY', 'CA', 'IL'])}", "none", "same street, another city"),
        (f"{number} {direction} {street} {full}, {city}, {state} {us_zip()}", "none", "another ZIP"),
    ]
    for other, expected, why in rng.sample(variants, 6):
        add("US", "US", base, other, expected, why)
for _ in range(6):
    street, (full, short), (city, state) = name(), rng.choice(US_TYPES), rng.choice(US_CITIES)
    number = rng.randint(1, 9800)
    add("US", "US", f"{number}-H {street} {full}, {city}, {state}", f"{number} H {street} {short}, {city}, {state}", "same address", "123-H/123 H")
    add("US", "US", f"{number} {street} {full} Apt 4, {city}, {state}", f"{number} {street} {short} # 4, {city}, {state}", "same address", "Apt 4/# 4")
    add("US", "US", f"{number} {street} {full} Apt 2, {city}, {state}", f"{number} {street} {short} Apt 5, {city}, {state}", "same building", "two apartments")
    add("US", "US", f"{number} W {street} {full}, {city}, {state}", f"{number} E {street} {full}, {city}, {state}", "none", "W/E")

# --- a fallback country (Germany): the folded form only ------------------------------------------------------
for _ in range(14):
    street = name() + rng.choice(["straße", "weg", "allee", "platz"])
    number = rng.randint(1, 200)
    plz, town = rng.choice(DE_TOWNS)
    base = f"{street} {number}, {plz} {town}"
    variants = [
        (f"{street.replace('ß', 'ss')} {number}, {plz} {town}", "same address", "ß written ss"),
        (f"{street.upper()} {number}, {plz} {town.upper()}", "same address", "capitals"),
        (f"{street} {number} {plz} {town}, Germany", "same address", "country added, no comma"),
        (f"{street}  {number},{plz}   {town}", "same address", "spacing"),
        (f"{street} {number + 1}, {plz} {town}", "none", "next door"),
        (f"{street} {number}, {rng.choice([t for t in DE_TOWNS if t[1] != town])[0]} {rng.choice([t for t in DE_TOWNS if t[1] != town])[1]}", "none", "another town"),
    ]
    for other, expected, why in rng.sample(variants, 4):
        add("fallback", "DE", base, other, expected, why)

# --- written by hand: the shapes the issue names --------------------------------------------------------------
HAND = [
    ("UK", "GB", "37 Barthor Rd, London SW1A 1AA", "37 Barthor Road, London", "same address", "issue 26: Rd/Road, postcode or not"),
    ("UK", "GB", "37 Barthor Rd, London SW1A 1AA", "Flat 2, 37 Barthor Road, London", "same building", "issue 26: a flat of the building"),
    ("UK", "GB", "Flat 2, 37 Barthor Road, London", "37 Barthor Road, Flat 2, London SW1A1AA", "same address", "flat first or after"),
    ("UK", "GB", "221b Baker Street, London NW1 6XE", "221B BAKER ST, LONDON, NW16XE, UK", "same address", "221b/221B, country"),
    ("UK", "GB", "Ground Floor Flat, 14 Quenwick Gardens, Leeds LS6 2QX", "14 Quenwick Gdns, Leeds", "same building", "ground floor flat"),
    ("UK", "GB", "Basement, 14 Quenwick Gardens, Leeds", "First Floor, 14 Quenwick Gardens, Leeds", "same building", "two floors"),
    ("UK", "GB", "12 High Street, Oxford OX1 4AA", "12 High Street, Cambridge", "none", "High Street in two towns"),
    ("UK", "GB", "12 High Street, London E17 4PQ", "12 High Street, London SE25 6XY", "none", "one street name, two districts"),
    ("UK", "GB", "12 High Street, London E17 4PQ", "12 High Street, London", "same address", "the district left out"),
    ("UK", "GB", "9 St Ellsmere Road, Bristol", "9 Ellsmere Road, Bristol", "none", "Saint is part of the name"),
    ("UK", "GB", "Building 5, 20 Quenwick Road, London", "Building 5, 22 Quenwick Road, London", "none", "a building name is not its number"),
    ("UK", "GB", "Orm House, 20 Quenwick Road, London", "20 Quenwick Rd, London", "same address", "a house name before the number"),
    ("UK", "GB", "40 Wickfen Lane, Glasgow G2 3PE", "42 Wickfen Lane, Glasgow G2 3PE", "none", "one postcode, next door"),
    ("NL", "NL", "Coolsingel 40, 3011 AD Rotterdam", "40 Coolsingel, 3011AD Rotterdam, Netherlands", "same address", "issue 26: 3011AD, number first, country"),
    ("NL", "NL", "Coolsingel 40, 3011 AD Rotterdam", "Coolsingel 40-II, 3011 AD Rotterdam", "same building", "a floor in Roman numerals"),
    ("NL", "NL", "Coolsingel 40, 3011 AD Rotterdam", "Coolsingel 42, 3011 AD Rotterdam", "none", "next door, one postcode"),
    ("NL", "NL", "Coolsingel 40, Rotterdam", "Coolsingel 40, Amsterdam", "none", "one street name, two towns"),
    ("NL", "NL", "Lange Voorhout 9, 2514 EA Den Haag", "lange voorhout 9 2514ea den haag", "same address", "a town of two words"),
    ("US", "US", "221B W 42nd St, New York, NY 10036", "221b West 42nd Street, New York, NY 10036, USA", "same address", "issue 26: W/West, St/Street"),
    ("US", "US", "221B W 42nd St, New York, NY 10036", "221B E 42nd St, New York, NY 10036", "none", "East/West"),
    ("US", "US", "500 W 42nd St Apt 4B, New York, NY 10036", "500 West 42nd Street #4B, New York, NY", "same address", "Apt 4B/#4B"),
    ("US", "US", "500 W 42nd St Apt 4B, New York, NY 10036", "500 W 42nd St Apt 7C, New York, NY 10036", "same building", "two apartments"),
    ("US", "US", "1600 Maplecrest Ave NW, Albany, NY 12203", "1600 Maplecrest Avenue Northwest, Albany NY", "same address", "NW/Northwest after the street"),
    ("US", "US", "1600 Maplecrest Ave NW, Albany, NY 12203", "1600 Maplecrest Ave NE, Albany, NY 12203", "none", "NW/NE"),
    ("US", "US", "123-H Quarry Ridge Rd, Fresno, CA 93650", "123 H Quarry Ridge Road, Fresno, CA", "same address", "issue 26: 123-H/123 H"),
    ("US", "US", "123 Quarry Ridge Rd, Fresno, CA 93650", "123 Quarry Ridge Rd, Oakland, CA 94607", "none", "one street name, two cities"),
    ("fallback", "DE", "Hauptstraße 5, 10115 Berlin", "HAUPTSTRASSE 5, 10115 BERLIN, Deutschland", "same address", "ß, capitals, country"),
    ("fallback", "DE", "Hauptstraße 5, 10115 Berlin", "Hauptstraße 7, 10115 Berlin", "none", "next door"),
    # issue 26, second pass: town-less addresses, named buildings, the hard forms
    ("UK", "GB", "Flat 2, 37 Barthor Road", "37 Barthor Rd, London SW1A 1AA", "same building", "issue 26: neither town nor postcode"),
    ("UK", "GB", "37 Barthor Road", "37 Barthor Rd, London", "same address", "no town against a town"),
    ("UK", "GB", "37 Barthor Road, SW1A 1AA", "37 Barthor Road, London", "same address", "a postcode alone against a town alone"),
    ("UK", "GB", "37 Barthor Road", "39 Barthor Road, London", "none", "no town, next door"),
    ("UK", "GB", "37 Barthor Road", "37 Barthor Lane, London", "none", "no town, another street type"),
    ("UK", "GB", "37 Barthor Road, Leeds", "37 Barthor Road, London SW1A 1AA", "none", "two towns given, different"),
    ("UK", "GB", "37 Barthor Road, SW1A 1AA", "37 Barthor Road, E17 4PQ", "none", "two postcodes given, different"),
    ("UK", "GB", "2 Barthor Court, 37 Barthor Road, London", "37 Barthor Rd, London SW1A 1AA", "same building", "flat 2 in a named building"),
    ("UK", "GB", "2 Barthor Court, 37 Barthor Road, London", "Flat 2, 37 Barthor Road, London", "same address", "a named building's flat is a flat"),
    ("UK", "GB", "2 Barthor Court, 37 Barthor Road, London", "5 Barthor Court, 37 Barthor Road, London", "same building", "two flats of a named building"),
    ("UK", "GB", "2 Barthor Court, 37 Barthor Road, London", "2 Barthor Court, 39 Barthor Road, London", "none", "a named building next door"),
    ("UK", "GB", "Flat 2/37 Barthor Road, London", "Flat 2, 37 Barthor Road, London", "same address", "Flat 2/37"),
    ("UK", "GB", "2/37 Barthor Road, London SW1A 1AA", "Flat 2, 37 Barthor Rd, London", "same address", "2/37"),
    ("UK", "GB", "2/37 Barthor Road, London", "3/37 Barthor Road, London", "same building", "2/37 and 3/37"),
    ("UK", "GB", "2/37 Barthor Road, London", "2/39 Barthor Road, London", "none", "2/37 and 2/39"),
    ("UK", "GB", "37a Barthor Road, London", "37 A Barthor Road, London", "same address", "37a/37 A"),
    ("UK", "GB", "37a Barthor Road, London", "37b Barthor Road, London", "none", "37a/37b: two buildings"),
    ("UK", "GB", "1st Floor, 37 Barthor Road, London", "37 Barthor Road, London SW1A 1AA", "same building", "1st floor"),
    ("UK", "GB", "First Floor Flat, 37 Barthor Road, London", "1st floor, 37 Barthor Road, London", "same address", "first floor/1st floor"),
    ("UK", "GB", "37 Barthor Road, London sw1a1aa", "37 Barthor Road, London SW1A 1AA", "same address", "postcode lower-case, no space"),
    ("UK", "GB", "37 Barthor Road, London, GB", "37 Barthor Road, London, England", "same address", "country as a code and a name"),
    ("NL", "NL", "Coolsingel 40-A, 3011 AD Rotterdam", "Coolsingel 40 A, 3011AD Rotterdam", "same address", "40-A/40 A"),
    ("NL", "NL", "Coolsingel 40a, Rotterdam", "Coolsingel 40-A, 3011 AD Rotterdam", "same address", "40a/40-A"),
    ("NL", "NL", "Coolsingel 40-A, 3011 AD Rotterdam", "Coolsingel 40-B, 3011 AD Rotterdam", "none", "a house letter is its own address"),
    ("NL", "NL", "Coolsingel 40 hs, 3011 AD Rotterdam", "Coolsingel 40, 3011 AD Rotterdam", "same building", "40 hs"),
    ("NL", "NL", "Coolsingel 40-1, 3011 AD Rotterdam", "Coolsingel 40 hs, 3011 AD Rotterdam", "same building", "40-1 and 40 hs"),
    ("NL", "NL", "Coolsingel 40, 2e verdieping, 3011 AD Rotterdam", "Coolsingel 40-2, 3011 AD Rotterdam", "same building", "2e verdieping/40-2: a dash may be a door"),
    ("NL", "NL", "Coolsingel 40, 2e verdieping, Rotterdam", "Coolsingel 40, 3011 AD Rotterdam", "same building", "2e verdieping"),
    ("NL", "NL", "Coolsingel 40", "Coolsingel 40, 3011 AD Rotterdam", "same address", "no town against a postcode"),
    ("NL", "NL", "Coolsingel 40", "Coolsingel 41, Rotterdam", "none", "no town, next door"),
    ("NL", "NL", "Coolsingel 40, 3011 AD Rotterdam, NL", "Coolsingel 40, 3011ad Rotterdam, The Netherlands", "same address", "country as a code and a name"),
    ("US", "US", "Apt 4B, 500 W Main St, Springfield, IL 62701", "500 West Main Street #4B, Springfield, IL", "same address", "Apt first/# after"),
    ("US", "US", "Apt 4B, 500 W Main St, Springfield, IL 62701", "500 W Main St, Springfield, IL 62701", "same building", "an apartment written first"),
    ("US", "US", "Unit 7, 500 W Main St, Springfield, IL", "500 W Main St Apt 4B, Springfield, IL", "same building", "unit first, apartment after"),
    ("US", "US", "500 W Main St", "500 West Main Street, Springfield, IL 62701", "same address", "no city against a city"),
    ("US", "US", "500 W Main St #4B", "500 W Main St, Springfield, IL 62701", "same building", "no city, an apartment"),
    ("US", "US", "500 W Main St", "500 E Main St, Springfield, IL", "none", "no city, East/West"),
    ("US", "US", "500 W Main St, Springfield, IL", "500 W Main St, Albany, NY", "none", "two cities given, different"),
    ("US", "US", "500 W Main St, Springfield, IL 62701, US", "500 W Main St, Springfield, IL 62701, United States of America", "same address", "country as a code and a name"),
]
for row in HAND:
    add(*row)

if __name__ == "__main__":
    with open(sys.argv[1], "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["convention", "country", "first", "second", "expected", "why"])
        writer.writerows(rows)
    print(len(rows))
