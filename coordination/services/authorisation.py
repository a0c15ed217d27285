"""Who acts and whether they may: a refusal (PermissionDenied, audited by the runner) in plain words,
"a liaison of FBI may not transfer custody of this evidence item"."""

from __future__ import annotations

from coordination import policy
from coordination.errors import PermissionDenied
from coordination.kinds import Kind
from coordination.principal import SYSTEM_ISSUER, Principal


def is_system(principal: Principal) -> bool:
    """The system itself (CLI, demo loader), as opposed to a person, provisioned or not."""
    return principal.role is None and principal.user_id is None and principal.issuer == SYSTEM_ISSUER


# What each action does, as the end of "a liaison of FBI may not ...": `{entity}` is the record's noun.
ACTION_PHRASES = {
    policy.Action.CREATE: "create this {entity}",
    policy.Action.UPDATE: "change this {entity}",
    policy.Action.TRANSFER_CUSTODY: "transfer custody of this {entity}",
    policy.Action.RECORD_ACQUISITION: "record an acquisition of this {entity}",
    policy.Action.ADD_NOTE: "add a note to this {entity}",
    policy.Action.CHANGE_TASK_STATUS: "change the status of this {entity}",
    policy.Action.REASSIGN_TASK: "assign this {entity} to another agency or to a person of another agency",
    policy.Action.MANAGE_USERS: "provision or change users",
}


def refusal_message(principal: Principal, action: policy.Action, entity: str) -> str:
    """'a liaison of FBI may not transfer custody of this evidence item', in plain English."""
    return f"{acting_as(principal)} may not {ACTION_PHRASES[action].format(entity=entity)}"


def acting_as(principal: Principal) -> str:
    """'a liaison of FBI': who is acting, as a refusal names them."""
    role = principal.role.value if principal.role else "unprovisioned user"
    article = "an" if role[0] in "aeiou" else "a"
    return f"{article} {role} of {principal.agency_code}" if principal.agency_code else f"{article} {role}"


def authorise(principal: Principal, action: policy.Action, kind: Kind | None, entity_id: int | None = None,
              entity: str = "", **scope) -> None:
    """Refuse (PermissionDenied, audited by the runner) what the policy does not allow."""
    if not policy.can_write(principal, action, kind=kind, **scope):
        entity = entity or (kind.entity if kind else "record")
        raise PermissionDenied(refusal_message(principal, action, entity), action=action.value, entity=entity,
                               entity_id=entity_id)
