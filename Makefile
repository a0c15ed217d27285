# Two commands: `make run` brings up the demo, `make test` lints and runs the fast tier of the suite;
# `make test-slow` runs the other tier (the browser tests and the heavy ones), `.ci/run` both.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test test-slow test-heavy test-browser lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# stamps: reinstall only when a requirements file changes
$(VENV)/.demo-installed: requirements.txt requirements-demo.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-demo.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-demo.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

# the demo's deconfliction key: data/deconfliction.key, made on first run (unless
# COORD_DECONFLICTION_KEY_FILE names another), for the demo's identifiers and the app
run: $(VENV)/.demo-installed
	$(BIN)/python -m coordination db upgrade
	export COORD_DECONFLICTION_KEY_FILE="$$($(BIN)/python -m coordination.devstack key)" && \
	  $(BIN)/python -m coordination demo load --if-empty --as-of today && \
	  $(BIN)/python -m coordination.devstack

# lint-imports: the layering rules of DESIGN.md, as contracts in pyproject.toml;
# tools.mypy_baseline: mypy may find no more errors than mypy-baseline.txt records
lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/bandit -q -r coordination app.py --severity-level high
	$(BIN)/lint-imports --no-logo
	$(BIN)/python -m tools.mypy_baseline

# The suite in two tiers, by marker (pyproject.toml; every test under tests/browser is `browser`):
# - `make test`, the fast tier: lint, then everything but `browser` and `slow` (unit, SQLite, AppTest and
#   PostgreSQL tests) in parallel (pytest-xdist; each worker has a PostgreSQL database of its own);
# - `make test-slow`, the other tier: the heavy tests (`slow`), in parallel too, and the browser tests,
#   in one process (each stack, provider, replicas and haproxy, is started once for the session).
# TEST_WORKERS: pytest-xdist's -n (auto: one per CPU, at most 4). Every test runs under pytest-timeout.
# `.ci/run` runs both tiers (`make -k`: the second even when the first fails).
TEST_WORKERS ?= auto
PARALLEL = -n $(TEST_WORKERS) --maxprocesses 4 --dist loadgroup
test: lint
	$(BIN)/python -m pytest $(PARALLEL) -m "not browser and not slow"

test-slow: test-heavy test-browser

test-heavy: $(VENV)/.dev-installed
	$(BIN)/python -m pytest $(PARALLEL) -m "slow and not browser"

test-browser: $(VENV)/.dev-installed
	$(BIN)/python -m pytest -m browser

bench: $(VENV)/.dev-installed
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache .import_linter_cache .grimp_cache .mypy_cache

# time-boxed fuzzing of the spreadsheet reader and the field parsers, and the canary test over operations
# Hypothesis draws (CANARY_EXAMPLES of them per store, every record opened by every reader); never part of `make test`
.PHONY: fuzz
FUZZ_SECONDS ?= 60
CANARY_EXAMPLES ?= 3
fuzz: $(VENV)/.dev-installed
	FUZZ_SECONDS=$(FUZZ_SECONDS) $(BIN)/python -m pytest -q -s tests/fuzz/fuzz_tabular.py tests/fuzz/fuzz_fields.py
	COORD_CANARY_EXAMPLES=$(CANARY_EXAMPLES) $(BIN)/python -m pytest -q tests/test_canaries.py tests/fuzz/fuzz_canaries.py
