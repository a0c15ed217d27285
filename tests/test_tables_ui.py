"""Record tables and the liaison's home list in AppTest: pages with the right rows and count,
sorting, headers by label, a selected row opens its record, filters narrow the home list."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from coordination import services
from coordination.models import Suspect
from tests.helpers import open_page


@pytest.fixture
def tables(sqlite_store, monkeypatch):
    """60 MET suspects (S-000 to S-059, named backwards), one FBI suspect, and FBI's RED canary."""
    monkeypatch.setenv("COORD_DATABASE_URL", str(sqlite_store.engine.url))
    met, fbi = sqlite_store.principal("liaison.met"), sqlite_store.principal("liaison.fbi")
    with sqlite_store.writer() as session:
        for n in range(60):
            services.create_suspect(session, met, {"reference": f"S-{n:03}", "full_name": f"Name {59 - n:03}",
                                                   "tier": "user", "status": "lead"})
        services.create_suspect(session, fbi, {"reference": "S-FBI", "full_name": "Name 999", "tier": "user",
                                               "status": "identified"})
        services.create_suspect(session, fbi, {"reference": "S-RED", "full_name": "Aaron Canary", "tier": "user",
                                               "status": "lead", "tlp": "RED"})
        for ref, status, priority, due in [("T-1", "open", "high", "2020-01-01"), ("T-2", "blocked", "low", None),
                                           ("T-3", "open", "low", "2099-01-01"), ("T-4", "done", "high", None)]:
            services.create_task(session, met, {"reference": ref, "title": f"Task {ref}", "status": status,
                                                "priority": priority} | ({"due_date": due} if due else {}))
    return sqlite_store




def shown(at: AppTest, column: str = "Reference") -> list[str]:
    return at.dataframe[0].value[column].tolist()


def caption(at: AppTest) -> str:
    return at.caption[0].value


def test_a_table_pages_with_the_right_rows_and_count_and_keeps_its_place(tables):
    at = open_page("liaison.met", "suspects")
    assert caption(at) == "Rows 1-50 of 61 suspects you may see"
    assert shown(at) == [f"S-{n:03}" for n in range(50)]
    assert at.button(key="suspects-previous").disabled
    at.button(key="suspects-next").click().run()
    assert caption(at) == "Rows 51-61 of 61 suspects you may see"
    assert shown(at) == [f"S-{n:03}" for n in range(50, 60)] + ["S-FBI"]  # never FBI's RED record
    assert at.button(key="suspects-next").disabled and at.number_input(key="suspects-page").value == 2
    at.run()  # a rerun keeps the place
    assert caption(at) == "Rows 51-61 of 61 suspects you may see"
    at.button(key="suspects-previous").click().run()
    assert shown(at)[0] == "S-000"
    at.selectbox(key="suspects-page-size").select(25).run()
    at.number_input(key="suspects-page").set_value(3).run()
    assert caption(at) == "Rows 51-61 of 61 suspects you may see" and len(shown(at)) == 11
    at.multiselect(key="suspects-status").select("lead").run()  # another filter: page 1 again
    assert caption(at) == "Rows 1-25 of 60 suspects you may see" and shown(at)[0] == "S-000"


def test_sorting_orders_rows_and_starts_again_from_page_one(tables):
    at = open_page("commander.met", "suspects")
    at.button(key="suspects-next").click().run()
    at.selectbox(key="suspects-sort").select("full_name").run()
    assert caption(at).startswith("Rows 1-50 of 61")
    assert shown(at, "Full name")[:3] == ["Name 000", "Name 001", "Name 002"]
    at.radio(key="suspects-order").set_value("descending").run()
    assert shown(at)[:3] == ["S-FBI", "S-000", "S-001"]  # Name 999, Name 059, Name 058
    at.selectbox(key="suspects-sort").select("status").run()  # the workflow's order: identified after lead
    assert shown(at)[:3] == ["S-FBI", "S-059", "S-058"]  # descending, ties by id descending too


def test_headers_are_labels_and_a_selected_row_opens_its_record(tables):
    at = open_page("liaison.met", "suspects")
    columns = at.dataframe[0].value.columns.tolist()
    assert columns[:3] == ["Reference", "Full name", "Aliases and handles"]
    assert "Owning agency" in columns and "Date of birth" in columns
    assert not [c for c in columns if "_" in c] and "recipients" not in columns
    assert at.selectbox(key="suspects-sort").options[:2] == ["Reference", "Full name"]
    at.button(key="suspects-next").click().run()
    table = at.dataframe[0]
    at.session_state[table.key] = {"selection": {"rows": [3], "columns": [], "cells": []}}
    at.run()
    with tables.reader() as session:
        record = session.scalar(select(Suspect).where(Suspect.reference == "S-053"))
    assert at.text_input(key=f"suspects-{record.id}-full_name").value == "Name 006"


def test_one_and_none_are_counted_in_words(tables):
    at = open_page("liaison.met", "suspects")
    at.text_input(key="suspects-search").input("S-FBI").run()
    assert caption(at) == "1 suspect you may see" and shown(at) == ["S-FBI"]
    at.text_input(key="suspects-search").input("S-RED").run()  # FBI's RED record: as if it were not there
    assert caption(at) == "0 suspects you may see" and shown(at) == []
    assert not at.number_input  # one page: no page controls


def test_the_home_list_is_narrowed_by_its_filters_and_counted(tables):
    at = open_page("liaison.met", "my_tasks")
    assert caption(at).startswith("3 open tasks; overdue and blocked first")
    assert shown(at, "reference") == ["T-1", "T-2", "T-3"]
    at.multiselect(key="my-tasks-priority").select("low").run()
    assert caption(at).startswith("2 of 3 open tasks") and shown(at, "reference") == ["T-2", "T-3"]
    at.selectbox(key="my-tasks-due").select("no due date").run()
    assert caption(at).startswith("1 of 3 open tasks") and shown(at, "reference") == ["T-2"]
    at.multiselect(key="my-tasks-status").select("open").run()
    assert caption(at).startswith("0 of 3 open tasks") and not at.dataframe
