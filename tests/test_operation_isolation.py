"""The canary test across two operations (issue 27, "Membership"): a person reads nothing of an
operation they are not a member of, and a role in one operation grants nothing in another.

One database holds operation A (Elaborate, `canaries.COVERING` built by the demo users) and operation
B (the same plan, built by people of its own: none of them a member of A). Every text of B carries
canaries of B's (`canaries.build` with its own serial), its name and its people's names too. Then
every surface of tests/test_canaries.py is drawn for every reader of A: none may show a canary of B,
each must still show something of A (so a surface drawing nothing cannot pass), and nothing of A
beyond the reader's role in A. `observer.eurojust` is an observer of A and a commander of B: reading
A, they read what an observer reads and nothing of B. B's people, and that person reading B, see
nothing of A.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import or_, select

from coordination import briefing, deconfliction_key, exports, notices, services
from coordination.aggregates import Filters
from coordination.briefing.contents import gather
from coordination.errors import NotFound, ValidationError
from coordination.kinds import KINDS
from coordination.models import (
    Agency,
    ContactRequest,
    Hit,
    Membership,
    Notification,
    Operation,
    OperationPartner,
    OperationStatus,
    Role,
    User,
)
from coordination.principal import principal_for_subject
from coordination.queries import action_day, decisions, hits, notifications, timeline
from coordination.reminder_pass import LONDON
from coordination.services.reminders import briefings_due
from coordination.standing_data import DEMO_USERS
from tests import canaries
from tests.conftest import TEST_ISSUER, Store, truncate_all
from tests.test_canaries import (
    SURFACES,
    Built,
    Surface,
    _build,
    _fresh_store,
    everyone,
    leaks,
    mail_text,
    page,
    verdict,
)

pytestmark = [pytest.mark.slow]

B_NAME = "Operation cnryb0b0b0b0"  # its name is a canary of B's: no reader of A may see it
B_CODE = "CNRYB0B0B0B1"
BOTH = "observer.eurojust"  # an observer of A, a commander of B


def in_b(subject: str) -> str:
    """Who plays the plan's `subject` in operation B: a person of their own (not a member of A)."""
    return f"b.{subject}"


def _people_of_b(store: Store) -> int:
    """Operation B, its partners and its people (each a member of B only; BOTH commands it too)."""
    with store.writer() as session:
        agencies = dict(session.execute(select(Agency.code, Agency.id)).all())
        operation = Operation(code_name=B_NAME, code=B_CODE, lead_agency_id=agencies["NCA"],
                              status=OperationStatus.ACTIVE)
        session.add(operation)
        session.flush()
        session.add_all(OperationPartner(operation_id=operation.id, agency_id=i) for i in agencies.values())
        session.commit()
        operation_id = operation.id
    admin = store.principal("admin")
    for user in DEMO_USERS:
        if user.role is Role.ADMIN:
            continue
        with store.writer() as session:
            made = services.create_user(session, admin, {
                "issuer": TEST_ISSUER, "subject": in_b(user.subject), "display_name": f"B {_name_canary(user.subject)}",
                "email": f"{in_b(user.subject)}@demo.invalid", "agency": user.agency, "role": user.role.value})
            session.add(Membership(operation_id=operation_id, user_id=made.id, role=user.role))
            session.commit()
    with store.writer() as session:
        both = session.scalar(select(User.id).where(User.subject == BOTH))
        session.add(Membership(operation_id=operation_id, user_id=both, role=Role.COMMANDER))
        session.commit()
    return operation_id


def _name_canary(subject: str) -> str:
    return f"cnry{sum(map(ord, subject)) * 40503 % 2**32:08x}"


def _member_of(store: Store, operation_id: int) -> Callable[[str], None]:
    def provision(subject: str) -> None:
        with store.writer() as session:
            user = session.scalar(select(User).where(User.subject == subject))
            session.add(Membership(operation_id=operation_id, user_id=user.id, role=user.role))
            session.commit()
    return provision


class TwoOperations:
    def __init__(self) -> None:
        self.b: canaries.World | None = None
        self.operation_b = 0

    def then(self, store: Store) -> None:
        self.operation_b = _people_of_b(store)
        self.b = canaries.build(store, canaries.COVERING, cast=in_b, first_canary=1_000_000,
                                provision=_member_of(store, self.operation_b))
        with store.reader() as session:  # its name and code: named to its members (their picker), to no one else
            members = frozenset(session.scalars(select(Membership.user_id).where(
                Membership.operation_id == self.operation_b)))
        for value in (B_NAME.split()[-1], B_CODE.lower()):
            self.b.canaries[value] = canaries.Canary(value, "the name of operation B", [], members=members)
        for user in DEMO_USERS:
            value = _name_canary(user.subject)
            self.b.canaries[value] = canaries.Canary(value, f"the name of {in_b(user.subject)}", [])


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def two(request, tmp_path_factory):
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv(deconfliction_key.ENVIRONMENT,
                           str(deconfliction_key.make_key_file(tmp_path_factory.mktemp("key") / "k.key")))
        store = _fresh_store(request.param, tmp_path_factory, request)
        other = TwoOperations()
        built = _build(store, canaries.COVERING, monkeypatch, then=other.then)
        yield built, other
        if store.kind == "sqlite":
            store.engine.dispose()
        else:
            truncate_all(store.engine)


def mail_of_a(built: Built, reader: canaries.Reader) -> str:
    """The reader's mail about operation A: a member of both has B's as well, each mail named by its
    operation (B's are checked as B's, below)."""
    return "\n".join(mail_text(m) for m in built.mail
                     if m["To"] == f"{reader.label}@demo.invalid" and not m["Subject"].startswith(B_NAME))


# the users page is the deployment's admin's, who provisions everyone (and reads no operation's records)
SURFACES_OF_A = {name: surface for name, surface in SURFACES.items() if name != "page:users"} | {
    "mail": Surface(mail_of_a, everyone)}


@pytest.mark.parametrize("name", list(SURFACES_OF_A))
def test_no_surface_of_a_shows_anything_of_b(two, name):
    """Every reader of A (each role; the member of both as A's observer) on every surface: nothing of B,
    nothing of A beyond their role in A, and something of A."""
    built, other = two
    found, empty = leaks(built, name, SURFACES_OF_A[name], others=(other.b,))
    assert not found and not empty, verdict(name, found, empty)


def test_a_role_in_one_operation_grants_nothing_in_another(two):
    built, other = two
    with built.store.reader() as session:
        in_a = principal_for_subject(session, BOTH)
        in_b_ = principal_for_subject(session, BOTH, operation=B_CODE)
        assert (in_a.role, in_b_.role) == (Role.OBSERVER, Role.COMMANDER)
        assert in_a.operation_id != in_b_.operation_id == other.operation_b
        # as A's observer: no decision of A above what partners read, no exclusion list, no hit of B
        assert hits.exclusions(session, in_a) == []
        readable = built.world.readable(canaries.Reader(BOTH, in_a))
        shown = built.world.found_in(repr(decisions.log(session, in_a)))
        assert shown and shown <= readable
    # told of B as B's commander (a mail named by B), of A as A's observer: one principal per membership,
    # each mail's links opening its own operation
    mine = [m for m in built.mail if m["To"] == f"{BOTH}@demo.invalid"]
    assert any(m["Subject"].startswith(B_NAME) for m in mine)
    assert all(f"operation={B_CODE if m['Subject'].startswith(B_NAME) else in_a.operation_code}" in mail_text(m)
               for m in mine)


# --- B's side: its people, and the member of both reading B, read nothing of A ------------------------

def _b_readers(built: Built) -> list[canaries.Reader]:
    with built.store.reader() as session:
        people = [canaries.Reader(in_b(s), principal_for_subject(session, in_b(s)))
                  for s in ("commander.met", "liaison.met", "analyst.europol", "observer.eurojust")]
        people.append(canaries.Reader(f"{BOTH} in B", principal_for_subject(session, BOTH, operation=B_CODE)))
    return people


def _reads_of(session, reader: canaries.Reader) -> str:
    """What the reader's reads hold, each named read once: exports, hits, inbox, timeline, decisions,
    the action day's board and conflicts, and the briefing's contents."""
    principal = reader.principal
    texts = [exports.build(session, principal, kind).csv().decode("utf-8-sig") for kind in KINDS]
    texts.append(exports.identifiers(session, principal).csv().decode("utf-8-sig"))
    texts += [repr(hits.hits_for_agency(session, principal)), repr(notifications.inbox(session, principal)),
              repr(timeline.page(session, principal, size=500)), repr(decisions.log(session, principal)),
              repr(action_day.board(session, principal, datetime.now(UTC))), repr(action_day.conflict_notices(
                  session, principal)), repr(gather(session, principal, Filters()))]
    return "\n".join(texts)


def test_nothing_of_a_reaches_b(two):
    built, other = two
    found, empty = [], []
    for reader in _b_readers(built):
        with built.store.reader() as session:
            text = _reads_of(session, reader)
        if reader.label.startswith("b."):
            text += page("inbox")(built, reader) + page("deconfliction")(built, reader)
        text += "\n".join(mail_text(m) for m in built.mail if m["Subject"].startswith(B_NAME)
                          and m["To"] in (f"{reader.label}@demo.invalid", f"{BOTH}@demo.invalid"))
        found += [f"{reader.label}: {built.world.describe(value)}" for value in sorted(built.world.found_in(text))]
        if not other.b.found_in(text):
            empty.append(reader.label)
    assert not found and not empty, verdict("B's reads", found, empty)


def test_briefing_of_a_names_no_other_operation(two):
    built, other = two
    made = briefing.export(built.store.engine, built.store.principal("commander.met"), with_charts=False)
    assert made.contents.operation != B_NAME and not other.b.found_in(repr(made.contents))


def test_each_person_is_told_only_of_operations_they_take_part_in_by_their_role_there(two):
    """Who hears is decided by the membership's role in the record's operation: no notification names
    a record of an operation its person is not a member of; the member of both hears B's conflicts
    as B's commander and none of A's (A's observers are not told of conflicts)."""
    built, other = two
    with built.store.reader() as session:
        members = set(session.execute(select(Membership.user_id, Membership.operation_id)).all())
        rows = session.execute(select(Notification.user_id, Notification.entity, Notification.entity_id,
                                      Notification.event)).all()
        operations = services.notifications.operations_of(session, [(e, i) for _, e, i, _ in rows])
        both = session.scalar(select(User.id).where(User.subject == BOTH))
    assert rows and all((entity, entity_id) in operations for _, entity, entity_id, _ in rows)
    strangers = [(user, entity, entity_id) for user, entity, entity_id, _ in rows
                 if (user, operations[(entity, entity_id)]) not in members]
    assert strangers == []
    conflicts_told = {operations[(entity, entity_id)] for user, entity, entity_id, event in rows
                      if user == both and event == notices.PACKAGE_CONFLICT.name}
    assert conflicts_told == {other.operation_b}


def test_a_briefing_is_handed_to_members_of_its_operation_only(two):
    built, _ = two
    commander = built.store.principal("commander.met")
    with built.store.writer() as session, pytest.raises(ValidationError) as refused:
        services.authorise_briefing(session, commander, briefing.Audience(people=(in_b("commander.met"),)))
    assert refused.value.problems == {"people": "nobody active in this operation is signed in as 'b.commander.met'"}
    with built.store.writer() as session:  # the member of both, as A's observer
        plan = services.authorise_briefing(session, commander, briefing.Audience(people=(BOTH,)))
    assert [(person.role, person.operation_id) for person in plan.people] == [(Role.OBSERVER, commander.operation_id)]


def test_another_operations_hits_and_requests_are_missing_to_a_writer(two):
    """A liaison of A asking about a hit of B, or answering a request of B, finds nothing there."""
    built, other = two
    with built.store.reader() as session:
        met = session.scalar(select(Agency.id).where(Agency.code == "MET"))
        hit = session.scalar(select(Hit.id).where(Hit.operation_id == other.operation_b,
                                                  or_(Hit.first_agency_id == met, Hit.second_agency_id == met)))
        request = session.execute(select(ContactRequest.id, Agency.code).join(
            Agency, Agency.id == ContactRequest.owner_agency_id).where(
            ContactRequest.operation_id == other.operation_b)).first()
    assert hit is not None and request is not None
    with built.store.writer() as session, pytest.raises(NotFound):
        services.ask_for_contact(session, built.store.principal("liaison.met"), hit, "why")
    with built.store.writer() as session, pytest.raises(NotFound):
        services.decline_contact(session, built.store.principal(canaries.LIAISON[request.code]), request.id, "no")


def test_a_conflict_sends_its_readers_to_liaisons_of_its_own_operation(two):
    """The liaison a conflict names is one of the package's operation (a liaison there), never a
    liaison of the same agency in another operation."""
    built, _ = two
    with built.store.reader() as session:
        of_a = action_day.conflict_notices(session, built.store.principal("commander.met"))
        of_b = action_day.conflict_notices(session, principal_for_subject(session, BOTH, operation=B_CODE))
    assert of_a and of_b
    assert all("liaison." in n.sentence and "b.liaison." not in n.sentence for n in of_a if "@" in n.sentence)
    assert any("b.liaison." in n.sentence for n in of_b)
    assert not any(re.search(r"(?<!b\.)liaison\.[a-z-]+@", n.sentence) for n in of_b)


def test_a_daily_briefing_is_made_for_each_operation_one_commands(two):
    """The reminder pass makes scheduled briefings per membership: the member of both has one made as
    B's commander, none as A's observer."""
    built, other = two
    with built.store.writer() as session:
        services.notifications.save_settings(
            session, principal_for_subject(session, BOTH, operation=B_CODE), {"briefing_at": "00:00"})
        session.commit()
    with built.store.reader() as session:
        due = [(p.subject, p.role, p.operation_id) for p in briefings_due(session, datetime.now(LONDON))]
    assert (BOTH, Role.COMMANDER, other.operation_b) in due
    assert not any(subject == BOTH and operation != other.operation_b for subject, _, operation in due)
