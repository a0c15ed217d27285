"""The hourly allowance of answers about other agencies' identifiers, one per person.

An answer tells a person whether another agency holds a value: a check ("Check an identifier"), or
an identifier they added whose matching told their agency of a hit with another agency that it
was not told of (its first line on the Deconfliction page). Each is an `IdentifierCheck` row, kept
when the identifier is removed, so removing a value and adding it again is answered, and counted,
again. A person has at most COORD_CHECKS_PER_HOUR answers in any hour, checks and adds together:

- a check beyond it is refused;
- an identifier added by hand (the form, a save, the CLI) beyond it is refused before it is
  matched, whether or not another agency holds it: a refusal of the values that hit alone would
  itself be the answer;
- an import is refused while the allowance is spent, and otherwise taken whole (a file of the
  operation's scale carries a thousand hits, ten hours' allowance: refusing it, or some of its
  rows, would stop the liaison's legitimate bulk work), its revealing identifiers counted, so the
  importer's next checks, adds and imports wait for the hour to pass.

Refusals are PermissionDenied, in words, and audited as refusals.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from coordination import settings
from coordination.errors import PermissionDenied
from coordination.markings import TLP
from coordination.models import Identifier, IdentifierCheck, utcnow
from coordination.principal import Principal

WINDOW = timedelta(hours=1)
WHAT = "checks, and identifiers you added that another agency holds, count alike"


def refusal(session: Session, principal: Principal, action: str, now: datetime | None = None) -> str | None:
    """Why `action` must wait (the allowance spent: when the next is possible), or None."""
    now = now or utcnow()
    limit = settings.load().checks_per_hour
    recent = IdentifierCheck.user_id == principal.user_id, IdentifierCheck.checked_at > now - WINDOW
    made = session.scalar(select(func.count()).select_from(IdentifierCheck).where(*recent)) or 0
    if made < limit:
        return None
    if limit <= 0:
        return "Checks are turned off here (COORD_CHECKS_PER_HOUR is 0)" + (
            "." if action == "check identifier" else ": an identifier is matched only when checks are allowed.")
    # the answer whose hour ends first, among those that must age out before one more is allowed
    freed_by = session.scalar(select(IdentifierCheck.checked_at).where(*recent)
                              .order_by(IdentifierCheck.checked_at).offset(made - limit).limit(1))
    said = (f"You have made {made} checks in the last hour ({WHAT}), the most allowed ({limit} an hour). "
            f"The next is possible at {freed_by + WINDOW:%H:%M:%S} UTC.")
    if action == "check identifier":
        return said
    return (said[:-1] + ", and no identifier can be added before then, whether another agency holds it or "
            "not (nothing was added).")


def refuse_beyond_the_limit(session: Session, principal: Principal, action: str, now: datetime | None = None) -> None:
    """PermissionDenied (audited as a refusal by the runner) when the allowance is spent."""
    said = refusal(session, principal, action, now)
    if said is not None:
        raise PermissionDenied(said, action=action, entity=Identifier.entity)


def count(session: Session, principal: Principal, answers: int, now: datetime | None = None) -> None:
    """Count `answers` against the principal's allowance (one row each, one statement)."""
    if answers > 0:
        at = now or utcnow()
        session.execute(insert(IdentifierCheck), [{"user_id": principal.user_id, "checked_at": at}] * answers)


def revealing(rows: Sequence[tuple], added: Container[int]) -> int:
    """How many of the `added` identifiers made a hit with another agency that tells the adder's agency:
    `rows` hold each new hit's (first identifier, second identifier, first side, second side, first
    TLP, second TLP), a side its agency (or its agency and operation: another operation is told too). A
    new identifier had no hit before, so each such one is a new line to its agency."""
    told = set()
    for first_id, second_id, first_agency, second_agency, first_tlp, second_tlp in rows:
        if first_agency == second_agency:
            continue  # a possible duplicate within the agency: nothing of another agency's is told
        for mine, mine_tlp, other_tlp in ((first_id, first_tlp, second_tlp), (second_id, second_tlp, first_tlp)):
            if mine in added and (other_tlp is not TLP.RED or mine_tlp is TLP.RED):
                told.add(mine)
    return len(told)
