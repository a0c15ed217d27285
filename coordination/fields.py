"""Parsing of service input, field by field, into model values with plain-words errors.

Input comes from forms (typed values) and from spreadsheets (text), so every parser accepts
both. A parser raises ValueError with a reason a liaison understands; `parse_fields` collects
every reason into one ValidationError so a form or an import row shows all its problems at once.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.errors import ValidationError
from coordination.markings import parse_classification, parse_tlp
from coordination.models import Agency, Jurisdiction, User

Parser = Callable[[Session, Any], Any]
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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


def text(max_length: int, multiline: bool = False) -> Parser:
    def parse(_session: Session, value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError("must be text")
        value = value.strip()
        if len(value) > max_length:
            raise ValueError(f"is {len(value)} characters long; at most {max_length} are allowed")
        if _CONTROL.search(value) or (not multiline and ("\n" in value or "\r" in value)):
            raise ValueError("contains control characters or line breaks")
        return value
    return parse


def choice(kind: type[enum.Enum]) -> Parser:
    allowed = ", ".join(str(member.value) for member in kind)

    def parse(_session: Session, value: Any) -> enum.Enum:
        if isinstance(value, kind):
            return value
        wanted = str(value).strip().lower().replace("_", " ")
        for member in kind:
            if str(member.value).lower() == wanted:
                return member
        raise ValueError(f"'{value}' is not one of: {allowed}")
    parse.options = [str(member.value) for member in kind]  # for forms: offer these, nothing else
    return parse


def day(_session: Session, value: Any) -> date:
    """A calendar date, ISO only: 03/04/2022 means different days in London and in New York."""
    if isinstance(value, datetime):
        raise ValueError("must be a date without a time")
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"'{value}' is not a date in the form YYYY-MM-DD") from None


def moment(_session: Session, value: Any) -> datetime:
    """A point in time with its time zone (e.g. 2022-11-24T06:00:00Z); never guessed."""
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value).strip().replace(" ", "T", 1))
        except ValueError:
            raise ValueError(f"'{value}' is not a time in the form YYYY-MM-DDTHH:MM:SSZ") from None
    if parsed.tzinfo is None:
        raise ValueError(f"'{value}' has no time zone; add Z for UTC or an offset such as +01:00")
    parsed = parsed.astimezone(UTC)
    if parsed > datetime.now(UTC):
        raise ValueError(f"'{value}' is in the future")
    return parsed


def flag(_session: Session, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text_value = str(value).strip().lower()
    if text_value in ("yes", "y", "true", "1"):
        return True
    if text_value in ("no", "n", "false", "0"):
        return False
    raise ValueError(f"'{value}' is not yes or no")


def country(_session: Session, value: Any) -> str:
    code = str(value).strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise ValueError(f"'{value}' is not a two-letter country code (ISO 3166-1)")
    return code


def email(_session: Session, value: Any) -> str:
    """For contact only (people are identified by issuer and subject): it must look like an address."""
    address = str(value).strip()
    if len(address) > 320 or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", address):
        raise ValueError(f"'{value}' is not an email address")
    return address


def sha256(_session: Session, value: Any) -> str:
    digest = str(value).strip().lower()
    if not _SHA256.match(digest):
        raise ValueError("is not a SHA-256 digest (64 hexadecimal characters)")
    return digest


def tlp(_session: Session, value: Any):
    return parse_tlp(value)


def classification(_session: Session, value: Any):
    return parse_classification(value)


def by_name(model, column: str, refusal: str, upper: bool = False, active_only: bool = False) -> Parser:
    """A parser for a link to another row, named by `column` (a code, subject or reference) or by
    id; returns the id. A bulk import may pre-load names into session.info["lookups"]."""
    def parse(session: Session, value: Any) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            found = session.get(model, value)
            found = found if found is not None and (not active_only or found.active) else None
            found_id = found.id if found is not None else None
        else:
            name = str(value).strip().upper() if upper else str(value).strip()
            cache = session.info.get("lookups", {})
            if (model.__name__, name) in cache:
                found_id = cache[(model.__name__, name)]
            else:
                query = select(model.id).where(getattr(model, column) == name)
                found_id = session.scalar(query.where(model.active.is_(True)) if active_only else query)
        if found_id is None:
            raise ValueError(refusal.format(value=value))
        return found_id
    return parse


agency = by_name(Agency, "code", "'{value}' is not a partner agency of this operation", upper=True)
jurisdiction = by_name(Jurisdiction, "code", "'{value}' is not a known jurisdiction code", upper=True)
user = by_name(User, "subject", "'{value}' is not an active user", active_only=True)


def users(session: Session, value: Any) -> list[int]:
    """Several users, as a list or as comma-separated subjects."""
    items = value if isinstance(value, (list, tuple, set)) else str(value).split(",")
    return sorted({user(session, item) for item in items if not is_blank(item)})
