"""The one write path: an audit event per change, none after a rollback, refusals recorded,
every bad input named, stale versions refused, markings defaulted."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select, update

from coordination import audit, services
from coordination.errors import ConflictError, NotFound, PermissionDenied, RefusedWrite, ValidationError
from coordination.markings import TLP, Classification
from coordination.models import (
    Arrest,
    AuditEvent,
    CustodyEvent,
    EvidenceItem,
    Outcome,
    Recipient,
    Role,
    Suspect,
    Task,
    TaskUpdate,
    User,
)
from coordination.principal import Principal
from coordination.services.loading import load_visible

SHA = "c0" * 32
SUSPECT = {"reference": "S-1", "full_name": "Synthetic Person", "tier": "user", "status": "lead"}
TASK = {"reference": "T-1", "title": "Trace wallet", "status": "open", "priority": "high"}
ITEM = {"reference": "E-1", "item_type": "phone", "description": "Phone", "sha256": SHA, "seized_from": "S-1",
        "seized_at": "2022-11-07T06:00:00Z", "seized_place": "London", "status": "seized", "holder_name": "DC Example"}
ARREST = {"reference": "A-1", "suspect": "S-1", "jurisdiction": "GB-EAW", "arrested_at": "2022-11-07T06:00:00Z",
          "place": "London", "offences": "fraud", "outcome": "bailed"}
TRANSFER = {"to_agency": "NCA", "to_holder": "NCA lab", "occurred_at": "2022-11-08T09:00:00Z", "place": "Lab",
            "purpose": "analysis", "condition": "sealed", "hash_checked": SHA}
NEW_USER = {"issuer": "http://idp.invalid", "subject": "new.one", "display_name": "New One", "agency": "NCA",
            "role": "liaison"}
STRANGER = Principal(None, "http://idp.invalid", "stranger", "Stranger", None, "", None)  # signed in, not provisioned
TABLES = (Suspect, Arrest, EvidenceItem, CustodyEvent, Task, TaskUpdate, User, Recipient)


def acting(store, subject: str) -> Principal:
    return STRANGER if subject == "stranger" else store.principal(subject)


def seq(store) -> int:
    with store.reader() as session:
        return audit.head(session)[0]


def everything(store) -> tuple:
    """The audit head, every table's row count and every versioned row's version."""
    with store.reader() as session:
        counts = tuple(session.scalar(select(func.count()).select_from(model)) for model in TABLES)
        versions = tuple(tuple(session.execute(select(model.id, model.version).order_by(model.id)))
                         for model in (Suspect, Arrest, EvidenceItem, Task, User))
        return audit.head(session), counts, versions


def last(store) -> AuditEvent:
    with store.reader() as session:
        return session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))


@pytest.fixture
def world(store):
    return build_world(store)


@pytest.fixture
def sqlite_world(sqlite_store):
    """For input checks, which do not depend on the store: SQLite only, to keep the run short."""
    return build_world(sqlite_store)


def build_world(store):
    """MET's suspect S-1 with arrest A-1, tasks T-1 and T-2 (T-2 depends on T-1) and item E-1."""
    met = store.principal("liaison.met")
    with store.writer() as session:
        services.create_suspect(session, met, SUSPECT)
        services.create_arrest(session, met, ARREST)
        services.create_task(session, met, TASK)
        services.create_task(session, met, TASK | {"reference": "T-2", "depends_on": "T-1"})
        services.create_evidence_item(session, met, ITEM)
    return store


def ids(store) -> dict[str, int]:
    with store.reader() as session:
        return {"suspect": session.scalar(select(Suspect.id).where(Suspect.reference == "S-1")),
                "arrest": session.scalar(select(Arrest.id).where(Arrest.reference == "A-1")),
                "task": session.scalar(select(Task.id).where(Task.reference == "T-1")),
                "item": session.scalar(select(EvidenceItem.id).where(EvidenceItem.reference == "E-1")),
                "user": session.scalar(select(User.id).where(User.subject == "liaison.nca")),
                "admin": session.scalar(select(User.id).where(User.subject == "admin"))}


@dataclass(frozen=True)
class Call:
    """One service call: who makes it by default, how, what it audits, and input that succeeds."""

    subject: str
    run: Callable  # (session, principal, ids, data)
    action: str
    entity: str
    good: dict


def task_update(s, p, i, d):
    return services.add_task_update(s, p, i["task"], **d)


CALLS = {
    "create suspect": Call("liaison.met", lambda s, p, i, d: services.create_suspect(s, p, d), "create", "suspect",
                           SUSPECT | {"reference": "S-2"}),
    "update suspect": Call("liaison.met", lambda s, p, i, d: services.update_suspect(s, p, i["suspect"], 1, d),
                           "update", "suspect", {"status": "identified"}),
    "create arrest": Call("liaison.met", lambda s, p, i, d: services.create_arrest(s, p, d), "create", "arrest",
                          ARREST | {"reference": "A-2"}),
    "update arrest": Call("liaison.met", lambda s, p, i, d: services.update_arrest(s, p, i["arrest"], 1, d),
                          "update", "arrest", {"outcome": "charged"}),
    "create task": Call("commander.met", lambda s, p, i, d: services.create_task(s, p, d), "create", "task",
                        TASK | {"reference": "T-3", "owning_agency": "FBI"}),
    "update task": Call("commander.met", lambda s, p, i, d: services.update_task(s, p, i["task"], 1, d),
                        "update", "task", {"priority": "low"}),
    "task note": Call("analyst.europol", task_update, "create", "task update", {"body": "Cross-matched"}),
    "task status": Call("liaison.met", task_update, "create", "task update",
                        {"body": "Started", "new_status": "in progress", "expected_version": 1}),
    "create evidence": Call("liaison.met", lambda s, p, i, d: services.create_evidence_item(s, p, d), "create",
                            "evidence item", ITEM | {"reference": "E-2"}),
    "update evidence": Call("liaison.met", lambda s, p, i, d: services.update_evidence_item(s, p, i["item"], 1, d),
                            "update", "evidence item", {"status": "awaiting analysis"}),
    "transfer custody": Call("liaison.met", lambda s, p, i, d: services.transfer_custody(s, p, i["item"], 1, d),
                             "transfer custody", "evidence item", TRANSFER),
    "create user": Call("admin", lambda s, p, i, d: services.create_user(s, p, d), "create", "user", NEW_USER),
    "update user": Call("admin", lambda s, p, i, d: services.update_user(s, p, i["user"], 1, d), "update", "user",
                        {"role": "analyst"}),
    "update admin": Call("admin", lambda s, p, i, d: services.update_user(s, p, i["admin"], 1, d), "update", "user",
                         {"display_name": "Alex A. Admin"}),
}


def call(store, kind: str, data: dict | None = None, subject: str | None = None):
    spec = CALLS[kind]
    with store.writer() as session:
        return spec.run(session, acting(store, subject or spec.subject), ids(store),
                        spec.good if data is None else data)


@pytest.mark.parametrize("kind", CALLS)
def test_each_change_records_exactly_one_audit_event(world, kind):
    before = seq(world)
    call(world, kind)
    assert seq(world) == before + 1
    event = last(world)
    spec = CALLS[kind]
    assert (event.action, event.entity, event.actor_subject, event.outcome) == \
        (spec.action, spec.entity, spec.subject, Outcome.OK)
    assert event.after is not None and (event.before is None) == (spec.action != "update")
    with world.reader() as session:
        assert audit.verify(session).ok


NO_CHANGE = {
    "update suspect": {"status": "lead", "full_name": " Synthetic Person "},
    "update arrest": {"place": "London", "outcome": "bailed", "on_action_day": "yes"},
    "update task": {"priority": "high", "tlp": "AMBER"},
    "update evidence": {"status": "seized", "classification": "OFFICIAL-SENSITIVE"},
    "update user": {"role": "liaison", "agency": "NCA"},
}


@pytest.mark.parametrize("kind", NO_CHANGE)
def test_an_update_that_changes_nothing_records_nothing(sqlite_world, kind):
    before = everything(sqlite_world)
    record = call(sqlite_world, kind, NO_CHANGE[kind])
    assert record.version == 1 and everything(sqlite_world) == before


@pytest.mark.parametrize(("subject", "kind"), [
    ("liaison.fbi", "update suspect"), ("observer.eurojust", "task note"), ("analyst.europol", "task status"),
    ("liaison.fbi", "transfer custody"), ("liaison.met", "create user"), ("commander.met", "update suspect"),
    ("liaison.fbi", "update task"), ("liaison.fbi", "update arrest"), ("admin", "create suspect"),
    ("stranger", "create user"), ("stranger", "update admin"), ("liaison.met", "create task"),
])
def test_a_refused_attempt_is_recorded_as_refused_and_changes_nothing(world, subject, kind):
    head, counts, versions = everything(world)
    with pytest.raises(PermissionDenied):
        call(world, kind, subject=subject)
    event = last(world)
    assert (event.seq, event.outcome, event.actor_subject) == (head[0] + 1, Outcome.REFUSED, subject)
    assert event.detail and "may not" in event.detail
    assert everything(world)[1:] == (counts, versions)
    with world.reader() as session:
        assert audit.verify(session).ok


@pytest.mark.parametrize("kind", CALLS)
def test_nothing_is_recorded_when_the_transaction_fails_after_the_change(world, kind, monkeypatch):
    """The change is flushed; then the audit append fails: the whole call rolls back."""
    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")
    before = everything(world)
    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        call(world, kind)
    monkeypatch.undo()
    assert everything(world) == before


BAD = [
    ("create suspect", {}, {"reference", "full_name", "tier", "status"}),
    ("create suspect", SUSPECT | {"full_name": "x" * 201}, {"full_name"}),
    ("create suspect", SUSPECT | {"reference": "S-9", "shoe_size": "9"}, {"shoe_size"}),
    ("create suspect", SUSPECT | {"status": "kidnapped"}, {"status"}),
    ("create suspect", SUSPECT | {"date_of_birth": "03/04/2022"}, {"date_of_birth"}),
    ("create suspect", SUSPECT | {"nationality": "England"}, {"nationality"}),
    ("create suspect", SUSPECT | {"classification": "SECRET"}, {"classification"}),
    ("create suspect", SUSPECT | {"classification": "TOP SECRET"}, {"classification"}),
    ("create suspect", SUSPECT | {"tlp": "PURPLE"}, {"tlp"}),
    ("create suspect", SUSPECT | {"owning_agency": "KGB"}, {"owning_agency"}),
    ("create suspect", SUSPECT | {"reference": "S-9", "recipients": "liaison.fbi"}, {"recipients"}),
    ("create suspect", SUSPECT | {"full_name": "line\nbreak"}, {"full_name"}),
    ("create suspect", SUSPECT, {"reference"}),  # already used by the world's suspect
    ("update suspect", {"tlp": ""}, {"tlp"}),
    ("update suspect", {"owning_agency": " "}, {"owning_agency"}),
    ("update suspect", {"full_name": ""}, {"full_name"}),
    ("update suspect", {"date_of_birth": "03/04/2022", "shoe_size": 9}, {"date_of_birth", "shoe_size"}),
    ("update suspect", {"recipients": "liaison.nca"}, {"recipients"}),
    ("create arrest", ARREST | {"reference": "A-2", "arrested_at": "2022-11-07T06:00:00"}, {"arrested_at"}),
    ("create arrest", ARREST | {"reference": "A-2", "arrested_at": "2999-01-01T00:00:00Z"}, {"arrested_at"}),
    ("create arrest", ARREST | {"reference": "A-2", "jurisdiction": "MARS"}, {"jurisdiction"}),
    ("create arrest", ARREST | {"reference": "A-2", "suspect": "S-404"}, {"suspect"}),
    ("create arrest", ARREST, {"reference"}),
    ("update arrest", {"arrested_at": "07/11/2022 06:00", "outcome": "shot"}, {"arrested_at", "outcome"}),
    ("create evidence", ITEM | {"reference": "E-3", "sha256": "not-a-hash"}, {"sha256"}),
    ("create evidence", {k: v for k, v in ITEM.items() if k != "sha256"} | {"reference": "E-3",
                                                                            "item_type": "server image"}, {"sha256"}),
    ("create evidence", ITEM | {"reference": "E-3", "item_type": "cash"}, {"sha256"}),
    ("create evidence", ITEM | {"reference": "E-3", "item_type": "submarine"}, {"item_type"}),
    ("create evidence", ITEM, {"reference"}),
    ("update evidence", {"sha256": "ab" * 32}, {"sha256"}),
    ("update evidence", {"classification": "top-secret"}, {"classification"}),
    ("transfer custody", TRANSFER | {"occurred_at": "2022-11-01T00:00:00Z"}, {"occurred_at"}),
    ("transfer custody", {k: v for k, v in TRANSFER.items() if k != "hash_checked"}, {"hash_checked"}),
    ("transfer custody", TRANSFER | {"to_agency": "KGB", "hash_checked": "00"}, {"to_agency", "hash_checked"}),
    ("transfer custody", {}, {"to_agency", "to_holder", "occurred_at", "place", "purpose", "condition"}),
    ("create task", TASK, {"reference"}),
    ("create task", TASK | {"reference": "T-9", "depends_on": "T-404", "assignee": "nobody"},
     {"depends_on", "assignee"}),
    ("update task", {"depends_on": "T-1"}, {"depends_on"}),  # itself
    ("update task", {"depends_on": "T-2"}, {"depends_on"}),  # T-2 depends on T-1 already: a cycle
    ("update task", {"due_date": "2022-02-30"}, {"due_date"}),
    ("task note", {"body": ""}, {"body"}),
    ("task note", {"body": "x" * 10_001}, {"body"}),
    ("task status", {"body": "Paused", "new_status": "paused"}, {"new_status", "expected_version"}),
    ("create user", {}, {"issuer", "subject", "display_name", "agency", "role"}),
    ("create user", NEW_USER | {"role": "superuser", "agency": "KGB"}, {"role", "agency"}),
    ("create user", NEW_USER | {"email": "notanemail"}, {"email"}),
    ("create user", NEW_USER | {"issuer": "http://127.0.0.1:9400", "subject": "liaison.met"}, {"subject"}),
    ("update user", {"subject": "someone.else"}, {"subject"}),
    ("update admin", {"active": False}, {"active"}),  # the last active admin
    ("update admin", {"role": "commander"}, {"role"}),
]


@pytest.mark.parametrize(("kind", "data", "fields"), BAD, ids=[f"{k}-{'-'.join(sorted(f))}" for k, _, f in BAD])
def test_every_bad_input_is_named_and_writes_nothing(sqlite_world, kind, data, fields):
    before = everything(sqlite_world)
    with pytest.raises(ValidationError) as raised:
        call(sqlite_world, kind, data)
    assert set(raised.value.problems) == fields
    assert all(reason for reason in raised.value.problems.values())
    assert everything(sqlite_world) == before


@pytest.mark.parametrize("classification", ["SECRET", "secret", "TOP SECRET", "top_secret", "Top-Secret"])
def test_secret_and_above_are_refused_in_plain_words(sqlite_world, classification):
    with pytest.raises(ValidationError) as raised:
        call(sqlite_world, "create suspect", SUSPECT | {"reference": "S-9", "classification": classification})
    assert "not accredited" in raised.value.problems["classification"]


def test_two_principals_save_the_same_version_one_wins_the_other_hears_who(world):
    task_id = ids(world)["task"]
    with world.writer() as first, world.writer() as second:
        services.update_task(first, world.principal("liaison.met"), task_id, 1, {"title": "Liaison's title"})
        before = everything(world)
        with pytest.raises(ConflictError) as raised:
            services.update_task(second, world.principal("commander.met"), task_id, 1, {"title": "Commander's"})
    message = str(raised.value)
    assert "Morgan Liaison (MET)" in message and "UTC" in message and "version 2" in message
    assert raised.value.changed_at is not None
    assert everything(world) == before  # the loser wrote nothing, not even an audit event
    with world.reader() as session:
        assert session.get(Task, task_id).title == "Liaison's title"


def test_a_session_that_served_earlier_calls_sees_the_current_version(world):
    """One session kept across calls (as imports do) must not judge by the copy it loaded earlier."""
    task_id = ids(world)["task"]
    met, commander = world.principal("liaison.met"), world.principal("commander.met")
    with world.writer() as mine, world.writer() as theirs:
        kept = services.update_task(mine, met, task_id, 1, {"title": "mine"})
        services.update_task(theirs, commander, task_id, 2, {"title": "theirs"})
        with pytest.raises(ConflictError, match=r"Casey Commander \(MET\).*version 3"):
            services.update_task(mine, met, task_id, 2, {"title": "stale"})
        services.update_task(mine, met, task_id, 3, {"title": "current"})
    assert (kept.title, kept.version) == ("current", 4)


CONCURRENT = {  # kind -> (subjects, the field each writer sets, how to read back what won)
    "update task": (["liaison.met", "commander.met"], "title", lambda s, i: s.get(Task, i["task"]).title),
    "transfer custody": (["liaison.met", "liaison.met"], "to_holder",
                         lambda s, i: s.get(EvidenceItem, i["item"]).holder_name),
}


@pytest.mark.parametrize("kind", CONCURRENT)
def test_concurrent_saves_of_one_version_never_both_win(world, kind):
    subjects, field, saved = CONCURRENT[kind]
    start = seq(world)
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def save(subject: str, value: str) -> None:
        barrier.wait()
        try:
            call(world, kind, CALLS[kind].good | {field: value}, subject)
            outcomes.append(value)
        except ConflictError as conflict:
            outcomes.append("conflict" if " changed by " in str(conflict) and "UTC" in str(conflict) else "vague")

    threads = [threading.Thread(target=save, args=(s, f"value {n}")) for n, s in enumerate(subjects * 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [o for o in outcomes if o not in ("conflict", "vague")]
    assert len(winners) == 1 and outcomes.count("conflict") == 3
    with world.reader() as session:
        assert saved(session, ids(world)) == winners[0]
        assert audit.head(session)[0] == start + 1
        assert audit.verify(session).ok


def test_two_admins_demoting_each_other_at_once_leave_one_admin(world):
    call(world, "create user", NEW_USER | {"subject": "admin.two", "role": "admin"})
    with world.reader() as session:
        admins = {u.subject: u.id for u in session.scalars(select(User).where(User.role == Role.ADMIN))}
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    principals = {subject: world.principal(subject) for subject in admins}  # both signed in as admins

    def demote(me: str, other: str) -> None:
        barrier.wait()
        with world.writer() as session:
            try:
                services.update_user(session, principals[me], admins[other], 1, {"role": "commander"})
                outcomes.append("demoted")
            except ValidationError:
                outcomes.append("refused")

    threads = [threading.Thread(target=demote, args=pair) for pair in (("admin", "admin.two"), ("admin.two", "admin"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["demoted", "refused"]
    with world.reader() as session:
        assert session.scalar(select(func.count()).where(User.role == Role.ADMIN, User.active.is_(True))) == 1


@pytest.mark.parametrize("blank", [{}, {"tlp": "", "classification": None}])
def test_a_new_record_takes_the_operation_default_marking(world, blank):
    suspect = call(world, "create suspect", SUSPECT | {"reference": "S-9"} | blank)
    assert (suspect.tlp, suspect.classification) == (TLP.AMBER, Classification.OFFICIAL_SENSITIVE)
    assert json.loads(last(world).after)["tlp"] == "AMBER"


def named(store, entity: str, entity_id: int) -> set[str]:
    with store.reader() as session:
        return set(session.scalars(select(User.subject).join(Recipient, Recipient.user_id == User.id)
                                   .where(Recipient.entity == entity, Recipient.entity_id == entity_id)))


def test_a_red_record_always_names_its_author(world):
    red = call(world, "create suspect", SUSPECT | {"reference": "S-RED", "tlp": "RED", "recipients": "commander.met"})
    assert named(world, "suspect", red.id) == {"liaison.met", "commander.met"}
    red_task = call(world, "create task", TASK | {"reference": "T-RED", "tlp": "RED"})
    assert named(world, "task", red_task.id) == {"commander.met"}


def test_a_record_made_red_names_its_editor_and_unnamed_readers_lose_it(world):
    i = ids(world)
    call(world, "update suspect", {"tlp": "RED"})
    assert named(world, "suspect", i["suspect"]) == {"liaison.met"}
    with world.reader() as session:
        assert load_visible(session, world.principal("liaison.met"), Suspect, i["suspect"]).tlp is TLP.RED
        with pytest.raises(NotFound):
            load_visible(session, world.principal("commander.met"), Suspect, i["suspect"])
    with world.writer() as session:
        services.update_suspect(session, world.principal("liaison.met"), i["suspect"], 2, {"tlp": "AMBER"})
    assert named(world, "suspect", i["suspect"]) == set()


def test_a_partner_cannot_load_another_agencys_amber_strict_record(world):
    strict = call(world, "create suspect", SUSPECT | {"reference": "S-STRICT", "tlp": "AMBER+STRICT"})
    with world.reader() as session:
        with pytest.raises(NotFound):
            load_visible(session, world.principal("liaison.fbi"), Suspect, strict.id)
        assert load_visible(session, world.principal("liaison.met"), Suspect, strict.id).id == strict.id
        assert load_visible(session, world.principal("commander.met"), Suspect, strict.id).id == strict.id
    with pytest.raises(NotFound):  # and cannot update it either: it does not exist for them
        with world.writer() as session:
            services.update_suspect(session, world.principal("liaison.fbi"), strict.id, 1, {"status": "charged"})


@pytest.mark.parametrize("statement", [update(Suspect).values(status="charged"),
                                       update(Suspect.__table__).values(status="charged"),
                                       update(Task).where(Task.id == 1).values(title="x")])
def test_bulk_updates_of_audited_tables_through_a_session_are_refused(world, statement):
    with world.writer() as session, pytest.raises(RefusedWrite, match="bulk UPDATE"):
        session.execute(statement)


def test_services_refuse_a_session_that_would_not_lock_sqlite_up_front(sqlite_store):
    with sqlite_store.reader() as session, pytest.raises(RuntimeError, match="write_session"):
        services.create_suspect(session, Principal.system(), SUSPECT)


def test_a_link_to_an_unseen_record_is_refused_like_a_link_to_nothing(world):
    """Otherwise links would tell a partner which AMBER+STRICT references exist."""
    met, fbi = world.principal("liaison.met"), world.principal("liaison.fbi")
    with world.writer() as session:
        services.create_suspect(session, met, SUSPECT | {"reference": "S-HIDDEN", "tlp": "AMBER+STRICT"})
        services.create_task(session, met, TASK | {"reference": "T-HIDDEN", "tlp": "AMBER+STRICT"})
    refusals = {}
    for label, call in {
        "unseen suspect": lambda s: services.create_arrest(s, fbi, ARREST | {"reference": "A-X",
                                                                             "suspect": "S-HIDDEN"}),
        "missing suspect": lambda s: services.create_arrest(s, fbi, ARREST | {"reference": "A-Y",
                                                                              "suspect": "S-NOWHERE"}),
        "unseen task": lambda s: services.create_task(s, fbi, TASK | {"reference": "T-F", "depends_on": "T-HIDDEN"}),
    }.items():
        with world.writer() as session, pytest.raises(ValidationError) as raised:
            call(session)
        refusals[label] = raised.value.problems
    assert set(refusals["unseen suspect"]) == set(refusals["missing suspect"]) == {"suspect"}
    assert set(refusals["unseen task"]) == {"depends_on"}


# --- issue 15: holes a hostile tester found ----------------------------------------------------

def test_a_liaison_may_not_create_a_task_assigned_to_a_person_of_another_agency(world):
    """As update_task refuses the same as a reassignment: only commanders assign across agencies."""
    before = everything(world)
    with pytest.raises(PermissionDenied, match="may not assign this task to another agency"):
        call(world, "create task", TASK | {"reference": "T-9", "assignee": "liaison.fbi"}, subject="liaison.met")
    assert everything(world)[1:] == before[1:]
    assert last(world).outcome is Outcome.REFUSED
    own = call(world, "create task", TASK | {"reference": "T-9", "assignee": "analyst.europol",
                                             "owning_agency": "EUROPOL"}, subject="commander.met")
    assert own.assignee_id is not None
    mine = call(world, "create task", TASK | {"reference": "T-10", "assignee": "liaison.met"}, subject="liaison.met")
    assert mine.assignee_id is not None


def test_a_transfer_by_a_non_holder_is_refused_before_its_version_is_looked_at(world):
    """A stale version must not tell someone who may not transfer who changed the item last."""
    call(world, "update evidence", {"status": "awaiting analysis"})  # version 2 by Morgan Liaison (MET)
    with world.writer() as session, pytest.raises(PermissionDenied) as raised:
        services.transfer_custody(session, world.principal("liaison.fbi"), ids(world)["item"], 1, TRANSFER)
    assert str(raised.value) == "a liaison of FBI may not transfer custody of this evidence item"
    assert "Morgan" not in str(raised.value)


def test_the_holder_that_lost_a_race_hears_of_a_conflict(world):
    item = ids(world)["item"]
    call(world, "transfer custody")  # MET -> NCA at version 1
    with world.writer() as session, pytest.raises(ConflictError):
        services.transfer_custody(session, world.principal("liaison.met"), item, 1,
                                  TRANSFER | {"to_holder": "NCA store"})


REFUSALS = {  # every kind of refusal a person can meet, and the sentence they read
    "update suspect": ("liaison.fbi", "a liaison of FBI may not change this suspect"),
    "create suspect": ("admin", "an admin of MET may not create this suspect"),
    "task note": ("observer.eurojust", "an observer of EUROJUST may not add a note to this task"),
    "task status": ("analyst.europol", "an analyst of EUROPOL may not change the status of this task"),
    "transfer custody": ("liaison.fbi", "a liaison of FBI may not transfer custody of this evidence item"),
    "create user": ("liaison.met", "a liaison of MET may not provision or change users"),
    "update admin": ("stranger", "an unprovisioned user may not provision or change users"),
    "create task": ("liaison.met", "a liaison of MET may not create this task"),
}


@pytest.mark.parametrize("kind", REFUSALS)
def test_every_refusal_reads_as_english(world, kind):
    subject, sentence = REFUSALS[kind]
    data = CALLS[kind].good
    with pytest.raises(PermissionDenied) as raised:
        call(world, kind, data, subject=subject)
    assert str(raised.value) == sentence


def test_every_action_has_a_sentence():
    from coordination import policy
    from coordination.services.authorisation import refusal_message
    someone = Principal(1, "i", "s", "S", 1, "NCA", Role.OBSERVER)
    for action in policy.Action:
        sentence = refusal_message(someone, action, "evidence item")
        assert sentence.startswith("an observer of NCA may not ")
        assert " this evidence item" in sentence or action is policy.Action.MANAGE_USERS


def test_a_refused_briefing_reads_as_english(world):
    with world.writer() as session, pytest.raises(PermissionDenied) as raised:
        services.authorise_briefing(session, world.principal("admin"))
    assert str(raised.value) == "admins make no briefings: they read no operational records"
