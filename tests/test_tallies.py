"""The tallies the database keeps agree with the rows after any write, and the dashboard's figures
from tallies equal the same figures counted row by row through `policy.visible`."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import and_, case, func, select, text

from coordination import demo, migrate, services, standing_data
from coordination.aggregates import picture
from coordination.db import make_engine, read_session, write_session
from coordination.models import CLOSED_TASKS, Agency, EvidenceItem, Recipient, Suspect, Task
from coordination.policy import visible
from coordination.principal import principal_for_subject
from coordination.services import imports
from tests.conftest import SHA, TEST_ISSUER
from tests.helpers import tally_mismatches

TODAY = date(2022, 11, 7)


def test_tallies_follow_creates_updates_transfers_and_imports(operation):
    met, fbi = operation.principal("liaison.met"), operation.principal("liaison.fbi")
    with operation.writer() as s:
        m1 = s.scalar(select(Suspect).where(Suspect.reference == "M-1"))
        services.update_suspect(s, met, m1.id, m1.version, {"status": "arrested", "tier": "developer"})
        m2 = s.scalar(select(Suspect).where(Suspect.reference == "M-2"))
        services.update_suspect(s, met, m2.id, m2.version, {"tlp": "RED", "recipients": "commander.met"})
        red = s.scalar(select(Suspect).where(Suspect.reference == "CANARY-RED"))
        services.update_suspect(s, met, red.id, red.version, {"recipients": "commander.met", "status": "arrested"})
        t1 = s.scalar(select(Task).where(Task.reference == "T-1"))
        services.update_task(s, met, t1.id, t1.version, {"due_date": "", "status": "blocked"})
        e1 = s.scalar(select(EvidenceItem).where(EvidenceItem.reference == "E-1"))
        services.transfer_custody(s, met, e1.id, e1.version, {
            "to_agency": "FBI", "to_holder": "FBI lab", "occurred_at": datetime(2022, 11, 8, tzinfo=UTC),
            "place": "lab", "purpose": "analysis", "condition": "sealed", "hash_checked": SHA})
        services.create_task(s, fbi, {"reference": "T-5", "title": "t", "status": "open", "priority": "low"})
    csv = "reference,full_name,tier,status\n" + "".join(f"I-{n},Imported {n},user,lead\n" for n in range(30))
    assert imports.import_file(operation.engine, met, "suspects", "s.csv", csv.encode()).ok
    with operation.engine.connect() as connection:
        assert tally_mismatches(connection) == []
        n = connection.scalar(text("SELECT sum(n) FROM suspect_tally"))
        named = connection.execute(text("SELECT u.subject, sum(r.n) FROM suspect_red_tally r JOIN user_account u "
                                        "ON u.id = r.user_id GROUP BY u.subject ORDER BY u.subject")).all()
    assert n == 8 + 30
    assert named == [("commander.met", 2), ("liaison.met", 2)]  # M-2 and CANARY-RED, each to both


def test_figures_from_tallies_equal_figures_counted_row_by_row(store):
    """The demo operation, for every person in it: pipeline, evidence and tasks."""
    demo.load(store.engine, "demo", reset=True, issuer=TEST_ISSUER)
    with read_session(store.engine) as s:
        people = [principal_for_subject(s, user.subject) for user in standing_data.DEMO_USERS]
        for person in people:
            seen = picture(s, person, today=TODAY)
            assert seen.suspect_pipeline == sorted(
                (t.value, st.value, n) for t, st, n in s.execute(
                    select(Suspect.tier, Suspect.status, func.count()).where(visible(Suspect, person))
                    .group_by(Suspect.tier, Suspect.status))), person.subject
            assert seen.evidence_by_type_status == sorted(
                (t.value, st.value, n) for t, st, n in s.execute(
                    select(EvidenceItem.item_type, EvidenceItem.status, func.count())
                    .where(visible(EvidenceItem, person)).group_by(EvidenceItem.item_type, EvidenceItem.status)))
            assert seen.evidence_by_holder == [tuple(row) for row in s.execute(
                select(Agency.code, func.count()).join(EvidenceItem, EvidenceItem.holder_agency_id == Agency.id)
                .where(visible(EvidenceItem, person)).group_by(Agency.code).order_by(Agency.code))]
            late = case((and_(Task.due_date < TODAY, Task.status.not_in(CLOSED_TASKS)), 1), else_=0)
            assert seen.tasks_by_agency_status == sorted(
                (code, st.value, n, overdue) for code, st, n, overdue in s.execute(
                    select(Agency.code, Task.status, func.count(), func.sum(late))
                    .join(Task, Task.owning_agency_id == Agency.id).where(visible(Task, person))
                    .group_by(Agency.code, Task.status)))
        red = s.scalar(select(func.count()).select_from(Suspect).join(Recipient, and_(
            Recipient.entity == "suspect", Recipient.entity_id == Suspect.id)).where(Suspect.tlp == "RED"))
    assert red > 0  # the demo names people on RED suspects: the loop counted theirs from the rows


def test_the_demo_loader_counts_at_the_end_and_leaves_the_triggers_in_place(store):
    demo.load(store.engine, "demo", reset=True, issuer=TEST_ISSUER)
    with store.engine.connect() as connection:
        assert tally_mismatches(connection) == []
        loaded = connection.scalar(text("SELECT sum(n) FROM suspect_tally"))
        assert loaded == connection.scalar(text("SELECT count(*) FROM suspect")) > 0
    with write_session(store.engine) as s:
        met = principal_for_subject(s, "liaison.met")
        services.create_suspect(s, met, {"reference": "AFTER-LOAD", "full_name": "x", "tier": "user",
                                         "status": "lead"})
    with store.engine.connect() as connection:
        assert connection.scalar(text("SELECT sum(n) FROM suspect_tally")) == loaded + 1


def test_tallies_follow_statements_that_change_many_rows_at_once(store):
    """Hand-written SQL changing hundreds of rows per statement, RED records and recipients included
    (PostgreSQL counts each statement's rows together)."""
    demo.load(store.engine, "demo", reset=True, issuer=TEST_ISSUER)
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE suspect SET status = 'located' WHERE status = 'lead'"))
        connection.execute(text("UPDATE suspect SET tlp = 'RED' WHERE id IN "
                                "(SELECT entity_id FROM recipient WHERE entity = 'suspect') OR id % 7 = 0"))
        connection.execute(text("INSERT INTO recipient (entity, entity_id, user_id) SELECT 'suspect', s.id, u.id "
                                "FROM suspect s, user_account u WHERE s.id % 7 = 0 AND u.subject = 'liaison.fbi' "
                                "AND NOT EXISTS (SELECT 1 FROM recipient r WHERE r.entity = 'suspect' "
                                "AND r.entity_id = s.id AND r.user_id = u.id)"))
        connection.execute(text("DELETE FROM recipient WHERE entity = 'suspect' AND entity_id % 2 = 0"))
        connection.execute(text("UPDATE task SET status = 'blocked', due_date = NULL WHERE id % 3 = 0"))
        connection.execute(text("DELETE FROM task WHERE id % 5 = 0 AND id NOT IN (SELECT task_id FROM task_update) "
                                "AND id NOT IN (SELECT depends_on_id FROM task WHERE depends_on_id IS NOT NULL)"))
        assert tally_mismatches(connection) == []
        assert connection.scalar(text("SELECT sum(n) FROM suspect_red_tally")) > 0


def test_upgrading_a_database_with_records_fills_its_tallies(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(engine)  # the services write today's models: records first, then back to before tallies
    with write_session(engine) as s:
        standing_data.seed(s, TEST_ISSUER)
        s.commit()
        met = principal_for_subject(s, "liaison.met")
        for n, status in enumerate(["lead", "lead", "arrested"]):
            services.create_suspect(s, met, {"reference": f"OLD-{n}", "full_name": "x", "tier": "user",
                                             "status": status})
    migrate.downgrade(engine, "0001")
    migrate.upgrade(engine)
    with engine.connect() as connection:
        assert tally_mismatches(connection) == []
        assert connection.scalar(text("SELECT sum(n) FROM suspect_tally")) == 3
    with write_session(engine) as s:  # and the triggers keep them from now on
        services.create_suspect(s, met, {"reference": "NEW", "full_name": "x", "tier": "user", "status": "lead"})
    with engine.connect() as connection:
        assert tally_mismatches(connection) == []
    engine.dispose()
