"""A small operation where every record says who may read it: each text a person typed into a record
carries a canary ("cnry" and 8 hex digits) that belongs to that record alone, so any text any surface
shows can be searched for the canaries of records its reader may not read (tests/test_canaries.py).

The operation is built through the services as its people would build it: each agency's liaison writes
its suspects, arrests, evidence items (with a custody transfer), tasks (with an update) and target
packages (taken through their action day), at every marking; identifiers shared between agencies make
hits, some asked about (approved: a grant; or declined); packages of two agencies at one address make a
conflict; commanders keep the decision log (with corrections); everyone is told by notifications, some
by mail. A `Plan` says which agency owns what at which marking and who is named on RED records:
`COVERING` names one by hand, `plans()` draws them (Hypothesis).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count

from hypothesis import strategies as st
from sqlalchemy import select

from coordination import policy, services
from coordination.errors import NotFound, ValidationError
from coordination.markings import TLP
from coordination.models import (
    Agency,
    Arrest,
    Decision,
    EvidenceItem,
    Hit,
    Identifier,
    PackageConflict,
    RecordGrant,
    Role,
    Suspect,
    TargetPackage,
    Task,
    User,
)
from coordination.principal import Principal
from coordination.services.identifiers import holder
from coordination.services.loading import recipient_ids
from coordination.standing_data import DEMO_USERS
from tests.conftest import TEST_ISSUER

CANARY = re.compile(r"cnry[0-9a-f]{8}")
AGENCIES = ("MET", "NCA", "EUROPOL", "EUROJUST", "NL-POLICE", "FBI")
LIAISON = {agency: f"liaison.{agency.lower()}" for agency in AGENCIES}
SECOND_COMMANDER = "commander.nca"  # provisioned by the builder: a commander of another agency
PEOPLE = tuple(u.subject for u in DEMO_USERS if u.role is not Role.ADMIN) + (SECOND_COMMANDER,)


# --- the plan -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Cluster:
    """One agency's suspect and what hangs off it (arrest, evidence item, task, target package), all at
    one marking. `named`: people named on a RED cluster besides its author (the agency's liaison);
    `link`: an earlier cluster of the same agency whose suspect (and task) these records name too;
    `outcome`: how its package's day ends."""

    agency: str
    tlp: TLP
    named: tuple[str, ...] = ()
    link: int | None = None
    outcome: str = "arrest made"  # arrest made | nil | aborted | entered | planned


@dataclass(frozen=True)
class DecisionSpec:
    author: str  # a commander
    tlp: TLP
    named: tuple[str, ...] = ()
    corrects: int | None = None  # the index of an earlier decision
    pinned: bool = False


@dataclass(frozen=True)
class Plan:
    clusters: tuple[Cluster, ...]
    hits: tuple[tuple[int, int], ...] = ()  # clusters whose suspects share an online handle
    asks: tuple[tuple[int, int, bool], ...] = ()  # (hit, asking side 0/1, approved?) contact requests
    conflicts: tuple[tuple[int, int], ...] = ()  # clusters whose packages stand at one door, one hour apart
    decisions: tuple[DecisionSpec, ...] = ()


_C, _G, _A, _S, _R = TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT, TLP.RED
COVERING = Plan(
    clusters=(
        Cluster("MET", _C), Cluster("MET", _A, outcome="nil"), Cluster("MET", _S, link=1),
        Cluster("MET", _R, ("commander.met",)), Cluster("MET", _R, ("liaison.fbi",), link=2, outcome="aborted"),
        Cluster("NCA", _G, outcome="entered"), Cluster("NCA", _S),
        Cluster("NCA", _R, (SECOND_COMMANDER, "commander.met"), link=5),
        Cluster("EUROPOL", _A, link=None, outcome="planned"), Cluster("EUROPOL", _S, link=8),
        Cluster("EUROPOL", _R, ("analyst.europol",), link=9),
        Cluster("EUROJUST", _G), Cluster("EUROJUST", _R, ("observer.eurojust", "commander.met"), link=11),
        Cluster("NL-POLICE", _C, outcome="nil"), Cluster("NL-POLICE", _S, link=13),
        Cluster("FBI", _A), Cluster("FBI", _S, link=15, outcome="planned"),
        Cluster("FBI", _R, ("liaison.met", SECOND_COMMANDER), link=16),
        # records below the marking of what they name: arrests made of an AMBER+STRICT subject at an AMBER
        # and at a CLEAR package, of a RED subject at a GREEN one, a CLEAR package naming a RED suspect
        Cluster("MET", _A, link=2), Cluster("FBI", _G, link=17), Cluster("NCA", _C, link=7, outcome="nil"),
        Cluster("NL-POLICE", _C, link=14),
    ),
    # MET AMBER ~ FBI A+S, NCA A+S ~ EUROPOL A+S, FBI RED ~ MET A+S, NL A+S ~ MET CLEAR, EUROJUST RED ~ NCA GREEN
    hits=((1, 16), (6, 9), (17, 2), (14, 0), (12, 5), (3, 15)),
    asks=((0, 0, True), (1, 1, True), (3, 1, False), (1, 0, False)),
    # MET CLEAR ~ FBI AMBER; NCA A+S ~ NL A+S; MET RED ~ EUROPOL AMBER; EUROPOL A+S ~ FBI A+S (both planned)
    conflicts=((0, 15), (6, 14), (3, 8), (9, 16)),
    decisions=(
        DecisionSpec("commander.met", _G, pinned=True), DecisionSpec("commander.met", _A),
        DecisionSpec("commander.met", _S, corrects=1, pinned=True), DecisionSpec("commander.met", _R),
        DecisionSpec(SECOND_COMMANDER, _R, ("commander.met",), corrects=0),
        DecisionSpec(SECOND_COMMANDER, _C), DecisionSpec(SECOND_COMMANDER, _S, corrects=5, pinned=True),
        DecisionSpec("commander.met", _R, (SECOND_COMMANDER,), corrects=2, pinned=True),
    ),
)


@st.composite
def plans(draw) -> Plan:
    """Markings, named recipients, links, hits, requests, conflicts and decisions, drawn."""
    n = draw(st.integers(6, 12))
    clusters = []
    for i in range(n):
        agency = draw(st.sampled_from(AGENCIES))
        tlp = draw(st.sampled_from(list(TLP)))
        named = tuple(sorted(draw(st.sets(st.sampled_from(PEOPLE), max_size=3)))) if tlp is TLP.RED else ()
        same = [j for j in range(i) if clusters[j].agency == agency]
        link = draw(st.sampled_from([None, *same]))
        outcome = draw(st.sampled_from(["arrest made", "nil", "aborted", "entered", "planned"]))
        clusters.append(Cluster(agency, tlp, named, link, outcome))
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n) if clusters[i].agency != clusters[j].agency]
    hits = tuple(draw(st.lists(st.sampled_from(pairs), unique=True, max_size=5))) if pairs else ()
    asks = tuple(draw(st.lists(st.tuples(st.integers(0, len(hits) - 1), st.integers(0, 1), st.booleans()),
                               max_size=4))) if hits else ()
    standing = [pair for pair in pairs if "aborted" not in (clusters[pair[0]].outcome, clusters[pair[1]].outcome)]
    conflicts = tuple(draw(st.lists(st.sampled_from(standing), unique_by=lambda p: p[1], max_size=3))) \
        if standing else ()
    decisions = []
    for k in range(draw(st.integers(1, 5))):
        tlp = draw(st.sampled_from(list(TLP)))
        decisions.append(DecisionSpec(
            draw(st.sampled_from(["commander.met", SECOND_COMMANDER])), tlp,
            tuple(sorted(draw(st.sets(st.sampled_from(PEOPLE), max_size=2)))) if tlp is TLP.RED else (),
            draw(st.sampled_from([None, *range(k)])), draw(st.booleans())))
    return Plan(tuple(clusters), hits, asks, conflicts, tuple(decisions))


# --- who may read what -----------------------------------------------------------------------------

@dataclass
class Record:
    """A record as the policy reads it, and what names it to a person."""

    entity: str
    name: str  # "suspect MET/cnry..." for failure messages
    owning_agency_id: int
    tlp: TLP
    recipients: frozenset[int]
    granted: set[int] = field(default_factory=set)  # agencies reading it under a contact request's grant
    links: list[Record] = field(default_factory=list)  # records it names (links, hits, conflicts, corrections)

    def link(self, other: Record, both_ways: bool = False) -> None:
        if other is not self:
            self.links.append(other)
            if both_ways:
                other.links.append(self)

    def readable_by(self, reader: Reader) -> bool:
        if reader.up_to is not None and self.tlp.rank > reader.up_to.rank:
            return False
        return policy.can_read(reader.principal, self.owning_agency_id, self.tlp, self.recipients, self.granted)


@dataclass(frozen=True)
class Reader:
    """Whose eyes a surface is drawn for: a person (or a stand-in), and the highest marking a document
    for them may hold (a shareable briefing)."""

    label: str
    principal: Principal
    up_to: TLP | None = None


@dataclass
class Canary:
    """A canary and who may read it: anyone who may read one of its records (a shared identifier or
    address belongs to both records holding it), or, for a contact request's typed reason, one of the
    request's two agencies' people (the asked agency: only while it may read the record asked about)."""

    value: str
    what: str  # "reference of suspect MET/...": for failure messages
    records: list[Record]
    request: tuple[int, Record] | None = None  # (asking agency id, the record asked about)
    of_all: bool = False  # readable only by who may read every one of its records (command's note on a conflict)
    members: frozenset[int] = frozenset()  # an operation's name: shown to its members, whichever they read

    def readable_by(self, reader: Reader) -> bool:
        if self.of_all:
            return all(record.readable_by(reader) for record in self.records)
        if any(record.readable_by(reader) for record in self.records):
            return True
        if self.request is not None and policy.sees_contact_requests(reader.principal):
            asking, asked_about = self.request
            return reader.principal.agency_id == asking or (
                reader.principal.agency_id == asked_about.owning_agency_id and asked_about.readable_by(reader))
        return False


@dataclass
class World:
    """The operation built from a plan: its canaries, its records, and handles to find them again."""

    plan: Plan
    canaries: dict[str, Canary] = field(default_factory=dict)
    records: dict[tuple[str, int], Record] = field(default_factory=dict)
    keys: dict[tuple[str, int], str] = field(default_factory=dict)  # (entity, id) -> "AGENCY/REFERENCE"
    agencies: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    _serial: Iterable[int] = field(default_factory=lambda: count(1))
    acknowledged: int = 0  # conflicts command acknowledged (with a note only readers of both may read)
    cast: Callable[[str], str] = str  # a plan's person (its subject) -> who plays them in this operation

    def who(self, *subjects: str) -> str:
        """The people of this operation who play the plan's `subjects`, as a form names them."""
        return ",".join(self.cast(subject) for subject in subjects)

    def principal(self, store, subject: str) -> Principal:
        return store.principal(self.cast(subject))

    def new(self, what: str, *records: Record) -> str:
        value = f"cnry{next(self._serial) * 2654435761 % 2**32:08x}"  # distinct, and none inside another
        self.canaries[value] = Canary(value, what, list(records))
        return value

    def add_to(self, value: str, record: Record) -> None:
        self.canaries[value].records.append(record)

    def found_in(self, text: str) -> set[str]:
        return {value for value in CANARY.findall(text.lower()) if value in self.canaries}

    def unreadable(self, reader: Reader) -> set[str]:
        return {value for value, canary in self.canaries.items() if not canary.readable_by(reader)}

    def named_to(self, reader: Reader) -> set[str]:
        """What of this operation is named to the reader however they read: its name, to its members."""
        return {value for value, canary in self.canaries.items() if reader.principal.user_id in canary.members}

    def readable(self, reader: Reader) -> set[str]:
        return set(self.canaries) - self.unreadable(reader)

    def describe(self, value: str) -> str:
        canary = self.canaries[value]
        owners = ", ".join(f"{r.name} ({r.tlp.label}{_named(self, r)})" for r in canary.records)
        return f"{value}: {canary.what} [{owners}]"


def _named(world: World, record: Record) -> str:
    if record.tlp is not TLP.RED:
        return ""
    people = sorted(subject for subject, user_id in world.users.items() if user_id in record.recipients)
    return " to " + ", ".join(people)


# --- building it through the services ----------------------------------------------------------------

def build(store, plan: Plan, now: datetime | None = None, cast: Callable[[str], str] = str,
          first_canary: int = 1, provision: Callable[[str], None] | None = None) -> World:
    """Write the plan's operation through the services, as its people would; returns its canaries.
    Needs a deconfliction key (the `key_file` fixture) for identifiers, hits and keyed addresses.

    `cast` names who plays each of the plan's people (by default the demo users themselves: another
    operation is built by people of its own), `first_canary` where its canaries' serial starts (two
    operations' canaries never coincide), and `provision(subject)` makes the second commander, once
    provisioned, a member of the operation built (a deployment of one makes them one itself)."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    world = World(plan, _serial=count(first_canary), cast=cast)
    with store.writer() as s:
        services.create_user(s, store.principal("admin"), {
            "issuer": TEST_ISSUER, "subject": cast(SECOND_COMMANDER), "display_name": "Cam Commander",
            "email": f"{cast(SECOND_COMMANDER)}@demo.invalid", "agency": "NCA", "role": "commander"})
    if provision is not None:
        provision(cast(SECOND_COMMANDER))
    with store.reader() as s:
        world.users = dict(s.execute(select(User.subject, User.id)).all())
        world.agencies = dict(s.execute(select(Agency.code, Agency.id)).all())
    for subject in PEOPLE:  # everyone hears by mail at once (the mail sink's surface)
        with store.writer() as s:
            services.notifications.save_settings(s, world.principal(store, subject), {"mail": "immediately"},
                                                 now=now - timedelta(hours=1))
            s.commit()
    made: list[dict[str, tuple[int, str]]] = []  # per cluster: kind -> (id, reference)
    for i, cluster in enumerate(plan.clusters):
        made.append(_cluster(store, world, plan, i, cluster, made, now))
    _hits(store, world, plan, made)
    _outcomes(store, world, plan, made)
    _acknowledgements(store, world, plan, made)
    _decisions(store, world, plan)
    _raise_out_of_sight(store, world, plan, made)
    return world


def _raise_out_of_sight(store, world: World, plan: Plan, made: list) -> None:
    """Every third task below AMBER+STRICT is raised, after its agency's liaison was told of it, to RED
    for commander.met alone: what was told before (inbox, mail, history, timeline) must not show it."""
    commander = world.principal(store, "commander.met")
    open_ones = [i for i, cluster in enumerate(plan.clusters) if cluster.tlp.rank < TLP.AMBER_STRICT.rank]
    for i in open_ones[::3]:
        task_id, _ = made[i]["task"]
        with store.writer() as s:
            task = s.get(Task, task_id)
            services.update_task(s, commander, task_id, task.version,
                                 {"tlp": "RED", "recipients": world.who("commander.met")})
        record = world.records[(Task.entity, task_id)]
        record.tlp, record.recipients = TLP.RED, frozenset({world.users[world.cast("commander.met")]})


def _marking(world: World, cluster: Cluster) -> dict[str, str]:
    marking = {"tlp": cluster.tlp.value}
    if cluster.tlp is TLP.RED:
        marking["recipients"] = world.who(*cluster.named)  # the author is named as well, always
    return marking


def _record(world: World, store, entity: str, record_id: int, reference: str, cluster: Cluster) -> Record:
    with store.reader() as s:
        named = frozenset(recipient_ids(s, entity, record_id))
    record = Record(entity, f"{entity} {cluster.agency}/{reference}", world.agencies[cluster.agency], cluster.tlp,
                    named)
    world.records[(entity, record_id)] = record
    world.keys[(entity, record_id)] = f"{cluster.agency}/{reference}"
    return record


def _cluster(store, world: World, plan: Plan, i: int, cluster: Cluster, made: list, now: datetime) -> dict:
    """The cluster's suspect, arrest, evidence item (handed to another agency), task (assigned by command to the
    agency, with an update) and target package, each text of them a canary of its own."""
    author = world.principal(store, LIAISON[cluster.agency])
    marking = _marking(world, cluster)
    linked = made[cluster.link] if cluster.link is not None else None
    out: dict[str, tuple[int, str]] = {}
    mine: dict[str, Record] = {}

    def canaries(entity: str, *names: str) -> dict[str, str]:
        return {name: world.new(f"{name} of {entity} #{i}") for name in names}

    # suspect
    c = canaries("suspect", "reference", "full_name", "aliases", "address", "notes")
    with store.writer() as s:
        suspect = services.create_suspect(s, author, {
            "reference": c["reference"].upper(), "full_name": f"Person {c['full_name']}",
            "aliases": f"alias {c['aliases']}", "address": f"1 {c['address']} Road", "notes": f"note {c['notes']}",
            "tier": "user", "status": "located", **marking})
        out["suspect"] = (suspect.id, suspect.reference)
    mine["suspect"] = _record(world, store, Suspect.entity, suspect.id, suspect.reference, cluster)
    for value in c.values():
        world.canaries[value].records.append(mine["suspect"])
    email = world.new(f"e-mail on suspect #{i}", mine["suspect"])
    with store.writer() as s:
        services.add_identifier(s, author, holder("suspect"), suspect.id, "e-mail address", f"{email}@example.org")
    subject_ref = linked["suspect"][1] if linked else suspect.reference

    # arrest (of the linked suspect), at the cluster's marking
    c = canaries("arrest", "reference", "place", "offences")
    with store.writer() as s:
        arrest = services.create_arrest(s, author, {
            "reference": c["reference"].upper(), "suspect": subject_ref, "jurisdiction": "GB-EAW",
            "arrested_at": (now - timedelta(hours=3)).isoformat(), "place": f"At {c['place']}",
            "offences": f"fraud {c['offences']}", "outcome": "bailed", **marking})
        out["arrest"] = (arrest.id, arrest.reference)
    mine["arrest"] = _record(world, store, Arrest.entity, arrest.id, arrest.reference, cluster)
    mine["arrest"].link(linked["records"]["suspect"] if linked else mine["suspect"])
    for value in c.values():
        world.canaries[value].records.append(mine["arrest"])

    # evidence item, then custody handed to the next agency
    c = canaries("evidence item", "reference", "description", "seized_from", "seized_place", "holder_name")
    with store.writer() as s:
        item = services.create_evidence_item(s, author, {
            "reference": c["reference"].upper(), "item_type": "cash", "description": f"Cash {c['description']}",
            "suspect": subject_ref, "seized_from": f"From {c['seized_from']}",
            "seized_at": (now - timedelta(hours=4)).isoformat(), "seized_place": f"At {c['seized_place']}",
            "status": "awaiting analysis", "holder_name": f"DC {c['holder_name']}", **marking})
        out["evidence"] = (item.id, item.reference)
    mine["evidence"] = _record(world, store, EvidenceItem.entity, item.id, item.reference, cluster)
    mine["evidence"].link(linked["records"]["suspect"] if linked else mine["suspect"])
    for value in c.values():
        world.canaries[value].records.append(mine["evidence"])
    to = AGENCIES[(AGENCIES.index(cluster.agency) + 1) % len(AGENCIES)]
    t = {name: world.new(f"custody {name} of evidence item #{i}", mine["evidence"])
         for name in ("to_holder", "place", "purpose", "condition")}
    with store.writer() as s:
        services.transfer_custody(s, author, item.id, item.version, {
            "to_agency": to, "to_holder": f"Lab {t['to_holder']}",
            "occurred_at": (now - timedelta(hours=2)).isoformat(), "place": f"At {t['place']}",
            "purpose": f"analysis {t['purpose']}", "condition": f"sealed {t['condition']}"})

    # task: command gives it to the agency (and its liaison); the liaison writes an update
    c = canaries("task", "reference", "title", "description")
    commander = world.principal(store, "commander.met")
    depends = linked["task"][1] if linked else None
    task_marking = dict(marking)
    if cluster.tlp is TLP.RED:  # a commander writes it: the agency's liaison is named so that it can work on it
        task_marking["recipients"] = world.who(*cluster.named, LIAISON[cluster.agency])
    task_data = {
        "reference": c["reference"].upper(), "title": f"Do {c['title']}", "description": f"d {c['description']}",
        "status": "open", "priority": "high", "owning_agency": cluster.agency,
        "due_date": (now.date() - timedelta(days=1)).isoformat(),
        "assignee": world.who(LIAISON[cluster.agency]), **({"depends_on": depends} if depends else {}), **task_marking}
    try:  # command gives it to the agency, unless command may not read what it depends on
        if cluster.tlp is TLP.RED:
            raise ValidationError({})
        with store.writer() as s:
            task = services.create_task(s, commander, task_data)
    except (ValidationError, NotFound):
        with store.writer() as s:
            task = services.create_task(s, author, task_data)
    out["task"] = (task.id, task.reference)
    mine["task"] = _record(world, store, Task.entity, task.id, task.reference, cluster)
    if linked:
        mine["task"].link(linked["records"]["task"])
    for value in c.values():
        world.canaries[value].records.append(mine["task"])
    update = world.new(f"update of task #{i}", mine["task"])
    with store.writer() as s:
        services.add_task_update(s, author, task.id, f"progress {update}")

    # target package: its subjects the cluster's suspect and the linked one; an address of its own unless it
    # stands at the door of an earlier package of another agency (a conflict)
    c = canaries("target package", "reference", "address", "team_call_sign", "legal_authority", "risk_notes")
    door = next((made[a]["door"] for a, b in plan.conflicts if b == i and a < len(made)), None)
    address = door[1] if door else f"{i + 1} {c['address']} Street, London"
    h_hour = door[0] + timedelta(hours=1) if door else now - timedelta(minutes=30 + 7 * i)
    subjects = ",".join(dict.fromkeys([suspect.reference, subject_ref]))
    package_marking = dict(marking)
    if cluster.tlp is TLP.RED and not any(p.startswith("commander.") for p in cluster.named):
        # a RED package names a commander (so command can deconflict it): the second one, so that
        # commander.met still reads none of it
        package_marking["recipients"] = world.who(*cluster.named, SECOND_COMMANDER)
    with store.writer() as s:
        package = services.create_package(s, author, {
            "reference": c["reference"].upper(), "jurisdiction": "GB-EAW", "address": address,
            "team_call_sign": f"TEAM-{c['team_call_sign']}", "subjects": subjects,
            "legal_authority": f"Warrant {c['legal_authority']}", "h_hour": h_hour.isoformat(),
            "risk_notes": f"risk {c['risk_notes']}", **package_marking})
        out["package"] = (package.id, package.reference)
    mine["package"] = _record(world, store, TargetPackage.entity, package.id, package.reference, cluster)
    mine["package"].link(mine["suspect"])
    if linked:
        mine["package"].link(linked["records"]["suspect"])
    for name, value in c.items():
        if name != "address" or door is None:
            world.canaries[value].records.append(mine["package"])
    if door:
        world.add_to(door[2], mine["package"])
        mine["package"].link(world.canaries[door[2]].records[0], both_ways=True)
    out["door"] = (h_hour, address, door[2] if door else c["address"])
    out["records"] = mine
    return out


def _hits(store, world: World, plan: Plan, made: list) -> None:
    """Each pair's suspects get one online handle (a hit); some are asked about, approved or declined."""
    hit_ids = []
    for n, (a, b) in enumerate(plan.hits):
        records = [made[a]["records"]["suspect"], made[b]["records"]["suspect"]]
        records[0].link(records[1], both_ways=True)
        handle = world.new(f"online handle shared by clusters #{a} and #{b}", *records)
        for side in (a, b):
            cluster = plan.clusters[side]
            with store.writer() as s:
                services.add_identifier(s, world.principal(store, LIAISON[cluster.agency]), holder("suspect"),
                                        made[side]["suspect"][0], "online handle", f"@{handle}", "Telegram")
        with store.reader() as s:
            ids = {i for i, in s.execute(select(Identifier.id).where(Identifier.normalised.like(f"%{handle}")))}
            hit_ids.append(s.scalar(select(Hit.id).where(Hit.first_id.in_(ids), Hit.second_id.in_(ids))))
        del n
    for hit_index, side, approved in plan.asks:
        a, b = plan.hits[hit_index]
        asking, asked = (a, b) if side == 0 else (b, a)
        asker = world.principal(store, LIAISON[plan.clusters[asking].agency])
        about = made[asked]["records"]["suspect"]
        reason = world.new(f"reason of a contact request about cluster #{asked}")
        world.canaries[reason].request = (asker.agency_id, about)
        try:
            with store.writer() as s:
                request = services.ask_for_contact(s, asker, hit_ids[hit_index], f"why {reason}")
        except Exception:  # not told of that hit (the other side is RED), or asked already: nothing to answer
            del world.canaries[reason]
            continue
        owner = world.principal(store, LIAISON[plan.clusters[asked].agency])
        answer = world.new(f"{'conditions' if approved else 'decline reason'} of a contact request about "
                           f"cluster #{asked}")
        world.canaries[answer].request = (asker.agency_id, about)  # the request's, as its reason is
        with store.writer() as s:
            if approved:
                services.approve_contact(s, owner, request.id, "H3", f"conditions {answer}")
            else:
                services.decline_contact(s, owner, request.id, f"no {answer}")
    with store.reader() as s:
        for entity, record_id, agency_id in s.execute(select(RecordGrant.record_entity, RecordGrant.record_id,
                                                             RecordGrant.agency_id)):
            if (entity, record_id) in world.records:  # this operation's (another's are its own world's)
                world.records[(entity, record_id)].granted.add(agency_id)


def _acknowledgements(store, world: World, plan: Plan, made: list) -> None:
    """Command acknowledges each conflict still standing, by the first commander told of it, with a note
    whose canary only readers of both packages may read (the note may name either)."""
    for a, b in plan.conflicts:
        if not a < b < len(made):
            continue
        pair = sorted((made[a]["package"][0], made[b]["package"][0]))
        with store.reader() as s:
            conflict_id = s.scalar(select(PackageConflict.id).where(PackageConflict.first_id == pair[0],
                                                                    PackageConflict.second_id == pair[1]))
        if conflict_id is None:  # aborted on its day: no conflict any more
            continue
        note = world.new(f"command's note on the conflict of packages #{a} and #{b}",
                         made[a]["records"]["package"], made[b]["records"]["package"])
        world.canaries[note].of_all = True
        for subject in ("commander.met", SECOND_COMMANDER):
            try:
                with store.writer() as s:
                    services.acknowledge_conflict(s, world.principal(store, subject), conflict_id, f"agreed {note}")
                break
            except NotFound:  # not told of it: the other commander is
                continue
        else:
            raise AssertionError(f"no commander is told of the conflict of packages #{a} and #{b}")
        world.acknowledged += 1


def _outcomes(store, world: World, plan: Plan, made: list) -> None:
    """Each package's day: briefed, deployed, entered, then its outcome (an arrest made writes arrests
    of its subjects, named after the package: its canary, at its marking)."""
    steps = {"planned": [], "entered": ["briefed", "deployed", "entered"],
             "arrest made": ["briefed", "deployed", "entered", "arrest made"],
             "nil": ["briefed", "deployed", "entered", "nil: subject not present"], "aborted": ["briefed", "aborted"]}
    for i, cluster in enumerate(plan.clusters):
        author = world.principal(store, LIAISON[cluster.agency])
        package_id = made[i]["package"][0]
        package_record = made[i]["records"]["package"]
        for status in steps[cluster.outcome]:
            note = ""
            if status in ("aborted", "nil: subject not present"):
                note = f"because {world.new(f'{status} note of target package #{i}', package_record)}"
            with store.writer() as s:
                version = s.get(TargetPackage, package_id).version
                services.change_package_status(s, author, package_id, version, status, note=note)
        if cluster.outcome == "arrest made":  # the arrests it wrote: the package's reference and marking
            with store.reader() as s:
                for arrest_id, reference, suspect_id in s.execute(select(
                        Arrest.id, Arrest.reference, Arrest.suspect_id).where(
                        Arrest.reference.like(f"{made[i]['package'][1]}-A%"),
                        Arrest.owning_agency_id == world.agencies[cluster.agency])).all():
                    arrest = _record(world, store, Arrest.entity, arrest_id, reference, cluster)
                    arrest.link(world.records[(Suspect.entity, suspect_id)])


def _decisions(store, world: World, plan: Plan) -> None:
    ids: list[int] = []
    for n, spec in enumerate(plan.decisions):
        author = world.principal(store, spec.author)
        c = {name: world.new(f"{name} of decision #{n}") for name in ("reference", "decision", "rationale",
                                                                        "options", "decided_by")}
        data = {"reference": c["reference"].upper(), "decision": f"We {c['decision']}",
                "rationale": f"as {c['rationale']}", "options": f"or {c['options']}",
                "decided_by": f"Gold {c['decided_by']}", "tlp": spec.tlp.value}
        if spec.tlp is TLP.RED:
            data["recipients"] = world.who(*spec.named)
        corrects = ids[spec.corrects] if spec.corrects is not None and spec.corrects < len(ids) else None
        try:
            with store.writer() as s:
                decision = services.record_decision(s, author, data, corrects=corrects)
        except Exception:  # the author may not read the entry to correct, or it is corrected already
            with store.writer() as s:
                decision = services.record_decision(s, author, data)
        ids.append(decision.id)
        agency = author.agency_code
        record = _record(world, store, Decision.entity, decision.id, decision.reference,
                         Cluster(agency, spec.tlp))
        for value in c.values():
            world.canaries[value].records.append(record)
        if decision.corrects_id is not None:
            record.link(world.records[(Decision.entity, decision.corrects_id)], both_ways=True)
        if spec.pinned:
            with store.writer() as s:
                services.pin_decision(s, author, decision.id, True)
