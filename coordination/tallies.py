"""Counts the dashboard reads instead of scanning hundreds of thousands of rows.

Each tally table counts its source table's rows per (operation, owning agency, TLP, and the
columns a chart groups by). Its RED twin counts RED rows once per named recipient, because who may
see a RED record is per person, not per agency: a viewer's figures are the tally's non-RED rows they
may see plus their own RED counts. Triggers keep both in the writing transaction, whatever writes (a
service, the importer, the demo loader, hand-written SQL), so they can never disagree with the rows.

SQLite counts row by row; PostgreSQL counts per statement, from its transition tables. The same
statements run from `Base.metadata.create_all` (tests) and from the Alembic migrations.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

NO_DUE_DATE = "9999-12-31"  # a key column cannot be NULL: tasks without a due date count under this day


@dataclass(frozen=True)
class Tally:
    table: str
    source: str
    entity: str  # the source's name in recipient rows
    # tally column -> its value from the source row ({row} is NEW, OLD or an alias), per dialect where they differ
    keys: dict[str, str | dict[str, str]]
    watched: tuple[str, ...]  # the source columns those values come from

    @property
    def red(self) -> str:
        return self.table.replace("_tally", "_red_tally")

    def values(self, row: str, dialect: str) -> str:
        return ", ".join(self._expressions(row, dialect))

    def named_values(self, row: str, dialect: str) -> str:
        return ", ".join(f"{e} AS {key}" for key, e in zip(self.keys, self._expressions(row, dialect), strict=True))

    def _expressions(self, row: str, dialect: str) -> list[str]:
        return [(e if isinstance(e, str) else e[dialect]).format(row=row) for e in self.keys.values()]


def _same(*columns: str) -> dict[str, str]:
    return {column: f"{{row}}.{column}" for column in columns}


SCOPE = ("operation_id", "owning_agency_id", "tlp")
UTC_DAY = {"sqlite": "date({row}.arrested_at)", "postgresql": "CAST(timezone('UTC', {row}.arrested_at) AS DATE)"}
TALLIES = (
    Tally("arrest_tally", "arrest", "arrest", {**_same(*SCOPE, "jurisdiction_id"), "day": UTC_DAY},
          (*SCOPE, "jurisdiction_id", "arrested_at")),
    Tally("suspect_tally", "suspect", "suspect", _same(*SCOPE, "tier", "status"), (*SCOPE, "tier", "status")),
    Tally("evidence_tally", "evidence_item", "evidence item", _same(*SCOPE, "item_type", "status", "holder_agency_id"),
          (*SCOPE, "item_type", "status", "holder_agency_id")),
    Tally("task_tally", "task", "task",
          {**_same(*SCOPE, "status"), "due_by": f"COALESCE({{row}}.due_date, '{NO_DUE_DATE}')"},
          (*SCOPE, "status", "due_date")),
)


def _upsert(table: str, keys: str) -> str:
    return f"ON CONFLICT ({keys}) DO UPDATE SET n = {table}.n + excluded.n"


def _bump(tally: Tally, dialect: str, row: str, by: int) -> str:
    """Count the source row `row` (NEW or OLD) `by` +1 or -1 in the tally."""
    keys = ", ".join(tally.keys)
    return (f"INSERT INTO {tally.table} ({keys}, n) VALUES ({tally.values(row, dialect)}, {by}) "  # noqa: S608
            + _upsert(tally.table, keys))


def _bump_red(tally: Tally, dialect: str, row: str, by: int) -> str:
    """Count the source row `row`, if RED, `by` once for each of its recipients."""
    keys = ", ".join(tally.keys)
    return (f"INSERT INTO {tally.red} (user_id, {keys}, n) SELECT r.user_id, {tally.values(row, dialect)}, {by} "  # noqa: S608
            f"FROM recipient r WHERE r.entity = '{tally.entity}' AND r.entity_id = {row}.id AND {row}.tlp = 'RED' "
            + _upsert(tally.red, f"user_id, {keys}"))


def _bump_recipient(tally: Tally, dialect: str, row: str, by: int) -> str:
    """Count the record a recipient row `row` names, if RED, `by` for that recipient."""
    keys = ", ".join(tally.keys)
    return (f"INSERT INTO {tally.red} (user_id, {keys}, n) SELECT {row}.user_id, {tally.values('s', dialect)}, {by} "  # noqa: S608
            f"FROM {tally.source} s WHERE {row}.entity = '{tally.entity}' AND s.id = {row}.entity_id "
            f"AND s.tlp = 'RED' " + _upsert(tally.red, f"user_id, {keys}"))


# PostgreSQL counts per statement, from the statement's transition tables: the importer inserts
# thousands of rows per statement, and bumping one count row once per row in a long transaction
# leaves a row version behind each time (100,000 imported arrests took 65 s instead of 23 s).
CHANGES = {"INSERT": [("new_rows", 1)], "UPDATE": [("old_rows", -1), ("new_rows", 1)], "DELETE": [("old_rows", -1)]}
TRANSITION = {"INSERT": "NEW TABLE AS new_rows", "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
              "DELETE": "OLD TABLE AS old_rows"}


def _apply(table: str, keys: str, changed: str) -> str:
    """Add the signed changed rows up per key and apply the sums that are not zero."""
    return (f"INSERT INTO {table} ({keys}, n) SELECT {keys}, sum(d) FROM ({changed}) AS changed "  # noqa: S608
            f"GROUP BY {keys} HAVING sum(d) <> 0 " + _upsert(table, keys))


def _source_deltas(tally: Tally) -> dict[str, str]:
    """Per event, the statements that count a statement's changed source rows (and, if RED, per recipient)."""
    keys, deltas = ", ".join(tally.keys), {}
    for event, changes in CHANGES.items():
        rows = " UNION ALL ".join(f"SELECT {tally.named_values('c', 'postgresql')}, {sign} AS d FROM {table} c"  # noqa: S608
                                  for table, sign in changes)
        red = " UNION ALL ".join(
            f"SELECT r.user_id, {tally.named_values('c', 'postgresql')}, {sign} AS d FROM {table} c "  # noqa: S608
            f"JOIN recipient r ON r.entity = '{tally.entity}' AND r.entity_id = c.id WHERE c.tlp = 'RED'"
            for table, sign in changes)
        deltas[event] = f"{_apply(tally.table, keys, rows)}; {_apply(tally.red, f'user_id, {keys}', red)};"
    return deltas


def _recipient_deltas(tally: Tally) -> dict[str, str]:
    """Per event, the statement that counts the RED records a statement's changed recipient rows name."""
    keys, deltas = ", ".join(tally.keys), {}
    for event, changes in CHANGES.items():
        named = " UNION ALL ".join(
            f"SELECT c.user_id, {tally.named_values('s', 'postgresql')}, {sign} AS d FROM {table} c "  # noqa: S608
            f"JOIN {tally.source} s ON s.id = c.entity_id WHERE c.entity = '{tally.entity}' AND s.tlp = 'RED'"
            for table, sign in changes)
        deltas[event] = _apply(tally.red, f"user_id, {keys}", named) + ";"
    return deltas


def _statement_triggers(name: str, table: str, deltas: dict[str, str], prefix: str = "") -> list[str]:
    """One function `<name>_keep` and a trigger per event on `table` (transition tables are per event)."""
    branches = " ELSIF ".join(f"TG_OP = '{event}' THEN {sql}" for event, sql in deltas.items())
    return [f"CREATE OR REPLACE FUNCTION {name}_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF {branches} END IF; RETURN NULL; END $$"] + [
        f"CREATE TRIGGER {name}_on_{prefix}{event.lower()} AFTER {event} ON {table} REFERENCING {TRANSITION[event]} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}_keep()" for event in deltas]


def create_statements(dialect: str) -> list[str]:
    statements = []
    for t in TALLIES:
        watched = ", ".join(t.watched)
        if dialect == "sqlite":
            def old(t=t):
                return f"{_bump(t, dialect, 'OLD', -1)}; {_bump_red(t, dialect, 'OLD', -1)};"

            def new(t=t):
                return f"{_bump(t, dialect, 'NEW', 1)}; {_bump_red(t, dialect, 'NEW', 1)};"

            statements += [
                f"CREATE TRIGGER {t.table}_on_insert AFTER INSERT ON {t.source} BEGIN {new()} END",
                f"CREATE TRIGGER {t.table}_on_update AFTER UPDATE OF {watched} ON {t.source} BEGIN {old()} {new()} END",
                f"CREATE TRIGGER {t.table}_on_delete AFTER DELETE ON {t.source} BEGIN {old()} END",
                f"CREATE TRIGGER {t.red}_on_recipient_insert AFTER INSERT ON recipient "
                f"BEGIN {_bump_recipient(t, dialect, 'NEW', 1)}; END",
                f"CREATE TRIGGER {t.red}_on_recipient_update AFTER UPDATE ON recipient "
                f"BEGIN {_bump_recipient(t, dialect, 'OLD', -1)}; {_bump_recipient(t, dialect, 'NEW', 1)}; END",
                f"CREATE TRIGGER {t.red}_on_recipient_delete AFTER DELETE ON recipient "
                f"BEGIN {_bump_recipient(t, dialect, 'OLD', -1)}; END"]
        elif dialect == "postgresql":
            statements += _statement_triggers(t.table, t.source, _source_deltas(t)) \
                + _statement_triggers(t.red, "recipient", _recipient_deltas(t), "recipient_")
    return statements


def drop_statements(dialect: str) -> list[str]:
    if dialect == "sqlite":
        verbs = ("insert", "update", "delete")
        return [f"DROP TRIGGER IF EXISTS {t.table}_on_{verb}" for t in TALLIES for verb in verbs] \
            + [f"DROP TRIGGER IF EXISTS {t.red}_on_recipient_{verb}" for t in TALLIES for verb in verbs]
    if dialect == "postgresql":  # with the functions go the triggers that call them, whatever their names
        return [f"DROP FUNCTION IF EXISTS {name}_keep() CASCADE" for t in TALLIES for name in (t.table, t.red)]
    return []


def counted(tally: Tally, dialect: str) -> str:
    """The tally's rows as they should be: a GROUP BY over the source (to fill it, and in tests)."""
    values = tally.values(tally.source, dialect)
    return f"SELECT {values}, count(*) FROM {tally.source} GROUP BY {values}"  # noqa: S608 - names are constants


def counted_red(tally: Tally, dialect: str) -> str:
    values = tally.values("s", dialect)
    return (f"SELECT r.user_id, {values}, count(*) FROM recipient r JOIN {tally.source} s ON s.id = r.entity_id "  # noqa: S608
            f"WHERE r.entity = '{tally.entity}' AND s.tlp = 'RED' GROUP BY r.user_id, {values}")


def fill_statements(dialect: str) -> list[str]:
    """Count what is already there (a migration on a database with records)."""
    return [statement for t in TALLIES for statement in (
        f"INSERT INTO {t.table} ({', '.join(t.keys)}, n) {counted(t, dialect)}",  # SQL of constants
        f"INSERT INTO {t.red} (user_id, {', '.join(t.keys)}, n) {counted_red(t, dialect)}")]


@contextmanager
def counted_at_the_end(session: Session) -> Iterator[None]:
    """Bulk loading in one transaction: count once at the end instead of in a trigger per row.

    Updating the same few count rows for every one of 600,000 rows in one PostgreSQL transaction
    leaves a version of each behind every time (the stress load took 3x as long), and the loader's
    batches reach PostgreSQL as one statement per row, so counting per statement does not help
    (with it alone the stress load ran past 15 minutes; with this, 112 s). Dropping the
    triggers is DDL, which both stores run inside the transaction and which locks the tables, so
    no other writer ever sees them missing.
    """
    dialect = session.get_bind().dialect.name
    for statement in drop_statements(dialect):
        session.execute(text(statement))
    yield
    session.flush()
    emptied = [f"DELETE FROM {name}" for t in TALLIES for name in (t.table, t.red)]  # noqa: S608 - constants
    for statement in emptied + fill_statements(dialect) + create_statements(dialect):
        session.execute(text(statement))
