"""Checks shared by more than one test module."""

from __future__ import annotations

from sqlalchemy import text

from coordination import tallies


def tally_mismatches(connection) -> list[str]:
    """Every tally row (and RED per-recipient tally row) that differs from a GROUP BY over the rows."""
    wrong = []
    dialect = connection.dialect.name
    for tally in tallies.TALLIES:
        keys = ", ".join(tally.keys)
        for table, columns, expected in ((tally.table, keys, tallies.counted(tally, dialect)),
                                         (tally.red, f"user_id, {keys}", tallies.counted_red(tally, dialect))):
            kept = {tuple(row[:-1]): row[-1] for row in connection.execute(
                text(f"SELECT {columns}, n FROM {table} WHERE n <> 0"))}  # noqa: S608 - constants
            counted = {tuple(row[:-1]): row[-1] for row in connection.execute(text(expected))}
            wrong += [f"{table} {key}: kept {kept.get(key)}, counted {counted.get(key)}"
                      for key in set(kept) | set(counted) if kept.get(key) != counted.get(key)]
    return wrong
