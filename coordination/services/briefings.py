"""Recording a briefing: its row and its audit event, with the PDF's hash and the state it showed."""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from coordination import audit, policy
from coordination.errors import PermissionDenied
from coordination.models import Briefing
from coordination.principal import Principal
from coordination.services.base import current_operation


def authorise_briefing(session: Session, principal: Principal) -> None:
    """The first step of a briefing, before any work: refuse (audited by the runner) a principal
    who reads no operational records."""
    if not policy.can_brief(principal):
        who = f"{principal.role.value}s" if principal.role else "people who are not provisioned"
        raise PermissionDenied(f"{who} make no briefings: they read no operational records", action="export",
                               entity="briefing")


def record_briefing(session: Session, principal: Principal, contents, pdf: bytes) -> Briefing:
    """The last step: `contents` is the briefing.Contents the PDF was made from."""
    authorise_briefing(session, principal)
    briefing = Briefing(operation_id=current_operation(session).id, author_id=principal.user_id,
                        created_at=contents.made_at, tlp=contents.tlp,
                        classification=contents.classification, sha256=hashlib.sha256(pdf).hexdigest(),
                        audit_head_hash=contents.head_hash, audit_head_seq=contents.head_seq)
    session.add(briefing)
    session.flush()
    audit.record(session, audit.NewEvent(principal, "export", "briefing", briefing.id, after={
        "sha256": briefing.sha256, "audit_head_seq": briefing.audit_head_seq,
        "audit_head_hash": briefing.audit_head_hash, "tlp": briefing.tlp, "classification": briefing.classification,
        "changes_since_seq": contents.changes.since_seq, "bytes": len(pdf)}))
    return briefing
