"""What the action day's pages show, each read through `policy.visible`: an agency's packages with
their next steps, the commander's board (counts, timeline, map, nil and aborted, silent packages),
the conflict warnings each person may hear, and H-hours in the jurisdiction's local time."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from coordination import policy
from coordination.markings import TLP
from coordination.models import (
    NEXT,
    OUTCOMES,
    Agency,
    ConflictAcknowledgement,
    Jurisdiction,
    Operation,
    PackageConflict,
    PackageStatus,
    PackageStatusChange,
    PackageSubject,
    Recipient,
    RecordGrant,
    Suspect,
    TargetPackage,
    User,
    is_silent,
)

# the closed lists its pages offer (pages ask queries, never the models)
from coordination.models import EvidenceType as EvidenceType
from coordination.principal import Principal
from coordination.queries.hits import ANOTHER_OPERATION, contact_of

WITH_REASONS = (PackageStatus.NIL, PackageStatus.ABORTED)


def local_time(moment: datetime, zone: str) -> str:
    """'Mon 07 Nov 2022 06:00 GMT (06:00 UTC)': the time in the jurisdiction's zone, UTC beside it."""
    local = moment.astimezone(ZoneInfo(zone))
    utc = moment.astimezone(ZoneInfo("UTC"))
    day = "" if local.date() == utc.date() else f" {utc:%a %d %b}"
    return f"{local:%a %d %b %Y %H:%M} {local.tzname()} ({utc:%H:%M}{day} UTC)"


@dataclass(frozen=True)
class Package:
    """One package as a page shows it: words and times, never ids (the id and version go back to the
    service with a tap)."""

    id: int
    version: int
    reference: str
    agency: str
    jurisdiction: str
    time_zone: str
    address: str
    team_call_sign: str
    status: PackageStatus
    h_hour: datetime
    status_changed_at: datetime
    latitude: float
    longitude: float
    located: bool  # the package's own coordinates (else the jurisdiction's display point)
    subjects: tuple[tuple[int, str], ...] = ()  # (suspect id, reference) the viewer may read
    entered_at: datetime | None = None
    outcome: PackageStatus | None = None  # the outcome it reached (it stays after the package is closed)
    reason: str = ""  # the note of that outcome: why nil, why aborted
    outcome_at: datetime | None = None

    @property
    def next_statuses(self) -> tuple[PackageStatus, ...]:
        return NEXT[self.status]

    @property
    def h_hour_text(self) -> str:
        return local_time(self.h_hour, self.time_zone)

    def silent(self, now: datetime) -> bool:
        """No update for an hour past H-hour while a team should be at the door."""
        return is_silent(self.status, self.h_hour, self.status_changed_at, now)


def _packages(session: Session, principal: Principal, *where) -> list[Package]:
    agency, jurisdiction = aliased(Agency), aliased(Jurisdiction)
    rows = session.execute(
        select(TargetPackage, agency.code, jurisdiction.code, jurisdiction.time_zone, jurisdiction.latitude,
               jurisdiction.longitude)
        .join(agency, agency.id == TargetPackage.owning_agency_id)
        .join(jurisdiction, jurisdiction.id == TargetPackage.jurisdiction_id)
        .where(policy.visible(TargetPackage, principal), *where)
        .order_by(TargetPackage.h_hour, TargetPackage.reference, TargetPackage.id)).all()
    ids = [row[0].id for row in rows]
    subjects, entered, outcomes = _subjects(session, principal, ids), {}, {}
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        entered |= dict(session.execute(
            select(PackageStatusChange.package_id, func.min(PackageStatusChange.changed_at))
            .where(PackageStatusChange.package_id.in_(chunk), PackageStatusChange.status_to == PackageStatus.ENTERED)
            .group_by(PackageStatusChange.package_id)).all())
        for package_id, status, note, when in session.execute(
                select(PackageStatusChange.package_id, PackageStatusChange.status_to, PackageStatusChange.note,
                       PackageStatusChange.changed_at)
                .where(PackageStatusChange.package_id.in_(chunk), PackageStatusChange.status_to.in_(OUTCOMES))
                .order_by(PackageStatusChange.id)):
            outcomes[package_id] = (status, note, when)
    found = []
    for package, agency_code, code, zone, lat, lon in rows:
        located = package.latitude is not None and package.longitude is not None
        found.append(Package(
            package.id, package.version, package.reference, agency_code, code, zone, package.address,
            package.team_call_sign, package.status, package.h_hour, package.status_changed_at,
            package.latitude if located else lat, package.longitude if located else lon, located,
            tuple(subjects.get(package.id, ())), entered.get(package.id),
            *outcomes.get(package.id, (None, "", None))))
    return found


def _subjects(session: Session, principal: Principal, ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """The subjects of these packages that the viewer may read (the others are not named)."""
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for start in range(0, len(ids), 5000):
        for package_id, suspect_id, reference in session.execute(
                select(PackageSubject.package_id, Suspect.id, Suspect.reference)
                .join(Suspect, Suspect.id == PackageSubject.suspect_id)
                .where(PackageSubject.package_id.in_(ids[start:start + 5000]), policy.visible(Suspect, principal))
                .order_by(Suspect.reference)):
            found[package_id].append((suspect_id, reference))
    return found


def agency_packages(session: Session, principal: Principal) -> list[Package]:
    """The packages the principal's agency leads, by H-hour: "My agency's packages"."""
    return _packages(session, principal, TargetPackage.owning_agency_id == principal.agency_id)


def package(session: Session, principal: Principal, package_id: int) -> Package | None:
    found = _packages(session, principal, TargetPackage.id == package_id)
    return found[0] if found else None


@dataclass(frozen=True)
class Board:
    """The commander's board: every package the viewer may read, and what it adds up to."""

    packages: list[Package]
    now: datetime
    by_jurisdiction: dict[str, dict[PackageStatus, int]] = field(default_factory=dict)

    @property
    def silent(self) -> list[Package]:
        return [p for p in self.packages if p.silent(self.now)]

    @property
    def nil_and_aborted(self) -> list[Package]:
        return [p for p in self.packages if p.outcome in WITH_REASONS]

    @property
    def by_status(self) -> dict[PackageStatus, int]:
        counts: dict[PackageStatus, int] = defaultdict(int)
        for p in self.packages:
            counts[p.status] += 1
        return dict(counts)

    @property
    def by_outcome(self) -> dict[PackageStatus, int]:
        """Outcomes reached, closed or not."""
        counts: dict[PackageStatus, int] = defaultdict(int)
        for p in self.packages:
            if p.outcome is not None:
                counts[p.outcome] += 1
        return dict(counts)


# The live board follows the packages around now rather than a calendar day: a wave that starts at
# 22:00 UTC runs past midnight, and a commander watching it must not lose half of it to the next day.
LIVE_BEHIND, LIVE_AHEAD = timedelta(hours=12), timedelta(hours=24)
LIVE = "live"


def days(session: Session, principal: Principal, now: datetime | None = None) -> list[date | str]:
    """The days (UTC) that hold H-hours of packages the viewer may read, latest first; given now, led by
    `LIVE` when the live window holds any."""
    hours = session.scalars(select(TargetPackage.h_hour).where(policy.visible(TargetPackage, principal))).all()
    found: list[date | str] = sorted({h.astimezone(UTC).date() for h in hours}, reverse=True)
    if now is not None and any(now - LIVE_BEHIND <= h < now + LIVE_AHEAD for h in hours):
        found.insert(0, LIVE)
    return found


def board(session: Session, principal: Principal, now: datetime, day: date | str | None = None) -> Board:
    """The board of one day's packages (by H-hour, UTC), of the live window around now (`LIVE`: from
    12 hours before to 24 hours after), or of every package."""
    where = []
    if day == LIVE:
        where = [TargetPackage.h_hour >= now - LIVE_BEHIND, TargetPackage.h_hour < now + LIVE_AHEAD]
    elif day is not None:
        start = datetime.combine(day, time(), UTC)
        where = [TargetPackage.h_hour >= start, TargetPackage.h_hour < start + timedelta(days=1)]
    found = _packages(session, principal, *where)
    counts: dict[str, dict[PackageStatus, int]] = defaultdict(lambda: defaultdict(int))
    for p in found:
        counts[p.jurisdiction][p.status] += 1
    return Board(found, now, {code: dict(by_status) for code, by_status in sorted(counts.items())})


# --- conflicts --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ConflictNotice:
    """One conflict as one person is told of it (policy.what_is_told_of_conflict): the same sentence on
    the board, in the inbox, in mail and in the briefing. It names references, agencies and liaisons,
    never what a package holds (its address, team or subjects)."""

    conflict_id: int
    sentence: str
    package_id: int  # what a link opens: the reader's own agency's package, or the first one named
    reference: str  # that package as "AGENCY/REFERENCE"
    named_ids: tuple[int, ...]  # the packages the sentence names
    own_id: int | None = None  # the reader's own agency's package (a lead agency's liaison), else None
    acknowledged: bool = False  # by command, for the conflict as it stands (services.package_conflicts)
    acknowledgement: str = ""  # whether and how command acknowledged it, as this reader may be told


def conflict_warnings(session: Session, principal: Principal) -> list[str]:
    """The board's sentences: every conflict this person is told of, oldest first."""
    return [notice.sentence for notice in conflict_notices(session, principal)]


def conflict_notices(session: Session, principal: Principal, conflict_ids: Collection[int] | None = None
                     ) -> list[ConflictNotice]:
    """The conflicts (all, or those of `conflict_ids`) this person is told of, each told as
    `policy.what_is_told_of_conflict` says for them: a side they may read is named (reference, lead
    agency, the liaison to reach), a side they may not is "another agency's package"; a lead
    agency's liaison reaches the other agency's liaison, or command when they may not read it."""
    first, second = aliased(TargetPackage), aliased(TargetPackage)
    query = (select(PackageConflict, first, second)
             .join(first, first.id == PackageConflict.first_id).join(second, second.id == PackageConflict.second_id)
             .where(policy.conflicts_told(principal, first, second)).order_by(PackageConflict.id))
    if conflict_ids is not None:
        query = query.where(PackageConflict.id.in_(list(conflict_ids)))
    rows = session.execute(query).all()
    if not rows:
        return []
    packages = {p.id: p for _, a, b in rows for p in (a, b)}
    sides = _sides(session, packages)
    contacts = _liaisons(session, packages.values(), sides)
    agencies = dict(session.execute(select(Agency.id, Agency.code)).all())
    contacts |= _elsewhere_contacts(session, packages.values(), principal, agencies)
    acknowledged = _acknowledgements(session, [conflict.id for conflict, _, _ in rows])
    found = []
    for conflict, a, b in rows:
        told = policy.what_is_told_of_conflict(principal, sides[a.id], sides[b.id])
        if told is not None:
            notice = _notice(conflict, (a, b), told, agencies, contacts)
            found.append(replace(notice, own_id=None if told.own is None else (a, b)[told.own].id,
                                 **_acknowledgement(acknowledged.get((conflict.id, principal.operation_id)),
                                                    told, agencies)))
    return found


def board_conflicts(session: Session, principal: Principal) -> list[ConflictNotice]:
    """The conflicts this person is told of as the board lists them: those command has not
    acknowledged first, each group oldest first."""
    return sorted(conflict_notices(session, principal), key=lambda notice: (notice.acknowledged, notice.conflict_id))


def told_of_conflict(session: Session, principal: Principal, conflict_id: int
                     ) -> tuple[PackageConflict, policy.ToldOfConflict] | None:
    """One conflict and what this person is told of it (None: nothing, as if it did not exist)."""
    conflict = session.get(PackageConflict, conflict_id, populate_existing=True)
    if conflict is None:
        return None
    packages = {p.id: p for p in session.scalars(select(TargetPackage).where(
        TargetPackage.id.in_([conflict.first_id, conflict.second_id])))}
    sides = _sides(session, packages)
    told = policy.what_is_told_of_conflict(principal, sides[conflict.first_id], sides[conflict.second_id])
    return (conflict, told) if told is not None else None


def conflict_between(session: Session, principal: Principal, one: str, other: str) -> int | None:
    """The conflict this person is told of between two packages named "AGENCY/REFERENCE" among those they
    may read (the command line names them so); None otherwise, however it is otherwise."""
    ids = []
    for name in (one, other):
        agency, _, reference = name.strip().partition("/")
        found = session.scalar(select(TargetPackage.id).join(Agency, Agency.id == TargetPackage.owning_agency_id)
                               .where(func.upper(Agency.code) == agency.strip().upper(),
                                      TargetPackage.reference == reference.strip(),
                                      policy.visible(TargetPackage, principal)))
        if found is None:
            return None
        ids.append(found)
    conflict_id = session.scalar(select(PackageConflict.id).where(PackageConflict.first_id == min(ids),
                                                                  PackageConflict.second_id == max(ids)))
    return conflict_id if conflict_id is not None and conflict_notices(session, principal, [conflict_id]) else None


def _acknowledgements(session: Session, conflict_ids: list[int]) -> dict[tuple[int, int | None], tuple]:
    """(conflict id, operation id) -> (when, note, who, their agency's id) of command's acknowledgement
    for that operation's side (each side's command acknowledges its own)."""
    found = {}
    for start in range(0, len(conflict_ids), 5000):
        for conflict_id, operation_id, when, note, who, agency_id in session.execute(
                select(ConflictAcknowledgement.conflict_id, ConflictAcknowledgement.operation_id,
                       ConflictAcknowledgement.acknowledged_at,
                       ConflictAcknowledgement.note, User.display_name, User.agency_id)
                .join(User, User.id == ConflictAcknowledgement.acknowledged_by_id)
                .where(ConflictAcknowledgement.conflict_id.in_(conflict_ids[start:start + 5000]))):
            found[conflict_id, operation_id] = (when, note, who, agency_id)
    return found


def _acknowledgement(acknowledged: tuple | None, told: policy.ToldOfConflict, agencies: dict[int, str]) -> dict:
    """What this reader is told of command's acknowledgement. Who acknowledged and the note only to a
    reader told both sides (policy.told_the_acknowledgement_note): the note may name either package,
    and who wrote it which agency's command was involved; the others are told that and when, and to
    ask command."""
    if acknowledged is None:
        return {"acknowledged": False, "acknowledgement": "Command has not acknowledged this conflict yet."}
    when, note, who, agency_id = acknowledged
    at = f"{when.astimezone(UTC):%d %b %Y %H:%M} UTC"
    if policy.told_the_acknowledgement_note(told):
        by = f"{who} ({agencies[agency_id]})" if agency_id in agencies else who
        return {"acknowledged": True, "acknowledgement": f"Acknowledged by command ({by}, {at}): {note}"}
    return {"acknowledged": True, "acknowledgement": f"Acknowledged by command on {at}; ask command what was agreed."}


def _notice(conflict: PackageConflict, pair: tuple[TargetPackage, TargetPackage], told: policy.ToldOfConflict,
            agencies: dict[int, str], contacts: dict[int, str]) -> ConflictNotice:
    """The sentence of one conflict for one person: only the sides `told` names are named."""
    def name(p: TargetPackage) -> str:
        return f"{agencies[p.owning_agency_id]}'s package {p.reference}"

    def contact(p: TargetPackage) -> str:
        agency = agencies[p.owning_agency_id]
        return f"{agency}'s liaison {contacts[p.id]}" if p.id in contacts else f"{agency}'s liaisons"
    a, b = pair
    # in the order of their agencies' codes, not of their ids: the same sentence whichever came first
    named = sorted((p for p, shown in zip(pair, told.named, strict=True) if shown),
                   key=lambda p: (agencies[p.owning_agency_id], p.reference))
    if all(told.named):  # the distance and the H-hours are the packages' own: for those who read both
        metres = "" if conflict.distance_m is None else f", {conflict.distance_m:,} m apart"
        why = f"{conflict.reason}{metres}, {_apart(a.h_hour, b.h_hour)}"
    else:
        why = f"{conflict.reason}, in overlapping H-hour windows"
    if told.elsewhere is not None:  # never the other operation's name, reference, agency or place
        here = pair[1 - told.elsewhere]
        whose = f"Your agency's package {here.reference}" if told.own is not None else name(here)
        sentence = (f"{whose} conflicts ({why}): {ANOTHER_OPERATION} plans an entry there; "
                    f"contact: {contacts[pair[told.elsewhere].id]}.")
    elif told.own is not None:
        own, other = pair[told.own], pair[1 - told.own]
        sentence = (f"Your agency's package {own.reference} conflicts ({why}) with "
                    + (f"{name(other)}; contact {contact(other)}." if told.named[1 - told.own]
                       else "another agency's package; contact command."))
    elif len(named) == 2:
        sentence = (f"{name(named[0])} and {name(named[1])} conflict ({why}). Both lead agencies have been told; "
                    f"{contact(named[0])} and {contact(named[1])}.")
    else:
        sentence = (f"{name(named[0])} conflicts ({why}) with another agency's package, whose lead agency has "
                    f"been told to contact command; {contact(named[0])}.")
    link = pair[told.own] if told.own is not None else named[0]
    return ConflictNotice(conflict.id, sentence, link.id, f"{agencies[link.owning_agency_id]}/{link.reference}",
                          tuple(p.id for p in named))


def _sides(session: Session, packages: dict[int, TargetPackage]) -> dict[int, policy.ConflictSide]:
    """Each package as the telling rule sees it: agency, marking, named recipients, granted agencies."""
    recipients: dict[int, set[int]] = defaultdict(set)
    granted: dict[int, set[int]] = defaultdict(set)
    ids = list(packages)
    for package_id, user_id in session.execute(select(Recipient.entity_id, Recipient.user_id).where(
            Recipient.entity == TargetPackage.entity, Recipient.entity_id.in_(ids))):
        recipients[package_id].add(user_id)
    for package_id, agency_id in session.execute(select(RecordGrant.record_id, RecordGrant.agency_id).where(
            RecordGrant.record_entity == TargetPackage.entity, RecordGrant.record_id.in_(ids))):
        granted[package_id].add(agency_id)
    return {i: policy.ConflictSide(p.owning_agency_id, p.tlp, frozenset(recipients[i]), frozenset(granted[i]),
                                   p.operation_id)
            for i, p in packages.items()}


def _liaisons(session: Session, packages, sides: dict[int, policy.ConflictSide]) -> dict[int, str]:
    """package id -> the liaison of its agency to reach about it, as "Noor Liaison (noor@example.org)":
    the one who last changed it when they still act for the agency, else the first by name; of a RED
    package, only among its named recipients. A liaison is one in the package's operation."""
    agency_ids = {p.owning_agency_id for p in packages}
    people = {operation_id: session.execute(select(User.id, User.agency_id, User.display_name, User.email).where(
        User.agency_id.in_(agency_ids), User.active, policy.hears_for_agency(User, operation_id))
        .order_by(User.display_name, User.id)).all() for operation_id in {p.operation_id for p in packages}}
    found = {}
    for p in packages:
        candidates = [person for person in people[p.operation_id] if person.agency_id == p.owning_agency_id
                      and (p.tlp is not TLP.RED or person.id in sides[p.id].recipient_ids)]
        candidates.sort(key=lambda person: person.id != p.updated_by_id)
        if candidates:
            person = candidates[0]
            found[p.id] = f"{person.display_name} ({person.email})" if person.email else person.display_name
    return found


def _elsewhere_contacts(session: Session, packages, principal: Principal, agencies: dict[int, str]) -> dict[int, str]:
    """package id -> whom to contact about a package of another operation than the principal's: that
    operation's deconfliction contact, else its lead agency's desk (as a hit across operations says)."""
    operations = {p.operation_id for p in packages if p.operation_id != principal.operation_id}
    if not operations:
        return {}
    contact = {operation_id: contact_of(desk, agencies[lead]) for operation_id, desk, lead in session.execute(
        select(Operation.id, Operation.deconfliction_contact, Operation.lead_agency_id)
        .where(Operation.id.in_(operations)))}
    return {p.id: contact[p.operation_id] for p in packages if p.operation_id in contact}


def _apart(one: datetime, other: datetime) -> str:
    """'H-hours 1 h 05 min apart', or 'at the same H-hour' (to the minute)."""
    minutes = round(abs((one - other).total_seconds()) / 60)
    if not minutes:
        return "at the same H-hour"
    gap = f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"
    return f"H-hours {gap} apart"
