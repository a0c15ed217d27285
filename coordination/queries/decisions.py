"""The decision log as its reader may see it: newest decision first, each with who decided and
when, its marking, whether it is pinned into the briefing, and the corrections linking entries
(named only where the reader may read the other entry, so no link tells of an entry they may not:
past a hidden correction, a link names the nearest readable entry of the chain, as if the hidden one
were not there)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, aliased

from coordination.models import Agency, Decision, DecisionPin, User
from coordination.policy import visible
from coordination.principal import Principal

LOG_LIMIT = 200  # the newest entries a page lists at once


@dataclass(frozen=True)
class Entry:
    id: int
    reference: str
    decision: str
    rationale: str
    options: str
    decided_by: str
    decided_at: str  # "2026-11-26 12:04 UTC"
    recorded: str  # "Casey Commander (MET), 2026-11-26 12:06 UTC"
    marking: str  # "OFFICIAL-SENSITIVE TLP:AMBER"
    owning_agency: str
    pinned: bool
    corrects: str | None  # the reference of the entry this one corrects
    corrected_by: str | None  # the reference of the entry that corrects this one


def when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def pinned_now() -> ColumnElement[bool]:
    """Decision.id is pinned: its latest pin row says so."""
    latest = (select(func.max(DecisionPin.id)).where(DecisionPin.decision_id == Decision.id)
              .correlate(Decision).scalar_subquery())
    return select(DecisionPin.pinned).where(DecisionPin.id == latest).scalar_subquery().is_(True)


def log(session: Session, principal: Principal, pinned_only: bool = False, limit: int = LOG_LIMIT) -> list[Entry]:
    """The entries the principal may read (within its limit, e.g. a briefing's highest marking),
    newest decision first (at most `limit`)."""
    authors = aliased(Agency)
    author = func.coalesce(User.display_name + " (" + authors.code + ")", "the system")
    query = (select(Decision, author, Agency.code, pinned_now())
             .outerjoin(User, User.id == Decision.updated_by_id).outerjoin(authors, authors.id == User.agency_id)
             .join(Agency, Agency.id == Decision.owning_agency_id)
             .where(visible(Decision, principal))
             .order_by(Decision.decided_at.desc(), Decision.id.desc()).limit(limit))
    if pinned_only:
        query = query.where(pinned_now())
    rows = session.execute(query).all()
    links = _Corrections(session, principal)
    return [Entry(d.id, d.reference, d.decision, d.rationale, d.options, d.decided_by, when(d.decided_at),
                  f"{author}, {when(d.created_at)}", f"{d.classification.value} {d.tlp.label}", owner,
                  bool(is_pinned), links.corrects(d.id), links.corrected_by(d.id))
            for d, author, owner, is_pinned in rows]


class _Corrections:
    """The chains of corrections, named as the reader may see them: each step to the nearest entry of
    the chain they may read (a log is a few hundred entries at most, read in two small queries)."""

    def __init__(self, session: Session, principal: Principal) -> None:
        self.earlier = dict(session.execute(select(Decision.id, Decision.corrects_id)
                                            .where(Decision.corrects_id.is_not(None))).all())
        self.later = {old: new for new, old in self.earlier.items()}
        self.readable = dict(session.execute(select(Decision.id, Decision.reference)
                                             .where(visible(Decision, principal))).all())

    def _nearest(self, step: dict[int, int], start: int) -> str | None:
        current = step.get(start)
        while current is not None and current not in self.readable:
            current = step.get(current)
        return self.readable.get(current) if current is not None else None

    def corrects(self, decision_id: int) -> str | None:
        return self._nearest(self.earlier, decision_id)

    def corrected_by(self, decision_id: int) -> str | None:
        return self._nearest(self.later, decision_id)

def pinned(session: Session, principal: Principal) -> list[Entry]:
    """The pinned entries the principal may read: what their briefing lists."""
    return log(session, principal, pinned_only=True)


def pinned_where(principal: Principal) -> ColumnElement[bool]:
    """The same rows as a clause on Decision (a briefing's marking counts them)."""
    return visible(Decision, principal) & pinned_now()


def find(session: Session, principal: Principal, reference: str) -> int | None:
    """The id of the readable entry with this reference (the reader's own agency's first), or None."""
    return session.scalar(select(Decision.id).where(Decision.reference == reference, visible(Decision, principal))
                          .order_by((Decision.owning_agency_id == principal.agency_id).desc(), Decision.id).limit(1))
