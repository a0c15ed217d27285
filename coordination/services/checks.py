"""Checking an identifier before acting: which OTHER agencies hold the value (their open identifiers,
RED records not counted; an address, or one in its building, by any key as hits are found), or that
it is on the exclusion list; never any detail of what they hold. Another operation holding it is
told as hits across operations are (queries.hits): "another operation" and whom to contact there,
never which operation, its agency, nor how many operations (the contact is that of the operation
whose identifier is oldest, as a line of hits shows its oldest); a value on that operation's own
exclusion list is not held there. The answer is one check of the allowance, whatever it says.

Every check is an `IdentifierCheck` row and an audit event naming only the kind and the keyed value.
A person may make at most COORD_CHECKS_PER_HOUR checks in any hour, so checks cannot enumerate the
match index: the next one is refused (PermissionDenied, audited as a refusal) with the time it
becomes possible. Identifiers a person adds that tell their agency of a hit count in the same
allowance (`answers`): adding a value and removing it again is no way around it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, not_, or_, select
from sqlalchemy.orm import Session

from coordination import audit, policy
from coordination.errors import PermissionDenied
from coordination.markings import TLP
from coordination.models import Agency, Exclusion, Identifier, IdentifierCheck, IdentifierKind, Operation, utcnow
from coordination.principal import Principal
from coordination.queries.hits import contact_of
from coordination.services import answers
from coordination.services.authorisation import acting_as
from coordination.services.identifiers import building_columns, excluded, normalised, operation_key, region_of
from coordination.services.loading import current_operation


@dataclass(frozen=True)
class CheckResult:
    display: str  # the value as its normal form reads
    kind: IdentifierKind
    excluded: bool  # on the exclusion list: matches everywhere, means nothing
    agencies: list[str]  # codes of the other agencies of the reader's operation holding it
    contact: str | None = None  # another operation holds it: whom to contact there

    @property
    def held(self) -> bool:
        return bool(self.agencies) or self.contact is not None

    @property
    def sentence(self) -> str:
        if self.excluded:
            return f"This {self.kind} is on the exclusion list: it matches everywhere and means nothing."
        building = " or one in its building" if self.kind is IdentifierKind.ADDRESS else ""
        elsewhere = "" if self.contact is None else \
            f"Another operation {'also ' if self.agencies else ''}holds it{building}; contact: {self.contact}."
        if not self.agencies:
            return elsewhere or f"No other agency holds this {self.kind}."
        holders = self.agencies[0] if len(self.agencies) == 1 else \
            f"{', '.join(self.agencies[:-1])} and {self.agencies[-1]}"
        said = f"{holders} also {'holds' if len(self.agencies) == 1 else 'hold'} this {self.kind}{building}."
        return f"{said} {elsewhere}" if elsewhere else said


def check_identifier(session: Session, principal: Principal, identifier_kind: str, value: str,
                     qualifier: str | None = None) -> CheckResult:
    if not policy.can_check_identifier(principal):
        raise PermissionDenied(f"{acting_as(principal)} may not check identifiers", action="check identifier",
                               entity=Identifier.entity)
    now = utcnow()
    answers.refuse_beyond_the_limit(session, principal, "check identifier", now)
    normal = normalised(identifier_kind, value, qualifier, region_of(session, principal.agency_id))
    key = operation_key(session, principal)
    keyed = key.keyed(normal.kind.value, normal.value)
    held = Identifier.keyed == keyed
    if normal.kind is IdentifierKind.ADDRESS:
        held = or_(held, *_in_building(building_columns(key, value.strip(), normal.country)))
    operation_id = current_operation(session, principal).id
    is_excluded = session.scalar(select(Exclusion.id).where(Exclusion.operation_id == operation_id,
                                                            Exclusion.keyed == keyed).limit(1)) is not None
    agencies, contact = ([], None) if is_excluded else _holders(session, principal, operation_id, held)
    check = IdentifierCheck(user_id=principal.user_id, checked_at=now)
    session.add(check)
    session.flush()
    audit.record(session, audit.NewEvent(principal, "check identifier", Identifier.entity, None,
                                         after={"kind": normal.kind, "keyed": keyed}))
    return CheckResult(normal.display, normal.kind, is_excluded, agencies, contact)


def _holders(session: Session, principal: Principal, operation_id: int,
             held: ColumnElement[bool]) -> tuple[list[str], str | None]:
    """The codes of the other agencies of the operation holding it, and whom to contact in another
    operation holding it (None when none does): open identifiers, not RED, not excluded where held."""
    holding = (Identifier.operation_id, Identifier.owning_agency_id)
    found = session.execute(select(*holding, func.min(Identifier.id)).where(
        held, Identifier.removed_at.is_(None), Identifier.tlp != TLP.RED, not_(excluded(Identifier)),
        or_(Identifier.operation_id != operation_id, Identifier.owning_agency_id != principal.agency_id))
        .group_by(*holding)).all()
    ours = {agency for operation, agency, _ in found if operation == operation_id}
    agencies = sorted(session.scalars(select(Agency.code).where(Agency.id.in_(ours)))) if ours else []
    elsewhere = min(((first, operation) for operation, _, first in found if operation != operation_id), default=None)
    if elsewhere is None:
        return agencies, None
    contact, lead = session.execute(select(Operation.deconfliction_contact, Agency.code).join(
        Agency, Agency.id == Operation.lead_agency_id).where(Operation.id == elsewhere[1])).one()
    return agencies, contact_of(contact, lead)


def _in_building(keys: dict[str, str | None]) -> list[ColumnElement[bool]]:
    """The identifiers in the building of an address's keyed keys, by the rule hits are found by
    (identifiers._same: the postcode keys agree, or the street keys do unless both name a postcode, or
    the bare street keys do unless both name a postcode or both a town)."""
    postcode, street, bare = keys["postcode_keyed"], keys["street_keyed"], keys["bare_keyed"]
    no_other_postcode = [Identifier.postcode_keyed.is_(None)] if postcode else []
    no_other_town = [Identifier.street_keyed.is_(None)] if street else []
    return [*([Identifier.postcode_keyed == postcode] if postcode else []),
            *([and_(Identifier.street_keyed == street, *no_other_postcode)] if street else []),
            *([and_(Identifier.bare_keyed == bare, *no_other_postcode, *no_other_town)] if bare else [])]
