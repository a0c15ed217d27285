"""Time-boxed fuzzing of the field parsers and of whole rows through an import (dry run): the
properties of tests/hostile/test_fields_total.py, for longer. Run by `make fuzz`."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz.fuzz_tabular import ROUND, SECONDS, SHARE, run_for
from tests.hostile.test_fields_total import ANY_VALUE, LINKS, PARSERS, PLAIN, check_import, check_parser, rows_for

REST = 1 - sum(SHARE.values())  # what fuzz_tabular.py leaves
pytestmark = pytest.mark.timeout(SECONDS + 300)  # as fuzz_tabular.py's: time-boxed, cut only when hung


def test_field_parsers():
    @ROUND
    @given(name=st.sampled_from(PLAIN), value=ANY_VALUE)
    def field_parsers(name, value):
        check_parser(PARSERS[name], None, value)
    run_for(SECONDS * REST * 0.3, field_parsers)


def test_link_parsers(store):
    with store.writer() as session:
        @ROUND
        @given(name=st.sampled_from(LINKS), value=ANY_VALUE)
        def link_parsers(name, value):
            check_parser(PARSERS[name], session, value)
        run_for(SECONDS * REST * 0.15, link_parsers)


def test_whole_rows(store):
    from tests.conftest import suspect

    with store.writer() as session:
        suspect(session, store.principal("liaison.fbi"), "S-EXIST-1")

    @settings(ROUND, max_examples=50)
    @given(kind=st.sampled_from(["suspects", "arrests", "tasks"]), data=st.data(), as_xlsx=st.booleans())
    def whole_rows(kind, data, as_xlsx):
        check_import(store, kind, data.draw(rows_for(kind)), as_xlsx)
    run_for(SECONDS * REST * 0.05, whole_rows)
