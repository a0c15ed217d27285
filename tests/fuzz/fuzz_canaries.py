"""The canary test over operations Hypothesis draws (`make fuzz`, COORD_CANARY_EXAMPLES of them per
store): markings, recipients, grants, hits and conflicts drawn by `canaries.plans()`, every surface of
tests/test_canaries.py checked on each (every record opened by every reader, every briefing a PDF)."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings

from coordination import deconfliction_key
from tests import canaries
from tests.conftest import require
from tests.test_canaries import EXAMPLES, SURFACES, _build, _fresh_store, leaks, verdict

# every surface of each drawn operation takes about 2 minutes: no per-test timeout (pyproject's) for this one
pytestmark = pytest.mark.timeout(0)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_generated_operations_show_no_record_to_a_reader_who_may_not_read_it(kind, request, tmp_path_factory):
    @settings(max_examples=max(EXAMPLES, 1), deadline=None, suppress_health_check=list(HealthCheck))
    @given(plan=canaries.plans())
    def check(plan):
        with pytest.MonkeyPatch.context() as monkeypatch:
            monkeypatch.setenv(deconfliction_key.ENVIRONMENT,
                               str(deconfliction_key.make_key_file(tmp_path_factory.mktemp("key") / "k.key")))
            store = _fresh_store(kind, tmp_path_factory, request)
            try:
                made = _build(store, plan, monkeypatch)
                failures = []
                for name, surface in SURFACES.items():
                    found, _ = leaks(made, name, surface)
                    failures += found
                assert not failures, verdict("every surface", failures, [])
            finally:
                if kind == "sqlite":
                    store.engine.dispose()
    if kind == "postgresql":
        require(os.environ.get("COORD_TEST_POSTGRES_URL") is not None, "COORD_TEST_POSTGRES_URL is not set")
    check()
