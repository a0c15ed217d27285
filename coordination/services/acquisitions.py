"""A device's data acquired at the lab (ISO/IEC 27037): a forensic image or extraction of an exhibit,
a record of its own with the SHA-256 of what it produced, its tool, examiner and custody.

- `record_acquisition`: by the agency holding the exhibit (who holds the device images it), of an
  exhibit the principal may read that holds data; its custody event 1 puts the image with the lab.
- `transfer_acquisition`: hands the image on as an exhibit is handed on (`evidence._transfer_rules`):
  from its holder, by the holder's agency, its SHA-256 re-computed each time.

An acquisition has no marking of its own: both are audited on its exhibit (entity "evidence item"),
so its history, the timeline and every reader tell them exactly to those who may read the exhibit;
like every event on a record, each moves the exhibit on a version.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coordination import audit, policy
from coordination.errors import NotFound, ValidationError
from coordination.fields import parse_fields
from coordination.kinds import ACQUISITION, CUSTODY_TRANSFER, EVIDENCE
from coordination.models import Acquisition, AcquisitionCustodyEvent, EvidenceItem, utcnow
from coordination.principal import Principal
from coordination.services import partners
from coordination.services.authorisation import authorise
from coordination.services.evidence import CUSTODY_COLUMNS, _transfer_rules
from coordination.services.loading import load_visible
from coordination.services.merge import check_version, flush_or_conflict
from coordination.services.pipeline import snapshot

COLUMNS = ("reference", "sequence", "method", "tool", "tool_version", "examiner", "acquired_at", "sha256", "place",
           "holder_agency_id", "holder_name", "notes")
TRANSFER_COLUMNS = tuple(name.replace("evidence_item_id", "acquisition_id") for name in CUSTODY_COLUMNS)


def record_acquisition(session: Session, principal: Principal, item_id: int, data: dict[str, Any]) -> Acquisition:
    """Record an image or extraction of exhibit `item_id`, held from then on at the lab."""
    item = load_visible(session, principal, EvidenceItem, item_id)
    values = parse_fields(session, ACQUISITION, data)
    partners.refuse_outsiders(session, principal, ACQUISITION, values)
    authorise(principal, policy.Action.RECORD_ACQUISITION, EVIDENCE, item.id, holder_agency_id=item.holder_agency_id)
    if not item.item_type.digital:
        raise ValidationError({"method": f"{item.reference} is {item.item_type.value}: it holds no data to acquire"})
    if values["acquired_at"] < item.seized_at.replace(second=0, microsecond=0):  # forms pick to the minute
        raise ValidationError({"acquired_at": f"is before the exhibit was seized "
                                              f"({item.seized_at:%Y-%m-%d %H:%M} UTC)"})
    values["holder_agency_id"] = values["holder_agency_id"] or item.holder_agency_id
    sequence = (session.scalar(select(func.max(Acquisition.sequence)).where(
        Acquisition.evidence_item_id == item.id)) or 0) + 1
    acquisition = Acquisition(evidence_item_id=item.id, sequence=sequence, reference=f"ACQ-{item.reference}-{sequence}",
                              recorded_by_id=principal.user_id, **values)
    session.add(acquisition)
    session.flush()
    session.add(AcquisitionCustodyEvent(
        acquisition_id=acquisition.id, sequence=1, from_agency_id=None, from_holder=None,
        to_agency_id=acquisition.holder_agency_id, to_holder=acquisition.holder_name,
        occurred_at=acquisition.acquired_at, place=acquisition.place, purpose=f"{acquisition.method.value} made",
        condition="as acquired", hash_checked=acquisition.sha256, hash_matches=True, recorded_by_id=principal.user_id))
    # the exhibit moves on a version with each event of its own (a change of time forces the UPDATE)
    item.updated_by_id, item.updated_at = principal.user_id, utcnow()
    flush_or_conflict(session, EvidenceItem, item.id)
    audit.record(session, audit.NewEvent(principal, "record acquisition", EvidenceItem.entity, item.id,
                                         after=snapshot(acquisition, COLUMNS)))
    return acquisition


def transfer_acquisition(session: Session, principal: Principal, acquisition_id: int, expected_version: int,
                         data: dict[str, Any]) -> AcquisitionCustodyEvent:
    """Hand an image from its current holder to the next; only the holder's agency may do it."""
    hidden = NotFound("this acquisition does not exist or is not visible to you")  # the same for either
    acquisition = session.get(Acquisition, acquisition_id, populate_existing=True) \
        if isinstance(acquisition_id, int) else None
    if acquisition is None:
        raise hidden
    try:
        item = load_visible(session, principal, EvidenceItem, acquisition.evidence_item_id)
    except NotFound:  # an acquisition of an exhibit one may not read does not exist for them
        raise hidden from None
    values = parse_fields(session, CUSTODY_TRANSFER, data)
    partners.refuse_outsiders(session, principal, CUSTODY_TRANSFER, values)
    last: AcquisitionCustodyEvent = session.scalars(
        select(AcquisitionCustodyEvent).where(AcquisitionCustodyEvent.acquisition_id == acquisition.id)
        .order_by(AcquisitionCustodyEvent.sequence.desc()).limit(1)).one()
    authorise(principal, policy.Action.TRANSFER_CUSTODY, None, acquisition.id, entity=Acquisition.entity,
              holder_agency_id=acquisition.holder_agency_id)
    check_version(acquisition, expected_version)
    _transfer_rules(acquisition, last, values)
    event = AcquisitionCustodyEvent(acquisition_id=acquisition.id, sequence=last.sequence + 1,
                                    from_agency_id=acquisition.holder_agency_id, from_holder=acquisition.holder_name,
                                    recorded_by_id=principal.user_id, **values)
    event.hash_matches = values["hash_checked"] == acquisition.sha256
    acquisition.holder_agency_id, acquisition.holder_name = event.to_agency_id, event.to_holder
    item.updated_by_id, item.updated_at = principal.user_id, utcnow()  # as `record_acquisition`
    session.add(event)
    flush_or_conflict(session, Acquisition, acquisition.id)
    detail = None if event.hash_matches else f"SHA-256 at transfer differs from {acquisition.reference}'s"
    audit.record(session, audit.NewEvent(principal, "transfer acquisition", EvidenceItem.entity, item.id,
                                         after={"reference": acquisition.reference}
                                         | snapshot(event, TRANSFER_COLUMNS), detail=detail))
    return event
