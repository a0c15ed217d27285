"""The one write path: an audit event per change, none after a rollback, refusals recorded,
every bad input named, stale versions refused, markings defaulted."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, update

from coordination import audit, services
from coordination.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from coordination.markings import TLP, Classification
from coordination.models import AuditEvent, Outcome, Recipient, Suspect, Task, User
from coordination.principal import Principal
from coordination.services.base import load_visible

SHA = "c0" * 32
SUSPECT = {"reference": "S-1", "full_name": "Synthetic Person", "tier": "user", "status": "lead"}
TASK = {"reference": "T-1", "title": "Trace wallet", "status": "open", "priority": "high"}
ITEM = {"exhibit_ref": "E-1", "item_type": "phone", "description": "Phone", "sha256": SHA, "seized_from": "S-1",
        "seized_at": "2022-11-07T06:00:00Z", "seized_place": "London", "status": "seized", "holder_name": "DC Example"}
ARREST = {"reference": "A-1", "suspect": "S-1", "jurisdiction": "GB-EAW", "arrested_at": "2022-11-07T06:00:00Z",
          "place": "London", "offences": "fraud", "outcome": "bailed"}
TRANSFER = {"to_agency": "NCA", "to_holder": "NCA lab", "occurred_at": "2022-11-08T09:00:00Z", "place": "Lab",
            "purpose": "analysis", "condition": "sealed", "hash_checked": SHA}
NEW_USER = {"issuer": "http://idp.invalid", "subject": "new.one", "display_name": "New One", "agency": "NCA",
            "role": "liaison"}


def seq(store) -> int:
    with store.reader() as session:
        return audit.head(session)[0]


def count(store, model) -> int:
    with store.reader() as session:
        return session.scalar(select(func.count()).select_from(model))


def last(store) -> AuditEvent:
    with store.reader() as session:
        return session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))


@pytest.fixture
def world(store):
    """A MET suspect, task and evidence item, created by the MET liaison."""
    met = store.principal("liaison.met")
    with store.writer() as session:
        services.create_suspect(session, met, SUSPECT)
        services.create_task(session, met, TASK)
        services.create_evidence_item(session, met, ITEM)
    return store


def ids(store) -> dict[str, int]:
    with store.reader() as session:
        return {"suspect": session.scalar(select(Suspect.id)), "task": session.scalar(select(Task.id)),
                "user": session.scalar(select(User.id).where(User.subject == "liaison.nca"))}


# each: (who, call(session, principal, ids), audited action, entity)
CHANGES = {
    "create suspect": ("liaison.met", lambda s, p, i: services.create_suspect(s, p, SUSPECT | {"reference": "S-2"}),
                       "create", "suspect"),
    "update suspect": ("liaison.met", lambda s, p, i: services.update_suspect(s, p, i["suspect"], 1,
                                                                              {"status": "identified"}),
                       "update", "suspect"),
    "create arrest": ("liaison.met", lambda s, p, i: services.create_arrest(s, p, ARREST), "create", "arrest"),
    "create task": ("commander.met", lambda s, p, i: services.create_task(s, p, TASK | {"reference": "T-2",
                                                                                        "owning_agency": "FBI"}),
                    "create", "task"),
    "update task": ("commander.met", lambda s, p, i: services.update_task(s, p, i["task"], 1, {"priority": "low"}),
                    "update", "task"),
    "task note": ("analyst.europol", lambda s, p, i: services.add_task_update(s, p, i["task"], "Cross-matched"),
                  "create", "task update"),
    "task status": ("liaison.met", lambda s, p, i: services.add_task_update(s, p, i["task"], "Started",
                                                                            "in progress", 1),
                    "create", "task update"),
    "create evidence": ("liaison.met", lambda s, p, i: services.create_evidence_item(
        s, p, ITEM | {"exhibit_ref": "E-2"}), "create", "evidence item"),
    "update evidence": ("liaison.met", lambda s, p, i: services.update_evidence_item(s, p, 1, 2 - 1, {
        "status": "awaiting analysis"}), "update", "evidence item"),
    "transfer custody": ("liaison.met", lambda s, p, i: services.transfer_custody(s, p, 1, 1, TRANSFER),
                         "transfer custody", "evidence item"),
    "create user": ("admin", lambda s, p, i: services.create_user(s, p, NEW_USER), "create", "user"),
    "update user": ("admin", lambda s, p, i: services.update_user(s, p, i["user"], 1, {"role": "analyst"}),
                    "update", "user"),
}


@pytest.mark.parametrize("change", CHANGES)
def test_each_change_records_exactly_one_audit_event(world, change):
    subject, call, action, entity = CHANGES[change]
    before = seq(world)
    with world.writer() as session:
        call(session, world.principal(subject), ids(world))
    assert seq(world) == before + 1
    event = last(world)
    assert (event.action, event.entity, event.actor_subject, event.outcome) == (action, entity, subject, Outcome.OK)
    with world.reader() as session:
        assert audit.verify(session).ok


def test_an_update_that_changes_nothing_records_nothing(world):
    before = seq(world)
    with world.writer() as session:
        record = services.update_suspect(session, world.principal("liaison.met"), ids(world)["suspect"], 1,
                                         {"status": "lead", "full_name": "Synthetic Person"})
    assert record.version == 1 and seq(world) == before


@pytest.mark.parametrize(("subject", "change"), [
    ("liaison.fbi", "update suspect"), ("observer.eurojust", "task note"), ("analyst.europol", "task status"),
    ("liaison.fbi", "transfer custody"), ("liaison.met", "create user"), ("commander.met", "update suspect"),
    ("liaison.fbi", "update task"),
])
def test_a_refused_attempt_is_recorded_as_refused_and_changes_nothing(world, subject, change):
    _, call, _, _ = CHANGES[change]
    before = seq(world)
    with world.writer() as session, pytest.raises(PermissionDenied):
        call(session, world.principal(subject), ids(world))
    assert seq(world) == before + 1
    event = last(world)
    assert (event.outcome, event.actor_subject) == (Outcome.REFUSED, subject)
    with world.reader() as session:
        assert session.get(Suspect, ids(world)["suspect"]).status.value == "lead"
        assert session.get(Task, ids(world)["task"]).version == 1


def test_nothing_is_recorded_when_the_transaction_fails_after_the_change(world, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(audit, "record", broken)
    before, suspects = seq(world), count(world, Suspect)
    with world.writer() as session, pytest.raises(RuntimeError):
        services.create_suspect(session, world.principal("liaison.met"), SUSPECT | {"reference": "S-9"})
    monkeypatch.undo()
    assert (seq(world), count(world, Suspect)) == (before, suspects)


BAD = [
    ("create suspect", {}, {"reference", "full_name", "tier", "status"}),
    ("create suspect", SUSPECT | {"full_name": "x" * 201}, {"full_name"}),
    ("create suspect", SUSPECT | {"shoe_size": "9"}, {"shoe_size"}),
    ("create suspect", SUSPECT | {"status": "kidnapped"}, {"status"}),
    ("create suspect", SUSPECT | {"date_of_birth": "03/04/2022"}, {"date_of_birth"}),
    ("create suspect", SUSPECT | {"nationality": "England"}, {"nationality"}),
    ("create suspect", SUSPECT | {"classification": "SECRET"}, {"classification"}),
    ("create suspect", SUSPECT | {"classification": "TOP SECRET"}, {"classification"}),
    ("create suspect", SUSPECT | {"tlp": "PURPLE"}, {"tlp"}),
    ("create suspect", SUSPECT | {"owning_agency": "KGB"}, {"owning_agency"}),
    ("create suspect", SUSPECT | {"recipients": "liaison.fbi"}, {"recipients"}),
    ("create suspect", SUSPECT | {"full_name": "line\nbreak"}, {"full_name"}),
    ("create suspect", SUSPECT, {"reference"}),  # already used by the world's suspect
    ("create arrest", ARREST | {"arrested_at": "2022-11-07T06:00:00"}, {"arrested_at"}),
    ("create arrest", ARREST | {"arrested_at": "2999-01-01T00:00:00Z"}, {"arrested_at"}),
    ("create arrest", ARREST | {"jurisdiction": "MARS"}, {"jurisdiction"}),
    ("create arrest", ARREST | {"suspect": "S-404"}, {"suspect"}),
    ("create evidence", ITEM | {"exhibit_ref": "E-3", "sha256": "not-a-hash"}, {"sha256"}),
    ("create evidence", {k: v for k, v in ITEM.items() if k != "sha256"} | {"exhibit_ref": "E-3"}, {"sha256"}),
    ("transfer", TRANSFER | {"occurred_at": "2022-11-01T00:00:00Z"}, {"occurred_at"}),
    ("transfer", {k: v for k, v in TRANSFER.items() if k != "hash_checked"}, {"hash_checked"}),
    ("transfer", {}, {"to_agency", "to_holder", "occurred_at", "place", "purpose", "condition"}),
    ("update task", {"depends_on": "T-1"}, {"depends_on"}),
    ("update task", {"due_date": "2022-02-30"}, {"due_date"}),
    ("task note", {"body": ""}, {"body"}),
    ("update user", {"subject": "someone.else"}, {"subject"}),
    ("disable last admin", {}, {"active"}),
]


def run_bad(session, store, kind: str, data: dict, i: dict):
    met, admin = store.principal("liaison.met"), store.principal("admin")
    calls = {
        "create suspect": lambda: services.create_suspect(session, met, data),
        "create arrest": lambda: services.create_arrest(session, met, data),
        "create evidence": lambda: services.create_evidence_item(session, met, data),
        "transfer": lambda: services.transfer_custody(session, met, 1, 1, data),
        "update task": lambda: services.update_task(session, met, i["task"], 1, data),
        "task note": lambda: services.add_task_update(session, met, i["task"], data["body"]),
        "update user": lambda: services.update_user(session, admin, i["user"], 1, data),
        "disable last admin": lambda: services.disable_user(session, admin, admin.user_id, 1),
    }
    return calls[kind]()


@pytest.mark.parametrize(("kind", "data", "fields"), BAD, ids=[f"{k}-{sorted(f)}" for k, _, f in BAD])
def test_every_bad_input_is_named_and_writes_nothing(world, kind, data, fields):
    before = (seq(world), count(world, Suspect), count(world, Task))
    with world.writer() as session, pytest.raises(ValidationError) as raised:
        run_bad(session, world, kind, data, ids(world))
    assert set(raised.value.problems) == fields
    assert all(reason for reason in raised.value.problems.values())
    assert (seq(world), count(world, Suspect), count(world, Task)) == before


def test_secret_is_refused_in_plain_words(world):
    with world.writer() as session, pytest.raises(ValidationError) as raised:
        services.create_suspect(session, world.principal("liaison.met"), SUSPECT | {"classification": "secret"})
    assert "not accredited" in raised.value.problems["classification"]


def test_two_principals_save_the_same_version_one_wins_the_other_hears_who(world):
    task_id = ids(world)["task"]
    with world.writer() as first, world.writer() as second:
        services.update_task(first, world.principal("liaison.met"), task_id, 1, {"title": "Liaison's title"})
        with pytest.raises(ConflictError) as raised:
            services.update_task(second, world.principal("commander.met"), task_id, 1, {"title": "Commander's"})
    message = str(raised.value)
    assert "Morgan Liaison (MET)" in message and "UTC" in message and "version 2" in message
    with world.reader() as session:
        assert session.get(Task, task_id).title == "Liaison's title"


def test_concurrent_saves_of_one_version_never_both_win(world):
    task_id = ids(world)["task"]
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def save(subject: str, title: str) -> None:
        barrier.wait()
        with world.writer() as session:
            try:
                services.update_task(session, world.principal(subject), task_id, 1, {"title": title})
                outcomes.append(title)
            except ConflictError:
                outcomes.append("conflict")

    threads = [threading.Thread(target=save, args=(s, f"title {n}"))
               for n, s in enumerate(["liaison.met", "commander.met"] * 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [o for o in outcomes if o != "conflict"]
    assert len(winners) == 1 and outcomes.count("conflict") == 3
    with world.reader() as session:
        task = session.get(Task, task_id)
        assert (task.title, task.version) == (winners[0], 2)
        assert audit.verify(session).ok


def test_a_new_record_takes_the_operation_default_marking(world):
    with world.reader() as session:
        suspect = session.scalar(select(Suspect))
    assert (suspect.tlp, suspect.classification) == (TLP.AMBER, Classification.OFFICIAL_SENSITIVE)


def test_a_red_record_always_names_its_author(world):
    with world.writer() as session:
        red = services.create_suspect(session, world.principal("liaison.met"),
                                      SUSPECT | {"reference": "S-RED", "tlp": "RED", "recipients": "commander.met"})
        named = set(session.scalars(select(User.subject).join(Recipient, Recipient.user_id == User.id)
                                    .where(Recipient.entity == "suspect", Recipient.entity_id == red.id)))
    assert named == {"liaison.met", "commander.met"}


def test_a_partner_cannot_load_another_agencys_amber_strict_record(world):
    with world.writer() as session:
        strict = services.create_suspect(session, world.principal("liaison.met"),
                                         SUSPECT | {"reference": "S-STRICT", "tlp": "AMBER+STRICT"})
        with pytest.raises(NotFound):
            load_visible(session, world.principal("liaison.fbi"), Suspect, strict.id)
        assert load_visible(session, world.principal("commander.met"), Suspect, strict.id).id == strict.id


def test_bulk_orm_updates_of_audited_tables_are_refused(world):
    with world.writer() as session, pytest.raises(PermissionError, match="bulk UPDATE"):
        session.execute(update(Suspect).values(status="charged"))


def test_services_refuse_a_session_that_would_not_lock_sqlite_up_front(sqlite_store):
    with sqlite_store.reader() as session, pytest.raises(RuntimeError, match="write_session"):
        services.create_suspect(session, Principal.system(), SUSPECT)
