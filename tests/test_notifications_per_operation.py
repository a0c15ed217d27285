"""Notifications of one operation (issue 27), on SQLite and PostgreSQL: each copies its record's
operation, so a person in two operations reading A walks A's notifications only: their inbox page is
full of A's entries, and their unread count is A's, however many newer ones B has told them; marking
all read in A leaves B's unread. FBI's liaison is a member of Elaborate (A) and of Launder (B)."""

from __future__ import annotations

from sqlalchemy import select

from coordination import notices, services
from coordination.models import Agency, Notification, Role, Task
from coordination.principal import principal_for_subject
from coordination.queries import notifications as inbox
from coordination.services import notifications as telling
from tests.operations import add_operation

TOLD_IN_B = 60  # more than the listing's batches of a small page would walk past (SCAN_BATCHES x 3)


def test_an_inbox_of_one_operation_is_full_of_its_entries_however_busy_another_is(store):
    with store.writer() as session:
        add_operation(session, "LAUNDER", "Operation Launder", "NCA",
                      {"commander.met": Role.COMMANDER, "liaison.fbi": Role.LIAISON})
        session.commit()
    with store.reader() as session:
        a, b = (principal_for_subject(session, "liaison.fbi", operation=code) for code in ("ELABORATE", "LAUNDER"))
        command_a, command_b = (principal_for_subject(session, "commander.met", operation=code)
                                for code in ("ELABORATE", "LAUNDER"))
    task = {"status": "open", "priority": "low", "owning_agency": "FBI"}
    with store.writer() as session:  # A's three, told first
        for n in range(3):
            services.create_task(session, command_a, task | {"reference": f"T-A{n}", "title": f"A's task {n}"})
    with store.writer() as session:  # then B's many, newer
        in_b = services.create_task(session, command_b, task | {"reference": "T-B", "title": "B's task"}).id
        fbi = session.scalar(select(Agency.id).where(Agency.code == "FBI"))
        for n in range(TOLD_IN_B - 1):
            telling.notify(session, notices.TASK_ASSIGNED_TO_AGENCY, Task.entity, in_b, agencies=[fbi], key=f"b {n}")
        session.commit()
    with store.reader() as session:
        operations = dict(session.execute(select(Notification.operation_id, Notification.id)
                                          .where(Notification.user_id == a.user_id)).all())
        assert set(operations) == {a.operation_id, b.operation_id}  # each copies its record's operation
        page = inbox.inbox(session, a, limit=2)
        assert [entry.reference for entry in page.entries] == ["FBI/T-A2", "FBI/T-A1"] and page.more
        assert [entry.reference for entry in inbox.inbox(session, a, before=page.entries[-1].id).entries] == [
            "FBI/T-A0"]
        assert inbox.unread_count(session, a) == 3
        assert inbox.unread_count(session, b) == TOLD_IN_B
        assert {entry.reference for entry in inbox.pending_mail(session, a, None)} == {
            "FBI/T-A0", "FBI/T-A1", "FBI/T-A2"}
    with store.writer() as session:
        assert services.mark_all_read(session, a) == 3
    with store.reader() as session:
        assert (inbox.unread_count(session, a), inbox.unread_count(session, b)) == (0, TOLD_IN_B)
