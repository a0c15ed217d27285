"""Tables paged, sorted and filtered in SQL, on SQLite and PostgreSQL: every visible row exactly
once whatever the sort, never a row the viewer may not see, and a count that agrees."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coordination import policy, services
from coordination.kinds import KINDS, SUSPECTS
from coordination.models import Recipient
from coordination.queries import records
from tests.conftest import suspect

EVERYTHING = records.TableFilters()


def every_page(store, subject: str, kind, order: records.TableOrder, page_size: int = 2,
               filters: records.TableFilters = EVERYTHING) -> tuple[list[str], int]:
    """The keys of every page, in order, and the total the first page counted."""
    viewer = store.principal(subject)
    keys: list[str] = []
    with store.reader() as session:
        first = records.table(session, viewer, kind, filters, order, 1, page_size)
        for page in range(1, first.pages + 1):
            found = records.table(session, viewer, kind, filters, order, page, page_size)
            assert found.page == page and found.total == first.total
            before, shown = (page - 1) * page_size, len(found.shown.rows)
            assert (found.first, found.last) == ((before + 1, before + shown) if shown else (0, 0))
            keys += [row[0] for row in found.shown.rows]
    return keys, first.total


def readable_keys(store, subject: str, kind) -> set[str]:
    """What the viewer may read, decided row by row by policy's Python twin."""
    viewer = store.principal(subject)
    with store.reader() as session:
        named: dict[int, set[int]] = {}
        for entity_id, user_id in session.execute(select(Recipient.entity_id, Recipient.user_id)
                                                  .where(Recipient.entity == kind.entity)):
            named.setdefault(entity_id, set()).add(user_id)
        return {getattr(r, kind.key) for r in session.scalars(select(kind.model))
                if policy.can_read(viewer, r.owning_agency_id, r.tlp, named.get(r.id, set()))}


# MET's records FBI may not read: AMBER+STRICT and RED of another agency
CANARIES = {"CANARY-STRICT", "CANARY-RED", "A-CANARY", "T-RED", "P-CANARY"}


@pytest.mark.slow  # every page of every sort: the slow tier's
@pytest.mark.parametrize("subject", ["liaison.fbi", "commander.met"])
def test_paging_through_every_sort_yields_each_visible_row_once_and_no_hidden_row(operation, subject):
    for kind in KINDS.values():
        expected = readable_keys(operation, subject, kind)
        assert expected and (subject != "liaison.fbi" or not expected & CANARIES)
        assert (subject != "commander.met" or "CANARY-RED" not in expected)  # RED, not addressed to them
        for column in records.sortable(kind):
            for descending in (False, True):
                keys, total = every_page(operation, subject, kind, records.TableOrder(column, descending))
                assert sorted(keys) == sorted(expected) and total == len(expected), (kind.name, column, descending)


def test_the_default_sort_is_by_key_and_a_sort_orders_rows_with_ties_by_id(store):
    met = store.principal("liaison.met")
    with store.writer() as s:
        for n, (name, born, status) in enumerate([("Bravo", "1990-01-02", "lead"), ("Alpha", None, "arrested"),
                                                  ("Bravo", "1985-05-05", "identified"), ("Charlie", None, "lead")]):
            data = {"reference": f"S-{n}", "full_name": name, "tier": "user", "status": status}
            if born:
                data["date_of_birth"] = born
            services.create_suspect(s, met, data)

    def keys(column: str = "", descending: bool = False) -> list[str]:
        return every_page(store, "liaison.met", SUSPECTS, records.TableOrder(column, descending), page_size=3)[0]

    assert keys() == ["S-0", "S-1", "S-2", "S-3"]
    assert keys(descending=True) == ["S-3", "S-2", "S-1", "S-0"]
    assert keys("full_name") == ["S-1", "S-0", "S-2", "S-3"]  # the two Bravos by id
    assert keys("full_name", descending=True) == ["S-3", "S-2", "S-0", "S-1"]
    assert keys("status") == ["S-0", "S-3", "S-2", "S-1"]  # lead, identified, ..., arrested: the workflow's order
    assert keys("date_of_birth") == ["S-2", "S-0", "S-1", "S-3"]  # no date last, on both stores
    assert keys("date_of_birth", descending=True) == ["S-0", "S-2", "S-3", "S-1"]


def test_a_page_past_the_end_shows_the_last_and_an_empty_table_counts_zero(store):
    met = store.principal("liaison.met")
    with store.writer() as s:
        for n in range(5):
            suspect(s, met, f"S-{n}")
    with store.reader() as session:
        found = records.table(session, met, SUSPECTS, EVERYTHING, records.TableOrder(), 99, 2)
        assert (found.total, found.pages, found.page, found.first, found.last) == (5, 3, 3, 5, 5)
        assert [row[0] for row in found.shown.rows] == ["S-4"]
        none = records.table(session, met, SUSPECTS, records.TableFilters(search="nobody"), records.TableOrder(), 1)
        assert (none.total, none.pages, none.page, none.first, none.last, none.shown.rows) == (0, 1, 1, 0, 0, [])


def test_filters_narrow_the_pages(operation):
    keys, total = every_page(operation, "commander.met", SUSPECTS, records.TableOrder("full_name"),
                             filters=records.TableFilters(agencies=("MET",), statuses=("lead", "arrested")))
    assert keys == ["M-0", "M-1", "M-3", "M-4"] and total == 4


@pytest.mark.parametrize("subject", ["liaison.met", "liaison.fbi", "commander.met"])
def test_the_count_from_the_tallies_is_the_rows_a_search_would_count(operation, subject):
    """Without a search the total comes from the tallies; every reference holds a '-', so searching
    for it counts the rows themselves, and paging yields exactly that many."""
    for kind in KINDS.values():
        for narrowed in ({}, {"markings": ("RED",)}, {"markings": ("AMBER+STRICT", "AMBER")},
                         {"agencies": ("MET",)}, {"agencies": ("FBI",), "statuses": ("arrested", "open")}):
            tallied = records.TableFilters(**narrowed)
            keys, total = every_page(operation, subject, kind, records.TableOrder(), filters=tallied)
            searched = every_page(operation, subject, kind, records.TableOrder(),
                                  filters=records.TableFilters(search="-", **narrowed))
            assert total == len(keys) and searched == (keys, total), (kind.name, narrowed)


def test_an_unknown_sort_column_is_refused(operation):
    with operation.reader() as session, pytest.raises(ValueError, match="cannot be sorted by Notes"):
        records.table(session, operation.principal("liaison.met"), SUSPECTS, EVERYTHING, records.TableOrder("notes"))
