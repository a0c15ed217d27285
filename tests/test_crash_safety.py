"""Killing the process (SIGKILL) in the middle of a large import leaves none of it behind; the
trail still verifies and the next import goes through (issue 7)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from coordination import audit
from coordination.models import Arrest, Suspect
from tests.conftest import PG_SCHEMA

ROWS = 60_000


def big_file(path, prefix: str) -> None:
    lines = ["reference,full_name,tier,status"] + [f"{prefix}-{n},Synthetic {n},user,lead" for n in range(ROWS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def start_import(url: str, path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "coordination", "import", "suspects", str(path), "--as",
                             "liaison.met", "--database-url", url], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def wait_until_busy(process: subprocess.Popen) -> None:
    """Until the import reports rows checked, i.e. it is inside its transaction."""
    seen = ""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        seen += os.read(process.stderr.fileno(), 4096).decode()
        if "checked" in seen:
            return
    raise AssertionError(f"the import never got going: {seen[-300:]}")


@pytest.mark.slow
def test_sigkill_mid_import_leaves_nothing_and_the_trail_verifies(store, tmp_path):
    url = store.engine.url.render_as_string(hide_password=False)
    if store.kind == "postgresql":  # the subprocess must find the test schema too
        url += f"?options=-csearch_path%3D{PG_SCHEMA}"
    with store.reader() as session:
        before = (session.scalar(select(func.count()).select_from(Suspect)), audit.head(session))
    path = tmp_path / "suspects.csv"
    big_file(path, "KILLED")
    process = start_import(url, path)
    wait_until_busy(process)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(30)
    assert process.returncode == -signal.SIGKILL

    with store.reader() as session:
        assert (session.scalar(select(func.count()).select_from(Suspect)), audit.head(session)) == before
        assert audit.verify(session).ok
    big_file(path, "AFTER")  # the store takes the next import as if nothing had happened
    done = start_import(url, path)
    out, err = done.communicate(timeout=300)
    assert done.returncode == 0, err[-500:]
    with store.reader() as session:
        assert session.scalar(select(func.count()).select_from(Suspect)) == before[0] + ROWS
        assert session.scalar(select(func.count()).select_from(Suspect).where(Suspect.reference.like("KILLED-%"))) == 0
        assert session.scalar(select(func.count()).select_from(Arrest)) == 0
        assert audit.verify(session).ok
