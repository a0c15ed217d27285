"""Counts the dashboard reads instead of scanning hundreds of thousands of rows.

Each tally table counts its source table's rows per (operation, owning agency, TLP, and the
columns a chart groups by). Triggers keep it in the writing transaction, whatever writes (a
service, the importer, the demo loader, hand-written SQL), so it can never disagree with the rows.
Only non-RED rows are counted from a tally: RED rows are counted from their own table, from the
viewer's recipient entries, because who may see them is per person, not per agency.

The same statements run from `Base.metadata.create_all` (tests) and from the Alembic migration.
"""

from __future__ import annotations

from dataclasses import dataclass

NO_DUE_DATE = "9999-12-31"  # models.NO_DUE_DATE, as SQL text


@dataclass(frozen=True)
class Tally:
    table: str
    source: str
    # tally column -> its value from the source row ({row} is NEW or OLD), per dialect where they differ
    keys: dict[str, str | dict[str, str]]
    watched: tuple[str, ...]  # the source columns those values come from

    def values(self, row: str, dialect: str) -> str:
        return ", ".join((e if isinstance(e, str) else e[dialect]).format(row=row) for e in self.keys.values())


def _same(*columns: str) -> dict[str, str]:
    return {column: f"{{row}}.{column}" for column in columns}


SCOPE = ("operation_id", "owning_agency_id", "tlp")
UTC_DAY = {"sqlite": "date({row}.arrested_at)", "postgresql": "CAST(timezone('UTC', {row}.arrested_at) AS DATE)"}
TALLIES = (
    Tally("arrest_tally", "arrest", {**_same(*SCOPE, "jurisdiction_id"), "day": UTC_DAY},
          (*SCOPE, "jurisdiction_id", "arrested_at")),
    Tally("suspect_tally", "suspect", _same(*SCOPE, "tier", "status"), (*SCOPE, "tier", "status")),
    Tally("evidence_tally", "evidence_item", _same(*SCOPE, "item_type", "status", "holder_agency_id"),
          (*SCOPE, "item_type", "status", "holder_agency_id")),
    Tally("task_tally", "task", {**_same(*SCOPE, "status"), "due_by": f"COALESCE({{row}}.due_date, '{NO_DUE_DATE}')"},
          (*SCOPE, "status", "due_date")),
)


def _bump(tally: Tally, dialect: str, row: str, by: int) -> str:
    keys = ", ".join(tally.keys)
    return (f"INSERT INTO {tally.table} ({keys}, n) VALUES ({tally.values(row, dialect)}, {by}) "  # noqa: S608 - constants
            f"ON CONFLICT ({keys}) DO UPDATE SET n = {tally.table}.n + excluded.n")


def create_statements(dialect: str) -> list[str]:
    statements = []
    for tally in TALLIES:
        watched = ", ".join(tally.watched)
        if dialect == "sqlite":
            statements += [
                f"CREATE TRIGGER {tally.table}_on_insert AFTER INSERT ON {tally.source} "
                f"BEGIN {_bump(tally, dialect, 'NEW', 1)}; END",
                f"CREATE TRIGGER {tally.table}_on_update AFTER UPDATE OF {watched} ON {tally.source} "
                f"BEGIN {_bump(tally, dialect, 'OLD', -1)}; {_bump(tally, dialect, 'NEW', 1)}; END",
                f"CREATE TRIGGER {tally.table}_on_delete AFTER DELETE ON {tally.source} "
                f"BEGIN {_bump(tally, dialect, 'OLD', -1)}; END"]
        elif dialect == "postgresql":
            statements += [
                f"CREATE OR REPLACE FUNCTION {tally.table}_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {_bump(tally, dialect, 'OLD', -1)}; END IF; "
                f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {_bump(tally, dialect, 'NEW', 1)}; END IF; "
                "RETURN NULL; END $$",
                f"CREATE TRIGGER {tally.table}_keep AFTER INSERT OR DELETE OR UPDATE OF {watched} "
                f"ON {tally.source} FOR EACH ROW EXECUTE FUNCTION {tally.table}_keep()"]
    return statements


def drop_statements(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {tally.table}_on_{verb}" for tally in TALLIES
                for verb in ("insert", "update", "delete")]
    if dialect == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {tally.table}_keep ON {tally.source}" for tally in TALLIES] + \
            [f"DROP FUNCTION IF EXISTS {tally.table}_keep()" for tally in TALLIES]
    return []


def fill_statements(dialect: str) -> list[str]:
    """Count what is already there (a migration on a database with records)."""
    return [f"INSERT INTO {tally.table} ({', '.join(tally.keys)}, n) "  # noqa: S608 - names are constants
            f"SELECT {tally.values(tally.source, dialect)}, count(*) FROM {tally.source} "
            f"GROUP BY {tally.values(tally.source, dialect)}" for tally in TALLIES]
