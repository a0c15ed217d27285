"""What makes two addresses one place: the same normalised address, or coordinates close together.
Used by event deconfliction (coordination.services.action_day) to warn two agencies whose teams
would stand at one door."""

from __future__ import annotations

import math
import unicodedata

EARTH_RADIUS_M = 6_371_000
ADDRESS = 300  # the longest package address (coordination.kinds)


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
