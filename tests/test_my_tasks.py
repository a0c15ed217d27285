"""The liaison's home list (their agency's open tasks) filtered in SQL, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from coordination import services
from coordination.queries import tasks

TODAY = date(2022, 11, 28)


@pytest.fixture
def agency_tasks(operation):
    """MET's open tasks: T-1 open and overdue, T-2 blocked, due within a week, T-RED (RED, addressed to
    the commander only: the canary), and three more (and one done)."""
    met = operation.principal("liaison.met")
    with operation.writer() as s:
        for ref, status, priority, due, assignee in [
                ("T-5", "in progress", "low", "2022-12-20", "liaison.met"),
                ("T-6", "open", "critical", None, None),
                ("T-7", "open", "medium", "2022-11-30", "liaison.met"),
                ("T-8", "done", "critical", "2022-11-01", None)]:
            data = {"reference": ref, "title": "t", "status": status, "priority": priority}
            data |= {"due_date": due} if due else {}
            data |= {"assignee": assignee} if assignee else {}
            services.create_task(s, met, data)
    return operation


def home(store, **narrowed) -> tuple[list[str], int]:
    with store.reader() as session:
        found = tasks.my_agency_tasks(session, store.principal("liaison.met"), TODAY, tasks.TaskFilters(**narrowed))
    return [row["reference"] for row in found.rows], found.open


def test_the_home_list_keeps_its_order_and_filters_narrow_it(agency_tasks):
    assert home(agency_tasks) == (["T-1", "T-2", "T-7", "T-5", "T-6"], 5)  # overdue, blocked, by due, none last
    assert home(agency_tasks, statuses=("open",)) == (["T-1", "T-7", "T-6"], 5)
    assert home(agency_tasks, priorities=("critical", "low")) == (["T-5", "T-6"], 5)
    assert home(agency_tasks, assignees=("liaison.met",)) == (["T-7", "T-5"], 5)
    assert home(agency_tasks, assignees=(tasks.UNASSIGNED,)) == (["T-1", "T-2", "T-6"], 5)
    assert home(agency_tasks, due=tasks.Due.OVERDUE) == (["T-1"], 5)
    assert home(agency_tasks, due=tasks.Due.WITHIN_7_DAYS) == (["T-2", "T-7"], 5)
    assert home(agency_tasks, due=tasks.Due.NONE) == (["T-6"], 5)
    assert home(agency_tasks, statuses=("blocked",), due=tasks.Due.OVERDUE) == ([], 5)
    with agency_tasks.reader() as session:
        assert tasks.my_agency_assignees(session, agency_tasks.principal("liaison.met")) == ["liaison.met"]


def test_the_home_list_never_shows_a_red_task_nobody_named_them_on(agency_tasks):
    for narrowed in ({}, {"due": tasks.Due.NONE}, {"assignees": (tasks.UNASSIGNED,)}, {"statuses": ("open",)}):
        assert "T-RED" not in home(agency_tasks, **narrowed)[0]
