"""Handling markings: TLP 2.0 labels and UK Government Security Classifications."""

from __future__ import annotations

import enum


class TLP(enum.StrEnum):
    CLEAR = "CLEAR"
    GREEN = "GREEN"
    AMBER = "AMBER"
    AMBER_STRICT = "AMBER+STRICT"
    RED = "RED"

    @property
    def rank(self) -> int:
        return list(TLP).index(self)

    @property
    def label(self) -> str:
        return f"TLP:{self.value}"


class Classification(enum.StrEnum):
    OFFICIAL = "OFFICIAL"
    OFFICIAL_SENSITIVE = "OFFICIAL-SENSITIVE"

    @property
    def rank(self) -> int:
        return list(Classification).index(self)


# The system is not accredited above OFFICIAL-SENSITIVE: these are refused, never stored.
REFUSED_CLASSIFICATIONS = ("SECRET", "TOP SECRET", "TOP-SECRET")

HANDLING = {
    TLP.CLEAR: "Disclosure is not limited.",
    TLP.GREEN: "Limited disclosure: the partner community, not published.",
    TLP.AMBER: "Limited disclosure: recipients' organisations on a need-to-know basis.",
    TLP.AMBER_STRICT: "Limited disclosure: the recipient's own organisation only.",
    TLP.RED: "For the eyes and ears of the named recipients only.",
}


def parse_tlp(value: str) -> TLP:
    """Accept 'AMBER+STRICT', 'TLP:amber+strict' and the like; raise ValueError in plain words."""
    text = str(value).strip().upper().removeprefix("TLP:").replace(" ", "")
    if text == "WHITE":  # TLP 1.0's name for CLEAR
        text = "CLEAR"
    try:
        return TLP(text)
    except ValueError:
        raise ValueError(f"'{value}' is not a TLP 2.0 label (CLEAR, GREEN, AMBER, AMBER+STRICT, RED)") from None


def parse_classification(value: str) -> Classification:
    text = " ".join(str(value).strip().upper().replace("_", "-").split())
    if text.replace("-", " ") in {r.replace("-", " ") for r in REFUSED_CLASSIFICATIONS}:
        raise ValueError(f"{text} is refused: this system is not accredited above OFFICIAL-SENSITIVE")
    text = text.replace(" ", "-")
    try:
        return Classification(text)
    except ValueError:
        raise ValueError(f"'{value}' is not a classification this system holds "
                         "(OFFICIAL, OFFICIAL-SENSITIVE)") from None


def at_most(ceiling: TLP) -> tuple[TLP, ...]:
    """The labels a document limited to `ceiling` may hold (a shareable briefing "up to AMBER")."""
    return tuple(t for t in TLP if t.rank <= ceiling.rank)


def highest(markings: list[tuple[TLP, Classification]]) -> tuple[TLP, Classification]:
    """The marking a document must carry: the highest TLP and highest classification it contains."""
    if not markings:
        return TLP.CLEAR, Classification.OFFICIAL
    return (max((t for t, _ in markings), key=lambda t: t.rank),
            max((c for _, c in markings), key=lambda c: c.rank))
