"""Upgrade without surprise (issue 27): a database of one operation, as the demo's Elaborate is before
operations, reads the same for every demo user after migration 0019 is taken down and made again,
which rebuilds the operation's code, its partners and every membership from the users' roles.

"Reads the same" is every figure a person sees: the operation picture, each kind's table and export,
the identifiers' export, the inbox and unread count, the timeline, the decision log, the hits told
and the action day's board."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from coordination import aggregates, demo, exports, migrate, services
from coordination.db import read_session, write_session
from coordination.deconfliction_key import make_key_file, read_key_file
from coordination.kinds import KINDS
from coordination.principal import Principal, principal_for_subject
from coordination.queries import action_day, decisions, hits, notifications, records, timeline
from coordination.queries.records import PAGE_SIZES, TableFilters
from coordination.standing_data import DEMO_USERS
from tests.conftest import TEST_ISSUER
from tests.test_migrations import HEAD, empty

NOW = datetime.combine(demo.END.date(), datetime.min.time(), UTC)  # the data set's "now"
BEFORE_OPERATIONS = "0018"

pytestmark = pytest.mark.slow  # every page for every person, twice, on each store: about a minute


def reading(session, principal: Principal) -> dict:
    """Everything `principal` reads, by surface."""
    seen: dict = {"operation": (principal.operation_code, principal.role)}
    seen["picture"] = aggregates.picture(session, principal, today=NOW.date())
    for name, kind in KINDS.items():
        table = records.table(session, principal, kind, TableFilters(), page_size=PAGE_SIZES[-1])
        seen[f"table {name}"] = (table.total, table.shown.rows)
        export = exports.build(session, principal, name)
        seen[f"export {name}"] = (export.columns, export.rows, export.tlp, export.classification)
    identifiers = exports.identifiers(session, principal)
    seen["export identifiers"] = (identifiers.columns, identifiers.rows, identifiers.tlp)
    seen["inbox"] = notifications.inbox(session, principal)
    seen["unread"] = notifications.unread_count(session, principal)
    seen["timeline"] = timeline.page(session, principal, size=300)
    seen["decision log"] = decisions.log(session, principal)
    seen["hits"] = hits.hits_for_agency(session, principal)
    seen["board"] = action_day.board(session, principal, NOW).packages
    seen["conflicts"] = action_day.conflict_warnings(session, principal)
    return seen


def everyone_reads(engine) -> dict[str, dict]:
    with read_session(engine) as session:
        return {user.subject: reading(session, principal_for_subject(session, user.subject))
                for user in DEMO_USERS}


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_every_demo_user_reads_the_same_after_the_operations_migration_is_made_again(kind, tmp_path):
    engine = empty(kind, tmp_path, "upgrade")
    try:
        key = read_key_file(make_key_file(tmp_path / "deconfliction.key"))  # identifiers, hits and their export
        demo.load(engine, "demo", seed=4, issuer=TEST_ISSUER, key=key, second=False)  # migrated to head first
        assert migrate.current(engine) == HEAD
        with write_session(engine) as session:  # an inbox worth reading: the tasks due and overdue
            reminded = services.remind(session, Principal.system("reminder pass"), NOW)
            assert reminded.due_soon + reminded.overdue > 0
            session.commit()
        before = everyone_reads(engine)
        assert before["liaison.met"]["operation"] == ("ELABORATE", "liaison")
        assert before["liaison.met"]["inbox"].entries and before["liaison.met"]["timeline"].lines
        assert before["commander.met"]["picture"].suspects_by_status and before["commander.met"]["hits"]
        assert before["admin"]["picture"].arrests_total == 0  # of no operation: reads nothing

        migrate.downgrade(engine, BEFORE_OPERATIONS)
        assert migrate.current(engine) == BEFORE_OPERATIONS
        migrate.upgrade(engine)
        assert migrate.current(engine) == HEAD

        after = everyone_reads(engine)
        for subject, seen in before.items():
            for surface, read in seen.items():
                assert after[subject][surface] == read, (subject, surface)
    finally:
        engine.dispose()
