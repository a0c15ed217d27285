"""Operation Saltmarsh: the demo's second operation, smaller, led by the NCA (synthetic money laundering).

It is written by the same generator as Operation Elaborate (coordination.demo.operation), from its own
plan: three partners (NCA, MET, Dutch police), a few hundred records of each kind at every scale, its
action day eight weeks after Elaborate's. People take part with other roles than in Elaborate (Nico
of the NCA, a liaison there, commands here; Morgan of the MET only observes; Casey, Elaborate's
commander, is no member), and one person, Indy of the MET, takes part in Saltmarsh only.

What it shares with Elaborate is chosen, not left to chance: a few phone numbers and e-mail
addresses Elaborate holds, each typed the Saltmarsh agency's own way, and one address of
Elaborate's target packages, where an NCA team is planned half an hour after Elaborate's (when the
demo is live; otherwise on Saltmarsh's own action day). Matching finds hits and event conflicts
within an operation only today, so these are the values that will show across operations.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordination import audit
from coordination.deconfliction_key import MatchingKey
from coordination.demo.action_day import ActionDay
from coordination.demo.operation import (
    BANK_NUMBER,
    Generator,
    Identifiers,
    Plan,
    Scale,
)
from coordination.identifiers import normalise
from coordination.markings import TLP, Classification
from coordination.models import (
    Agency,
    Identifier,
    IdentifierKind,
    Jurisdiction,
    Membership,
    Operation,
    OperationPartner,
    OperationStatus,
    PackageStatus,
    Role,
    TargetPackage,
    User,
)
from coordination.principal import Principal
from coordination.standing_data import OPERATION_CODE, DemoUser

NAME = "Operation Saltmarsh"
CODE = "SALTMARSH"
LEAD = "NCA"
PARTNERS = ("NCA", "MET", "NL-POLICE")
DAY_AFTER_ELABORATE = timedelta(weeks=8)  # its action day (a Monday too)
SCALE = Scale(suspects=300, arrests=40, evidence=200, tasks=150, audit_events=0, identifiers=400, shared=10)
# who takes part only here (synthetic, as every demo user)
USERS = (DemoUser("investigator.met", "Indy Investigator", "MET", Role.LIAISON),)
MEMBERS = {"liaison.nca": Role.COMMANDER, "investigator.met": Role.LIAISON, "liaison.nl-police": Role.LIAISON,
           "liaison.met": Role.OBSERVER}
SHARED_WITH_ELABORATE = 12  # phone numbers and e-mail addresses Elaborate holds too
WALLETS = 30  # Ethereum addresses the launderers moved money through

PLAN = Plan(
    code=CODE, lead=LEAD, commander="liaison.nca", decided_by="Nico Liaison (Gold, NCA)",
    actors={"NCA": "liaison.nca", "MET": "investigator.met", "NL-POLICE": "liaison.nl-police"},
    suspect_agencies={"NCA": 60, "MET": 25, "NL-POLICE": 15}, task_agencies={"NCA": 50, "MET": 30, "NL-POLICE": 20},
    task_titles={
        "NCA": ["Trace cash deposits through money-service businesses", "Suspicious activity reports: review batch",
                "Account freezing order application", "Map the mule accounts' payments"],
        "MET": ["Interview the money mules' recruiters", "Production order on high-street bank",
                "Surveillance of cash collection point"],
        "NL-POLICE": ["Trace Dutch shell companies' accounts", "Request records from Dutch crypto exchange"],
    },
    offences=["money laundering", "concealing criminal property", "entering into a money-laundering arrangement",
              "acquiring criminal property"],
    arrest_jurisdictions={"GB-EAW": 75, "GB-SCT": 5, "NL": 20}, day_jurisdictions={"GB-EAW": 80, "NL": 20},
    day_packages=45, custody_to={"NCA": 50, "NL-POLICE": 15},
    decisions=[
        (-28, "Run Operation Saltmarsh's arrests as one action day, after the accounts are frozen",
         "Freezing first stops the money moving when the first arrest is known", TLP.AMBER, None, True),
        (-10, "Arrest the cash collectors before the recruiters",
         "The collectors hold the ledgers the recruiters' charges rest on", TLP.AMBER_STRICT, None, False),
        (-9, "Arrest the cash collectors and the recruiters at the same hour",
         "The recruiters would warn the collectors within minutes", TLP.AMBER_STRICT, 2, True),
    ],
    bank_holders=0)


def seed(session: Session, issuer: str, at: datetime, action_day: date) -> Operation:
    """The operation (`action_day`: Elaborate's; Saltmarsh's is weeks later), its partners, the people
    taking part only here and every membership, with their audit events dated `at`, as
    standing_data.seed makes Elaborate."""
    system = Principal.system("reference data")
    agencies = {a.code: a for a in session.scalars(select(Agency))}
    operation = Operation(code_name=NAME, code=CODE, lead_agency=agencies[LEAD],
                          action_day=action_day + DAY_AFTER_ELABORATE, status=OperationStatus.ACTIVE,
                          default_tlp=TLP.AMBER, default_classification=Classification.OFFICIAL_SENSITIVE,
                          deconfliction_contact="the National Crime Agency deconfliction desk")
    users = [User(issuer=issuer, subject=u.subject, display_name=u.name, email=u.email, agency=agencies[u.agency],
                  role=u.role, active=True) for u in USERS]
    session.add_all([operation, *users])
    session.flush()
    session.add_all(OperationPartner(operation_id=operation.id, agency_id=agencies[code].id) for code in PARTNERS)
    people = {u.subject: u for u in session.scalars(select(User).where(User.subject.in_(list(MEMBERS))))}
    memberships = [Membership(operation_id=operation.id, user_id=people[subject].id, role=role)
                   for subject, role in MEMBERS.items()]
    session.add_all(memberships)
    session.flush()
    events = [audit.NewEvent(system, "create", "operation", operation.id,
                             after={"code_name": operation.code_name, "action_day": operation.action_day})]
    events += [audit.NewEvent(system, "create", "user", u.id, after={"issuer": u.issuer, "subject": u.subject,
                                                                     "role": u.role, "agency_id": u.agency_id})
               for u in users]
    events += [audit.NewEvent(system, "create", "membership", m.id,
                              after={"operation_id": m.operation_id, "user_id": m.user_id, "role": m.role})
               for m in memberships]
    audit.record_many(session, events, at=at)
    return operation


def generator(session: Session, rng: random.Random, shift: timedelta, key: MatchingKey | None,
              live_from: datetime | None) -> Generator:
    return _Saltmarsh(session, SCALE, rng, lambda *_: None, shift, key, None, PLAN, live_from)


class _Saltmarsh(Generator):
    """The generator with what Saltmarsh holds besides its own records: values and one address of
    Elaborate's, and the wallets. Elaborate is written (and flushed) before it starts."""

    def __init__(self, session: Session, scale: Scale, rng: random.Random, progress, shift: timedelta,
                 key: MatchingKey | None, live_from: datetime | None, plan: Plan, now: datetime | None) -> None:
        # no live second wave of its own (its teams are Elaborate's partners' only in part): `now` places
        # the one package at Elaborate's door
        super().__init__(session, scale, rng, progress, shift, key, live_from, plan)
        self.now = now
        self.elaborate = session.scalar(select(Operation.id).where(Operation.code == OPERATION_CODE))

    def more_identifiers(self, identifiers: Identifiers) -> None:
        """Values Elaborate holds (held once there, not RED), each on a Saltmarsh record typed its
        agency's way, and the wallets."""
        rng = self.rng
        own = [h for h in self.holders if h.tlp is not TLP.RED]
        theirs = self.session.execute(
            select(Identifier.kind, Identifier.normalised).where(
                Identifier.operation_id == self.elaborate, Identifier.tlp != TLP.RED,
                Identifier.normalised != BANK_NUMBER, Identifier.kind.in_([IdentifierKind.PHONE, IdentifierKind.EMAIL]))
            .order_by(Identifier.id)).all()
        step = max(1, len(theirs) // SHARED_WITH_ELABORATE)
        for kind, value in theirs[::step][:SHARED_WITH_ELABORATE]:
            holder = rng.choice(own)
            identifiers.put(holder, kind, *identifiers.typed_by(holder.agency, kind, value))
        for _ in range(WALLETS):
            typed = "0x" + "".join(rng.choice("0123456789abcdef") for _ in range(40))
            identifiers.put(rng.choice(self.holders), IdentifierKind.WALLET, typed,
                            normalise(IdentifierKind.WALLET, typed).value)

    def action_day_packages(self, arrested: set[int]) -> ActionDay:
        day = super().action_day_packages(arrested)
        self.at_elaborates_door(day, self.free_suspects(arrested))
        return day

    def at_elaborates_door(self, day: ActionDay, free: list[int]) -> None:
        """An NCA team planned at an address of Elaborate's packages in England: half an hour after
        Elaborate's team when the demo is live (its second wave), else on Saltmarsh's own action day."""
        P = PackageStatus
        england = select(Jurisdiction.id).where(Jurisdiction.code == "GB-EAW").scalar_subquery()
        theirs = select(TargetPackage).where(TargetPackage.operation_id == self.elaborate,
                                             TargetPackage.jurisdiction_id == england).order_by(TargetPackage.id)
        if self.now is not None:  # the first of the live wave's still to come
            theirs = theirs.where(TargetPackage.h_hour > self.now + timedelta(minutes=30),
                                  TargetPackage.status != P.CLOSED)
        target = self.session.scalars(theirs.limit(1)).first()
        if target is None:
            return
        if self.now is not None:
            h_hour, created = target.h_hour + timedelta(minutes=30), self.now - timedelta(days=1)
            path = [(P.BRIEFED, self.now - timedelta(hours=10), "")]
        else:
            h_hour = datetime.combine(self.action_day, time(6), UTC)
            created = h_hour - timedelta(days=5)
            path = [(P.BRIEFED, h_hour - timedelta(hours=14), ""), (P.DEPLOYED, h_hour - timedelta(minutes=40), ""),
                    (P.ENTERED, h_hour + timedelta(minutes=3), ""),
                    (P.NOTHING_FOUND, h_hour + timedelta(minutes=70), ""),
                    (P.CLOSED, h_hour + timedelta(hours=5), "")]
        row = day.package(LEAD, "GB-EAW", target.address, [self.rng.choice(free)], h_hour, created, exact=True)
        day.walk(row, LEAD, path)
        self.flush()
