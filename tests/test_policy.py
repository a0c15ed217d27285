"""The policy table of DESIGN.md ("Who sees and does what"), exhaustively, and the SQL scoping
function against it on both stores. The expected tables are written out here by hand from
DESIGN.md; they are never computed by calling the policy."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import func, select

from coordination import policy
from coordination.kinds import EVIDENCE, KINDS
from coordination.markings import TLP, Classification
from coordination.models import (
    Agency,
    ContactRequest,
    Hit,
    Identifier,
    Operation,
    Recipient,
    RecordGrant,
    Role,
    Suspect,
    SuspectRedTally,
    SuspectTally,
    Task,
    User,
    hit_copies,
)
from coordination.policy import Action
from coordination.principal import Principal

OWN, OTHER = 1, 2
ME, SOMEONE_ELSE = 10, 99
UNPROVISIONED, SYSTEM = "unprovisioned", "system"
PRINCIPALS = [*Role, UNPROVISIONED, SYSTEM]

# Reads. Columns: the TLP labels in order. yes: may read; no: may not; named: only as a named recipient.
TLP_COLUMNS = (TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT, TLP.RED)
PARTNER = {"own":   "yes   yes   yes   yes     named",
           "other": "yes   yes   yes   no      no"}
NOTHING = {"own":   "no    no    no    no      no",
           "other": "no    no    no    no      no"}
READS = {
    #                  CLEAR GREEN AMBER STRICT  RED
    Role.COMMANDER: {"own":   "yes   yes   yes   yes     named",
                     "other": "yes   yes   yes   yes     named"},
    Role.LIAISON: PARTNER,
    Role.ANALYST: PARTNER,    # "as liaison, across the operation"
    Role.OBSERVER: PARTNER,   # "as liaison"
    Role.ADMIN: NOTHING,      # users, agencies, jurisdictions: no operational records
    UNPROVISIONED: NOTHING,
    SYSTEM: NOTHING,
}

# Writes. yes: always; own: records their agency owns; held: items their agency holds;
# tasks: any agency's tasks, nothing else; no: never.
# acquire: record an acquisition (a device's data imaged at the lab) of an item their agency holds
ACTION_COLUMNS = (Action.CREATE, Action.UPDATE, Action.TRANSFER_CUSTODY, Action.RECORD_ACQUISITION,
                  Action.ADD_NOTE, Action.CHANGE_TASK_STATUS, Action.REASSIGN_TASK, Action.MANAGE_USERS)
WRITES = {
    #                create  update  transfer  acquire  note   status  reassign  users
    Role.ADMIN:     "no      no      no        no       no     no      no        yes",
    Role.COMMANDER: "tasks   tasks   no        no       tasks  tasks   tasks     no",
    Role.LIAISON:   "own     own     held      held     own    own     no        no",
    Role.ANALYST:   "no      no      no        no       yes    no      no        no",
    Role.OBSERVER:  "no      no      no        no       no     no      no        no",
    UNPROVISIONED:  "no      no      no        no       no     no      no        no",
    SYSTEM:         "no      no      no        no       no     no      no        no",
}
ENTITIES = ("suspect", "arrest", "evidence item", "task")
KIND_OF = {kind.entity: kind for kind in KINDS.values()}


def cell(row: str, columns: tuple, column) -> str:
    return dict(zip(columns, row.split(), strict=True))[column]


def expected_read(who, own: bool, tlp: TLP, named: bool, up_to: TLP | None = None) -> bool:
    """The table, under a document's limit (`up_to`: nothing marked above it, whoever reads)."""
    if up_to is not None and tlp.rank > up_to.rank:
        return False
    verdict = cell(READS[who]["own" if own else "other"], TLP_COLUMNS, tlp)
    return verdict == "yes" or (verdict == "named" and named)


LIMITS = (None, TLP.CLEAR, TLP.AMBER, TLP.AMBER_STRICT, TLP.RED)  # a page (no limit) and shareable documents


def expected_write(who, action: Action, entity: str, own: bool, holds: bool) -> bool:
    verdict = cell(WRITES[who], ACTION_COLUMNS, action)
    return {"yes": True, "no": False, "own": own, "held": holds, "tasks": entity == "task"}[verdict]


def principal(who) -> Principal:
    if who == SYSTEM:
        return Principal.system("test")
    if who == UNPROVISIONED:  # signed in at an identity provider, not provisioned here
        return Principal(None, "http://idp.invalid", "stranger", "Stranger", None, "", None)
    return Principal(ME, "http://idp.invalid", "someone", "Someone", OWN, "MET", who)


def test_the_tables_cover_every_role_and_action():
    assert set(READS) == set(WRITES) == set(PRINCIPALS)
    assert set(ACTION_COLUMNS) == set(Action)  # a new action must be added to the table


@pytest.mark.parametrize("who", PRINCIPALS)
def test_the_policy_matches_the_table(who):
    """role x own/other agency x TLP x named or not x (read + every action) x entity."""
    me = principal(who)
    wrong = []
    for own, tlp, named in itertools.product([True, False], TLP, [True, False]):
        agency = OWN if own else OTHER
        recipients = {ME, SOMEONE_ELSE} if named else {SOMEONE_ELSE}
        for up_to in LIMITS:
            if policy.can_read(me.within(up_to), agency, tlp, recipients) != expected_read(who, own, tlp, named, up_to):
                wrong.append(f"read {'own' if own else 'other'} {tlp} named={named} up to {up_to}")
        for action, entity in itertools.product(Action, ENTITIES):
            allowed = policy.can_write(me, action, kind=KIND_OF[entity], owning_agency_id=agency,
                                       holder_agency_id=agency)
            if allowed != expected_write(who, action, entity, own, own):
                wrong.append(f"{action} {entity} {'own' if own else 'other'} {tlp}")
    assert wrong == []


@pytest.mark.parametrize(("owner", "holder", "may_transfer"), [(OWN, OWN, True), (OTHER, OWN, True),
                                                               (OWN, OTHER, False), (OTHER, OTHER, False)])
def test_custody_follows_the_holder_not_the_owner(owner, holder, may_transfer):
    me = principal(Role.LIAISON)
    assert policy.can_write(me, Action.TRANSFER_CUSTODY, kind=EVIDENCE, owning_agency_id=owner,
                            holder_agency_id=holder) is may_transfer


def test_a_red_record_is_not_read_by_role_alone():
    """Not even a commander, and not by a principal without a user id whose recipients hold None."""
    assert not policy.can_read(principal(Role.COMMANDER), OWN, TLP.RED, set())
    assert not policy.can_read(principal(UNPROVISIONED), OWN, TLP.RED, {None})


RECIPIENT_SETS = [(), ("liaison.met",), ("commander.met",), ("liaison.fbi",), ("liaison.met", "analyst.europol"),
                  ("observer.eurojust", "liaison.fbi", "commander.met"), ("analyst.europol", "liaison.eurojust")]
AGENCIES = ("MET", "FBI", "EUROPOL", "EUROJUST")


def add_rows(session, model, named_for, **columns) -> None:
    """One row of `model` per owning agency x TLP x recipients; ids are shared across models, so a
    recipient of suspect 7 must not make task 7 visible."""
    operation = session.scalar(select(Operation))
    agencies = {a.code: a.id for a in session.scalars(select(Agency))}
    users = {u.subject: u.id for u in session.scalars(select(User))}
    for n, (agency, tlp, named) in enumerate(itertools.product(AGENCIES, TLP, RECIPIENT_SETS), start=1):
        session.add(model(id=n, operation_id=operation.id, owning_agency_id=agencies[agency], tlp=tlp,
                          classification=Classification.OFFICIAL, reference=f"R-{n}", **columns))
        session.flush()
        session.add_all(Recipient(entity=model.entity, entity_id=n, user_id=users[s]) for s in named_for(named))
    session.commit()


def rotate(named: tuple) -> tuple:
    return RECIPIENT_SETS[(RECIPIENT_SETS.index(named) + 1) % len(RECIPIENT_SETS)]


def test_the_sql_scoping_function_agrees_with_the_table_for_every_principal(store):
    """Every marking x owning agency x set of named recipients, as rows; every principal's view."""
    with store.writer() as session:
        add_rows(session, Suspect, lambda named: named, full_name="x", tier="user", status="lead")
        add_rows(session, Task, rotate, title="x", status="open", priority="low")
        subjects = list(session.scalars(select(User.subject)))
    principals = {s: store.principal(s) for s in subjects}
    principals |= {who: principal(who) for who in (UNPROVISIONED, SYSTEM)}
    principals |= {f"{s} up to {limit}": store.principal(s).within(limit) for s in subjects
                   for limit in LIMITS if limit is not None}
    for name, who in principals.items():
        for model in (Suspect, Task):
            with store.reader() as session:
                rows = session.scalars(select(model)).all()
                named = {(r.entity_id, r.user_id) for r in session.scalars(
                    select(Recipient).where(Recipient.entity == model.entity))}
                seen = set(session.scalars(select(model.id).where(policy.visible(model, who))))
            role = who.role or (SYSTEM if name == SYSTEM else UNPROVISIONED)
            expected = {r.id for r in rows if expected_read(role, r.owning_agency_id == who.agency_id, r.tlp,
                                                            (r.id, who.user_id) in named, who.up_to)}
            assert seen == expected, (name, model.entity)
            by_policy = {r.id for r in rows if policy.can_read(
                who, r.owning_agency_id, r.tlp, {user for entity_id, user in named if entity_id == r.id})}
            assert seen == by_policy, (name, model.entity)
            assert len(rows) == len(AGENCIES) * len(TLP) * len(RECIPIENT_SETS)


def test_the_tallies_count_exactly_what_the_table_allows(store):
    """The dashboard's counts come from tallies (non-RED) and per-recipient RED tallies, through the
    same rule in its two other forms: for every principal they count the rows the table lets them read."""
    with store.writer() as session:
        add_rows(session, Suspect, lambda named: named, full_name="x", tier="user", status="lead")
        subjects = list(session.scalars(select(User.subject)))
    principals = {s: store.principal(s) for s in subjects} | {w: principal(w) for w in (UNPROVISIONED, SYSTEM)}
    principals |= {f"{s} up to {limit}": store.principal(s).within(limit) for s in subjects
                   for limit in LIMITS if limit is not None}
    with store.reader() as session:
        rows = session.scalars(select(Suspect)).all()
        named = {(r.entity_id, r.user_id) for r in session.scalars(select(Recipient))}
        for name, who in principals.items():
            counted = (session.scalar(select(func.sum(SuspectTally.n)).where(
                policy.visible_in_tally(SuspectTally, who))) or 0) + (session.scalar(
                select(func.sum(SuspectRedTally.n)).where(SuspectRedTally.user_id == who.user_id,
                                                          policy.visible_as_named(SuspectRedTally, who))) or 0)
            role = who.role or (SYSTEM if name == SYSTEM else UNPROVISIONED)
            expected = sum(expected_read(role, r.owning_agency_id == who.agency_id, r.tlp, (r.id, who.user_id) in named,
                                         who.up_to) for r in rows)
            assert counted == expected, name


def test_a_task_update_is_offered_to_its_own_agency_and_to_analysts_not_to_other_liaisons():
    assert policy.can_add_update(principal(Role.LIAISON), OWN)
    assert not policy.can_add_update(principal(Role.LIAISON), OTHER)  # an FBI liaison on a MET task
    assert policy.can_add_update(principal(Role.ANALYST), OTHER)
    assert policy.can_add_update(principal(Role.COMMANDER), OTHER)
    assert not policy.can_add_update(principal(Role.OBSERVER), OWN)


# Reads of another agency's record under a grant (its owner approved this agency's contact request):
# partners read that one record when AMBER+STRICT; RED is never granted; commanders read as before.
GRANTED_TO_PARTNER = "yes   yes   yes   yes     no"


def expected_read_granted(who, own: bool, tlp: TLP, named: bool, granted: bool, up_to: TLP | None = None) -> bool:
    if up_to is not None and tlp.rank > up_to.rank:
        return False
    if granted and not own and who in (Role.LIAISON, Role.ANALYST, Role.OBSERVER):
        return cell(GRANTED_TO_PARTNER, TLP_COLUMNS, tlp) == "yes"
    return expected_read(who, own, tlp, named)


@pytest.mark.parametrize("who", PRINCIPALS)
def test_a_grant_lets_partners_read_that_one_strict_record_never_a_red_one(who):
    me = principal(who)
    cases = itertools.product([True, False], TLP, [True, False])
    wrong = [f"{tlp} own={own} named={named}" for own, tlp, named in cases
             if policy.can_read(me, OWN if own else OTHER, tlp, {ME} if named else set(), {OWN})
             != expected_read_granted(who, own, tlp, named, True)]
    assert wrong == []


def test_the_sql_scoping_function_agrees_with_the_table_under_grants(store):
    """Suspects of every agency x marking x recipients, each granted to one agency (ids shared with
    tasks, whose grants must not leak onto suspects); every principal's view, SQL and Python alike."""
    with store.writer() as session:
        add_rows(session, Suspect, lambda named: named, full_name="x", tier="user", status="lead")
        add_rows(session, Task, rotate, title="x", status="open", priority="low")
        agencies = {a.code: a.id for a in session.scalars(select(Agency))}
        operation_id = session.scalar(select(Operation.id))
        sides = [Identifier(operation_id=operation_id, kind="domain", value=v, normalised=v, keyed=v * 64,
                            record_entity="suspect", record_id=n, owning_agency_id=agencies["MET"], tlp=TLP.AMBER)
                 for n, v in ((1, "a"), (2, "b"))]
        session.add_all(sides)
        session.flush()
        hit = Hit(operation_id=operation_id, match="exact", first_id=sides[0].id, second_id=sides[1].id,
                  **hit_copies(sides[0], sides[1]))
        session.add(hit)
        session.flush()
        request = ContactRequest(operation_id=operation_id, hit_id=hit.id, requesting_agency_id=agencies["FBI"],
                                 requested_by_id=session.scalar(select(User.id).limit(1)), reason="x",
                                 owner_agency_id=agencies["MET"], record_entity="suspect", record_id=1)
        session.add(request)
        session.flush()
        grantees = list(agencies.values())
        suspects = session.scalars(select(Suspect.id)).all()
        session.add_all(RecordGrant(record_entity=model.entity, record_id=n, request_id=request.id, condition="H0",
                                    agency_id=grantees[(n + shift) % len(grantees)])
                        for model, shift in ((Suspect, 0), (Task, 1)) for n in suspects)
        session.commit()
        subjects = list(session.scalars(select(User.subject)))
    principals = {s: store.principal(s) for s in subjects} | {w: principal(w) for w in (UNPROVISIONED, SYSTEM)}
    principals |= {f"{s} up to {limit}": store.principal(s).within(limit) for s in subjects
                   for limit in LIMITS if limit is not None}
    with store.reader() as session:
        rows = session.scalars(select(Suspect)).all()
        named = {(r.entity_id, r.user_id) for r in session.scalars(
            select(Recipient).where(Recipient.entity == Suspect.entity))}
        granted = {(g.record_id, g.agency_id) for g in session.scalars(
            select(RecordGrant).where(RecordGrant.record_entity == Suspect.entity))}
        for name, who in principals.items():
            seen = set(session.scalars(select(Suspect.id).where(policy.visible(Suspect, who))))
            role = who.role or (SYSTEM if name == SYSTEM else UNPROVISIONED)
            expected = {r.id for r in rows if expected_read_granted(
                role, r.owning_agency_id == who.agency_id, r.tlp, (r.id, who.user_id) in named,
                (r.id, who.agency_id) in granted, who.up_to)}
            assert seen == expected, name
            by_policy = {r.id for r in rows if policy.can_read(
                who, r.owning_agency_id, r.tlp, {u for i, u in named if i == r.id},
                {a for i, a in granted if i == r.id})}
            assert seen == by_policy, name
    fbi = principals["liaison.fbi"]  # the grants make a difference: FBI reads other agencies' STRICT records
    assert any(r.tlp is TLP.AMBER_STRICT and r.owning_agency_id != fbi.agency_id and (r.id, fbi.agency_id) in granted
               for r in rows)


# Deconfliction decisions by role (written out from issue 16): ask (about another agency's record, as
# one told of the hit), decide (a request to one's own agency), check an identifier, rotate the key,
# see requests, see overdue requests.
DECONFLICTION = {
    #                ask  decide  check  rotate  requests  overdue
    Role.ADMIN:     "no   no      no     no      no        no",
    Role.COMMANDER: "no   no      yes    yes     yes       yes",
    Role.LIAISON:   "yes  yes     yes    no      yes       no",
    Role.ANALYST:   "no   no      yes    no      yes       no",
    Role.OBSERVER:  "no   no      no     no      yes       no",
    UNPROVISIONED:  "no   no      no     no      no        no",
    SYSTEM:         "no   no      no     no      no        no",
}


@pytest.mark.parametrize("who", PRINCIPALS)
def test_deconfliction_decisions_match_the_table(who):
    me = principal(who)
    expected = [verdict == "yes" for verdict in DECONFLICTION[who].split()]
    assert [policy.can_ask_for_contact(me, True, OWN, OTHER), policy.can_decide_contact(me, OWN),
            policy.can_check_identifier(me), policy.can_rotate_key(me), policy.sees_contact_requests(me),
            policy.sees_overdue_contact_requests(me)] == expected
    # never about one's own agency's record, never a request to another agency, never untold
    assert not policy.can_ask_for_contact(me, True, OWN, OWN)
    assert not policy.can_ask_for_contact(me, True, OTHER, OWN)
    assert not policy.can_ask_for_contact(me, False, OWN, OTHER)
    assert not policy.can_decide_contact(me, OTHER)
