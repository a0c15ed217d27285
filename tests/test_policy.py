"""The policy table of DESIGN.md, exhaustively, and the SQL scoping function against it."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from coordination import policy
from coordination.markings import TLP, Classification
from coordination.models import Agency, Operation, Recipient, Role, Suspect, User
from coordination.policy import Action
from coordination.principal import Principal

ROLES = [*Role, None]  # None: signed in but not provisioned (or the system)
OWN, OTHER = 1, 2


def principal(role: Role | None, user_id: int = 10) -> Principal:
    return Principal(user_id, "iss", "sub", "Someone", OWN, "MET", role)


def expected_read(role: Role | None, own: bool, tlp: TLP, named: bool) -> bool:
    """DESIGN.md, 'Who sees and does what', in words:"""
    if role is Role.COMMANDER:  # everything except RED records not addressed to them
        return tlp is not TLP.RED or named
    if role in (Role.LIAISON, Role.ANALYST, Role.OBSERVER):  # partners' CLEAR/GREEN/AMBER; own STRICT; own RED if named
        return tlp in (TLP.CLEAR, TLP.GREEN, TLP.AMBER) or (own and tlp is TLP.AMBER_STRICT) \
            or (own and tlp is TLP.RED and named)
    return False  # admins read no operational records; the unprovisioned read nothing


def expected_write(role: Role | None, action: Action, entity: str, own: bool, holder_own: bool) -> bool:
    if action is Action.MANAGE_USERS:
        return role is Role.ADMIN
    if role is Role.COMMANDER:  # any task: create, edit, assign, note, status
        return entity == "task" and action is not Action.TRANSFER_CUSTODY
    if role is Role.LIAISON:  # own agency's records; custody of items their agency holds; no reassigning
        if action is Action.TRANSFER_CUSTODY:
            return holder_own
        return own and action is not Action.REASSIGN_TASK
    if role is Role.ANALYST:  # notes only
        return action is Action.ADD_NOTE
    return False  # observers, admins (operationally), the unprovisioned


@pytest.mark.parametrize(("role", "own", "tlp", "named"),
                         list(itertools.product(ROLES, [True, False], TLP, [True, False])))
def test_read(role, own, tlp, named):
    who = principal(role)
    recipients = {who.user_id} if named else {99}
    assert policy.can_read(who, OWN if own else OTHER, tlp, recipients) == expected_read(role, own, tlp, named)


@pytest.mark.parametrize(("role", "action", "entity", "own", "holder_own"), list(itertools.product(
    ROLES, Action, ["suspect", "arrest", "evidence item", "task"], [True, False], [True, False])))
def test_write(role, action, entity, own, holder_own):
    who = principal(role)
    allowed = policy.can_write(who, action, entity=entity, owning_agency_id=OWN if own else OTHER,
                               holder_agency_id=OWN if holder_own else OTHER)
    assert allowed == expected_write(role, action, entity, own, holder_own)


def test_the_sql_scoping_function_agrees_with_the_table_for_every_demo_principal(store):
    """Every marking x owning agency x set of named recipients, as rows; every principal's view."""
    with store.writer() as session:
        operation = session.scalar(select(Operation))
        agencies = {a.code: a.id for a in session.scalars(select(Agency))}
        users = {u.subject: u for u in session.scalars(select(User))}
        recipient_sets = [(), ("liaison.met",), ("commander.met",), ("liaison.fbi",),
                          ("liaison.met", "analyst.europol"), ("observer.eurojust", "liaison.fbi", "commander.met")]
        n = 0
        for agency, tlp, named in itertools.product(["MET", "FBI", "EUROJUST"], TLP, recipient_sets):
            n += 1
            session.add(Suspect(id=n, operation_id=operation.id, owning_agency_id=agencies[agency], tlp=tlp,
                                classification=Classification.OFFICIAL, reference=f"P-{n}", full_name="x",
                                tier="user", status="lead"))
            session.flush()
            session.add_all(Recipient(entity="suspect", entity_id=n, user_id=users[s].id) for s in named)
        session.commit()
        rows = {s.id: s for s in session.scalars(select(Suspect))}
        named_by_row = {}
        for recipient in session.scalars(select(Recipient)):
            named_by_row.setdefault(recipient.entity_id, set()).add(recipient.user_id)
    for subject in users:
        who = store.principal(subject)
        with store.reader() as session:
            seen = set(session.scalars(select(Suspect.id).where(policy.visible(Suspect, who))))
        expected = {i for i, row in rows.items()
                    if expected_read(who.role, row.owning_agency_id == who.agency_id, row.tlp,
                                     who.user_id in named_by_row.get(i, set()))}
        assert seen == expected, subject
        assert expected == {i for i, row in rows.items()
                            if policy.can_read(who, row.owning_agency_id, row.tlp, named_by_row.get(i, set()))}
    assert len(rows) == 3 * len(TLP) * len(recipient_sets)
