"""What makes two addresses one place: the same normalised address, or coordinates close together.
Used by event deconfliction (coordination.services.action_day) to warn two agencies whose teams
would stand at one door."""

from __future__ import annotations

import math
import unicodedata

EARTH_RADIUS_M = 6_371_000
def normalise_address(address: str) -> str:
    """One spelling per address, as identifier deconfliction normalises addresses (folded, punctuation
    out, abbreviations written out, UK postcodes normalised: "12, Baker St." and "12 baker street" are
    the same place); text that is no address by those rules is compared folded, as typed."""
    from coordination import identifiers  # it reads the models, which read this module

    try:
        return identifiers.normalise("address", address).value[:300]
    except ValueError:
        return " ".join(unicodedata.normalize("NFKC", address).casefold().split())[:300]


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
