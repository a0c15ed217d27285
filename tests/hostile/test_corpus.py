"""Every hostile file of the corpus: a plain refusal or a correct import, within the reader's
budget (tests/hostile/budget.py), nothing half-written, and the audit trail whole afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from coordination import audit
from coordination.models import Arrest, AuditEvent, Suspect, Task
from coordination.services import imports
from tests.hostile.budget import BUDGET_BYTES, BUDGET_SECONDS, read_in_budget
from tests.hostile.corpus import CASES, EXISTING, Case, csv_file, write_all

MAX_DETAIL = 1_000  # characters of a refused file's audit detail
LIGHT = [case for case in CASES if not case.heavy]
HEAVY = [case for case in CASES if case.heavy]
STORED = {  # what some imported files must have stored: reference -> full name
    "neutralised-and-apostrophe.csv": {"H-1": "-x"},
    "formulas.csv": {"H-1": "=1+2", "H-3": "@SUM(A1:A2)", "H-4": "-2+3", "H-5": '=HYPERLINK("http://example.invalid")'},
    "double-bom.csv": {"H-1": "Synthetic Person 1"},
    "formulas.xlsx": {"H-1": '=HYPERLINK("http://example.invalid")', "H-2": "Cached Name"},
    "rich-phonetic.xlsx": {"H-1": "Yamada Taro"},
    "xlsx-formula-text.xlsx": {"H-1": "=1+2"},
    "utf16-part.xlsx": {"H-2": "Beta Two"},
}
BORN = {"dates.xlsx": "1980-01-02", "date1904.xlsx": "1980-01-02"}


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> dict[str, Path]:
    return write_all(tmp_path_factory.mktemp("hostile"))


def test_the_corpus_has_at_least_forty_files_of_each_outcome_that_matters():
    assert len(CASES) >= 40
    assert {case.expect for case in CASES} == {"refused", "problems", "imported"}
    assert sum(case.name.endswith(".xlsx") for case in CASES) >= 20


# --- the reader's budget ---------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_file_is_read_within_the_budget(corpus, case: Case):
    outcome = read_in_budget(corpus[case.name])
    print(f"budget {case.name}: {outcome['cpu']:.2f} s CPU, {outcome['wall']:.2f} s, "
          f"{outcome['peak'] / 2**20:.0f} MB")  # shown with -s, for the record
    assert outcome["cpu"] < BUDGET_SECONDS and outcome["peak"] < BUDGET_BYTES, outcome
    if case.expect != "refused":
        assert "refused" not in outcome, outcome


# --- imports as liaison.fbi, dry run and real ------------------------------------------------------

def state(store) -> tuple[int, int, int, int]:
    with store.reader() as session:
        return (*(session.scalar(select(func.count()).select_from(m)) for m in (Suspect, Arrest, Task)),
                audit.head(session)[0])


def seed(store) -> None:
    """One suspect and one task of the FBI, so that rows naming them take the update path."""
    fbi = store.principal("liaison.fbi")
    for kind, content in [("suspects", csv_file(f"{EXISTING},Existing Person,user,lead")),
                          ("tasks", csv_file("T-EXIST-1,Existing task,open,high", header="reference,title,status,"
                                                                                            "priority"))]:
        assert imports.import_file(store.engine, fbi, kind, f"seed-{kind}.csv", content).committed


def check_plain(problems: list[imports.Problem]) -> None:
    for problem in problems:
        reason = problem.reason
        assert reason and reason.isprintable() and len(reason) < 600, reason
        assert "Traceback" not in reason and "object at 0x" not in reason, reason


def check_case(store, case: Case, content: bytes) -> None:
    fbi = store.principal("liaison.fbi")
    seed(store)
    for dry_run in (True, False):
        before = state(store)
        # the reader's cost is held to a budget above (CPU and memory, in a child); an import that hangs
        # is cut by the per-test timeout (pyproject); how long one takes is bench/'s
        result = imports.import_file(store.engine, fbi, case.kind, case.name, content, dry_run=dry_run)
        check_plain(result.problems)
        after = state(store)
        if case.expect == "refused":
            assert [p.row for p in result.problems] == [0], result.problems[:3]
            assert case.says in result.problems[0].reason, result.problems[0]
            assert after == (*before[:3], before[3] + 1)  # only the refusal, audited
            with store.reader() as session:
                event = session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
            assert (event.action, event.outcome.value) == ("import", "refused")
            assert len(event.detail) <= MAX_DETAIL, len(event.detail)
        elif case.expect == "problems":
            assert result.problems and all(p.row > 0 for p in result.problems), result.problems[:3]
            assert any(case.says in p.reason for p in result.problems), result.problems[:3]
            assert not result.committed and after[:3] == before[:3]
        else:
            assert result.ok, result.problems[:3]
            assert result.created + result.updated == case.rows
            assert result.committed != dry_run
            assert sum(after[:3]) - sum(before[:3]) == (0 if dry_run else result.created)
    if case.expect == "imported":
        with store.reader() as session:
            names = dict(session.execute(select(Suspect.reference, Suspect.full_name)).all())
            born = session.scalar(select(Suspect.date_of_birth).where(Suspect.reference == "H-1"))
        for reference, full_name in STORED.get(case.name, {}).items():
            assert names[reference] == full_name
        if case.name in BORN:
            assert born.isoformat() == BORN[case.name]
    with store.reader() as session:
        assert audit.verify(session).ok


@pytest.mark.parametrize("case", LIGHT, ids=[case.name for case in LIGHT])
def test_each_file_is_refused_plainly_or_imported_whole(store, corpus, case: Case):
    check_case(store, case, corpus[case.name].read_bytes())


@pytest.mark.slow
@pytest.mark.parametrize("case", HEAVY, ids=[case.name for case in HEAVY])
def test_each_large_file_is_refused_plainly_or_imported_whole(sqlite_store, corpus, case: Case):
    check_case(sqlite_store, case, corpus[case.name].read_bytes())
