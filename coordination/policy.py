"""Who may see and do what: the role x agency x marking table of DESIGN.md, as pure functions.

`can_read` decides for one record in Python; `visible` is the same rule as a SQL clause, and is
the ONE scoping function every read path (tables, counts, charts, exports, PDF) goes through.
Tests check the two agree on every combination.
"""

from __future__ import annotations

import enum
from collections.abc import Collection

from sqlalchemy import ColumnElement, and_, exists, false, or_, true

from coordination.kinds import TARGET_PACKAGES, TASKS, Kind
from coordination.markings import TLP
from coordination.models import MarkedRecord, Recipient, RecordGrant, Role
from coordination.principal import Principal

OPEN_TO_PARTNERS = (TLP.CLEAR, TLP.GREEN, TLP.AMBER)
READS_AS_PARTNER = (Role.LIAISON, Role.ANALYST, Role.OBSERVER)


class Action(enum.StrEnum):
    CREATE = "create"  # a suspect, arrest, evidence item or task
    UPDATE = "update"
    TRANSFER_CUSTODY = "transfer custody"
    ADD_NOTE = "add note"  # a task update without a status change
    CHANGE_TASK_STATUS = "change task status"  # a task update with one
    REASSIGN_TASK = "reassign task"  # to another agency or person
    MANAGE_USERS = "manage users"


def can_read(principal: Principal, owning_agency_id: int, tlp: TLP, recipient_ids: Collection[int],
             granted_agency_ids: Collection[int] = ()) -> bool:
    """`granted_agency_ids`: the agencies an approved contact request lets read this record."""
    named = principal.user_id is not None and principal.user_id in recipient_ids
    own = principal.agency_id == owning_agency_id
    granted = principal.agency_id is not None and principal.agency_id in granted_agency_ids
    if principal.role is Role.COMMANDER:
        return tlp is not TLP.RED or named
    if principal.role in READS_AS_PARTNER:
        return (tlp in OPEN_TO_PARTNERS
                or (tlp is TLP.AMBER_STRICT and (own or granted))
                or (tlp is TLP.RED and own and named))
    return False  # admins read users and reference data only; the unprovisioned read nothing


def visible(model: type[MarkedRecord], principal: Principal) -> ColumnElement[bool]:
    """SQL twin of `can_read` for rows of `model`: add it to every query a user's eyes depend on."""
    named = exists().where(Recipient.entity == model.entity, Recipient.entity_id == model.id,
                           Recipient.user_id == principal.user_id)
    granted = exists().where(RecordGrant.record_entity == model.entity, RecordGrant.record_id == model.id,
                             RecordGrant.agency_id == principal.agency_id)
    return _rule(principal, model.tlp, model.owning_agency_id == principal.agency_id, named, granted)


def visible_in_tally(tally, principal: Principal) -> ColumnElement[bool]:
    """The same rule for a tally's counts, which name nobody: RED is never counted from a tally
    (a viewer's RED records are counted from their own rows of the RED twin, `visible_as_named`), and
    a record another agency granted after a contact request is not counted (it is listed)."""
    return and_(tally.tlp != TLP.RED, _rule(principal, tally.tlp, tally.owning_agency_id == principal.agency_id,
                                           false(), false()))


def visible_as_named(model: type[MarkedRecord], principal: Principal) -> ColumnElement[bool]:
    """The same rule for rows already known to name the principal as a recipient (a query that
    starts from their recipient entries), so the named check is not made twice."""
    return _rule(principal, model.tlp, model.owning_agency_id == principal.agency_id, true(), false())


def _rule(principal: Principal, tlp, own: ColumnElement[bool], named: ColumnElement[bool],
          granted: ColumnElement[bool]) -> ColumnElement[bool]:
    if principal.role is Role.COMMANDER:
        return or_(tlp != TLP.RED, named)
    if principal.role in READS_AS_PARTNER:
        return or_(tlp.in_(OPEN_TO_PARTNERS), and_(tlp == TLP.AMBER_STRICT, or_(own, granted)),
                   and_(tlp == TLP.RED, own, named))
    return false()


def can_brief(principal: Principal) -> bool:
    """Briefings are for everyone who reads operational records; each holds only what its author may read."""
    return principal.role is Role.COMMANDER or principal.role in READS_AS_PARTNER


def can_write(principal: Principal, action: Action, *, kind: Kind | None = None, owning_agency_id: int | None = None,
              holder_agency_id: int | None = None) -> bool:
    """May the principal do `action` to a record of `kind` it can read? (Reading is checked separately.)"""
    role = principal.role
    own = owning_agency_id is not None and owning_agency_id == principal.agency_id
    if action is Action.MANAGE_USERS:
        return role is Role.ADMIN
    if role is Role.COMMANDER:
        # commanders run the tasks of every agency; other records belong to their agencies
        return kind is not None and kind.run_by_command and action in (
            Action.CREATE, Action.UPDATE, Action.ADD_NOTE, Action.CHANGE_TASK_STATUS, Action.REASSIGN_TASK)
    if role is Role.LIAISON:
        if action is Action.TRANSFER_CUSTODY:
            return holder_agency_id is not None and holder_agency_id == principal.agency_id
        if action is Action.REASSIGN_TASK:
            return False
        return own
    if role is Role.ANALYST:
        return action is Action.ADD_NOTE
    return False


# --- what a page may offer (the services decide again when asked) -------------------------------

def can_create(principal: Principal, kind: Kind) -> bool:
    return can_write(principal, Action.CREATE, kind=kind, owning_agency_id=principal.agency_id)


def can_edit(principal: Principal, kind: Kind, owning_agency_id: int) -> bool:
    return can_write(principal, Action.UPDATE, kind=kind, owning_agency_id=owning_agency_id)


def can_add_update(principal: Principal, task_owning_agency_id: int) -> bool:
    """A note on a task (with or without a status change, which the service checks with its version)."""
    return can_write(principal, Action.ADD_NOTE, kind=TASKS, owning_agency_id=task_owning_agency_id)


def can_transfer(principal: Principal, holder_agency_id: int) -> bool:
    return can_write(principal, Action.TRANSFER_CUSTODY, holder_agency_id=holder_agency_id)


def can_change_package_status(principal: Principal, package_owning_agency_id: int) -> bool:
    """A target package moves through its day by its lead agency's liaisons (commanders watch)."""
    return can_write(principal, Action.UPDATE, kind=TARGET_PACKAGES, owning_agency_id=package_owning_agency_id)


def oversees_conflicts(principal: Principal) -> bool:
    """Command hears of every conflict between packages it may read, with both sides named."""
    return principal.role is Role.COMMANDER


def told_of_conflict(principal: Principal, own_package_agency_id: int, other_tlp: TLP) -> bool:
    """A lead agency's people hear that their package conflicts with another agency's (never which);
    a conflict with a RED package is told to the RED package's agency alone."""
    return (principal.role in READS_AS_PARTNER and principal.agency_id == own_package_agency_id
            and other_tlp is not TLP.RED)


def can_import(principal: Principal, kind: Kind) -> bool:
    """Spreadsheets come in through an agency's liaison, for the kinds that import."""
    return kind.importable and principal.role is Role.LIAISON


def can_manage_users(principal: Principal) -> bool:
    return can_write(principal, Action.MANAGE_USERS)


# Which pages each role works in (by page name): a page not listed is not routable for the role.
_RECORD_PAGES = ["dashboard", "suspects", "arrests", "evidence", "tasks"]
_PAGES_BY_ROLE: dict[Role, list[str]] = {
    Role.ADMIN: ["users"],
    Role.COMMANDER: ["overview", *_RECORD_PAGES],
    Role.LIAISON: ["my_tasks", "overview", *_RECORD_PAGES],  # a liaison starts from their agency's tasks
    Role.ANALYST: ["overview", *_RECORD_PAGES],
    Role.OBSERVER: ["overview", *_RECORD_PAGES],
}


# the action day: a liaison records its agency's packages; everyone who reads records watches the board
_ACTION_DAY_PAGES: dict[Role, list[str]] = {
    Role.COMMANDER: ["action_day", "packages"],
    Role.LIAISON: ["my_packages", "action_day", "packages"],
    Role.ANALYST: ["action_day", "packages"],
    Role.OBSERVER: ["action_day", "packages"],
}


def pages_for(principal: Principal) -> list[str]:
    return list(_PAGES_BY_ROLE.get(principal.role, [])) + _ACTION_DAY_PAGES.get(principal.role, [])
