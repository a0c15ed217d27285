"""Export of suspects, arrests, evidence items and tasks to CSV or XLSX.

An export holds only what the principal may read (the one scoping function), carries the highest
marking of its rows and neutralises formula-like cells. `services.exports.export_file` is how one is
made: it reads these rows without the writers' lock, then records the export in the audit trail. The
reads are named in `coordination.queries.exports`; this module writes what they return as text. Its
columns are the import columns, so a file exported, edited and imported back updates exactly the rows that changed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from coordination import markings, record_references, tabular
from coordination.kinds import ARRESTS, EVIDENCE, IDENTIFIER_COLUMNS, IDENTIFIERS, KINDS, SUSPECTS, Kind
from coordination.links import choose_link, link_candidates
from coordination.models import HandlingCondition, MarkedRecord, Suspect, Task
from coordination.principal import Principal
from coordination.queries import exports as reads
from coordination.queries.contact_requests import condition_words, conditions_for
from coordination.queries.standing_data import agency_codes_by_id, jurisdiction_codes_by_id

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
HANDLING_CONDITION = "handling_condition"  # last column, when rows are read under another agency's grant


def cell_text(value: Any) -> str:
    """A value as the text its import parser reads back to the same value."""
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):  # the year zero-padded: strftime("%Y") is not, for years before 1000
        return f"{value.year:04d}{value.strftime(TIME_FORMAT)[len(str(value.year)):]}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Export:
    kind: Kind
    columns: list[str]
    rows: list[list[str]]
    tlp: markings.TLP
    classification: markings.Classification

    @property
    def marking_line(self) -> str:
        return f"{self.classification.value} {self.tlp.label} - {markings.HANDLING[self.tlp]}"

    def file_name(self, extension: str) -> str:
        return f"{self.kind.name}-{self.classification.value}-TLP-{self.tlp.value.replace('+', '-')}.{extension}"

    def csv(self) -> bytes:
        return tabular.write_csv(self.columns, self.rows, self.marking_line)

    def xlsx(self) -> bytes:
        return tabular.write_xlsx(self.columns, self.rows, self.marking_line, self.kind.name)


def _linked_records(session: Session, principal: Principal, model: type[MarkedRecord], records: Sequence[MarkedRecord],
                    attribute: str, agencies: dict[int, str]) -> Callable[[MarkedRecord], str]:
    """How a row names the record it links to: by that record's reference, as the importer resolves
    it back (AGENCY/REFERENCE where the reader may read several agencies' records with that reference
    and the linked one is not the row's own agency's), and RESTRICTED for a record the reader may not
    read: neither its reference nor whether it exists leaves through a link."""
    ids = sorted({getattr(r, attribute) for r in records if getattr(r, attribute, None) is not None})
    name_of = _namer(session, principal, model, ids, agencies)
    return lambda record: name_of(getattr(record, attribute), record.owning_agency_id)


def _namer(session: Session, principal: Principal, model: type[MarkedRecord], ids: list[int],
           agencies: dict[int, str]) -> Callable[[int | None, int], str]:
    """(linked id, the linking row's agency) -> how a row names that record (see `_linked_records`)."""
    readable = reads.readable_references(session, principal, model, ids)
    candidates = link_candidates(session, principal, model, {reference for reference, _ in readable.values()})

    def name(linked: int | None, owning_agency_id: int) -> str:
        if linked is None:
            return ""
        if linked not in readable:
            return record_references.RESTRICTED
        reference, agency_id = readable[linked]
        try:  # the plain reference where it resolves back to this record, as the importer reads it
            if choose_link(model, reference, candidates[reference], owning_agency_id) == linked:
                return reference
        except ValueError:
            pass
        return record_references.qualified(agencies[agency_id], reference)
    return name


def _linkers(session: Session, principal: Principal,
             records: Sequence[MarkedRecord]) -> dict[str, Callable[[MarkedRecord], str]]:
    """How to write each linked field of a row: by the linked record's external name, never its id."""
    agencies = agency_codes_by_id(session)
    users = reads.user_subjects(session, {getattr(r, "assignee_id", None) for r in records})
    jurisdictions = jurisdiction_codes_by_id(session)

    def column(attribute: str, names: dict[int, str]) -> Callable[[MarkedRecord], str]:
        return lambda record: names.get(getattr(record, attribute)) or ""
    linkers = {"owning_agency_id": column("owning_agency_id", agencies),
               "holder_agency_id": column("holder_agency_id", agencies),
               "assignee_id": column("assignee_id", users), "jurisdiction_id": column("jurisdiction_id", jurisdictions)}
    if records and hasattr(records[0], "suspect_id"):
        linkers["suspect_id"] = _linked_records(session, principal, Suspect, records, "suspect_id", agencies)
    if records and hasattr(records[0], "subject_links"):  # target packages: several suspects, by reference
        name_of = _namer(session, principal, Suspect, sorted({i for r in records for i in r.subject_ids}), agencies)
        linkers["subject_ids"] = lambda record: ", ".join(
            sorted({name_of(i, record.owning_agency_id) for i in record.subject_ids}))
    if records and hasattr(records[0], "depends_on_id"):
        linkers["depends_on_id"] = _linked_records(session, principal, Task, records, "depends_on_id", agencies)
    return linkers


def _recipients(session: Session, kind: Kind, records: Sequence[MarkedRecord]) -> dict[int, str]:
    found = reads.recipients(session, kind.model, [r.id for r in records if r.tlp is markings.TLP.RED])
    return {entity_id: ",".join(sorted(subjects)) for entity_id, subjects in found.items()}


def build(session: Session, principal: Principal, kind_name: str,
          where: Sequence[ColumnElement[bool]] = (), limit: int | None = None) -> Export:
    """The rows of `kind_name` the principal may read (and that match `where`), as text; the first
    `limit` of them by their key when a screen shows only so many."""
    kind = KINDS[kind_name]
    model = kind.model
    records = reads.records(session, principal, kind, where, limit)
    linkers = _linkers(session, principal, records)
    recipients = _recipients(session, kind, records)
    rows = []
    for record in records:
        row = []
        for name in kind.columns:
            attribute = kind.fields[name].column if name in kind.fields and kind.fields[name].column else name
            if name == "recipients":
                row.append(recipients.get(record.id, ""))
            elif name == "holder_agency":
                row.append(linkers["holder_agency_id"](record))
            elif attribute in linkers:
                row.append(linkers[attribute](record))
            else:
                row.append(cell_text(getattr(record, attribute)))
        rows.append(row)
    columns = kind.columns
    conditions = conditions_for(session, principal, model.entity,
                                [r.id for r in records if r.owning_agency_id != principal.agency_id])
    if conditions:  # the owner's handling condition travels with each record read under its grant
        columns = [*columns, HANDLING_CONDITION]
        rows = [[*row, conditions.get(record.id, "")] for row, record in zip(rows, records, strict=True)]
    tlp, classification = markings.highest([(r.tlp, r.classification) for r in records])
    return Export(kind, columns, rows, tlp, classification)


def identifiers(session: Session, principal: Principal) -> Export:
    """The identifiers on the records the principal may read, each with the record it is held on (by
    reference; AGENCY/REFERENCE for another agency's record), as `import identifiers` reads them back,
    marked with the highest marking of those records. An identifier on a record read under another
    agency's grant carries that grant's handling condition, as the record's own export does."""
    agencies = agency_codes_by_id(session)
    rows, marks, conditioned = [], set(), False
    for kind in (SUSPECTS, EVIDENCE, ARRESTS):
        model = kind.model
        for (reference, agency_id, tlp, classification, identifier_kind, value, qualifier, granted,
             stated) in reads.identifiers(session, principal, kind):
            name = reference if agency_id == principal.agency_id else record_references.qualified(agencies[agency_id],
                                                                                         reference)
            words = condition_words(HandlingCondition(granted), stated) if granted else ""
            conditioned = conditioned or bool(words)
            rows.append([model.entity, name, identifier_kind.value, value, qualifier or "", words])
            marks.add((tlp, classification))
    tlp, classification = markings.highest(list(marks))
    if conditioned:  # the owner's handling condition travels with each identifier read under its grant
        return Export(IDENTIFIERS, [*IDENTIFIER_COLUMNS, HANDLING_CONDITION], rows, tlp, classification)
    return Export(IDENTIFIERS, list(IDENTIFIER_COLUMNS), [row[:-1] for row in rows], tlp, classification)
