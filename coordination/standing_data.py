"""Reference data of Operation Elaborate: the partner agencies, the jurisdictions, the operation
itself and the demo users. Shared by the demo loader and the tests. All people are synthetic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination import audit
from coordination.markings import TLP, Classification
from coordination.models import (
    Agency,
    Jurisdiction,
    Membership,
    Operation,
    OperationPartner,
    OperationStatus,
    Role,
    User,
)
from coordination.principal import Principal

OPERATION_NAME = "Operation Elaborate"
OPERATION_CODE = "ELABORATE"
ACTION_DAY = date(2022, 11, 7)

AGENCIES = (
    ("MET", "Metropolitan Police Service", "GB"),
    ("NCA", "National Crime Agency", "GB"),
    ("EUROPOL", "Europol", "NL"),
    ("EUROJUST", "Eurojust", "NL"),
    ("NL-POLICE", "Dutch National Police", "NL"),
    ("FBI", "Federal Bureau of Investigation", "US"),
)

# code, name, ISO country, display latitude, longitude
JURISDICTIONS = (
    ("GB-EAW", "England and Wales", "GB", 52.36, -1.17),
    ("GB-SCT", "Scotland", "GB", 56.49, -4.20),
    ("GB-NIR", "Northern Ireland", "GB", 54.79, -6.49),
    ("NL", "Netherlands", "NL", 52.13, 5.29),
    ("US-CA", "United States (California)", "US", 36.78, -119.42),
    ("US-NY", "United States (New York)", "US", 40.71, -74.01),
    ("IE", "Ireland", "IE", 53.41, -8.24),
    ("ES", "Spain", "ES", 40.46, -3.75),
    ("DE", "Germany", "DE", 51.17, 10.45),
    ("FR", "France", "FR", 46.23, 2.21),
    ("BE", "Belgium", "BE", 50.50, 4.47),
    ("PT", "Portugal", "PT", 39.40, -8.22),
    ("UA", "Ukraine", "UA", 48.38, 31.17),
    ("AU", "Australia", "AU", -25.27, 133.78),
)

# where each jurisdiction reads its clocks (IANA names): H-hours are stored in UTC and shown in these
TIME_ZONES = {
    "GB-EAW": "Europe/London", "GB-SCT": "Europe/London", "GB-NIR": "Europe/London", "NL": "Europe/Amsterdam",
    "US-CA": "America/Los_Angeles", "US-NY": "America/New_York", "IE": "Europe/Dublin", "ES": "Europe/Madrid",
    "DE": "Europe/Berlin", "FR": "Europe/Paris", "BE": "Europe/Brussels", "PT": "Europe/Lisbon", "UA": "Europe/Kyiv",
    "AU": "Australia/Sydney",
}


@dataclass(frozen=True)
class DemoUser:
    subject: str
    name: str
    agency: str
    role: Role

    @property
    def email(self) -> str:
        return f"{self.subject}@demo.invalid"  # .invalid: can never reach a real mailbox


DEMO_USERS = (
    DemoUser("admin", "Alex Admin", "MET", Role.ADMIN),
    DemoUser("commander.met", "Casey Commander", "MET", Role.COMMANDER),
    DemoUser("liaison.met", "Morgan Liaison", "MET", Role.LIAISON),
    DemoUser("liaison.nca", "Nico Liaison", "NCA", Role.LIAISON),
    DemoUser("liaison.europol", "Eva Liaison", "EUROPOL", Role.LIAISON),
    DemoUser("liaison.eurojust", "Jules Liaison", "EUROJUST", Role.LIAISON),
    DemoUser("liaison.nl-police", "Noor Liaison", "NL-POLICE", Role.LIAISON),
    DemoUser("liaison.fbi", "Frankie Liaison", "FBI", Role.LIAISON),
    DemoUser("analyst.europol", "Ana Analyst", "EUROPOL", Role.ANALYST),
    DemoUser("observer.eurojust", "Oli Observer", "EUROJUST", Role.OBSERVER),
)


def seed(session: Session, issuer: str, at: datetime | None = None, action_day: date = ACTION_DAY) -> Operation:
    """Agencies, jurisdictions, the operation and the demo users, with their audit events (dated `at`,
    default now), in the caller's transaction. Does nothing if the operation exists already."""
    existing = session.scalar(select(Operation).where(Operation.code_name == OPERATION_NAME))
    if existing is not None:
        return existing
    system = Principal.system("reference data")
    agencies = {code: Agency(code=code, name=name, country=country) for code, name, country in AGENCIES}
    session.add_all(agencies.values())
    session.add_all(Jurisdiction(code=code, name=name, country=country, latitude=lat, longitude=lon,
                                 time_zone=TIME_ZONES.get(code, "UTC"))
                    for code, name, country, lat, lon in JURISDICTIONS)
    operation = Operation(code_name=OPERATION_NAME, code=OPERATION_CODE, lead_agency=agencies["MET"],
                          action_day=action_day, status=OperationStatus.ACTION_DAY, default_tlp=TLP.AMBER,
                          default_classification=Classification.OFFICIAL_SENSITIVE,
                          deconfliction_contact="the Metropolitan Police Service deconfliction desk")
    session.add(operation)
    users = [User(issuer=issuer, subject=u.subject, display_name=u.name, email=u.email,
                  agency=agencies[u.agency], role=u.role, active=True) for u in DEMO_USERS]
    session.add_all(users)
    session.flush()
    session.add_all(OperationPartner(operation_id=operation.id, agency_id=a.id) for a in agencies.values())
    session.add_all(Membership(operation_id=operation.id, user_id=u.id, role=u.role)
                    for u in users if u.role is not Role.ADMIN)
    session.flush()
    events = [audit.NewEvent(system, "create", "agency", a.id, after={"code": a.code, "name": a.name})
              for a in agencies.values()]
    events.append(audit.NewEvent(system, "create", "operation", operation.id,
                                 after={"code_name": operation.code_name, "action_day": operation.action_day}))
    events += [audit.NewEvent(system, "create", "user", u.id,
                              after={"issuer": u.issuer, "subject": u.subject, "role": u.role,
                                     "agency_id": u.agency_id}) for u in users]
    # reference data is loaded, not decided: like the demo loader, it appends its events in bulk here
    # instead of going through coordination.services (nobody acts, so nothing is authorised)
    audit.record_many(session, events, at=at)
    return operation
