"""The demo's action day, written by the demo generator (coordination.demo.operation) as it writes
the rest: rows buffered for bulk insert, each change an audit event queued at the moment it happened.

- The past action day: one package per arrest made that day (same suspect, place, jurisdiction and
  agency; entered just before the arrest, "arrest made" when the arrest was recorded, then closed),
  and about as many again that ended nil, with nothing found, or aborted with a reason; about 180.
- A second wave, only when the loader is given the moment it runs (`make run`): packages planned to
  start shortly after it, some still planned or briefed, some deployed, one silent for over an hour,
  and pairs of two agencies at one door or in one building, each address written its own way
  (CONFLICTING_PAIRS), conflicts found at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from coordination import places
from coordination.demo import synthetic
from coordination.models import (
    Jurisdiction,
    PackageConflict,
    PackageStatus,
    PackageStatusChange,
    PackageSubject,
    TargetPackage,
)
from coordination.services.action_day import address_key_columns

P = PackageStatus
OTHER_OUTCOMES = {P.NIL: 45, P.NOTHING_FOUND: 35, P.ABORTED: 20}  # of the packages that arrested nobody
ABORT_REASONS = ["Address compromised: subject moved out the week before", "Safety risk: dogs and children present",
                 "Warrant not signed in time", "Called off by command: surveillance showed no one home"]
NIL_NOTES = ["Occupants say subject left two days ago", "Property empty, mail piling up", "Subject abroad per family"]
WAVE_JURISDICTIONS = {"GB-EAW": 10, "GB-SCT": 2, "NL": 5, "US-CA": 3, "US-NY": 2, "DE": 1, "ES": 1}
WAVE_SIZE = 24
# Doors two agencies planned, each writing the address its own way (synthetic streets; the postcodes'
# shapes only): the same address abbreviated and without its postcode, two flats of one building, a
# Dutch postcode with and without its space and the country added.
CONFLICTING_PAIRS = (
    ("MET", "NCA", "GB-EAW", "37 Barthor Road, London SW1A 9ZZ", "37 Barthor Rd, London"),
    ("MET", "NCA", "GB-EAW", "Flat 2, 14 Quenwick Street, Manchester M1 7ZZ", "14 Quenwick St, Manchester M17ZZ"),
    ("NL-POLICE", "EUROPOL", "NL", "Haldrowstraat 12, 3011 AD Rotterdam",
     "Haldrowstr. 12, 3011AD Rotterdam, Netherlands"),
)
CALL_SIGNS = ["ALPHA", "BRAVO", "CHARLIE", "DELTA", "ECHO", "FOXTROT", "GOLF", "HOTEL", "INDIA", "KILO", "LIMA"]


class ActionDay:
    """Writes the packages through the demo generator `gen` (its rng, buffers, events, markings and who
    leads where); it is given the generator, and imports nothing of it."""

    def __init__(self, gen) -> None:
        self.gen, self.rng = gen, gen.rng
        self.places = {code: (i, country, lat, lon) for i, code, country, lat, lon in gen.session.execute(
            select(Jurisdiction.id, Jurisdiction.code, Jurisdiction.country, Jurisdiction.latitude,
                   Jurisdiction.longitude))}
        self.codes = {i: code for code, (i, *_) in self.places.items()}
        # numbered on after the operations loaded before (gen.base); references count from 1 in each
        self.first_package = self.package_id = gen.base[TargetPackage]
        self.change_id = gen.base[PackageStatusChange]

    # --- one package and its day -----------------------------------------------------------------

    def package(self, agency: str, code: str, address: str, subjects: list[int], h_hour: datetime,
                created: datetime, exact: bool = False) -> dict:
        gen, rng = self.gen, self.rng
        self.package_id += 1
        jurisdiction_id, _, lat, lon = self.places[code]
        spread = 0.05 if exact else 0.8  # the pair that conflicts stands at one door
        row = gen.marked("target package", self.package_id, agency, created, command_named=True) | dict(
            reference=f"PKG-{self.package_id - self.first_package:04d}", jurisdiction_id=jurisdiction_id,
            address=address,
            **address_key_columns(gen.key, address, self.places[code][1]),
            latitude=round(lat + rng.uniform(-spread, spread), 5),
            longitude=round(lon + rng.uniform(-spread, spread), 5),
            team_call_sign=f"{rng.choice(CALL_SIGNS)}-{rng.randint(1, 9)}",
            legal_authority=f"Warrant {code}/{rng.randint(1000, 9999)}", h_hour=h_hour,
            risk_notes=rng.choice(["", "", "Dog on premises", "Subject may destroy devices: fast entry"]),
            status=P.PLANNED, status_changed_at=created)
        gen.event(created, gen.liaison[agency], "create", TargetPackage.entity, row["id"],
                  after={k: v for k, v in row.items() if k not in ("id", "operation_id", "version", "created_at",
                                                                 "updated_at", "updated_by_id", "recipients")}
                  | {"subject_ids": sorted(subjects)})
        row.pop("recipients", None)
        gen.add(TargetPackage, row)
        for suspect_id in sorted(set(subjects)):
            gen.add(PackageSubject, dict(package_id=row["id"], suspect_id=suspect_id))
        self._status_row(row, agency, None, P.PLANNED, "created", created)
        return row

    def step(self, row: dict, agency: str, status: PackageStatus, when: datetime, note: str = "") -> None:
        """A status change as services.action_day makes it: a row, the package's new state, an event."""
        gen = self.gen
        before = row["status"]
        self._status_row(row, agency, before, status, note, when)
        gen.event(when, gen.liaison[agency], "change status", TargetPackage.entity, row["id"],
                  before={"status": before}, after={"status": status, "note": note})
        row.update(status=status, status_changed_at=when, version=row["version"] + 1, updated_at=when,
                   updated_by_id=gen.users[gen.liaison[agency]][0])

    def _status_row(self, row: dict, agency: str, before, after, note: str, when: datetime) -> None:
        self.change_id += 1
        self.gen.add(PackageStatusChange, dict(id=self.change_id, package_id=row["id"], status_from=before,
                                               status_to=after, note=note, changed_at=when,
                                               changed_by_id=self.gen.users[self.gen.liaison[agency]][0]))

    def walk(self, row: dict, agency: str, path: list[tuple[PackageStatus, datetime, str]]) -> None:
        for status, when, note in path:
            self.step(row, agency, status, when, note)

    # --- the past day ------------------------------------------------------------------------------

    def past(self, arrests: list[dict], free_suspects: list[int]) -> None:
        """A package for each of the day's arrests, and others that ended without one."""
        gen, rng = self.gen, self.rng
        briefing = datetime.combine(gen.action_day, datetime.min.time(), gen.epoch.tzinfo) - timedelta(hours=10)
        for arrest in sorted(arrests, key=lambda a: a["arrested_at"]):
            agency = self._agency_of(arrest["owning_agency_id"])
            when, recorded = arrest["arrested_at"], arrest["created_at"]
            h_hour = when - timedelta(minutes=rng.randint(5, 40))
            row = self.package(agency, self.codes[arrest["jurisdiction_id"]], arrest["place"], [arrest["suspect_id"]],
                               h_hour, briefing - timedelta(days=rng.randint(3, 10)))
            self.walk(row, agency, [(P.BRIEFED, briefing + timedelta(minutes=rng.randint(0, 120)), ""),
                                    (P.DEPLOYED, h_hour - timedelta(minutes=rng.randint(20, 60)), ""),
                                    (P.ENTERED, when - timedelta(minutes=rng.randint(1, 4)), ""),
                                    (P.ARREST_MADE, recorded, f"arrest {arrest['reference']}"),
                                    (P.CLOSED, recorded + timedelta(hours=rng.randint(2, 30)), "")])
        for _ in range(max(0, gen.plan.day_packages - len(arrests))):
            code = synthetic.weighted(rng, gen.plan.day_jurisdictions)
            agency = self._agency_for(code)
            h_hour = datetime.combine(gen.action_day, datetime.min.time(), gen.epoch.tzinfo) + timedelta(
                hours=5, minutes=rng.randint(0, 13 * 60))
            row = self.package(agency, code, synthetic.address(rng, self.places[code][1]),
                               [rng.choice(free_suspects)], h_hour, briefing - timedelta(days=rng.randint(3, 10)))
            outcome = synthetic.weighted(rng, OTHER_OUTCOMES)
            path = [(P.BRIEFED, briefing + timedelta(minutes=rng.randint(0, 120)), ""),
                    (P.DEPLOYED, h_hour - timedelta(minutes=rng.randint(20, 60)), "")]
            if outcome is P.ABORTED:
                path = path[:rng.randint(1, 2)] + [(P.ABORTED, h_hour - timedelta(minutes=rng.randint(0, 15)),
                                                    rng.choice(ABORT_REASONS))]
            else:
                entered = h_hour + timedelta(minutes=rng.randint(0, 20))
                path += [(P.ENTERED, entered, ""),
                         (outcome, entered + timedelta(minutes=rng.randint(20, 120)),
                          rng.choice(NIL_NOTES) if outcome is P.NIL else "")]
            path.append((P.CLOSED, path[-1][1] + timedelta(hours=rng.randint(2, 30)), ""))
            self.walk(row, agency, path)
        gen.flush()

    # --- the second wave, live when the demo is loaded ------------------------------------------------

    def second_wave(self, now: datetime, free_suspects: list[int]) -> None:
        gen, rng = self.gen, self.rng
        planned_at = now - timedelta(days=2)
        rows = []
        for n in range(WAVE_SIZE):
            code = synthetic.weighted(rng, WAVE_JURISDICTIONS)
            agency = self._agency_for(code)
            if code.startswith("GB") and rng.random() < 0.3:
                agency = "NCA"
            # the first few already under way (one silent for over an hour), the rest over the next hours
            h_hour = now + (timedelta(minutes=-95) if n == 0 else timedelta(minutes=15 * rng.randint(-2, 24)))
            h_hour = h_hour.replace(second=0, microsecond=0)
            row = self.package(agency, code, synthetic.address(rng, self.places[code][1]),
                               rng.sample(free_suspects, rng.choice([1, 1, 2])), h_hour, planned_at)
            rows.append((row, agency))
            path = [(P.BRIEFED, now - timedelta(hours=12, minutes=rng.randint(0, 120)), "")]
            if h_hour - now < timedelta(minutes=45):
                path.append((P.DEPLOYED, min(now, h_hour) - timedelta(minutes=rng.randint(10, 40)), ""))
            elif rng.random() < 0.4:
                path = []  # not briefed yet
            self.walk(row, agency, path)
        self._conflicting_pairs(now, planned_at, free_suspects)
        gen.flush()

    def _conflicting_pairs(self, now: datetime, planned_at: datetime, free_suspects: list[int]) -> None:
        """Two agencies planned one door (or two flats behind one) an hour apart, each writing the
        address its own way: the system found each pair when the second was created (places.match on
        the keys of the two spellings, as services.action_day.deconflict does)."""
        for n, (first_agency, second_agency, code, written, written_otherwise) in enumerate(CONFLICTING_PAIRS, 1):
            country = self.places[code][1]
            reason = places.match(places.address_keys(written, country),
                                  places.address_keys(written_otherwise, country))
            first = self.package(first_agency, code, written, [self.rng.choice(free_suspects)],
                                 now + timedelta(hours=2 + n), planned_at, exact=True)
            second = self.package(second_agency, code, written_otherwise, [self.rng.choice(free_suspects)],
                                  now + timedelta(hours=3 + n), planned_at + timedelta(hours=1), exact=True)
            conflict_id = self.gen.base[PackageConflict] + n
            self.gen.add(PackageConflict, dict(id=conflict_id, operation_id=self.gen.operation_id, first_id=first["id"],
                                               second_id=second["id"], reason=reason, distance_m=None,
                                               found_at=second["created_at"]))
            # notification (issue 18): the demo's conflicts would be told to both agencies and command here
            self.gen.event(second["created_at"], "deconfliction", "find", PackageConflict.entity, conflict_id,
                           after={"first_id": first["id"], "second_id": second["id"], "reason": reason})

    # --- who leads where ------------------------------------------------------------------------

    def _agency_of(self, agency_id: int) -> str:
        return next(code for code, i in self.gen.agencies.items() if i == agency_id)

    def _agency_for(self, code: str) -> str:
        return self.gen.lead_agency(self.places[code][1])

