"""Parsing of service input, field by field, into model values with plain-words errors.

Input comes from forms (typed values) and from spreadsheets (text), so every parser accepts
both. A parser raises ValueError with a reason a liaison understands; `parse_fields` collects
every reason into one ValidationError so a form or an import row shows all its problems at once.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.errors import ValidationError
from coordination.markings import parse_classification, parse_tlp
from coordination.models import Agency, Jurisdiction, Operation, User
from coordination.text import unseen

Parser = Callable[[Session, Any], Any]
_SHA256 = re.compile(r"[0-9a-f]{64}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # C0 but tab and line ends; DEL; C1
_SURROGATE = re.compile("[\ud800-\udfff]")  # half a character: no database or file can hold it
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")  # either of the two: one search
_LINE_BREAK = re.compile("[\n\r\u2028\u2029]")
FIRST_YEAR, LAST_YEAR = 1900, 2100  # the dates and times a case can plausibly hold
MAX_ID = 2**31 - 1  # ids are 32-bit integers in PostgreSQL
MAX_RECIPIENTS = 100


@dataclass(frozen=True)
class Field:
    parse: Parser
    required: bool = False
    column: str | None = None  # the model attribute, when it differs from the input name
    label: str = ""  # what a person reads; the name with spaces when empty

    def label_for(self, name: str) -> str:
        return self.label or name.replace("_", " ").capitalize()


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_fields(session: Session, spec: Mapping[str, Field], data: Mapping[str, Any],
                 partial: bool = False) -> dict[str, Any]:
    """Model values from `data`. With `partial`, only the given fields (an update)."""
    unknown = sorted(set(data) - set(spec))
    problems = {name: "is not a field of this record" for name in unknown}
    values: dict[str, Any] = {}
    for name, field in spec.items():
        if partial and name not in data:
            continue
        raw = data.get(name)
        if is_blank(raw):
            if field.required:
                problems[name] = "is required"
            else:
                values[field.column or name] = None
            continue
        try:
            values[field.column or name] = field.parse(session, raw)
        except ValueError as error:
            problems[name] = str(error)
    if problems:
        raise ValidationError(problems)
    return values


def shown(value: Any, limit: int = 40) -> str:
    """A value as a message may quote it: cut to `limit` characters, and with the characters a
    reader cannot see (controls, bidi marks, zero-width spaces) written as escapes."""
    try:
        text_value = value if isinstance(value, str) else str(value)
    except Exception:  # noqa: BLE001 - a value whose str() fails is named by its type
        text_value = f"<{type(value).__name__}>"
    cut = text_value[:limit]
    if not cut.isprintable():
        cut = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in cut)
    return cut + "\u2026" if len(text_value) > limit else cut


def _text_of(value: Any) -> str:
    """A value as text for the parsers that read text (a form may give numbers, dates, enums)."""
    if isinstance(value, str):
        return value
    try:
        return str(value.value if isinstance(value, enum.Enum) else value)
    except Exception:  # noqa: BLE001 - e.g. an int of over 4,300 digits, or an object whose str() fails
        raise ValueError("cannot be read as text") from None


def text(max_length: int, multiline: bool = False) -> Parser:
    """Free text (a name, an address, a note): no control characters, no line breaks unless
    `multiline`, and no invisible or direction-changing characters (coordination.text.unseen; the
    zero-width joiners that some scripts spell with stay)."""
    def parse(_session: Session, value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError("must be text")
        value = value.strip()
        if len(value) > max_length:
            raise ValueError(f"is {len(value):,} characters long; at most {max_length:,} are allowed")
        if (_UNSAFE.search(value) and not _SURROGATE.search(value)) or (
                not multiline and _LINE_BREAK.search(value)):
            raise ValueError("contains control characters or line breaks")
        if _SURROGATE.search(value):
            raise ValueError("is not valid Unicode text")
        refusal = unseen(value)
        if refusal:
            raise ValueError(refusal)
        return value
    return parse


class Choice:
    """A parser for one of an enum's members, by its value in any case (`_` read as a space); its
    `options` are what a form offers, nothing else, and what a filter lists."""

    def __init__(self, kind: type[enum.Enum]) -> None:
        self.kind = kind
        self.options = [str(member.value) for member in kind]
        self._allowed = ", ".join(self.options)
        self._members = {str(member.value).lower(): member for member in kind}

    def __call__(self, _session: Session, value: Any) -> enum.Enum:
        if isinstance(value, self.kind):
            return value
        wanted = _text_of(value).strip().lower().replace("_", " ")
        if wanted in self._members:
            return self._members[wanted]
        raise ValueError(f"'{shown(value)}' is not one of: {self._allowed}")


choice = Choice


def _plausible(value: date, raw: Any, what: str) -> None:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"'{shown(raw)}' is not a plausible {what} ({FIRST_YEAR}-{LAST_YEAR})")


def day(_session: Session, value: Any) -> date:
    """A calendar date, ISO only: 03/04/2022 means different days in London and in New York."""
    if isinstance(value, datetime):
        raise ValueError("must be a date without a time")
    if not isinstance(value, date):
        try:
            parsed = date.fromisoformat(_text_of(value).strip())
        except ValueError:
            raise ValueError(f"'{shown(value)}' is not a date in the form YYYY-MM-DD") from None
        value, raw = parsed, value
    else:
        raw = value
    _plausible(value, raw, "date")
    return value


def moment(_session: Session, value: Any) -> datetime:
    """A point in time with its time zone (e.g. 2022-11-24T06:00:00Z); never guessed; not in the future."""
    parsed = planned_moment(_session, value)
    if parsed > datetime.now(UTC):
        raise ValueError(f"'{shown(value)}' is in the future")
    return parsed


def planned_moment(_session: Session, value: Any) -> datetime:
    """A point in time with its time zone, which may be in the future (a planned H-hour): with Z or an
    offset, or a local time followed by its zone's name (`ZONED`, what the forms send when a local time
    cannot be read as one moment, so that the refusal names the valid ones)."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and (zoned := ZONED.fullmatch(value.strip())):
        return _zoned(zoned, value)
    else:
        try:
            parsed = datetime.fromisoformat(_text_of(value).strip().replace(" ", "T", 1))
        except ValueError:
            raise ValueError(f"'{shown(value)}' is not a time in the form YYYY-MM-DDTHH:MM:SSZ") from None
    _plausible(parsed, value, "time")  # first, so that moving it to UTC cannot overflow
    try:
        offset = parsed.utcoffset()
    except (ValueError, TypeError, OverflowError):  # a time zone object that cannot say its offset
        offset = None
    if offset is None:
        raise ValueError(f"'{shown(value)}' has no time zone; add Z for UTC or an offset such as +01:00")
    if parsed.tzinfo is not UTC:
        parsed = (parsed - offset).replace(tzinfo=UTC)
        _plausible(parsed, value, "time")
    return parsed


# --- local times in a time zone --------------------------------------------------------------------
# A planned H-hour is typed as the wall-clock time where it happens. Once a year a local hour does not
# exist (clocks go forward) and once a year one happens twice (clocks go back): neither is guessed.

ZONED = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)\s+([A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+)+)"
                   r"(?:\s+(\S{1,16}))?")  # 2027-11-07 01:30 America/Los_Angeles [PST | UTC-8]


class NonexistentTime(ValueError):
    """A local time the clocks skip; the message names the last minute before and the first after."""


class AmbiguousTime(ValueError):
    """A local time that happens twice; `choices` are its two readings, earlier first, as (name, UTC)."""

    def __init__(self, message: str, choices: tuple[tuple[str, datetime], tuple[str, datetime]]) -> None:
        super().__init__(message)
        self.choices = choices


def time_zone(name: str) -> ZoneInfo:
    """The IANA time zone of that name (Europe/London), or ValueError."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # unknown, or not a zone's name at all (../x)
        raise ValueError(f"'{shown(name)}' is not a time zone name (such as Europe/London)") from None


def utc_offset(offset: timedelta | None) -> str:
    """UTC-7, UTC+5:30, UTC+0."""
    minutes = int((offset or timedelta()).total_seconds() // 60)
    sign, minutes = ("-" if minutes < 0 else "+"), abs(minutes)
    return f"UTC{sign}{minutes // 60}" + (f":{minutes % 60:02d}" if minutes % 60 else "")


def zone_now(name: str, now: datetime | None = None) -> str:
    """'America/Los_Angeles, PDT (UTC-7)': a zone's name and what its clocks read now."""
    here = (now or datetime.now(UTC)).astimezone(time_zone(name))
    return f"{name}, {here.tzname()} ({utc_offset(here.utcoffset())})"


def _day_words(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _clock(value: datetime) -> str:
    return f"{value:%H:%M:%S}" if value.second else f"{value:%H:%M}"


def readings(wall: datetime, zone: str) -> tuple[datetime, ...]:
    """The UTC moments a local wall time in `zone` can be: one, none (skipped) or two (earlier first)."""
    local = wall.replace(tzinfo=None)
    place = time_zone(zone)
    found = []
    for fold in (0, 1):
        moment = local.replace(tzinfo=place, fold=fold).astimezone(UTC)
        if moment.astimezone(place).replace(tzinfo=None) == local and moment not in found:
            found.append(moment)
    return tuple(sorted(found))


def local_to_utc(wall: datetime, zone: str, choose: str | None = None) -> datetime:
    """The UTC moment of a wall-clock time in `zone` (any tzinfo on `wall` is ignored). A time the clocks
    skip is refused (NonexistentTime) naming the valid times either side; one that happens twice is
    refused (AmbiguousTime) unless `choose` names which: its abbreviation (PDT) or offset (UTC-7)."""
    local = wall.replace(tzinfo=None, fold=0)
    place = time_zone(zone)
    found = readings(local, zone)
    if not found:
        skipped = _change(local.replace(tzinfo=place, fold=1).astimezone(UTC),
                          local.replace(tzinfo=place, fold=0).astimezone(UTC), place)
        raise NonexistentTime(
            f"{_clock(local)} does not exist in {zone} on {_day_words(local)} (clocks go forward "
            f"{_change_words(skipped, place)}): choose "
            f"{(skipped - timedelta(minutes=1)).astimezone(place):%H:%M %Z} or earlier, or "
            f"{skipped.astimezone(place):%H:%M %Z} or later")
    if len(found) == 1:
        if choose and choose.strip().upper() not in _names(found[0], place):
            here = found[0].astimezone(place)
            raise ValueError(f"{_clock(local)} in {zone} on {_day_words(local)} is {here.tzname()} "
                             f"({utc_offset(here.utcoffset())}), not {shown(choose, 16)}")
        return found[0]
    if choose:
        for moment in found:
            if choose.strip().upper() in _names(moment, place):
                return moment
    clocks = [moment.astimezone(place) for moment in found]
    same = clocks[0].tzname() == clocks[1].tzname()  # a zone that keeps its abbreviation: told apart by offset
    names = tuple(utc_offset(m.utcoffset()) if same else str(m.tzname()) for m in clocks)
    either = ", or ".join(name + ("" if same else f" ({utc_offset(m.utcoffset())})") + f", the {nth}"
                         for name, m, nth in zip(names, clocks, ("first", "second"), strict=True))
    asked = f" ('{shown(choose, 16)}' is neither)" if choose else ""
    raise AmbiguousTime(
        f"{_clock(local)} happens twice in {zone} on {_day_words(local)} (clocks go back "
        f"{_change_words(_change(found[0], found[1], place), place)}){asked}: choose {either}",
        ((names[0], found[0]), (names[1], found[1])))


def _names(moment: datetime, place: ZoneInfo) -> set[str]:
    """What picks a reading: its abbreviation or its offset (UTC-7, UTC-07:00, -07:00, -0700)."""
    here = moment.astimezone(place)
    digits = here.strftime("%z")  # -0700
    colon = f"{digits[:3]}:{digits[3:]}"
    return {str(here.tzname()).upper(), utc_offset(here.utcoffset()), f"UTC{colon}", colon, digits}


def _change(low: datetime, high: datetime, place: ZoneInfo) -> datetime:
    """The instant (UTC, to the second) between `low` and `high` at which `place` changed its offset:
    found by halving, since zoneinfo does not list its transitions."""
    before = low.astimezone(place).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = (low + (high - low) / 2).replace(microsecond=0)
        if middle.astimezone(place).utcoffset() == before:
            low = middle
        else:
            high = middle
    return high


def _change_words(at: datetime, place: ZoneInfo) -> str:
    """'from 02:00 PST to 03:00 PDT': the clocks' reading just before a change and just after."""
    before = (at - timedelta(seconds=1)).astimezone(place)
    then = at.replace(tzinfo=None) + (before.utcoffset() or timedelta())
    return f"from {then:%H:%M} {before.tzname()} to {at.astimezone(place):%H:%M %Z}"


def _zoned(zoned: re.Match[str], raw: str) -> datetime:
    """A time written as 2027-11-07 01:30 America/Los_Angeles [PST], read in that zone."""
    day_text, clock, zone, choose = zoned.groups()
    try:
        wall = datetime.fromisoformat(f"{day_text}T{clock}")
    except ValueError:
        raise ValueError(f"'{shown(raw)}' is not a time in the form YYYY-MM-DDTHH:MM:SSZ") from None
    _plausible(wall, raw, "time")
    moment = local_to_utc(wall, zone, choose)
    _plausible(moment, raw, "time")
    return moment


def number_between(low: float, high: float, what: str) -> Parser:
    """A decimal number from `low` to `high` (a latitude, a longitude)."""
    def parse(_session: Session, value: Any) -> float:
        raw = value if isinstance(value, (int, float)) and not isinstance(value, bool) else _text_of(value).strip()
        try:
            number = float(raw) if not isinstance(raw, str) or len(raw) <= 32 else math.nan
        except (ValueError, OverflowError):
            number = math.nan
        if not (math.isfinite(number) and low <= number <= high):
            raise ValueError(f"'{shown(value)}' is not a {what} (a number from {low:g} to {high:g})")
        return number
    return parse


def flag(_session: Session, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text_value = _text_of(value).strip().lower()
    if text_value in ("yes", "y", "true", "1"):
        return True
    if text_value in ("no", "n", "false", "0"):
        return False
    raise ValueError(f"'{shown(value)}' is not yes or no")


def country(_session: Session, value: Any) -> str:
    code = _text_of(value).strip()
    if not (len(code) == 2 and code.isascii() and code.isalpha()):
        raise ValueError(f"'{shown(value)}' is not a two-letter country code (ISO 3166-1)")
    return code.upper()


def email(_session: Session, value: Any) -> str:
    """For contact only (people are identified by issuer and subject): it must look like an address."""
    address = _text_of(value).strip()
    if len(address) > 320 or _CONTROL.search(address) or _SURROGATE.search(address) \
            or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", address):
        raise ValueError(f"'{shown(value)}' is not an email address")
    refusal = unseen(address, joiners=False)
    if refusal:
        raise ValueError(refusal)
    return address


def sha256(_session: Session, value: Any) -> str:
    digest = _text_of(value).strip().lower()
    if not _SHA256.fullmatch(digest):
        raise ValueError("is not a SHA-256 digest (64 hexadecimal characters)")
    return digest


def _quoting_shown(parse: Callable[[str], Any]) -> Callable[[Session, Any], Any]:
    """A markings parser whose refusal quotes the value as `shown` does (cut short, escaped)."""
    def parsed(_session: Session, value: Any):
        raw = _text_of(value)
        try:
            return parse(raw)
        except ValueError as error:
            raise ValueError(str(error).replace(f"'{raw}'", f"'{shown(raw)}'", 1)) from None
    return parsed


tlp = _quoting_shown(parse_tlp)
classification = _quoting_shown(parse_classification)


# session.info: {model name: ids} that an update keeps as they are though no longer active (a person
# since disabled, still assigned or named on the record); a new link still needs an active row
KEPT_INACTIVE = "inactive links kept"


def by_name(model, column: str, refusal: str, upper: bool = False, active_only: bool = False,
            max_length: int = 300) -> Parser:
    """A parser for a link to another row, named by `column` (a code, subject or reference) or by
    id; returns the id. A bulk import may pre-load names into session.info["lookups"]. A name no
    row can have (too long, with control characters) is refused without asking the database. With
    `active_only`, an inactive row is refused unless the update keeps it (KEPT_INACTIVE)."""
    def found(session: Session, value: Any, active: bool) -> int | None:
        if isinstance(value, int) and not isinstance(value, bool):
            row = session.get(model, value) if 0 < value <= MAX_ID else None
            return row.id if row is not None and (not active or row.active) else None
        name = (value if isinstance(value, str) else _text_of(value)).strip()
        name = name.upper() if upper else name
        if len(name) > max_length or _UNSAFE.search(name):
            return None
        # a bulk import pre-loads the names as the parser reads them (active rows only, where it asks)
        cache = session.info.get("lookups", {}) if active == active_only else {}
        if (model.__name__, name) in cache:
            return cache[(model.__name__, name)]
        query = select(model.id).where(getattr(model, column) == name)
        return session.scalar(query.where(model.active.is_(True)) if active else query)

    def parse(session: Session, value: Any) -> int:
        found_id = found(session, value, active_only)
        kept = session.info.get(KEPT_INACTIVE, {}).get(model.__name__) if active_only else None
        if found_id is None and kept:
            found_id = found(session, value, False)
            found_id = found_id if found_id in kept else None
        if found_id is None:
            raise ValueError(refusal.format(value=shown(value)))
        return found_id
    return parse


agency = by_name(Agency, "code", "'{value}' is not a partner agency of this operation", upper=True)
jurisdiction = by_name(Jurisdiction, "code", "'{value}' is not a known jurisdiction code", upper=True)
user = by_name(User, "subject", "'{value}' is not an active user", active_only=True)


operation = by_name(Operation, "code", "no operation '{value}'", upper=True, max_length=32)
_SHORT_CODE = re.compile(r"[A-Z0-9-]{2,32}")


def several(one: Parser, what: str, most: int = MAX_RECIPIENTS) -> Parser:
    """Several of what `one` parses, as a list or as comma-separated names; their ids, each once."""
    def parse(session: Session, value: Any) -> list[int]:
        items = value if isinstance(value, (list, tuple, set, frozenset)) else _text_of(value).split(",")
        named = [item.strip() if isinstance(item, str) else item for item in items if not is_blank(item)]
        if len(named) > most:
            raise ValueError(f"names {len(named):,} {what}; at most {most} are allowed")
        return sorted({one(session, item) for item in named})
    return parse


users = several(user, "people")
agencies = several(agency, "agencies")
operations = several(operation, "operations")


def short_code(_session: Session, value: Any) -> str:
    """An operation's short code, as the address and the CLI name it (ELABORATE): 2 to 32 capital
    letters, digits and hyphens; typed in any case."""
    code = _text_of(value).strip().upper()
    if not _SHORT_CODE.fullmatch(code):
        raise ValueError(f"'{shown(value)}' is not a short code: 2 to 32 letters, digits or hyphens, e.g. ELABORATE")
    return code
