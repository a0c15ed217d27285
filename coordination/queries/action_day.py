"""What the action day's pages show, each read through `policy.visible`: an agency's packages with
their next steps, the commander's board (counts, timeline, map, nil and aborted, silent packages),
the conflict warnings each person may hear, and H-hours in the jurisdiction's local time."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from coordination import policy
from coordination.models import (
    NEXT,
    OUTCOMES,
    Agency,
    Jurisdiction,
    PackageConflict,
    PackageStatus,
    PackageStatusChange,
    PackageSubject,
    Suspect,
    TargetPackage,
    is_silent,
)

# the closed lists its pages offer (pages ask queries, never the models)
from coordination.models import EvidenceType as EvidenceType  # noqa: E402
from coordination.principal import Principal

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

def conflict_warnings(session: Session, principal: Principal) -> list[str]:
    """Sentences for the conflicts this person hears of. A lead agency hears of its own package only
    (never the other agency's, which it is told to ask command about); command hears of both when it
    may read both. A RED package's conflicts are told to its own agency alone."""
    first, second = aliased(TargetPackage), aliased(TargetPackage)
    rows = session.execute(
        select(PackageConflict.reason, PackageConflict.distance_m, first, second)
        .join(first, first.id == PackageConflict.first_id).join(second, second.id == PackageConflict.second_id)
        .where(policy.visible(first, principal) | policy.visible(second, principal))
        .order_by(PackageConflict.id)).all()
    agencies = dict(session.execute(select(Agency.id, Agency.code)).all())
    readable = set(session.scalars(select(TargetPackage.id).where(
        TargetPackage.id.in_({p.id for row in rows for p in row[2:]}), policy.visible(TargetPackage, principal))))
    warnings = []
    for reason, metres, a, b in rows:
        why = reason if metres is None else f"{reason} ({metres:,} m apart)"
        if policy.oversees_conflicts(principal):
            if a.id in readable and b.id in readable:
                warnings.append(f"{a.reference} ({agencies[a.owning_agency_id]}, {a.address}) and {b.reference} "
                                f"({agencies[b.owning_agency_id]}, {b.address}): {why}, H-hours "
                                f"{_apart(a.h_hour, b.h_hour)} apart. Both lead agencies have been told to "
                                f"contact command.")
            continue
        for own, other in ((a, b), (b, a)):
            if own.id in readable and policy.told_of_conflict(principal, own.owning_agency_id, other.tlp):
                warnings.append(f"Your package {own.reference} ({own.address}) conflicts with another agency's "
                                f"package: {reason}, at overlapping times. Contact command before you act.")
    return warnings


def _apart(one: datetime, other: datetime) -> str:
    minutes = round(abs((one - other).total_seconds()) / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"
