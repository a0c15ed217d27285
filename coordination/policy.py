"""Who may see and do what: the role x agency x marking table of DESIGN.md, as pure functions
(ARCHITECTURE.md, "The one reader": every form of the rule here applies the reader's limit).

`can_read` decides for one record in Python; `visible` is the same rule as a SQL clause, and is
the ONE scoping function every read path (tables, counts, charts, exports, PDF) goes through.
Tests check the two agree on every combination. The principal carries its limit (`up_to`, the
highest marking a shareable document may hold): every form of the rule here applies it, telling
(`is_told`, `told`) included, so no section or count can leave it out.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, false, not_, or_, true

from coordination.kinds import ACTION_DAY, DECISIONS, KINDS, RECORDS, TARGET_PACKAGES, TASKS, Kind
from coordination.markings import TLP, at_most
from coordination.models import MarkedRecord, Membership, OperationStatus, Recipient, RecordGrant, Role
from coordination.principal import Principal

OPEN_TO_PARTNERS = (TLP.CLEAR, TLP.GREEN, TLP.AMBER)
READS_AS_PARTNER = (Role.LIAISON, Role.ANALYST, Role.OBSERVER)


class Action(enum.StrEnum):
    CREATE = "create"  # a suspect, arrest, evidence item or task
    UPDATE = "update"
    TRANSFER_CUSTODY = "transfer custody"
    RECORD_ACQUISITION = "record acquisition"  # a device's data imaged or extracted at the lab
    ADD_NOTE = "add note"  # a task update without a status change
    CHANGE_TASK_STATUS = "change task status"  # a task update with one
    REASSIGN_TASK = "reassign task"  # to another agency or person
    MANAGE_USERS = "manage users"


def can_read(principal: Principal, owning_agency_id: int, tlp: TLP, recipient_ids: Collection[int],
             granted_agency_ids: Collection[int] = ()) -> bool:
    """`granted_agency_ids`: the agencies an approved contact request lets read this record."""
    if not within_limit(principal, tlp):
        return False
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
    return and_(in_operation(model, principal),
                _rule(principal, model.tlp, model.owning_agency_id == principal.agency_id, named, granted))


def in_operation(model, principal: Principal) -> ColumnElement[bool]:
    """Rows of the principal's operation only: nothing of another operation is read, counted or told
    (a principal of no operation matches no row)."""
    return model.operation_id == principal.operation_id


def reads_operation(principal: Principal, operation_id: int | None) -> bool:
    """Python twin of `in_operation`, for one record already loaded."""
    return principal.operation_id is not None and principal.operation_id == operation_id


def visible_in_tally(tally, principal: Principal) -> ColumnElement[bool]:
    """The same rule for a tally's counts, which name nobody: RED is never counted from a tally
    (a viewer's RED records are counted from their own rows of the RED twin, `visible_as_named`), and
    a record another agency granted after a contact request is not counted (it is listed)."""
    return and_(in_operation(tally, principal), tally.tlp != TLP.RED,
                _rule(principal, tally.tlp, tally.owning_agency_id == principal.agency_id,
                                           false(), false()))


def visible_as_named(model: type[MarkedRecord], principal: Principal) -> ColumnElement[bool]:
    """The same rule for rows already known to name the principal as a recipient (a query that
    starts from their recipient entries), so the named check is not made twice."""
    return and_(in_operation(model, principal),
                _rule(principal, model.tlp, model.owning_agency_id == principal.agency_id, true(), false()))


def within_limit(principal: Principal, tlp: TLP) -> bool:
    """Is a record marked `tlp` within the principal's limit (a shareable document's highest marking)?"""
    return principal.up_to is None or tlp.rank <= principal.up_to.rank


def _limit(principal: Principal, tlp) -> ColumnElement[bool]:
    """SQL twin of `within_limit` for a column of TLP labels."""
    return tlp.in_(at_most(principal.up_to)) if principal.up_to is not None else true()


def _rule(principal: Principal, tlp, own: ColumnElement[bool], named: ColumnElement[bool],
          granted: ColumnElement[bool]) -> ColumnElement[bool]:
    if principal.role is Role.COMMANDER:
        return and_(_limit(principal, tlp), or_(tlp != TLP.RED, named))
    if principal.role in READS_AS_PARTNER:
        return and_(_limit(principal, tlp), or_(
            tlp.in_(OPEN_TO_PARTNERS), and_(tlp == TLP.AMBER_STRICT, or_(own, granted)),
            and_(tlp == TLP.RED, own, named)))
    return false()


# --- deconfliction: who is told of a hit -------------------------------------------------------

@dataclass(frozen=True)
class HitSide:
    """One side of a hit as the telling rule sees it: the identifier's copy of its record's owner and
    marking, whether the principal is a named recipient of that record, and its operation (None: not
    known, never told)."""

    owning_agency_id: int
    tlp: TLP
    named: bool = False
    operation_id: int | None = None


def is_told(principal: Principal, mine: HitSide, other: HitSide) -> bool:
    """Is the principal told of a hit, as a person of `mine`'s side? Each side's people who may read
    their own side's record are told, unless the other side is RED and theirs is not (a hit on a RED
    record is told to the RED record's owner only); within one agency of one operation (a possible
    duplicate), only those who may read both records. Commanders are told of hits where neither side
    is RED. A reader with a limit (a shareable document) is told only of hits whose two sides are both
    within it. The viewer's side is of the principal's operation; the other side may be of another
    operation, told as another agency's is (never a duplicate: the same agency there is another
    operation), whether or not the principal is a member there too."""
    if not reads_operation(principal, mine.operation_id) or other.operation_id is None:
        return False
    if not (within_limit(principal, mine.tlp) and within_limit(principal, other.tlp)):
        return False
    if principal.role is Role.COMMANDER and mine.tlp is not TLP.RED and other.tlp is not TLP.RED:
        return True
    if principal.role is not Role.COMMANDER and principal.role not in READS_AS_PARTNER:
        return False

    def reads_own(side: HitSide) -> bool:
        return side.owning_agency_id == principal.agency_id and (side.tlp is not TLP.RED or side.named)
    if not reads_own(mine):
        return False
    if other.owning_agency_id == mine.owning_agency_id and other.operation_id == mine.operation_id:
        return reads_own(other)
    return other.tlp is not TLP.RED or mine.tlp is TLP.RED


def told(principal: Principal, mine, other) -> ColumnElement[bool]:
    """SQL twin of `is_told` over two aliases of Identifier: add it to every query of hits."""
    def reads_own(side) -> ColumnElement[bool]:
        named = exists().where(Recipient.entity == side.record_entity, Recipient.entity_id == side.record_id,
                               Recipient.user_id == principal.user_id)
        return and_(side.owning_agency_id == principal.agency_id, or_(side.tlp != TLP.RED, named))
    clauses = []
    if principal.role is Role.COMMANDER:
        clauses.append(and_(mine.tlp != TLP.RED, other.tlp != TLP.RED))
    if (principal.role is Role.COMMANDER or principal.role in READS_AS_PARTNER) and principal.agency_id is not None:
        duplicate = and_(other.owning_agency_id == mine.owning_agency_id, other.operation_id == mine.operation_id)
        clauses.append(and_(reads_own(mine), or_(
            and_(duplicate, reads_own(other)),
            and_(not_(duplicate), or_(other.tlp != TLP.RED, mine.tlp == TLP.RED)))))
    if not clauses:
        return false()
    # the viewer's side of the principal's operation; the other side of it or of another
    return and_(in_operation(mine, principal), _limit(principal, mine.tlp), _limit(principal, other.tlp),
                or_(*clauses))


def may_be_told(principal: Principal, hit) -> ColumnElement[bool]:
    """What `told` implies of a hit, checked on the hit row alone (`hit`: the Hit model, whose rows copy
    each side's operation, agency and marking) before its identifiers are read: a side of the
    principal's operation (for a partner, their agency's side there), and a limited reader only of
    hits within the limit."""
    within = and_(_limit(principal, hit.first_tlp), _limit(principal, hit.second_tlp))
    # the first side's operation is the hit's own `operation_id` (indexed with the time found, as the
    # second side's is): each branch of the OR an index of its own
    first, second = hit.operation_id == principal.operation_id, hit.second_operation_id == principal.operation_id
    if principal.role is Role.COMMANDER:
        return and_(within, or_(first, second))
    if principal.role in READS_AS_PARTNER and principal.agency_id is not None:
        return and_(within, or_(and_(first, hit.first_agency_id == principal.agency_id),
                                and_(second, hit.second_agency_id == principal.agency_id)))
    return false()


def can_manage_exclusions(principal: Principal) -> bool:
    """The exclusion list (values that match everywhere and mean nothing) is command's."""
    return principal.role is Role.COMMANDER


def can_brief(principal: Principal) -> bool:
    """Briefings are for everyone who reads operational records; each holds only what its author may read."""
    return principal.role is Role.COMMANDER or principal.role in READS_AS_PARTNER


def can_brief_as_others(principal: Principal) -> bool:
    """Commanders hand briefings out to partners: they may make one as another agency's liaison
    would receive it (which never holds more than the commander reads)."""
    return principal.role is Role.COMMANDER


def can_write(principal: Principal, action: Action, *, kind: Kind | None = None, owning_agency_id: int | None = None,
              holder_agency_id: int | None = None) -> bool:
    """May the principal do `action` to a record of `kind` it can read? (Reading is checked separately.)"""
    role = principal.role
    own = owning_agency_id is not None and owning_agency_id == principal.agency_id
    if action is Action.MANAGE_USERS:
        return role is Role.ADMIN
    if kind is not None and kind.command_only:  # the decision log: commanders record (CREATE) and pin (UPDATE)
        return role is Role.COMMANDER and action in (Action.CREATE, Action.UPDATE)
    if role is Role.COMMANDER:
        # commanders run the tasks of every agency; other records belong to their agencies
        return kind is not None and kind.run_by_command and action in (
            Action.CREATE, Action.UPDATE, Action.ADD_NOTE, Action.CHANGE_TASK_STATUS, Action.REASSIGN_TASK)
    if role is Role.LIAISON:
        if action in (Action.TRANSFER_CUSTODY, Action.RECORD_ACQUISITION):  # who holds the device images it
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


def can_record_acquisition(principal: Principal, holder_agency_id: int) -> bool:
    return can_write(principal, Action.RECORD_ACQUISITION, holder_agency_id=holder_agency_id)


def can_change_package_status(principal: Principal, package_owning_agency_id: int) -> bool:
    """A target package moves through its day by its lead agency's liaisons (commanders watch)."""
    return can_write(principal, Action.UPDATE, kind=TARGET_PACKAGES, owning_agency_id=package_owning_agency_id)


@dataclass(frozen=True)
class ConflictSide:
    """One package of an event conflict as the telling rule sees it: its lead agency, its marking,
    its named recipients (RED), the agencies a contact request granted it, and its operation (None:
    not known, never told)."""

    owning_agency_id: int
    tlp: TLP
    recipient_ids: frozenset[int] = frozenset()
    granted_agency_ids: frozenset[int] = frozenset()
    operation_id: int | None = None


@dataclass(frozen=True)
class ToldOfConflict:
    """What one person is told of a conflict: for each side (in the order given) whether it is named to
    them (its reference, its agency, how to reach its liaison), which side is their own agency's
    (a lead agency's liaison; None for command), and which side is of another operation (None: both
    of the reader's), told as "another operation" with whom to contact there, never named."""

    named: tuple[bool, bool]
    own: int | None = None
    elsewhere: int | None = None


def what_is_told_of_conflict(principal: Principal, first: ConflictSide, second: ConflictSide) -> ToldOfConflict | None:
    """Who is told of a conflict between two packages of different lead agencies, and what (None: not
    told at all). A side is named to a person only when they may read it (`can_read`); a side they may
    not read is "another agency's package", never its reference nor its agency.

    - A lead agency's liaisons who may read their own package are told, the other side named when
      they may read it (then they reach its liaison), else sent to command.
    - A commander is told when they may read both sides, or when they are named on one (a RED package
      names at least one commander, so command can deconflict whatever a liaison is sent to it about);
      a commander who may read one side only is not told (that would tell them the other, RED, exists).
    - Nobody else is told. The answer does not depend on the order of the sides.
    - A reader with a limit (a shareable document) is told only of conflicts whose two sides are
      within it, as with hits: an unnamed side above it would still be told to exist.
    - One side at least is of the principal's operation. A side of another operation is never named
      (whether or not the principal is a member there too: they read as a member of this one); it is
      read as command would read it there: a commander is told when their side is readable and the
      other is not RED, or their own side is RED too (a RED package's conflict told to command only
      as today, where command may not read the other side)."""
    sides = (first, second)
    mine = [reads_operation(principal, side.operation_id) for side in sides]
    if not any(mine) or any(side.operation_id is None for side in sides) \
            or not all(within_limit(principal, side.tlp) for side in sides):
        return None
    elsewhere = None if all(mine) else mine.index(False)
    def reads(n: int) -> bool:
        side = sides[n]
        return mine[n] and can_read(principal, side.owning_agency_id, side.tlp, side.recipient_ids,
                                    side.granted_agency_ids)
    readable = (reads(0), reads(1))
    if principal.role is Role.LIAISON:
        own = [n for n, side in enumerate(sides) if readable[n] and side.owning_agency_id == principal.agency_id]
        return ToldOfConflict(readable, own[0], elsewhere) if own else None
    if principal.role is Role.COMMANDER:
        if elsewhere is not None:
            here, there = sides[1 - elsewhere], sides[elsewhere]
            told = readable[1 - elsewhere] and (there.tlp is not TLP.RED or here.tlp is TLP.RED)
            return ToldOfConflict(readable, None, elsewhere) if told else None
        named_on = any(side.tlp is TLP.RED and principal.user_id in side.recipient_ids for side in sides)
        return ToldOfConflict(readable) if all(readable) or named_on else None
    return None


def acknowledges_conflicts(principal: Principal) -> bool:
    """Command acknowledges the conflicts between packages it is told of (`can_acknowledge_conflict`)."""
    return principal.role is Role.COMMANDER


def can_acknowledge_conflict(principal: Principal, told: ToldOfConflict | None) -> bool:
    """Command acknowledges a conflict it is told of (both sides readable, or named on a RED one)."""
    return acknowledges_conflicts(principal) and told is not None


def told_the_acknowledgement_note(told: ToldOfConflict) -> bool:
    """Who acknowledged a conflict and their note are told to a reader told both sides: the note may
    name either package, and its author which agency's command deals with it."""
    return all(told.named)


def conflicts_told(principal: Principal, first, second) -> ColumnElement[bool]:
    """SQL twin of `what_is_told_of_conflict` being told at all, over two aliases of TargetPackage (one
    side at least of the principal's operation; the other of it or of another)."""
    within = and_(or_(in_operation(first, principal), in_operation(second, principal)),
                  _limit(principal, first.tlp), _limit(principal, second.tlp))
    if principal.role is Role.LIAISON and principal.agency_id is not None:
        return and_(within, or_(*(and_(side.owning_agency_id == principal.agency_id, visible(side, principal))
                                  for side in (first, second))))
    if principal.role is Role.COMMANDER:
        named_on = [and_(side.tlp == TLP.RED, exists().where(
            Recipient.entity == side.entity, Recipient.entity_id == side.id, Recipient.user_id == principal.user_id))
            for side in (first, second)]
        same = and_(in_operation(first, principal), in_operation(second, principal))
        across = [and_(visible(here, principal), not_(in_operation(there, principal)),
                       or_(there.tlp != TLP.RED, here.tlp == TLP.RED))
                  for here, there in ((first, second), (second, first))]
        return and_(within, or_(and_(same, or_(and_(visible(first, principal), visible(second, principal)),
                                               *named_on)), *across))
    return false()


def red_package_names_command(recipient_roles: Collection[Role]) -> bool:
    """A RED package names at least one commander among its recipients, so command can deconflict it."""
    return Role.COMMANDER in recipient_roles


def can_import(principal: Principal, kind: Kind) -> bool:
    """Spreadsheets come in through an agency's liaison, for the kinds that import."""
    return kind.importable and principal.role is Role.LIAISON


def can_record_decision(principal: Principal) -> bool:
    """Write a decision into the log, or correct one (a correction is a new entry)."""
    return can_write(principal, Action.CREATE, kind=DECISIONS, owning_agency_id=principal.agency_id)


def can_pin_decision(principal: Principal) -> bool:
    return can_write(principal, Action.UPDATE, kind=DECISIONS)


def can_manage_users(principal: Principal) -> bool:
    return can_write(principal, Action.MANAGE_USERS)


# Which pages each role works in (by page name): a page not listed is not routable for the role.
# A kind's own page is named as the kind (pages/<name>.py) and listed among its section's pages.
_RECORD_PAGES = ["dashboard", *(kind.name for kind in KINDS.values() if kind.section == RECORDS)]
_RECORD_PAGES += ["deconfliction"]  # hits, contact requests, checks: told through `told`, never more
_PAGES_BY_ROLE: dict[Role, list[str]] = {
    Role.ADMIN: ["users"],
    Role.COMMANDER: ["overview", *_RECORD_PAGES],
    Role.LIAISON: ["my_tasks", "overview", *_RECORD_PAGES],  # a liaison starts from their agency's tasks
    Role.ANALYST: ["overview", *_RECORD_PAGES],
    Role.OBSERVER: ["overview", *_RECORD_PAGES],
}


# Everyone who reads operational records reads the operation's timeline and its decision log.
for _role in (Role.COMMANDER, Role.LIAISON, Role.ANALYST, Role.OBSERVER):
    _PAGES_BY_ROLE[_role] = [*_PAGES_BY_ROLE[_role], "timeline", "decisions"]


# --- deconfliction: contact requests, checks, the matching key -----------------------------------

def can_ask_for_contact(principal: Principal, told: bool, own_agency_id: int, other_agency_id: int) -> bool:
    """A liaison told of a hit asks the OTHER agency (never their own) about its record."""
    return (principal.role is Role.LIAISON and told and own_agency_id == principal.agency_id
            and other_agency_id != principal.agency_id)


def can_decide_contact(principal: Principal, owner_agency_id: int) -> bool:
    """Approving or declining a contact request is for a liaison of the agency asked."""
    return principal.role is Role.LIAISON and principal.agency_id == owner_agency_id


def sees_contact_requests(principal: Principal) -> bool:
    """Those who read operational records see their agency's requests, asked and received."""
    return principal.role is Role.COMMANDER or principal.role in READS_AS_PARTNER


def sees_overdue_contact_requests(principal: Principal) -> bool:
    return principal.role is Role.COMMANDER


def can_check_identifier(principal: Principal) -> bool:
    """Checking a value before acting: those who act or read across the operation, never observers."""
    return principal.role in (Role.COMMANDER, Role.LIAISON, Role.ANALYST)


def can_rotate_key(principal: Principal) -> bool:
    """Re-keying every identifier (of every operation: the key is the deployment's) is a decision of
    command."""
    return principal.role is Role.COMMANDER


# --- notifications ----------------------------------------------------------------------------

def _personal_pages(principal: Principal) -> list[str]:
    """Everyone who reads operational records has an inbox (what they are told is scoped like the rest)."""
    return ["inbox"] if can_brief(principal) else []


def hears_for_agency(user, operation_id) -> ColumnElement[bool]:
    """Which users of an agency are told what happens to the agency's work in operation `operation_id`
    (a task assigned to it, custody handed to it, its reminders): its liaisons THERE (their membership's
    role, never a role held in another operation). `user` is the User model (or an alias);
    `operation_id` an id or a column (the record's)."""
    return _member_as(user, operation_id, Role.LIAISON)


def hears_for_operation(user, operation_id) -> ColumnElement[bool]:
    """Which users are told what concerns the whole operation `operation_id` (an action-day conflict):
    its command (members there as commanders)."""
    return _member_as(user, operation_id, Role.COMMANDER)


def hears_personally(user, operation_id) -> ColumnElement[bool]:
    """Who may be told what names them (a task assigned to them, a RED record naming them, their own
    briefing) in operation `operation_id`: its members, in whatever role."""
    return _member_as(user, operation_id)


def _member_as(user, operation_id, role: Role | None = None) -> ColumnElement[bool]:
    return exists().where(Membership.user_id == user.id, Membership.operation_id == operation_id,
                          *([Membership.role == role] if role is not None else []))


def can_schedule_briefing(principal: Principal) -> bool:
    """A commander may have a briefing made for them every day by the reminder pass."""
    return principal.role is Role.COMMANDER


# the action day: a liaison records its agency's packages; everyone who reads records watches the board
_ACTION_DAY_KINDS = [kind.name for kind in KINDS.values() if kind.section == ACTION_DAY]  # target packages
_ACTION_DAY_PAGES: dict[Role, list[str]] = {
    Role.COMMANDER: ["action_day", *_ACTION_DAY_KINDS],
    Role.LIAISON: ["my_packages", "action_day", *_ACTION_DAY_KINDS],
    Role.ANALYST: ["action_day", *_ACTION_DAY_KINDS],
    Role.OBSERVER: ["action_day", *_ACTION_DAY_KINDS],
}


def pages_for(principal: Principal) -> list[str]:
    return (list(_PAGES_BY_ROLE.get(principal.role, [])) + _ACTION_DAY_PAGES.get(principal.role, [])
            + _personal_pages(principal))


# --- operations and memberships ----------------------------------------------------------------
# An operation's command runs it; admins provision it and its members. A role is a role in one
# operation: every check below reads the principal's operation, so commanding one grants nothing in another.

# The way an operation goes; a step back (re-opening a closed one included) is command's, with a reason.
OPERATION_STEPS = tuple(OperationStatus)
COMMAND_DECIDES = (OperationStatus.CLOSING, OperationStatus.CLOSED)  # closing an operation is command's


def can_open_operation(principal: Principal) -> bool:
    """An admin opens an operation, or a commander (who becomes its commander)."""
    return principal.role in (Role.ADMIN, Role.COMMANDER)


def commands_operation(principal: Principal, operation_id: int) -> bool:
    """Is the principal acting as a commander of this operation (not of another one)?"""
    return principal.role is Role.COMMANDER and reads_operation(principal, operation_id)


def is_step_back(current: OperationStatus, new: OperationStatus) -> bool:
    return OPERATION_STEPS.index(new) < OPERATION_STEPS.index(current)


def can_change_operation_status(principal: Principal, operation_id: int, current: OperationStatus,
                                new: OperationStatus) -> bool:
    """Its command moves an operation along, back (re-opening it) included; an admin moves it forward,
    except into closing and closed, which are command's decisions (archiving a closed one is housekeeping)."""
    if commands_operation(principal, operation_id):
        return True
    return principal.role is Role.ADMIN and not is_step_back(current, new) and new not in COMMAND_DECIDES


def sees_every_operation(principal: Principal) -> bool:
    """Admins list every operation (to provision its members); anyone else lists their own."""
    return principal.role is Role.ADMIN


def sees_members(principal: Principal, operation_id: int) -> bool:
    """Who takes part in an operation is read by its members (acting in it) and by admins."""
    return sees_every_operation(principal) or reads_operation(principal, operation_id)


def can_manage_memberships(principal: Principal) -> bool:
    """Admins provision who takes part in which operation, in which role."""
    return principal.role is Role.ADMIN


def may_be_member_as(role: Role) -> bool:
    """A membership's role is a working one: an admin provisions, and takes part in no operation as admin."""
    return role is not Role.ADMIN


MEMBERSHIP_ROLES = tuple(role for role in Role if may_be_member_as(role))  # what a form offers


def commands_what_they_open(principal: Principal) -> bool:
    """A commander who opens an operation becomes its commander (an admin takes no part in it)."""
    return principal.role is Role.COMMANDER and principal.user_id is not None
