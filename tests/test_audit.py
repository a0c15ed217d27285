"""The audit chain on both stores: intact chains verify; hand edits are caught at the right place."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from coordination import append_only, audit, services
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
    with chain.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    result = verify(chain)
    assert not result.ok and result.first_bad_seq == first_bad, result.reason


def test_an_anchored_head_catches_deleting_the_newest_events(chain):
    anchor = verify(chain).head_hash
    with chain.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_event WHERE seq > 35"))
    assert verify(chain).ok
    result = verify(chain, expect_head=anchor)
    assert not result.ok and "anchored head" in result.reason
