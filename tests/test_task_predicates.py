"""What a task is read as (closed, overdue, due soon) is one rule each, in Python and in SQL, and the
task lists, the figures, the briefing and the reminder pass all read it so. On both stores, for tasks
at every status x due date (past, today, tomorrow, none), read on the days around those dates, each
SQL form selects exactly the tasks its Python form names, on the task table and on its tallies (whose
overdue count is the dashboard's). Every date is built from TODAY, never from the clock."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from coordination import services
from coordination.aggregates import picture
from coordination.models import (
    Task,
    TaskRedTally,
    TaskStatus,
    TaskTally,
    closed,
    due_soon_at,
    is_closed,
    is_due_soon,
    is_overdue,
    overdue_at,
)
from coordination.policy import visible

TODAY = date(2022, 11, 28)
DUE = {"past": TODAY - timedelta(days=3), "today": TODAY, "tomorrow": TODAY + timedelta(days=1), "none": None}
READ_ON = [TODAY + timedelta(days=n) for n in (-4, -3, -1, 0, 1, 2)]  # before, on and after each due date
OPEN = [status for status in TaskStatus if status not in (TaskStatus.DONE, TaskStatus.CANCELLED)]


@pytest.fixture
def grid(store):
    """MET's tasks at every status x due date, once as GREEN and once as RED (addressed to the commander,
    so the RED tally counts them too)."""
    met, commander = store.principal("liaison.met"), store.principal("commander.met")
    with store.writer() as s:
        for status in TaskStatus:
            for when, due in DUE.items():
                data = {"title": "t", "status": status.value, "priority": "low"}
                data |= {"due_date": due.isoformat()} if due else {}
                services.create_task(s, met, data | {"reference": f"G-{status.name}-{when}", "tlp": "GREEN"})
                services.create_task(s, commander, data | {"reference": f"R-{status.name}-{when}", "tlp": "RED",
                                                           "owning_agency": "MET"})
    return store


def test_closed_is_done_or_cancelled():
    assert [status for status in TaskStatus if is_closed(status)] == [TaskStatus.DONE, TaskStatus.CANCELLED]
    assert is_closed("done") and not is_closed("blocked")  # the tallies' rows carry the status's value


def test_on_the_task_table_each_sql_rule_selects_what_its_python_twin_names(grid):
    with grid.reader() as s:
        rows = s.execute(select(Task.id, Task.reference, Task.status, Task.due_date)).all()
        assert len(rows) == 2 * len(TaskStatus) * len(DUE)
        assert set(s.scalars(select(Task.id).where(closed(Task.status)))) == {
            row.id for row in rows if is_closed(row.status)}
        assert set(s.scalars(select(Task.id).where(~closed(Task.status)))) == {
            row.id for row in rows if not is_closed(row.status)}
        for today in READ_ON:
            for in_python, in_sql in ((is_overdue, overdue_at), (is_due_soon, due_soon_at)):
                named = {row.id for row in rows if in_python(row.status, row.due_date, today)}
                assert set(s.scalars(select(Task.id).where(in_sql(today)))) == named, (in_python.__name__, today)
        refs = {row.id: row.reference for row in rows}
        on_today = {name: sorted(refs[i] for i in s.scalars(select(Task.id).where(rule(TODAY))))
                    for name, rule in (("overdue", overdue_at), ("due soon", due_soon_at))}
    # what the rules mean, read on TODAY: open tasks only; a task due today is due soon, not yet overdue
    assert on_today == {"overdue": sorted(f"{c}-{st.name}-past" for c in "GR" for st in OPEN),
                        "due soon": sorted(f"{c}-{st.name}-today" for c in "GR" for st in OPEN)}


@pytest.mark.parametrize("tally", [TaskTally, TaskRedTally])
def test_on_a_task_tally_each_sql_rule_counts_what_its_python_twin_names(grid, tally):
    """A tally's due column is `due_by`, where tasks without a due date count under a far day."""
    with grid.reader() as s:
        rows = s.execute(select(tally.status, tally.due_by, tally.n)).all()
        assert sum(row.n for row in rows) > 0
        for today in READ_ON:
            for in_python, in_sql in ((is_overdue, overdue_at), (is_due_soon, due_soon_at)):
                counted = s.scalar(select(func.coalesce(func.sum(tally.n), 0)).where(in_sql(today, tally)))
                assert counted == sum(row.n for row in rows if in_python(row.status, row.due_by, today)), (
                    in_python.__name__, today)


@pytest.mark.parametrize("subject", ["commander.met", "liaison.met", "liaison.fbi"])
def test_the_dashboards_overdue_count_is_the_python_rules_count_of_the_tasks_its_reader_sees(grid, subject):
    reader = grid.principal(subject)
    with grid.reader() as s:
        seen = s.execute(select(Task.status, Task.due_date).where(visible(Task, reader))).all()
        for today in READ_ON:
            overdue = sum(1 for row in seen if is_overdue(row.status, row.due_date, today))
            assert picture(s, reader, today=today).tasks_overdue == overdue, today
    assert any(is_overdue(row.status, row.due_date, TODAY) for row in seen)
