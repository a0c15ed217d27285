"""Database triggers that refuse UPDATE and DELETE on append-only tables (audit events, custody
events, task updates, the decision log and its pins), so even a hand-written SQL statement cannot
quietly rewrite history.

The same statements run from `Base.metadata.create_all` (tests) and from the Alembic migration.
Tests that tamper on purpose, and nobody else, remove them with `drop_statements`.
"""

from __future__ import annotations

APPEND_ONLY_TABLES = ("audit_event", "custody_event", "task_update", "decision", "decision_pin",
                      "package_status_change", "acquisition_custody_event")


def create_statements(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only: {verb} refused'); END"
                for table in APPEND_ONLY_TABLES for verb in ("UPDATE", "DELETE")]
    if dialect == "postgresql":
        function = ("CREATE OR REPLACE FUNCTION refuse_append_only_change() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' rows are append-only: ' || TG_OP "
                    "|| ' refused'; END $$")  # no '%' placeholders: drivers would read them as parameters
        return [function] + [f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                             f"FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()"
                             for table in APPEND_ONLY_TABLES]
    return []


def drop_statements(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_no_{verb.lower()}"
                for table in APPEND_ONLY_TABLES for verb in ("UPDATE", "DELETE")]
    if dialect == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}" for table in APPEND_ONLY_TABLES] \
            + ["DROP FUNCTION IF EXISTS refuse_append_only_change()"]
    return []
