"""The agencies taking part in an operation (`OperationPartner`): where a record, an exhibit's holder,
a custody transfer or a briefing names an agency taking part, it is one of the principal's
operation's partners. The deployment's other agencies are refused in words, as an unknown code is
(fields.agency's wording), so a refusal tells no more than the picker offered."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination import fields
from coordination.errors import ValidationError
from coordination.fields import Field
from coordination.models import Agency, OperationPartner
from coordination.principal import Principal

NOT_A_PARTNER = "'{code}' is not a partner agency of this operation"


def partner_ids(session: Session, principal: Principal) -> set[int]:
    """The ids of the agencies taking part in the principal's operation (none without one), read once
    a session (an import asks for every row)."""
    if principal.operation_id is None:
        return set()
    known = session.info.setdefault("partners", {})
    if principal.operation_id not in known:
        known[principal.operation_id] = set(session.scalars(select(OperationPartner.agency_id).where(
            OperationPartner.operation_id == principal.operation_id)))
    return known[principal.operation_id]


def problems(session: Session, principal: Principal, specs: Mapping[str, Field], values: Mapping[str, Any],
             record: object | None = None) -> dict[str, str]:
    """Each agency field of `specs` whose parsed agency (in `values`, by column) is not a partner,
    named with the refusal; an update keeping the record's agency (a partner once) is no problem."""
    chosen = {name: values[field.column or name] for name, field in specs.items()
              if field.parse is fields.agency and values.get(field.column or name) is not None}
    chosen = {name: agency_id for name, agency_id in chosen.items()
              if record is None or getattr(record, specs[name].column or name, None) != agency_id}
    outside = {name: agency_id for name, agency_id in chosen.items()
               if agency_id not in partner_ids(session, principal)} if chosen else {}
    if not outside:
        return {}
    codes = dict(session.execute(select(Agency.id, Agency.code).where(Agency.id.in_(set(outside.values())))).all())
    return {name: NOT_A_PARTNER.format(code=codes.get(agency_id, "?")) for name, agency_id in outside.items()}


def refuse_outsiders(session: Session, principal: Principal, specs: Mapping[str, Field], values: Mapping[str, Any],
                     record: object | None = None) -> None:
    """ValidationError naming every agency field `problems` finds."""
    found = problems(session, principal, specs, values, record)
    if found:
        raise ValidationError(found)
