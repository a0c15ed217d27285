"""An evidence item's chain of custody, as its page shows it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination.kinds import EVIDENCE
from coordination.models import Agency, CustodyEvent
from coordination.principal import Principal
from coordination.queries.records import readable

HASH_CHECK = {True: "matches", False: "DIFFERS", None: "n/a"}


def custody_chain(session: Session, principal: Principal, item_id: int) -> list[dict[str, Any]]:
    """Every custody event of an item the principal may read, from its seizure on."""
    if not readable(session, principal, EVIDENCE, item_id):
        return []
    agencies = {agency_id: code for agency_id, code in session.execute(select(Agency.id, Agency.code))}
    chain = session.scalars(select(CustodyEvent).where(CustodyEvent.evidence_item_id == item_id)
                            .order_by(CustodyEvent.sequence)).all()
    return [{"#": e.sequence, "when (UTC)": e.occurred_at.strftime("%Y-%m-%d %H:%M"),
             "from": f"{agencies.get(e.from_agency_id, '')} {e.from_holder or ''}".strip(),
             "to": f"{agencies[e.to_agency_id]} {e.to_holder}", "place": e.place, "purpose": e.purpose,
             "seal": e.seal_number or "", "condition": e.condition, "hash check": HASH_CHECK[e.hash_matches]}
            for e in chain]
