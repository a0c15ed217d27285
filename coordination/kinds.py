"""One description per kind of record: what a person types and reads, how a row is named, what is
searched, what is fixed once created, and whether it comes in from spreadsheets.

Services, imports, exports, queries and pages all read these descriptions, so a new kind of record
costs its model, one `Kind` here, one migration and the pages that are new.

Names: `Kind.name` is the word in commands, page addresses and file names ("evidence");
`Kind.entity` is the singular noun a person reads and the audit trail records ("evidence item").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from coordination import fields as f
from coordination import record_references
from coordination.fields import Field
from coordination.models import (
    AcquisitionMethod,
    Arrest,
    ArrestOutcome,
    ArrestRedTally,
    ArrestTally,
    Decision,
    EvidenceItem,
    EvidenceRedTally,
    EvidenceStatus,
    EvidenceTally,
    EvidenceType,
    HandlingCondition,
    Identifier,
    IdentifierKind,
    MarkedRecord,
    RedTallyColumns,
    Role,
    Suspect,
    SuspectRedTally,
    SuspectStatus,
    SuspectTally,
    SuspectTier,
    TallyColumns,
    TargetPackage,
    Task,
    TaskPriority,
    TaskRedTally,
    TaskStatus,
    TaskTally,
)


@dataclass(frozen=True)
class LinkTo:
    """A parser for a link to another record of the operation, by its reference (or AGENCY/REFERENCE)
    or id. What it names is resolved by the services among the records the principal may read, so a
    record they may not read and no record at all are refused alike (services.parsing.resolve_links).
    Its type is what tells services and forms that a field links, and to what."""

    links_to: type[MarkedRecord]

    def __call__(self, session: Session, value: Any) -> int | record_references.Named:
        return record_references.link(session, value)


@dataclass(frozen=True)
class LinksTo:
    """A parser for links to several records (a list, or references separated by commas), each
    resolved like a `LinkTo` by the use case that stores them."""

    links_to: type[MarkedRecord]
    at_most: int = 50

    def __call__(self, session: Session, value: Any) -> list[int | record_references.Named]:
        items = value if isinstance(value, (list, tuple)) else f.text(5_000)(session, value).split(",")
        named = [item for item in items if not f.is_blank(item)]
        if len(named) > self.at_most:
            raise ValueError(f"names {len(named):,} records; at most {self.at_most} are allowed")
        return [record_references.link(session, item) for item in named]


REFERENCE = record_references.reference(64)  # what names a record: letters, digits, - _ / . : # and spaces


MARKING = {
    "tlp": Field(f.tlp, label="TLP marking"),
    "classification": Field(f.classification, label="Classification"),
    "recipients": Field(f.users, label="Named recipients (TLP:RED only)"),
    "owning_agency": Field(f.agency, column="owning_agency_id", label="Owning agency"),
}


@dataclass(frozen=True)
class Tallies:
    """The count tables the operation picture reads for a kind (kept by the triggers of
    coordination/tallies.py): per agency and marking, and its RED records once per named recipient."""

    shared: type[TallyColumns]
    red: type[RedTallyColumns]


RECORDS, ACTION_DAY = "records", "action day"  # the pages a kind's own page is listed among


# eq=False: a Kind is one object per kind, equal only to itself, and a key of its own (services.use_cases)
@dataclass(frozen=True, eq=False)
class Kind:
    name: str
    model: type[MarkedRecord]
    fields: dict[str, Field]
    key: str  # the column that names a row in files, links and forms
    title: str  # the heading of its pages
    search: tuple[str, ...]  # columns a search box looks in
    fixed_after_create: frozenset[str] = frozenset()
    importable: bool = False
    extra_columns: tuple[str, ...] = ()  # shown on export, ignored on import
    run_by_command: bool = False  # commanders create and change these for every agency
    changed_elsewhere: frozenset[str] = frozenset()  # not on the edit form: another form changes these
    command_only: bool = False  # only commanders write these (the decision log)
    tallies: Tallies | None = None  # None: counted from its rows
    section: str = RECORDS  # its page (pages/<name>.py) is listed among these
    # (earlier name, name now) of columns renamed since: the audit trail keeps the names it was written with
    formerly: tuple[tuple[str, str], ...] = ()

    @property
    def entity(self) -> str:
        return self.model.entity

    @property
    def columns(self) -> list[str]:
        """The columns of an export, which an import reads back."""
        return [self.key, *(name for name in self.fields if name != self.key), "version", *self.extra_columns]

    def as_now(self, values: dict[str, Any]) -> dict[str, Any]:
        """The values of an audit event under today's column names."""
        renamed = dict(self.formerly)
        return {renamed.get(name, name): value for name, value in values.items()}

    def label(self, name: str) -> str:
        return self.fields[name].label_for(name) if name in self.fields else name.replace("_", " ")


SUSPECTS = Kind(
    "suspects", Suspect, {
        "reference": Field(REFERENCE, required=True),
        "full_name": Field(f.text(200), required=True),
        "aliases": Field(f.text(500), label="Aliases and handles"),
        "date_of_birth": Field(f.day),
        "nationality": Field(f.country, label="Nationality (ISO country code)"),
        "address": Field(f.text(300)),
        "tier": Field(f.choice(SuspectTier), required=True),
        "status": Field(f.choice(SuspectStatus), required=True),
        "notes": Field(f.text(10_000, multiline=True)),
        **MARKING,
    },
    key="reference", title="Suspects", search=("reference", "full_name", "aliases"), importable=True,
    tallies=Tallies(SuspectTally, SuspectRedTally))

ARRESTS = Kind(
    "arrests", Arrest, {
        "reference": Field(REFERENCE, required=True),
        "suspect": Field(LinkTo(Suspect), required=True, column="suspect_id"),
        "jurisdiction": Field(f.jurisdiction, required=True, column="jurisdiction_id"),
        "arrested_at": Field(f.moment, required=True, label="Arrested at"),
        "place": Field(f.text(300), required=True),
        "offences": Field(f.text(500), required=True),
        "outcome": Field(f.choice(ArrestOutcome), required=True),
        "on_action_day": Field(f.flag, label="On the action day"),
        **MARKING,
    },
    key="reference", title="Arrests", search=("reference", "place", "offences"), importable=True,
    tallies=Tallies(ArrestTally, ArrestRedTally))

# ISO/IEC 27037: a device is collected and sealed at the door, and hashed only when its data is acquired
SEIZURE_HASH_LABEL = "SHA-256 (data handed over only)"
SEIZURE_HASH_HELP = ("Leave empty for a sealed device (phone, laptop, storage media, wallet): its SHA-256 comes "
                     "from its acquisition at the lab. Give one only for data handed over at the scene (a file on a "
                     "USB stick: the file's SHA-256); a server image or exchange, bank or call records need one.")

EVIDENCE = Kind(
    "evidence", EvidenceItem, {
        "reference": Field(REFERENCE, required=True, label="Exhibit reference"),
        "item_type": Field(f.choice(EvidenceType), required=True, label="Type"),
        "description": Field(f.text(1000), required=True),
        "sha256": Field(f.sha256, label=SEIZURE_HASH_LABEL),
        "suspect": Field(LinkTo(Suspect), column="suspect_id"),
        "seized_from": Field(f.text(300), required=True),
        "seized_at": Field(f.moment, required=True),
        "seized_place": Field(f.text(300), required=True, label="Place of seizure"),
        "where_found": Field(f.text(300), label="Where found (in the place)"),
        "seized_by": Field(f.text(200), label="Seized by (officer)"),
        "status": Field(f.choice(EvidenceStatus), required=True),
        "holder_name": Field(f.text(200), required=True, label="Holder (person or unit)"),
        **MARKING,
    },
    key="reference", title="Evidence items", search=("reference", "description", "holder_name"),
    # the seizure is history: custody changes only by transfer, and the hash taken then is the reference
    fixed_after_create=frozenset({"reference", "sha256", "seized_from", "seized_at", "seized_place",
                                  "where_found", "seized_by", "holder_name"}),
    extra_columns=("holder_agency",), tallies=Tallies(EvidenceTally, EvidenceRedTally),
    formerly=(("exhibit_ref", "reference"),))  # one key name for every kind since migration 0013

TASKS = Kind(
    "tasks", Task, {
        "reference": Field(REFERENCE, required=True),
        "title": Field(f.text(300), required=True),
        "description": Field(f.text(10_000, multiline=True)),
        "assignee": Field(f.user, column="assignee_id"),
        "status": Field(f.choice(TaskStatus), required=True),
        "priority": Field(f.choice(TaskPriority), required=True),
        "due_date": Field(f.day, label="Due date"),
        "depends_on": Field(LinkTo(Task), column="depends_on_id"),
        **MARKING,
    },
    key="reference", title="Tasks", search=("reference", "title"), importable=True, run_by_command=True,
    changed_elsewhere=frozenset({"status"}),  # one place for a task's status: its updates
    tallies=Tallies(TaskTally, TaskRedTally))

TARGET_PACKAGES = Kind(
    "packages", TargetPackage, {
        "reference": Field(REFERENCE, required=True),
        "jurisdiction": Field(f.jurisdiction, required=True, column="jurisdiction_id"),
        "address": Field(f.text(300), required=True),
        "latitude": Field(f.number_between(-90, 90, "latitude")),
        "longitude": Field(f.number_between(-180, 180, "longitude")),
        "team_call_sign": Field(f.text(64), required=True, label="Team call sign"),
        "subjects": Field(LinksTo(Suspect), column="subject_ids", label="Subjects (suspect references)"),
        "legal_authority": Field(f.text(300), required=True, label="Legal authority (warrant reference)"),
        "h_hour": Field(f.planned_moment, required=True, label="Planned H-hour"),
        "risk_notes": Field(f.text(10_000, multiline=True), label="Risk notes"),
        **MARKING,
        "owning_agency": Field(f.agency, column="owning_agency_id", label="Lead agency"),
    },
    key="reference", title="Target packages", search=("reference", "address", "team_call_sign"), importable=True,
    extra_columns=("status",),  # changed by status changes only (services.action_day), never by a file
    changed_elsewhere=frozenset({"status"}), section=ACTION_DAY)  # few: no tallies

KINDS: dict[str, Kind] = {kind.name: kind for kind in (SUSPECTS, ARRESTS, EVIDENCE, TASKS, TARGET_PACKAGES)}
IMPORTABLE = tuple(name for name, kind in KINDS.items() if kind.importable)


def of(model: type[MarkedRecord]) -> Kind:
    """The description of a model's records."""
    return next(kind for kind in KINDS.values() if kind.model is model)


# The decision log: append-only (a correction is a new entry), written by command, read by marking.
# Not in KINDS: it has no table page, tallies, import or export; its own page lists it.
DECISIONS = Kind(
    "decisions", Decision, {
        "reference": Field(REFERENCE, required=True),
        "decision": Field(f.text(2_000, multiline=True), required=True),
        "rationale": Field(f.text(10_000, multiline=True), required=True),
        "options": Field(f.text(10_000, multiline=True), label="Options considered"),
        "decided_by": Field(f.text(200), label="Decided by (name and role)"),
        "decided_at": Field(f.moment, label="Decided at"),
        **MARKING,
    },
    key="reference", title="Decision log", search=("reference", "decision", "rationale"), command_only=True)

# Every kind of marked record, the decision log too: what the timeline lists, by name.
RECORDED: dict[str, Kind] = {**KINDS, DECISIONS.name: DECISIONS}


# What is typed for things that are not marked records of their own.

CUSTODY_TRANSFER = {
    "to_agency": Field(f.agency, required=True, column="to_agency_id"),
    "to_holder": Field(f.text(200), required=True, label="To holder (person or unit)"),
    "occurred_at": Field(f.moment, required=True, label="When"),
    "place": Field(f.text(300), required=True),
    "purpose": Field(f.text(300), required=True),
    "seal_number": Field(f.text(64)),
    "condition": Field(f.text(300), required=True),
    "hash_checked": Field(f.sha256, label="SHA-256 re-computed now (digital items)"),
}

# A device's data acquired at the lab: its own record, linked to its exhibit (services.acquisitions).
ACQUISITION = {
    "method": Field(f.choice(AcquisitionMethod), required=True, label="Method"),
    "tool": Field(f.text(200), required=True, label="Tool"),
    "tool_version": Field(f.text(64), required=True, label="Tool version"),
    "examiner": Field(f.text(200), required=True, label="Examiner"),
    "acquired_at": Field(f.moment, required=True, label="Acquired at"),
    "sha256": Field(f.sha256, required=True, label="SHA-256 of the image"),
    "place": Field(f.text(300), required=True, label="Lab (where it was made)"),
    "holder_name": Field(f.text(200), required=True, label="Held by (person or unit at the lab)"),
    "holder_agency": Field(f.agency, column="holder_agency_id", label="Lab's agency (the exhibit's holder if empty)"),
    "notes": Field(f.text(1000, multiline=True), label="Notes"),
}

USER = {
    "issuer": Field(f.text(300), required=True),
    "subject": Field(f.text(300), required=True),
    "display_name": Field(f.text(200), required=True),
    "email": Field(f.email),
    "agency": Field(f.agency, required=True, column="agency_id"),
    "role": Field(f.choice(Role), required=True),
    "active": Field(f.flag),
}

# An operation as it is opened (services.operations), and a person's membership of one.
OPERATION = {
    "code_name": Field(f.text(100), required=True, label="Code name (e.g. Operation Elaborate)"),
    "code": Field(f.short_code, required=True, label="Short code (e.g. ELABORATE)"),
    "lead_agency": Field(f.agency, required=True, column="lead_agency_id", label="Lead agency"),
    "partners": Field(f.agencies, label="Partner agencies"),
    "starts_on": Field(f.day, label="Starts on"),
    "ends_on": Field(f.day, label="Ends on"),
    "action_day": Field(f.day, label="Action day"),
    "default_tlp": Field(f.tlp, label="Default TLP"),
    "default_classification": Field(f.classification, label="Default classification"),
    "deconfliction_contact": Field(f.text(300), label="Deconfliction contact (whom other operations reach)"),
}
MEMBERSHIP = {
    "operation": Field(f.operation, required=True, column="operation_id", label="Operation"),
    "person": Field(f.user, required=True, column="user_id", label="Person"),
    "role": Field(f.choice(Role), required=True, label="Role in the operation"),
}
STATUS_REASON = Field(f.text(1000, multiline=True), label="Reason")

# Deconfliction: asking another agency for contact about its record, and its answer.
CONTACT_REQUEST = {"reason": Field(f.text(1000, multiline=True), required=True, label="Why you ask")}
CONTACT_APPROVAL = {
    "condition": Field(f.choice(HandlingCondition), required=True, label="Handling condition"),
    "condition_text": Field(f.text(1000, multiline=True), label="The conditions (H3 only)"),
}
CONTACT_DECLINE = {"reason": Field(f.text(1000, multiline=True), required=True, label="Why you decline")}

# Identifiers are not records of their own (not in KINDS): a file of them names, per row, the record
# each is held on; this describes that file's columns (services.identifier_imports, exports.identifiers).
IDENTIFIERS = Kind(
    "identifiers", Identifier, {
        "record_kind": Field(f.text(32), required=True, label="Record kind (suspect, evidence item, arrest)"),
        "record_reference": Field(REFERENCE, required=True, label="Record reference"),
        "identifier_kind": Field(f.choice(IdentifierKind), required=True, label="Kind of identifier"),
        "value": Field(f.text(300), required=True),
        "qualifier": Field(f.text(300), label="Qualifier (platform, chain, date of birth, an address's country)"),
    },
    key="record_reference", title="Identifiers", search=("value",))
IDENTIFIER_COLUMNS = tuple(IDENTIFIERS.fields)
