"""A save against a newer version than the person loaded: merged field by field, or a ConflictError
naming who saved and the fields both changed (ARCHITECTURE.md, "The one write path")."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from coordination.errors import ConflictError, ValidationError
from coordination.kinds import Kind
from coordination.models import MarkedRecord
from coordination.principal import Principal
from coordination.services.loading import recipient_ids
from coordination.services.parsing import parse_and_resolve


def check_version(record: MarkedRecord | Any, expected_version: int) -> None:
    if record.version != expected_version:
        raise conflict(record)


def conflict(record, fields: tuple[str, ...] = ()) -> ConflictError:
    changed_by = record.updated_by.display_name if getattr(record, "updated_by", None) else None
    if changed_by and record.updated_by.agency:
        changed_by = f"{changed_by} ({record.updated_by.agency.code})"
    reference = getattr(record, "reference", None)
    return ConflictError(getattr(record, "entity", type(record).__name__.lower()), record.id, changed_by,
                         getattr(record, "updated_at", None), record.version, reference, fields)


def merge_or_conflict(session: Session, principal: Principal, kind: Kind, record: MarkedRecord,
                      expected_version: int, values: dict[str, Any], loaded: Mapping[str, Any] | None) -> None:
    """A save against a newer version than the person loaded: three-way merge, field by field.

    `values` are the parsed fields this person changed, `loaded` what they saw in those fields. A
    field the other side did not change (still as loaded) takes this person's value; a field both
    changed to different values is a clash, refused as a whole naming the fields, so nothing is ever
    overwritten without being shown. Fields this person did not name are never written, so the other
    side's changes to them stay. Without `loaded` (a spreadsheet, the CLI), any newer version is a
    conflict."""
    if record.version == expected_version:
        return
    if loaded is None:
        raise conflict(record)
    clashes = tuple(name for name in _names_of(kind, values)
                    if not any(same(_current(session, kind, record, name), other) for other in
                               (_seen(session, principal, kind, record, name, loaded.get(name)),
                                values[_column(kind, name)])))
    if clashes:
        raise conflict(record, clashes)


_UNREADABLE = object()  # a loaded value that no longer parses equals nothing: a clash, shown


def _seen(session: Session, principal: Principal, kind: Kind, record: MarkedRecord, name: str, text: Any) -> Any:
    """What the person saw in a field, as a model value (links resolved as when they are saved)."""
    try:
        return parse_and_resolve(session, principal, kind, {name: text}, record).get(_column(kind, name))
    except ValidationError:
        return _UNREADABLE


def same(stored: Any, given: Any) -> bool:
    """Whether `given` (a parsed field value) says what `stored` already holds, as a person and a file
    read them, so that a value read back from its own export is no change (ARCHITECTURE.md, "The one
    write path"):

    - a blank is one value, however it comes: None, a blank text and no links at all (an empty cell
      is None, a package without subjects holds []);
    - a time given to the whole second says the stored time to that second: an export writes times
      to the second (`exports.cell_text`, which cuts the fraction off), so 06:00:00Z read back is
      no change to a stored 06:00:00.25 (a time given with a fraction is compared exactly)."""
    if stored == given:
        return True
    if _blank(stored) and _blank(given):
        return True
    if isinstance(stored, datetime) and isinstance(given, datetime) and given.microsecond == 0:
        return stored.replace(microsecond=0) == given
    return False


def _blank(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, (list, tuple, set, frozenset)) and not value)


def _column(kind: Kind, name: str) -> str:
    return kind.fields[name].column or name


def _names_of(kind: Kind, values: dict[str, Any]) -> list[str]:
    """The field names (as typed) of parsed column values."""
    return [name for name in kind.fields if _column(kind, name) in values]


def _current(session: Session, kind: Kind, record: MarkedRecord, name: str) -> Any:
    if name == "recipients":
        return sorted(recipient_ids(session, kind.entity, record.id)) or None
    return getattr(record, _column(kind, name))


def flush_or_conflict(session: Session, model, record_id: int) -> None:
    """Write the pending change; if another transaction saved the row first, say who and when."""
    try:
        session.flush()
    except StaleDataError:
        session.rollback()
        raise conflict(session.get(model, record_id, populate_existing=True)) from None
