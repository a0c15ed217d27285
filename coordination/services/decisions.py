"""The decision log: a commander records a decision (or corrects one, with a new entry that names
it) and pins or unpins it for the briefing. Nothing in the log is ever changed or deleted: the
database refuses it (coordination/append_only.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination import audit, policy
from coordination.errors import NotFound, ValidationError
from coordination.kinds import DECISIONS
from coordination.models import Decision, DecisionPin, utcnow
from coordination.principal import Principal
from coordination.services.authorisation import authorise
from coordination.services.loading import load_visible
from coordination.services.pipeline import create_record
from coordination.services.unique_references import check_reference


def is_pinned(session: Session, decision_id: int) -> bool:
    latest = session.scalar(select(DecisionPin.pinned).where(DecisionPin.decision_id == decision_id)
                            .order_by(DecisionPin.id.desc()).limit(1))
    return bool(latest)


def record_decision(session: Session, principal: Principal, data: dict[str, Any],
                    corrects: int | None = None) -> Decision:
    """A new entry of the log; with `corrects`, the id of the entry it corrects (which the author must
    be able to read, and which nothing the author may read has corrected yet). A correction takes
    over the pin."""
    old = load_visible(session, principal, Decision, corrects) if corrects is not None else None

    def check(values: dict[str, Any]) -> None:
        check_reference(session, principal, DECISIONS, values["reference"], values["owning_agency_id"])
        values["options"] = values.get("options") or ""
        values["decided_by"] = values.get("decided_by") or principal.label
        values["decided_at"] = values.get("decided_at") or utcnow()
        values["corrects_id"] = _end_of_corrections(session, principal, old).id if old is not None else None

    decision = create_record(session, principal, DECISIONS, data, check)
    if old is not None and is_pinned(session, old.id):
        _pin(session, principal, old, False)
        _pin(session, principal, decision, True)
    return decision


def _end_of_corrections(session: Session, principal: Principal, old: Decision) -> Decision:
    """The entry a correction of `old` attaches to: `old` when nothing corrects it; the last of its
    corrections when the author may read none of them (a hidden correction must not answer
    differently from none: the author learns nothing of it); refused when one is readable."""
    last = old
    while (later := session.scalar(select(Decision).where(Decision.corrects_id == last.id))) is not None:
        try:
            load_visible(session, principal, Decision, later.id)
        except NotFound:
            last = later
            continue
        raise ValidationError({"corrects": f"{old.reference} has been corrected already (by {later.reference}): "
                                           "correct the latest entry of its corrections instead"})
    return last


def pin_decision(session: Session, principal: Principal, decision_id: int, pinned: bool) -> Decision:
    """Pin a decision into the briefing, or take it out; asking for what already holds changes nothing."""
    decision = load_visible(session, principal, Decision, decision_id)
    authorise(principal, policy.Action.UPDATE, DECISIONS, decision.id, owning_agency_id=decision.owning_agency_id)
    if is_pinned(session, decision.id) != pinned:
        _pin(session, principal, decision, pinned)
    return decision


def _pin(session: Session, principal: Principal, decision: Decision, pinned: bool) -> None:
    session.add(DecisionPin(decision_id=decision.id, pinned=pinned, by_id=principal.user_id, at=utcnow()))
    session.flush()
    audit.record(session, audit.NewEvent(principal, "pin" if pinned else "unpin", Decision.entity, decision.id,
                                         after={"pinned": pinned}))
