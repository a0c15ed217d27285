"""Consistent backups while writes go on, and restores.

SQLite: the online backup API copies a consistent snapshot page by page without stopping writers.
PostgreSQL: `pg_dump` in its custom format (one consistent snapshot); `pg_restore` brings it back.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url

from coordination.errors import CoordinationError


class BackupError(CoordinationError):
    pass


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    return Path(parsed.database) if parsed.get_backend_name() == "sqlite" and parsed.database else None


def _libpq_url(url: str) -> str:
    """pg_dump speaks libpq: postgresql://..., without SQLAlchemy's +driver."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed; on Debian: apt-get install postgresql-client")
    return found


def backup(url: str, out: Path) -> Path:
    """Write a consistent copy of the database at `url` to `out`; never overwrites a file."""
    out = Path(out)
    if out.exists():
        raise BackupError(f"{out} exists already; choose a new file name")
    out.parent.mkdir(parents=True, exist_ok=True)
    source = _sqlite_path(url)
    if source is not None:
        if not source.exists():
            raise BackupError(f"no database at {source}")
        with closing(sqlite3.connect(source, timeout=10)) as live, closing(sqlite3.connect(out)) as copy:
            live.backup(copy, pages=1024)  # in steps, so writers are never held up for long
        return out
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={out}", _libpq_url(url)])
    return out


def restore(url: str, backup_file: Path) -> None:
    """Replace the database at `url` with the backup's content."""
    backup_file = Path(backup_file)
    if not backup_file.exists():
        raise BackupError(f"no backup at {backup_file}")
    target = _sqlite_path(url)
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(backup_file)) as saved, closing(sqlite3.connect(target, timeout=10)) as live:
            saved.backup(live)
        return
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          f"--dbname={_libpq_url(url)}", str(backup_file)])


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip().splitlines()[-1:] or done.returncode}")
