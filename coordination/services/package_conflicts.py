"""Conflicts between target packages handled by command, not only shown.

- `acknowledge_conflict`: a commander told of a conflict (policy.can_acknowledge_conflict) records
  that command has dealt with it, with a required note ("both teams briefed, MET enters first"): who
  and when, audited, and both lead agencies' liaisons and command told at once. Each reads it as
  queries.action_day tells them (a side they may not read is never named; the note and its author
  only to those told both sides).
- `lapse`: an acknowledgement holds for the conflict as it stood when it was given. When either
  package moves (its place or time re-checked by `action_day.deconflict`) and the pair still
  conflicts, the acknowledgement lapses, audited, the conflict is open again and everyone told of it
  hears so at once; a conflict that no longer holds takes its acknowledgement with it. A new
  conflicting package makes a new pair, open until command acknowledges it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination import audit, notices, policy
from coordination import fields as f
from coordination.errors import NotFound, PermissionDenied, ValidationError
from coordination.models import ConflictAcknowledgement, PackageConflict, TargetPackage, User, utcnow
from coordination.principal import Principal
from coordination.queries import action_day as told_rule
from coordination.services.notifications import notify

NOTE = f.text(1_000, multiline=True)


def acknowledge_conflict(session: Session, principal: Principal, conflict_id: Any,
                         note: Any) -> ConflictAcknowledgement:
    """Command acknowledges a conflict it is told of, with a note both lead agencies read (as each may)."""
    found = told_rule.told_of_conflict(session, principal, conflict_id) \
        if isinstance(conflict_id, int) and not isinstance(conflict_id, bool) else None
    if found is None:  # none, or not one told to this person: the same answer
        raise NotFound("this conflict does not exist or is not told to you")
    conflict, told = found
    try:
        text = (NOTE(session, note if note is not None else "") or "").strip()
    except ValueError as error:
        raise ValidationError({"note": str(error)}) from None
    if not text:
        raise ValidationError({"note": "is required: say what command decided, for example "
                                       "'both teams briefed, MET enters first'"})
    if not policy.can_acknowledge_conflict(principal, told):
        raise PermissionDenied("only command acknowledges a conflict between packages", action="acknowledge",
                               entity=PackageConflict.entity, entity_id=conflict.id)
    earlier = session.get(ConflictAcknowledgement, (conflict.id, principal.operation_id))  # this side's
    if earlier is not None:  # a second commander at once: the first stands, and is named
        raise ValidationError({"note": f"was not recorded: {earlier.acknowledged_by.display_name} acknowledged "
                                       f"this conflict at {earlier.acknowledged_at:%d %b %H:%M} UTC"})
    acknowledgement = ConflictAcknowledgement(conflict_id=conflict.id, operation_id=principal.operation_id,
                                              acknowledged_by_id=principal.user_id, acknowledged_at=utcnow(),
                                              note=text)
    session.add(acknowledgement)
    session.flush()
    audit.record(session, audit.NewEvent(principal, "acknowledge", PackageConflict.entity, conflict.id,
                                         after={"note": text}))
    # this side's people only: the other operation's command acknowledges its own side
    tell(session, notices.CONFLICT_ACKNOWLEDGED, conflict, actor=principal, operations={principal.operation_id})
    return acknowledgement


def lapse(session: Session, conflict: PackageConflict, why: str, still_holds: bool) -> None:
    """The acknowledgements of `conflict` (one per side's operation), if any, no longer hold: removed,
    audited (with `why`), and, when the conflict itself `still_holds`, told at once as open again to
    the sides whose acknowledgement lapsed."""
    lapsed = session.scalars(select(ConflictAcknowledgement).where(
        ConflictAcknowledgement.conflict_id == conflict.id).order_by(ConflictAcknowledgement.operation_id)).all()
    for acknowledgement in lapsed:
        before = {"acknowledged by": acknowledgement.acknowledged_by_id, "note": acknowledgement.note}
        session.delete(acknowledgement)
        session.flush()  # before the conflict it names may be deleted
        audit.record(session, audit.NewEvent(Principal.system("deconfliction"), "lapse acknowledgement",
                                             PackageConflict.entity, conflict.id, before=before,
                                             after={"why": why}))
    if still_holds and lapsed:
        tell(session, notices.CONFLICT_REOPENED, conflict,
             operations={acknowledgement.operation_id for acknowledgement in lapsed})


def tell(session: Session, event: notices.Event, conflict: PackageConflict, actor: Principal | None = None,
         key: str | None = None, operations: Collection[int | None] | None = None,
         packages: Sequence[TargetPackage] = ()) -> None:
    """Both lead agencies' liaisons and command, as a conflict is told (each reads it by the telling
    rule when they read it, as the board does): each side's in its own operation, so a conflict
    between two operations reaches each operation's people, and nobody through the other's.
    `operations`: only the sides of these operations (None: both). `packages`: its two packages, when
    the caller has them loaded (deconfliction: not read again)."""
    sides = [(p.operation_id, p.owning_agency_id) for p in packages] or session.execute(
        select(TargetPackage.operation_id, TargetPackage.owning_agency_id).where(
            TargetPackage.id.in_([conflict.first_id, conflict.second_id]))).all()
    for operation_id in sorted({operation_id for operation_id, _ in sides
                                if operations is None or operation_id in operations}):
        commanders = session.scalars(select(User.id).where(User.active, policy.hears_for_operation(
            User, operation_id))).all()
        notify(session, event, PackageConflict.entity, conflict.id, actor=actor, key=key, users=commanders,
               agencies=[agency_id for of, agency_id in sides if of == operation_id], operation_id=operation_id)
