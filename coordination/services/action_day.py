"""Target packages on the action day.

- `create_package`, `update_package`: a package is a marked record like the others (its subjects
  resolved among the suspects the principal may read; a RED one names a commander among its
  recipients, so command can deconflict it); each one created or moved is checked against the other
  agencies' packages (`deconflict`).
- `change_package_status`: one step of the state machine (`models.NEXT`), by the lead agency's
  liaisons; an outcome writes what it found in the same transaction: "arrest made" the arrests
  (`records.create_arrest`), a search that seized items the exhibits (`evidence.create_evidence_item`,
  custody starting with the package's agency). Any part refused, nothing is written. A tap carries
  the status it was pressed on: on a package moved from it since, refused naming who moved it and
  when (`AlreadyMoved`, a conflict).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, insert, or_, select
from sqlalchemy.orm import Session

from coordination import audit, deconfliction_key, notices, places, policy, settings
from coordination import fields as f
from coordination.deconfliction_key import MatchingKey
from coordination.errors import AlreadyMoved, ValidationError
from coordination.kinds import SEIZURE_HASH_LABEL, TARGET_PACKAGES
from coordination.markings import TLP
from coordination.models import (
    NEXT,
    EvidenceType,
    Jurisdiction,
    Operation,
    PackageConflict,
    PackageStatus,
    PackageStatusChange,
    PackageSubject,
    Recipient,
    TargetPackage,
    User,
    utcnow,
)
from coordination.principal import Principal
from coordination.services import evidence, package_conflicts, records
from coordination.services.authorisation import authorise
from coordination.services.identifiers import operation_key
from coordination.services.loading import load_visible, once_a_transaction, recipient_ids
from coordination.services.merge import check_version, flush_or_conflict
from coordination.services.notifications import forget, notify
from coordination.services.pipeline import create_record, update_record
from coordination.services.unique_references import check_reference

MAX_EXHIBITS = 50
NOTE = f.text(1_000, multiline=True)
# what an exhibit collected and sealed at the door holds (ISO/IEC 27037); the rest comes from the
# package. No hash for a device: its data is hashed when acquired at the lab (services.acquisitions)
EXHIBIT = {
    "item_type": f.Field(f.choice(EvidenceType), required=True, label="Type"),
    "description": f.Field(f.text(1000), required=True, label="Description"),
    "where_found": f.Field(f.text(300), label="Where found"),
    "seal_number": f.Field(f.text(64), label="Seal number"),
    "condition": f.Field(f.text(300), label="Condition"),
    "seized_by": f.Field(f.text(200), label="Seized by"),
    "seized_at": f.Field(f.moment, label="Time seized"),  # empty: the moment the outcome is recorded
    "sha256": f.Field(f.sha256, label=SEIZURE_HASH_LABEL),
}
SEIZED_ITEM = re.compile(r"seized item (\d+): ")  # how a row's problems are named


def row_of(problem: str) -> int | None:
    """The row (from 1) a problem of `change_package_status` is about, or None: a form shows it there."""
    found = SEIZED_ITEM.match(problem)
    return int(found.group(1)) if found else None


WHERE_IT_IS = frozenset({"address", "latitude", "longitude", "h_hour", "owning_agency_id", "jurisdiction_id"})


# --- the package itself -----------------------------------------------------------------------

def create_package(session: Session, principal: Principal, data: dict[str, Any]) -> TargetPackage:
    def check(values):
        check_reference(session, principal, TARGET_PACKAGES, values["reference"], values["owning_agency_id"])
        _blank_texts(values)
        values["status"] = PackageStatus.PLANNED
    package = create_record(session, principal, TARGET_PACKAGES, data, check)
    _refuse_red_without_command(session, package)
    session.add(PackageStatusChange(package_id=package.id, status_from=None, status_to=PackageStatus.PLANNED,
                                    note="created", changed_by_id=principal.user_id))
    deconflict(session, package)
    return package


def package_rules(session: Session, principal: Principal, values: dict[str, Any]) -> None:
    """What `create_package` fills besides the fields, for a bulk import's new rows (services.imports
    checks their references as it does every bulk kind's, and inserts them in batches)."""
    _blank_texts(values)
    values["status"] = PackageStatus.PLANNED


def packages_inserted(session: Session, principal: Principal,
                      inserted: Sequence[tuple[int, dict[str, Any], list[int] | None]]) -> dict[int, dict[str, str]]:
    """What `create_package` writes besides the row, for the new packages a bulk import inserted
    (id, checked values, RED recipients): subjects, the first status change, the RED rule and the
    deconfliction of each (all inserted first: two of the file at one door meet either way). Returns
    the problems of the packages refused, by their place in `inserted`; the import then writes nothing."""
    subjects = [{"package_id": package_id, "suspect_id": suspect_id}
                for package_id, values, _ in inserted for suspect_id in values.get("subject_ids") or ()]
    if subjects:
        session.execute(insert(PackageSubject), subjects)
    session.execute(insert(PackageStatusChange), [
        {"package_id": package_id, "status_from": None, "status_to": PackageStatus.PLANNED, "note": "created",
         "changed_by_id": principal.user_id, "changed_at": utcnow()} for package_id, _, _ in inserted])
    where = {package_id: n for n, (package_id, _, _) in enumerate(inserted)}
    packages = [package for start in range(0, len(inserted), 1000) for package in session.scalars(
        select(TargetPackage).where(TargetPackage.id.in_([package_id for package_id, _, _ in
                                                          inserted[start:start + 1000]])).order_by(TargetPackage.id))]
    # keyed before any is checked: the unkeyed packages the first check keys are then those recorded
    # before the key, not the file's own; each address is read once
    keyed = {package.id: _address_keys_of(session, package) for package in packages}
    for package in packages:
        _set_keys(package, keyed[package.id])
    problems: dict[int, dict[str, str]] = {}
    met: set[int] = set()  # the file's packages a conflict was found with so far
    for package in packages:
        try:
            _refuse_red_without_command(session, package)
        except ValidationError as error:
            problems[where[package.id]] = error.problems
            continue
        recipients = inserted[where[package.id]][2]
        if recipients:
            notify(session, notices.NAMED_RECIPIENT, TargetPackage.entity, package.id, users=recipients,
                   actor=principal)
        found = deconflict(session, package, keyed[package.id], fresh=package.id not in met)
        met.update(pair for conflict in found for pair in (conflict.first_id, conflict.second_id))
    return problems


def update_package(session: Session, principal: Principal, package_id: int, expected_version: int,
                   changes: dict[str, Any], loaded: dict[str, Any] | None = None) -> TargetPackage:
    """Edit a package's plan. Its status moves only by `change_package_status`."""
    if "status" in changes:
        raise ValidationError({"status": "changes only by a status change, one step at a time"})

    def check(record, changed):
        if "reference" in changed or "owning_agency_id" in changed:
            check_reference(session, principal, TARGET_PACKAGES, changed.get("reference", record.reference),
                            changed.get("owning_agency_id", record.owning_agency_id), record.id)
    marked, placed = _marking_of(session, package_id), _where_it_is(session, package_id)
    package = update_record(session, principal, TARGET_PACKAGES, package_id, expected_version, changes,
                            normalise=lambda record, values: _blank_texts(values), check=check, loaded=loaded)
    if _marking_of(session, package_id) != marked:
        _refuse_red_without_command(session, package)
    if _where_it_is(session, package_id) != placed:
        deconflict(session, package)  # only when it moved: a row saved unchanged writes nothing
    return package


def _marking_of(session: Session, package_id: int) -> tuple[TLP | None, set[int]]:
    return (session.scalar(select(TargetPackage.tlp).where(TargetPackage.id == package_id)),
            recipient_ids(session, TargetPackage.entity, package_id))


def _where_it_is(session: Session, package_id: int) -> tuple:
    """A package's place and time (`WHERE_IT_IS`), as stored: what deconfliction compares."""
    columns = [getattr(TargetPackage, name) for name in sorted(WHERE_IT_IS)]
    return tuple(session.execute(select(*columns).where(TargetPackage.id == package_id)).one_or_none() or ())


def _refuse_red_without_command(session: Session, package: TargetPackage) -> None:
    """A RED package names at least one (active) commander among its recipients, so that command may
    read it and deconflict it: a conflict with it is told to its lead agency and to the commanders
    named on it (policy.what_is_told_of_conflict). Checked when a package is made RED or its
    recipients change; the caller's transaction is rolled back with the refusal."""
    if package.tlp is not TLP.RED:
        return
    roles = session.scalars(select(User.role).join(Recipient, Recipient.user_id == User.id).where(
        Recipient.entity == TargetPackage.entity, Recipient.entity_id == package.id, User.active)).all()
    if not policy.red_package_names_command(roles):
        raise ValidationError({"recipients": "a RED package must name at least one commander among its "
                                             "recipients, so command can deconflict it"})


def _blank_texts(values: dict[str, Any]) -> None:
    if "risk_notes" in values and values["risk_notes"] is None:
        values["risk_notes"] = ""


# --- one step of the day ----------------------------------------------------------------------

def next_statuses(status: PackageStatus) -> tuple[PackageStatus, ...]:
    return NEXT[status]


def refusal_of_step(current: PackageStatus, wanted: PackageStatus) -> str:
    allowed = NEXT[current]
    if not allowed:
        return f"the package is {current.value}: its status cannot change any more"
    names = [f"'{status.value}'" for status in allowed]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    return f"cannot go from '{current.value}' to '{wanted.value}'; next can only be {listed}"


def change_package_status(session: Session, principal: Principal, package_id: int, expected_version: int,
                          new_status: Any, note: str = "", arrested: Sequence[int] | None = None,
                          exhibits: Sequence[Mapping[str, Any]] = (), pressed_on: Any = None) -> PackageStatusChange:
    """Move a package one step. "arrest made" arrests `arrested` (suspect ids among its subjects; all
    of them when None); "searched: items seized" (and "arrest made") records `exhibits` (type,
    description, where found, seal, condition, who and when: `EXHIBIT`; no hash for a device). "aborted"
    needs a reason in `note`.

    A tap carries the status it was pressed on (`pressed_on`) with the version: a package that has
    moved from that status since is refused naming who moved it and when (`AlreadyMoved`), nothing
    written; a package changed otherwise (its plan edited) is a `ConflictError` as any record's."""
    package = load_visible(session, principal, TargetPackage, package_id)
    problems: dict[str, str] = {}
    status = _parsed(session, f.choice(PackageStatus), new_status, "new_status", problems)
    seen = _parsed(session, f.choice(PackageStatus), pressed_on, "pressed_on", problems) \
        if pressed_on is not None else None
    note = _parsed(session, NOTE, note or "", "note", problems) or ""
    if len(exhibits) > MAX_EXHIBITS:
        problems["exhibits"] = f"lists {len(exhibits):,} items; at most {MAX_EXHIBITS} at once"
    if problems:
        raise ValidationError(problems)
    authorise(principal, policy.Action.UPDATE, TARGET_PACKAGES, package.id, owning_agency_id=package.owning_agency_id)
    if seen is not None and seen is not package.status:  # moved on since the tap's screen was drawn
        raise _already_moved(session, package)
    check_version(package, expected_version)
    if status not in NEXT[package.status]:
        raise ValidationError({"new_status": refusal_of_step(package.status, status)})
    if status is PackageStatus.ABORTED and not note:  # after the tap's checks: a stale abort is said as such
        raise ValidationError({"note": "is required: say why the package was aborted"})
    if exhibits and status not in (PackageStatus.ARREST_MADE, PackageStatus.ITEMS_SEIZED):
        raise ValidationError({"exhibits": "only an arrest or a search that seized items records exhibits"})
    if status is PackageStatus.ITEMS_SEIZED and not exhibits:
        raise ValidationError({"exhibits": "list at least one seized item (or record 'searched: nothing found')"})
    now = utcnow()
    made = _arrests(session, principal, package, arrested, now) if status is PackageStatus.ARREST_MADE else []
    seized = _exhibits(session, principal, package, exhibits, now)
    change = PackageStatusChange(package_id=package.id, status_from=package.status, status_to=status, note=note,
                                 changed_by_id=principal.user_id, changed_at=now)
    package.status, package.status_changed_at, package.updated_by_id = status, now, principal.user_id
    session.add(change)
    flush_or_conflict(session, TargetPackage, package.id)
    after = {"status": status, "note": note} | ({"arrests": made} if made else {}) | (
        {"exhibits": seized} if seized else {})
    audit.record(session, audit.NewEvent(principal, "change status", TargetPackage.entity, package.id,
                                         before={"status": change.status_from}, after=after))
    if status is PackageStatus.ABORTED:
        deconflict(session, package)  # an aborted package takes no part: its conflicts are removed
    return change


def _already_moved(session: Session, package: TargetPackage) -> AlreadyMoved:
    """A tap on a status the package has left: who moved it (their name and agency, as a conflict on
    any record names them; only the package's lead agency's liaisons, who may read it, get here) and
    when, in the package's local time."""
    last = session.scalars(select(PackageStatusChange).where(PackageStatusChange.package_id == package.id)
                           .order_by(PackageStatusChange.id.desc()).limit(1)).first()
    who = when = None
    if last is not None and last.changed_by is not None:
        who = last.changed_by.display_name
        if last.changed_by.agency is not None:
            who = f"{who}, {last.changed_by.agency.code}"
    moment = last.changed_at if last is not None else package.status_changed_at
    if moment is not None:
        zone = session.get(Jurisdiction, package.jurisdiction_id)
        local = moment.astimezone(ZoneInfo(zone.time_zone if zone is not None else "UTC"))
        today = utcnow().astimezone(local.tzinfo).date()
        when = f"{'' if local.date() == today else f'{local:%d %b} '}{local:%H:%M} {local.tzname()}"
    return AlreadyMoved(TargetPackage.entity, package.id, package.reference, package.status.value, who, moment,
                        when or "at an unknown time", package.version)


def _parsed(session: Session, parse, value: Any, name: str, problems: dict[str, str]) -> Any:
    try:
        return parse(session, value)
    except ValueError as error:
        problems[name] = str(error)
        return None


def _marking(session: Session, package: TargetPackage) -> dict[str, Any]:
    """What an outcome's records carry: the package's agency and marking (RED: its recipients)."""
    marking = {"tlp": package.tlp, "classification": package.classification, "owning_agency": package.owning_agency_id}
    if package.tlp.value == "RED":
        marking["recipients"] = sorted(recipient_ids(session, TargetPackage.entity, package.id))
    return marking


def _arrests(session: Session, principal: Principal, package: TargetPackage, arrested: Sequence[int] | None,
             now) -> list[str]:
    """One arrest per arrested subject, ready to complete: suspect, place, time, jurisdiction, on the day."""
    subjects = package.subject_ids
    chosen = subjects if arrested is None else sorted(set(arrested))
    if not subjects:
        raise ValidationError({"arrested": "the package names no subject: add its subjects first"})
    if not chosen or not set(chosen) <= set(subjects):
        raise ValidationError({"arrested": "choose at least one of the package's subjects"})
    jurisdiction = session.get(Jurisdiction, package.jurisdiction_id).code
    references = []
    for n, suspect_id in enumerate(chosen, start=1):
        reference = f"{package.reference[:56]}-A{n}"
        try:
            records.create_arrest(session, principal, {
                "reference": reference, "suspect": suspect_id, "jurisdiction": jurisdiction, "arrested_at": now,
                "place": package.address, "offences": f"to be completed (action day, {package.legal_authority})"[:500],
                "outcome": "in custody", "on_action_day": True, **_marking(session, package)})
        except ValidationError as error:
            if "suspect" in error.problems:  # raised out of their sight since it was named: never say which
                raise ValidationError({"arrested": "a subject of this package is no longer one you may read: "
                                                   "choose the subjects arrested among those you may"}) from None
            raise ValidationError({f"arrest {reference}: {name}": reason
                                   for name, reason in error.problems.items()}) from None
        references.append(reference)
    return references


def _exhibits(session: Session, principal: Principal, package: TargetPackage,
              exhibits: Sequence[Mapping[str, Any]], now) -> list[str]:
    """Each exhibit collected and sealed at the door as an evidence item held by the package's agency
    and team: every row checked, each refusal named by its row ("seized item 2: Type"), so a form keeps
    the others as typed; the caller's one transaction writes all of them or none."""
    references, problems = [], {}
    subjects = package.subject_ids
    for n, typed in enumerate(exhibits, start=1):
        try:
            values = f.parse_fields(session, EXHIBIT, typed if isinstance(typed, Mapping) else {})
            reference = f"{package.reference[:56]}-E{n}"
            evidence.create_evidence_item(session, principal, {
                "reference": reference, "item_type": values["item_type"], "description": values["description"],
                "sha256": values["sha256"], "suspect": subjects[0] if len(subjects) == 1 else None,
                "seized_from": package.address, "seized_at": values["seized_at"] or now,
                "seized_place": package.address, "where_found": values["where_found"],
                "seized_by": values["seized_by"], "status": "seized", "holder_name": package.team_call_sign,
                **_marking(session, package)}, seal_number=values["seal_number"], condition=values["condition"])
            references.append(reference)
        except ValidationError as error:
            problems |= {f"seized item {n}: {EXHIBIT[name].label_for(name) if name in EXHIBIT else name}": reason
                         for name, reason in error.problems.items()}
    if problems:
        raise ValidationError(problems)
    return references


# --- event deconfliction ----------------------------------------------------------------------

def deconflict(session: Session, package: TargetPackage,
               keyed: Mapping[str, str | None] | None = None, fresh: bool = False) -> list[PackageConflict]:
    """The conflicts of `package` with packages of other lead agencies at the same address or in the
    same building (any of their keys agreeing, compared keyed: `address_key_columns`, places.match)
    or within the set distance, whose windows (H-hour +/- the set hours) overlap. Found by the system
    whoever acts, so nobody learns of other agencies' packages by what they may create; kept as rows
    that only queries.action_day reads (each person is told of it as policy.what_is_told_of_conflict
    says). A conflict that no longer holds (the package moved, or was
    aborted) is removed, audited, with what was told of it; an aborted package takes no part any
    more, on either side. `keyed`: its address's keys when the caller has them already (an import);
    `fresh`: a package inserted in this transaction that no conflict has been found with yet, so it
    has none to revisit (an import's new rows: 2,000 lookups fewer)."""
    config = settings.load()
    key = _package_key(session, package.operation_id)
    keyed = _address_keys_of(session, package) if keyed is None else keyed
    if key and keyed["address_keyed"] is None:
        raise ValidationError({"address": "holds a character the address field now refuses (invisible or "
                                          "direction-changing, saved before it was refused): retype the address"})
    _set_keys(package, keyed)
    if key:
        _key_the_unkeyed(session, key, package)
    aborted = _was_aborted(session, package)
    others = [] if aborted else _near_in_time(session, package, config)
    holding = {}
    for other in others:
        reason, metres = _why(package, other, config.deconfliction_distance_m)
        if reason is not None:
            holding[tuple(sorted((package.id, other.id)))] = (reason, metres)
    system = Principal.system("deconfliction")
    for old in [] if fresh else session.scalars(select(PackageConflict).where(
            or_(PackageConflict.first_id == package.id, PackageConflict.second_id == package.id))):
        moved = f"package {package.id} " + ("was aborted" if aborted else "moved")
        if (old.first_id, old.second_id) not in holding:
            package_conflicts.lapse(session, old, moved, still_holds=False)
            session.delete(old)  # row by row, each with its event, as audited tables are
            forget(session, PackageConflict.entity, old.id)  # what it told no longer holds
            audit.record(session, audit.NewEvent(system, "remove", PackageConflict.entity, old.id,
                                                 before=_described(old), after={"why": moved}))
        else:  # still holds: kept (told already), its reason brought up to date, command's word lapsed
            package_conflicts.lapse(session, old, moved, still_holds=True)
            reason, metres = holding.pop((old.first_id, old.second_id))
            if (old.reason, old.distance_m) != (reason, metres):
                before = _described(old)
                old.reason, old.distance_m = reason, metres
                audit.record(session, audit.NewEvent(system, "update", PackageConflict.entity, old.id,
                                                     before=before, after=_described(old)))
    found = [PackageConflict(operation_id=package.operation_id, first_id=first, second_id=second, reason=reason,
                             distance_m=metres) for (first, second), (reason, metres) in holding.items()]
    session.add_all(found)
    session.flush()
    packages = {package.id: package, **{other.id: other for other in others}}
    for conflict in found:
        audit.record(session, audit.NewEvent(system, "find", PackageConflict.entity, conflict.id,
                                             after=_described(conflict)))
        _warn(session, conflict, packages[conflict.first_id], packages[conflict.second_id])
    return found


def _near_in_time(session: Session, package: TargetPackage, config: settings.Settings) -> list[TargetPackage]:
    """The packages, never aborted, of other lead agencies or of other operations (any agency: two
    operations of one agency at one door do not know of each other), that may lie near `package` in
    overlapping windows. The address keys are under the deployment's one key, so they meet across
    operations.

    Each key is asked with the operations (an IN list, the index's leading column), so that SQLite (no
    statistics) looks the keys up in their indexes, one each per operation, instead of walking every
    package of the day by H-hour (2,000 packages on one day: 3 ms a save instead of 0.04); never
    aborted is asked of each package found, by its id."""
    window = timedelta(hours=2 * config.deconfliction_window_h)  # two windows of +/- h overlap within 2h
    in_operations = TargetPackage.operation_id.in_(_operation_ids(session))
    near = [and_(in_operations, column == getattr(package, column.key)) for column in _MATCHED
            if getattr(package, column.key)]
    if package.latitude is not None and package.longitude is not None:
        d_lat, d_lon = places.degrees_around(package.latitude, config.deconfliction_distance_m)
        near.append(and_(in_operations,
                         TargetPackage.latitude.between(package.latitude - d_lat, package.latitude + d_lat),
                         TargetPackage.longitude.between(package.longitude - d_lon, package.longitude + d_lon)))
    aborted = exists(_aborted_ids().where(PackageStatusChange.package_id == TargetPackage.id))
    return list(session.scalars(select(TargetPackage).where(  # the operations: in each of `near`
        TargetPackage.id != package.id, or_(TargetPackage.owning_agency_id != package.owning_agency_id,
                                            TargetPackage.operation_id != package.operation_id),
        TargetPackage.h_hour.between(package.h_hour - window, package.h_hour + window), or_(*near),
        ~aborted))) if near else []


def _operation_ids(session: Session) -> list[int]:
    """Every operation's id, read once a transaction (an import checks thousands of packages)."""
    return once_a_transaction(session, "operations deconflicted", lambda: list(session.scalars(
        select(Operation.id).order_by(Operation.id))))


# --- the key: addresses are compared keyed, as identifiers are --------------------------------

KEY_COLUMNS = ("address_keyed", "postcode_keyed", "street_keyed", "unit_keyed", "bare_keyed")
# the keys that find the other packages (indexed with the operation): the flat alone finds nothing
_MATCHED = (TargetPackage.address_keyed, TargetPackage.postcode_keyed, TargetPackage.street_keyed,
            TargetPackage.bare_keyed)


def address_key_columns(key: MatchingKey | None, address: str, country: str | None) -> dict[str, str | None]:
    """A package's address in the match index: the keys of its building and flat by the conventions of
    its jurisdiction's `country` (places.address_keys), each keyed under the operation's key, never the
    plain text; the values of `KEY_COLUMNS`. All None without a key, or for an address the address
    field refuses (one stored before it refused invisible and direction-changing characters): keyed as
    typed it would miss its building, so such a package is matched by distance only until its address
    is corrected (`deconflict` asks for that)."""
    if key is None:
        return dict.fromkeys(KEY_COLUMNS)
    try:
        plain = places.address_keys(address, country)
    except ValueError:
        return dict.fromkeys(KEY_COLUMNS)
    keys = places.keyed(key, plain)
    return {"address_keyed": keys.folded, "postcode_keyed": keys.postcode, "street_keyed": keys.street,
            "unit_keyed": keys.unit, "bare_keyed": keys.bare}


def _address_keys_of(session: Session, package: TargetPackage) -> dict[str, str | None]:
    return address_key_columns(_package_key(session, package.operation_id), package.address,
                               _country(session, package.jurisdiction_id))


def _set_keys(package: TargetPackage, keyed: Mapping[str, str | None]) -> int:
    """Each key assigned only when it changes: an unchanged row keeps its version. 1 when the package
    is keyed now, else 0."""
    for column, value in keyed.items():
        if getattr(package, column) != value:
            setattr(package, column, value)
    return int(keyed["address_keyed"] is not None)


def _keys_of(package: TargetPackage) -> places.AddressKeys:
    return places.AddressKeys(package.address_keyed, package.postcode_keyed, package.street_keyed, package.unit_keyed,
                              package.bare_keyed)


def _country(session: Session, jurisdiction_id: int) -> str | None:
    countries = once_a_transaction(session, "jurisdictions' countries", lambda: dict(
        session.execute(select(Jurisdiction.id, Jurisdiction.country)).all()))
    return countries.get(jurisdiction_id)


def _package_key(session: Session, operation_id: int) -> MatchingKey | None:
    """The operation's key; None when none is configured (packages are still recorded, and matched by
    distance only until a key is there). A key file named but unreadable, or not the operation's key,
    refuses the write in words (KeyMissing): matching silently nothing would hide a conflict."""
    if not deconfliction_key.configured():
        return None
    return once_a_transaction(session, f"package key of operation {operation_id}", lambda: operation_key(
        session, Principal.system("deconfliction"), operation_id))


_UNKEYED_ASKED = "unkeyed packages asked for in transaction"


def _key_the_unkeyed(session: Session, key: MatchingKey, checked: TargetPackage) -> None:
    """Packages recorded while there was no key (or before keyed matching) are keyed once one is there,
    in every operation (the key is the deployment's, and packages meet across operations), so the
    packages checked from then on meet them; one audit event for each operation's lot. Asked once a
    transaction: every package it checks after that is keyed as it is checked (an import checks
    thousands)."""
    if session.info.get(_UNKEYED_ASKED) is session.get_transaction():
        return  # (a row refused after this rolls its savepoint back, but then the whole import is refused)
    session.info[_UNKEYED_ASKED] = session.get_transaction()
    unkeyed = session.scalars(select(TargetPackage).where(
        TargetPackage.address_keyed.is_(None), TargetPackage.id != checked.id)).all()
    keyed: dict[int, int] = {}
    for package in unkeyed:
        keyed[package.operation_id] = keyed.get(package.operation_id, 0) + _set_keys(
            package, address_key_columns(key, package.address, _country(session, package.jurisdiction_id)))
    if any(keyed.values()):
        session.flush()
        audit.record_many(session, [audit.NewEvent(Principal.system("deconfliction"), "key package addresses",
                                                   "operation", operation_id, after={"packages": n})
                                    for operation_id, n in sorted(keyed.items()) if n])


def _aborted_ids():
    """Packages aborted at some point (they stay aborted: closed is the only step after)."""
    return select(PackageStatusChange.package_id).where(PackageStatusChange.status_to == PackageStatus.ABORTED)


def _was_aborted(session: Session, package: TargetPackage) -> bool:
    return package.status is PackageStatus.ABORTED or (
        package.status is PackageStatus.CLOSED
        and session.scalar(select(exists(_aborted_ids().where(PackageStatusChange.package_id == package.id)))))


def _described(conflict: PackageConflict) -> dict[str, Any]:
    return {"first_id": conflict.first_id, "second_id": conflict.second_id, "reason": conflict.reason}


def _warn(session: Session, conflict: PackageConflict, first: TargetPackage, second: TargetPackage) -> None:
    """Tell the conflict to both lead agencies' liaisons and to command, once, each side in its own
    operation (package_conflicts.tell). The notification holds the conflict alone: whether each person
    is told and what (which side named) is decided for them when they read it
    (queries.action_day.conflict_notices, through policy.what_is_told_of_conflict), as the board
    decides it."""
    package_conflicts.tell(session, notices.PACKAGE_CONFLICT, conflict, key=f"package conflict {conflict.id}",
                           packages=(first, second))


def _why(package: TargetPackage, other: TargetPackage, within_m: float) -> tuple[str | None, int | None]:
    metres = None
    if None not in (package.latitude, package.longitude, other.latitude, other.longitude):
        metres = round(places.distance_m(package.latitude, package.longitude, other.latitude, other.longitude))
    same = places.match(_keys_of(package), _keys_of(other))  # "same address", "same building" or None
    if same is not None:
        return same, metres
    if metres is not None and metres <= within_m:
        return f"within {within_m:g} m", metres
    return None, None
