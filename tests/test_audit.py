"""The audit chain on both stores: intact chains verify; hand edits are caught at the right place."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select, text, update

from coordination import append_only, audit, services
from coordination.errors import RefusedWrite
from coordination.models import AuditEvent, Recipient, Suspect
from coordination.principal import Principal
from tests.conftest import Store

TAMPERING = {
    "edited": (["UPDATE audit_event SET detail = 'edited' WHERE seq = 30"], 30),
    "deleted": (["DELETE FROM audit_event WHERE seq = 31"], 31),
    "inserted": (["UPDATE audit_event SET seq = seq + 1000000 WHERE seq >= 32",
                  "INSERT INTO audit_event SELECT 32, occurred_at, actor_issuer, actor_subject, action, entity, "
                  "entity_id, before, after, outcome, 'inserted', prev_hash, hash FROM audit_event WHERE seq = 1000032",
                  "UPDATE audit_event SET seq = seq - 999999 WHERE seq >= 1000000"], 32),
    "swapped": (["UPDATE audit_event SET seq = -1 WHERE seq = 33", "UPDATE audit_event SET seq = 33 WHERE seq = 34",
                 "UPDATE audit_event SET seq = 34 WHERE seq = -1"], 33),
    "actor changed": (["UPDATE audit_event SET actor_subject = 'admin' WHERE seq = 25"], 25),
    "values changed": (["UPDATE audit_event SET after = replace(after, 'lead', 'charged') WHERE seq = 36"], 36),
    "first deleted": (["DELETE FROM audit_event WHERE seq = 1"], 1),
    "newest edited": (["UPDATE audit_event SET outcome = 'refused' WHERE seq = (SELECT max(seq) FROM audit_event)"],
                      "head"),
}


@pytest.fixture
def chain(store) -> Store:
    """About 40 events; the append-only triggers removed (only tests tamper), restored afterwards."""
    met = store.principal("liaison.met")
    with store.writer() as session:
        for n in range(20):
            services.create_suspect(session, met, {"reference": f"S-{n}", "full_name": "x", "tier": "user",
                                                   "status": "lead"})
    dialect = store.engine.dialect.name
    with store.engine.begin() as connection:
        for statement in append_only.drop_statements(dialect):
            connection.execute(text(statement))
    yield store
    with store.engine.begin() as connection:
        for statement in append_only.create_statements(dialect):
            connection.execute(text(statement))


def verify(store, **kwargs) -> audit.Verification:
    with store.reader() as session:
        return audit.verify(session, **kwargs)


def test_an_intact_chain_verifies_to_its_head(chain):
    result = verify(chain)
    with chain.reader() as session:
        assert (result.ok, result.head_seq, result.head_hash) == (True, *audit.head(session))
    assert result.events == result.head_seq > 30


@pytest.mark.parametrize("how", TAMPERING)
def test_tampering_is_caught_at_the_first_bad_sequence(chain, how):
    statements, first_bad = TAMPERING[how]
    head_seq = verify(chain).head_seq
    with chain.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    result = verify(chain)
    assert not result.ok and result.first_bad_seq == (head_seq if first_bad == "head" else first_bad), result.reason
    assert result.events == result.first_bad_seq - 1  # the events before the first bad one still hold


def rehash(connection, first: int, through: int | None = None) -> None:
    """What a careful forger does after an edit: recompute the hashes from `first` on (through the end)."""
    prev = connection.execute(select(AuditEvent.hash).where(AuditEvent.seq == first - 1)).scalar_one()
    rows = select(AuditEvent).where(AuditEvent.seq.between(first, through or 10**9)).order_by(AuditEvent.seq)
    for row in connection.execute(rows).all():
        values = row._asdict()
        del values["hash"]
        values["prev_hash"] = prev
        prev = audit.event_hash(**values)
        connection.execute(text("UPDATE audit_event SET prev_hash = :p, hash = :h WHERE seq = :s"),
                           {"p": values["prev_hash"], "h": prev, "s": row.seq})


def test_an_edit_with_its_own_hash_recomputed_breaks_the_next_link(chain):
    with chain.engine.begin() as connection:
        connection.execute(text("UPDATE audit_event SET detail = 'forged' WHERE seq = 30"))
        rehash(connection, 30, through=30)
    result = verify(chain)
    assert (result.ok, result.first_bad_seq) == (False, 31)


def test_a_chain_rewritten_from_the_edit_on_is_caught_by_the_anchored_head(chain):
    anchor = verify(chain).head_hash
    with chain.engine.begin() as connection:
        connection.execute(text("UPDATE audit_event SET detail = 'forged' WHERE seq = 30"))
        rehash(connection, 30)
    assert verify(chain).ok  # self-consistent again: only an anchor kept elsewhere tells
    result = verify(chain, expect_head=anchor)
    assert not result.ok and "anchored head" in result.reason


def test_an_anchored_head_catches_deleting_the_newest_events(chain):
    anchor = verify(chain).head_hash
    with chain.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_event WHERE seq > 35"))
    assert verify(chain).ok
    result = verify(chain, expect_head=anchor)
    assert not result.ok and "anchored head" in result.reason


@pytest.mark.parametrize("statement", [update(AuditEvent).values(detail="x"), delete(AuditEvent),
                                       delete(Suspect).where(Suspect.id == 1), delete(Recipient),
                                       delete(Suspect.__table__)])
def test_bulk_orm_changes_of_audited_tables_are_refused(store, statement):
    with store.writer() as session, pytest.raises(RefusedWrite, match="is refused"):
        session.execute(statement)


def test_the_append_only_tables_refuse_plain_sql_too(store):
    with pytest.raises(Exception, match="append-only"), store.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_event WHERE seq = 1"))
    with store.reader() as session:
        assert verify(store).ok and audit.head(session)[0] > 0


def test_the_first_event_since_a_time_is_found_by_its_sequence(store):
    system = Principal.system("test")
    with store.reader() as session:
        start = audit.head(session)[0]
    base = datetime.now(UTC) + timedelta(days=1)  # after every event already written
    with store.writer() as session:
        for day in (1, 2, 2, 5, 9):
            audit.record_many(session, [audit.NewEvent(system, "note", "-")], at=base + timedelta(days=day))
        session.commit()
    with store.reader() as session:
        found = {day: audit.first_seq_since(session, base + timedelta(days=day, hours=-1)) for day in (2, 3, 9, 10)}
        assert found == {2: start + 2, 3: start + 4, 9: start + 5, 10: start + 6}
        assert audit.first_seq_since(session, datetime(2000, 1, 1, tzinfo=UTC)) == 1


def test_appends_after_a_rolled_back_savepoint_or_another_writer_keep_the_chain(store):
    """The head is read once a transaction and moved on by each append (`audit.latest`): an append
    rolled back with its savepoint must not be the next one's predecessor, nor may a session reuse the
    head of its last transaction after another writer appended."""
    met = store.principal("liaison.met")

    def event(name):
        return audit.NewEvent(met, name, "suspect", None)
    with store.writer() as session:
        first = audit.record(session, event("kept 1"))
        savepoint = session.begin_nested()
        audit.record(session, event("rolled back"))
        savepoint.rollback()
        assert audit.record(session, event("kept 2")) == first + 1
        session.commit()
        with store.writer() as other:
            audit.record(other, event("by another writer"))
            other.commit()
        audit.record(session, event("kept 3"))
        session.commit()
    with store.reader() as session:
        actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.seq >= first)
                                       .order_by(AuditEvent.seq)))
    assert actions == ["kept 1", "kept 2", "by another writer", "kept 3"]
    result = verify(store)
    assert result.ok, result.reason
