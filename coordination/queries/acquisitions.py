"""An exhibit's acquisitions (forensic images and extractions of its data) and their custody, read
exactly as the exhibit is: an acquisition has no marking of its own, so every read here joins its
exhibit under `policy.visible`, and one whose exhibit the reader may not read is not found at all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.models import Acquisition, AcquisitionCustodyEvent, EvidenceItem
from coordination.policy import visible
from coordination.principal import Principal
from coordination.queries.custody import HASH_CHECK
from coordination.queries.standing_data import agency_codes_by_id


@dataclass(frozen=True)
class AcquisitionView:
    id: int
    version: int
    reference: str
    exhibit: str  # its exhibit's reference
    holder_agency_id: int
    row: dict[str, Any]  # as its table shows it


def _readable(principal: Principal):
    """Acquisitions with their exhibits, of the exhibits the principal may read."""
    return (select(Acquisition, EvidenceItem.reference).join(EvidenceItem, EvidenceItem.id
                                                             == Acquisition.evidence_item_id)
            .where(visible(EvidenceItem, principal)))


def _view(acquisition: Acquisition, exhibit: str, agencies: dict[int, str]) -> AcquisitionView:
    row = {"reference": acquisition.reference, "method": acquisition.method.value,
           "tool": f"{acquisition.tool} {acquisition.tool_version}", "examiner": acquisition.examiner,
           "acquired (UTC)": acquisition.acquired_at.strftime("%Y-%m-%d %H:%M"), "sha256": acquisition.sha256,
           "held by": f"{agencies.get(acquisition.holder_agency_id, '')} {acquisition.holder_name}".strip()}
    return AcquisitionView(acquisition.id, acquisition.version, acquisition.reference, exhibit,
                           acquisition.holder_agency_id, row)


def acquisitions_of(session: Session, principal: Principal, item_id: int) -> list[AcquisitionView]:
    """The acquisitions of exhibit `item_id`, first made first ([] when the exhibit is not readable)."""
    agencies = agency_codes_by_id(session)
    return [_view(acquisition, exhibit, agencies) for acquisition, exhibit in session.execute(
        _readable(principal).where(Acquisition.evidence_item_id == item_id).order_by(Acquisition.sequence))]


def find(session: Session, principal: Principal, reference: str) -> list[AcquisitionView]:
    """The acquisitions named `reference` (several agencies may use one exhibit reference) that the
    principal may read; nothing for any other, whether it exists or not."""
    agencies = agency_codes_by_id(session)
    return [_view(acquisition, exhibit, agencies) for acquisition, exhibit in session.execute(
        _readable(principal).where(Acquisition.reference == reference.strip()).order_by(Acquisition.id))]


def custody_of(session: Session, principal: Principal, acquisition_id: int) -> list[dict[str, Any]]:
    """Every custody event of an acquisition the principal may read, from the lab on."""
    if session.execute(_readable(principal).where(Acquisition.id == acquisition_id)).first() is None:
        return []
    agencies = agency_codes_by_id(session)
    chain = session.scalars(select(AcquisitionCustodyEvent).where(AcquisitionCustodyEvent.acquisition_id
                                                                  == acquisition_id)
                            .order_by(AcquisitionCustodyEvent.sequence)).all()
    return [{"#": e.sequence, "when (UTC)": e.occurred_at.strftime("%Y-%m-%d %H:%M"),
             "from": f"{agencies.get(e.from_agency_id or 0, '')} {e.from_holder or ''}".strip(),
             "to": f"{agencies[e.to_agency_id]} {e.to_holder}", "place": e.place, "purpose": e.purpose,
             "condition": e.condition, "hash check": HASH_CHECK[e.hash_matches]} for e in chain]
