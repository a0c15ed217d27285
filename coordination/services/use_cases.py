"""The use cases that write each kind's records, found by the `Kind` itself.

`kinds.py` describes records and every service reads it, so it cannot name the functions that write
them without an import cycle; this module is the one place where a Kind meets its use cases, keyed by
the Kind object (never by its name). Forms and the importer ask `of(kind)` and call what it holds;
adding a kind of record adds one line here (tests/test_kinds.py checks that every kind has one).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from coordination.kinds import ARRESTS, EVIDENCE, SUSPECTS, TARGET_PACKAGES, TASKS, Kind
from coordination.models import MarkedRecord
from coordination.principal import Principal
from coordination.services import action_day, evidence, records


class Create(Protocol):
    def __call__(self, session: Session, principal: Principal, data: dict[str, Any], /) -> MarkedRecord: ...


class Update(Protocol):
    def __call__(self, session: Session, principal: Principal, record_id: int, expected_version: int,
                 changes: dict[str, Any], /, loaded: dict[str, Any] | None = None) -> MarkedRecord: ...


class Rules(Protocol):
    def __call__(self, session: Session, principal: Principal, values: dict, /) -> None: ...


class Inserted(Protocol):
    def __call__(self, session: Session, principal: Principal,
                 inserted: Sequence[tuple[int, dict[str, Any], list[int] | None]], /) -> dict[int, dict[str, str]]: ...


@dataclass(frozen=True)
class UseCases:
    create: Create
    update: Update
    # A bulk import checks this kind's new rows with these rules (what `create` checks besides the
    # fields) and inserts them in batches; None: every row goes through `create` (tasks may depend
    # on tasks of the same file).
    bulk_rules: Rules | None = None
    # What the kind writes besides each new row once the batch is inserted (a package's subjects, status
    # history and deconfliction); returns the problems of rows refused then, by their place in the batch.
    bulk_inserted: Inserted | None = None


_BY_KIND: Mapping[Kind, UseCases] = {
    SUSPECTS: UseCases(records.create_suspect, records.update_suspect, records.suspect_rules),
    ARRESTS: UseCases(records.create_arrest, records.update_arrest, records.arrest_rules),
    EVIDENCE: UseCases(evidence.create_evidence_item, evidence.update_evidence_item),
    TASKS: UseCases(records.create_task, records.update_task),
    TARGET_PACKAGES: UseCases(action_day.create_package, action_day.update_package, action_day.package_rules,
                              action_day.packages_inserted),
}


def of(kind: Kind) -> UseCases:
    """The use cases that create and change `kind`'s records (none run their own transaction)."""
    return _BY_KIND[kind]
