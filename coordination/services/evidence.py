"""Evidence items and their chain of custody.

An item's first custody event is its seizure: collected and sealed (seal number, condition), with no
hash for a device, whose data is hashed when it is acquired later (services.acquisitions); a SHA-256
at seizure only for what is itself data (`hash_at_seizure`). Each transfer starts from the current
holder, is made by the holder's agency, re-checks a SHA-256 taken at seizure, and is never edited
afterwards.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination import audit, notices, policy
from coordination import fields as f
from coordination.errors import ValidationError
from coordination.fields import Field, parse_fields
from coordination.kinds import CUSTODY_TRANSFER, EVIDENCE
from coordination.models import Acquisition, AcquisitionCustodyEvent, CustodyEvent, EvidenceItem, EvidenceType
from coordination.principal import Principal
from coordination.services import partners
from coordination.services.authorisation import authorise
from coordination.services.loading import load_visible
from coordination.services.merge import check_version, flush_or_conflict
from coordination.services.notifications import notify
from coordination.services.pipeline import create_record, snapshot, update_record
from coordination.services.unique_references import check_reference

SEALED = {"seal_number": CUSTODY_TRANSFER["seal_number"], "condition": Field(f.text(300), label="Condition")}
CUSTODY_COLUMNS = ("evidence_item_id", "sequence", "from_agency_id", "from_holder", "to_agency_id", "to_holder",
                   "occurred_at", "place", "purpose", "seal_number", "condition", "hash_checked", "hash_matches")


def hash_at_seizure(item_type: EvidenceType, sha256: str | None) -> None:
    """ISO/IEC 27037: a device (phone, laptop, storage media, wallet) is sealed at the door with no hash,
    unless what was handed over there is data on it (a file on a USB stick: that file's hash); what is
    data in itself (a server image, records handed over) is hashed as it is recorded; a document or cash
    holds no data to hash."""
    if item_type.data and not sha256:
        raise ValidationError({"sha256": f"is required for {item_type.value}: data is hashed as it is recorded"})
    if not item_type.digital and sha256:
        raise ValidationError({"sha256": f"is not taken for {item_type.value}: it holds no data"})


def create_evidence_item(session: Session, principal: Principal, data: dict[str, Any],
                         seal_number: str | None = None, condition: str | None = None) -> EvidenceItem:
    """Record a seized item; its seizure is custody event 1, held by the owning agency (sealed with
    `seal_number` and in the `condition` described when given, as an action-day team seals what it
    seizes)."""
    sealed = parse_fields(session, SEALED, {"seal_number": seal_number, "condition": condition})

    def check(values):
        hash_at_seizure(values["item_type"], values["sha256"])
        check_reference(session, principal, EVIDENCE, values["reference"], values["owning_agency_id"])
        values["holder_agency_id"] = values["owning_agency_id"]
    item = create_record(session, principal, EVIDENCE, data, check)
    session.add(CustodyEvent(
        evidence_item_id=item.id, sequence=1, from_agency_id=None, from_holder=item.seized_from,
        to_agency_id=item.holder_agency_id, to_holder=item.holder_name, occurred_at=item.seized_at,
        place=item.seized_place, purpose="seizure", condition=sealed["condition"] or "as seized",
        hash_checked=item.sha256, seal_number=sealed["seal_number"],
        hash_matches=True if item.sha256 else None, recorded_by_id=principal.user_id))
    session.flush()
    return item


def update_evidence_item(session: Session, principal: Principal, item_id: int, expected_version: int,
                         changes: dict[str, Any], loaded: dict[str, Any] | None = None) -> EvidenceItem:
    """Edit an item's description, status or marking. Custody changes only by transfer, and the
    hash recorded at seizure is fixed."""
    fixed = (EVIDENCE.fixed_after_create - {EVIDENCE.key}) & set(changes)
    if fixed:
        raise ValidationError({name: "is fixed at seizure; record a custody transfer instead"
                               if name == "holder_name" else "is fixed at seizure" for name in sorted(fixed)})

    def check(record, changed):
        if "reference" in changed:
            raise ValidationError({"reference": "is fixed at seizure"})
        if "owning_agency_id" in changed:
            check_reference(session, principal, EVIDENCE, record.reference, changed["owning_agency_id"], record.id)
        hash_at_seizure(changed.get("item_type") or record.item_type, record.sha256)
    return update_record(session, principal, EVIDENCE, item_id, expected_version,
                         changes, check=check, loaded=loaded)


def transfer_custody(session: Session, principal: Principal, item_id: int, expected_version: int,
                     data: dict[str, Any]) -> CustodyEvent:
    """Hand an item from its current holder to the next; only the holder's agency may do it."""
    item = load_visible(session, principal, EvidenceItem, item_id)
    values = parse_fields(session, CUSTODY_TRANSFER, data)
    partners.refuse_outsiders(session, principal, CUSTODY_TRANSFER, values)  # an item stays in the operation
    last: CustodyEvent = session.scalar(
        select(CustodyEvent).where(CustodyEvent.evidence_item_id == item.id)
        .order_by(CustodyEvent.sequence.desc()).limit(1))
    # permission before version, so a version check tells nobody who may not transfer who changed the item;
    # except the agency that handed the item on just now: its stale transfer lost a race, a conflict it may hear
    lost_race = (item.version != expected_version and last.from_agency_id is not None
                 and last.from_agency_id == principal.agency_id
                 and policy.can_transfer(principal, holder_agency_id=last.from_agency_id))
    if not lost_race:
        authorise(principal, policy.Action.TRANSFER_CUSTODY, EVIDENCE, item.id,
                  holder_agency_id=item.holder_agency_id)
    check_version(item, expected_version)
    _transfer_rules(item, last, values)
    event = CustodyEvent(evidence_item_id=item.id, sequence=last.sequence + 1, from_agency_id=item.holder_agency_id,
                         from_holder=item.holder_name, recorded_by_id=principal.user_id, **values)
    if item.sha256:
        event.hash_matches = values["hash_checked"] == item.sha256
    item.holder_agency_id, item.holder_name = event.to_agency_id, event.to_holder
    item.updated_by_id = principal.user_id
    session.add(event)
    flush_or_conflict(session, EvidenceItem, item_id)
    detail = None if event.hash_matches in (None, True) else "SHA-256 at transfer differs from the seizure hash"
    audit.record(session, audit.NewEvent(principal, "transfer custody", EvidenceItem.entity, item.id,
                                         after=snapshot(event, CUSTODY_COLUMNS), detail=detail))
    if event.to_agency_id != event.from_agency_id:
        notify(session, notices.CUSTODY_TO_AGENCY, EvidenceItem.entity, item.id, agencies=[event.to_agency_id],
               actor=principal)
    return event


def _transfer_rules(item: EvidenceItem | Acquisition, last: CustodyEvent | AcquisitionCustodyEvent,
                    values: dict[str, Any]) -> None:
    problems = {}
    occurred_at: datetime = values["occurred_at"]
    if occurred_at < last.occurred_at:
        problems["occurred_at"] = (f"is before the previous custody event "
                                   f"({last.occurred_at:%Y-%m-%d %H:%M} UTC)")
    if values["to_agency_id"] == item.holder_agency_id and values["to_holder"] == item.holder_name:
        problems["to_holder"] = "is already the holder"
    if item.sha256 and not values.get("hash_checked"):
        problems["hash_checked"] = "is required: re-compute the SHA-256 at each transfer"
    if problems:
        raise ValidationError(problems)
