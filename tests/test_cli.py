"""`python -m coordination` end to end in a subprocess: exit codes, messages, and tamper detection."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from coordination.append_only import drop_statements
from tests.conftest import TEST_ISSUER


def run(url: str, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "coordination", *args, "--database-url", url],
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode == 0) == ok, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    return done


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("cli") / "template.db"
    url = f"sqlite:///{path}"
    run(url, "db", "upgrade")
    run(url, "demo", "load", "--scale", "demo")
    return str(path)


@pytest.fixture
def db(loaded, tmp_path) -> str:
    copy = tmp_path / "cli.db"
    with sqlite3.connect(loaded) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    return str(copy)


def url(path: str) -> str:
    return f"sqlite:///{path}"


def tamper(path: str, *statements: str) -> None:
    with sqlite3.connect(path) as connection:
        for statement in drop_statements("sqlite") + list(statements):
            connection.execute(statement)


def test_verify_prints_the_head_of_an_intact_chain(db):
    out = run(url(db), "audit", "verify").stdout
    head = run(url(db), "audit", "head").stdout.split()
    assert "intact" in out and f"head {head[1]} {head[2]}" in out
    run(url(db), "audit", "verify", "--expect-head", head[2])


@pytest.mark.parametrize(("statements", "first_bad"), [
    (["UPDATE audit_event SET detail = 'edited' WHERE seq = 100"], 100),
    (["DELETE FROM audit_event WHERE seq = 250"], 250),
    (["UPDATE audit_event SET seq = seq + 1000000 WHERE seq >= 300",
      "INSERT INTO audit_event SELECT 300, occurred_at, actor_issuer, actor_subject, action, entity, entity_id, "
      "before, after, outcome, 'inserted', prev_hash, hash FROM audit_event WHERE seq = 1000300",
      "UPDATE audit_event SET seq = seq - 999999 WHERE seq >= 1000000"], 300),
    (["UPDATE audit_event SET seq = -1 WHERE seq = 400", "UPDATE audit_event SET seq = 400 WHERE seq = 401",
      "UPDATE audit_event SET seq = 401 WHERE seq = -1"], 400),
])
def test_verify_names_the_first_bad_sequence_of_a_tampered_chain(db, statements, first_bad):
    tamper(db, *statements)
    done = run(url(db), "audit", "verify", ok=False)
    assert f"BROKEN at sequence {first_bad}:" in done.stderr


def test_deleting_the_newest_events_is_caught_against_an_anchored_head(db):
    anchored = run(url(db), "audit", "head").stdout.split()
    tamper(db, f"DELETE FROM audit_event WHERE seq >= {int(anchored[1]) - 5}")
    run(url(db), "audit", "verify")  # the shortened chain is consistent in itself...
    done = run(url(db), "audit", "verify", "--expect-head", anchored[2], ok=False)  # ...but not with its anchor
    assert "anchored head" in done.stderr


def test_the_database_refuses_hand_edits_of_the_trail(db):
    with sqlite3.connect(db) as connection, pytest.raises(sqlite3.IntegrityError, match="append-only"):
        connection.execute("UPDATE audit_event SET detail = 'x' WHERE seq = 5")


def test_users_add_list_disable(db):
    run(url(db), "users", "add", "--issuer", TEST_ISSUER, "--subject", "liaison.gardai", "--name",
        "Gráinne Liaison", "--agency", "NCA", "--role", "liaison")
    listed = run(url(db), "users", "list").stdout
    assert "liaison.gardai" in listed and "Gráinne Liaison" in listed
    run(url(db), "users", "disable", "liaison.gardai")
    assert "disabled" in [line for line in run(url(db), "users", "list").stdout.splitlines()
                          if "liaison.gardai" in line][0]
    run(url(db), "audit", "verify")


@pytest.mark.parametrize(("args", "message"), [
    (["users", "add", "--subject", "x", "--name", "X", "--agency", "MOON", "--role", "liaison"],
     "agency: 'MOON' is not a partner agency"),
    (["users", "add", "--subject", "liaison.met", "--name", "X", "--agency", "MET", "--role", "liaison",
      "--issuer", TEST_ISSUER], "already provisioned"),
    (["users", "disable", "nobody"], "no single user"),
    (["users", "disable", "admin"], "last active admin"),
    (["demo", "load"], "--reset"),
    (["demo", "load", "--scale", "huge"], "'huge' is not one of"),
    (["db", "downgrade", "nope"], "Can't locate revision identified by 'nope'"),
    (["export", "suspects", "--as", "nobody", "--out", "x.csv"], "no provisioned user"),
])
def test_bad_input_gets_a_plain_message_and_a_failing_exit(db, args, message):
    done = run(url(db), *args, ok=False)
    assert message in done.stderr


def test_a_missing_database_or_schema_is_named_not_created(tmp_path):
    missing = tmp_path / "typo.db"
    assert "no database at" in run(url(str(missing)), "audit", "verify", ok=False).stderr
    assert not missing.exists()
    sqlite3.connect(tmp_path / "empty.db").close()
    assert "db upgrade" in run(url(str(tmp_path / "empty.db")), "users", "list", ok=False).stderr


@pytest.mark.parametrize("args", [
    ["export", "suspects", "--as", "liaison.fbi", "--out", "{tmp}/x.csv"],
    ["import", "suspects", "{tmp}/suspects.csv", "--as", "liaison.met"],
    ["briefing", "--as", "liaison.fbi", "--out", "{tmp}/x.pdf", "--no-charts"],
    ["users", "add", "--subject", "x", "--name", "X", "--agency", "MET", "--role", "liaison"],
    ["users", "list"],
    ["users", "disable", "liaison.met"],
    ["audit", "head"],
    ["db", "downgrade", "base"],
    ["db", "backup", "{tmp}/copy.db"],
], ids=lambda args: " ".join(args[:2]))
def test_commands_on_records_refuse_a_missing_database_and_create_nothing(tmp_path, args):
    (tmp_path / "suspects.csv").write_text("reference,full_name,tier,status\nX-1,Synthetic One,user,lead\n")
    before = sorted(tmp_path.rglob("*"))
    missing = tmp_path / "missing.db"
    done = run(url(str(missing)), *[arg.format(tmp=tmp_path) for arg in args], ok=False)
    assert done.returncode == 1 and f"error: no database at {missing}" in done.stderr
    assert not missing.exists() and sorted(tmp_path.rglob("*")) == before


def test_demo_load_if_empty_leaves_data_alone_and_downgrade_base_empties(tmp_path, db):
    before = run(url(db), "audit", "head").stdout
    assert "nothing loaded" in run(url(db), "demo", "load", "--if-empty").stdout
    assert run(url(db), "audit", "head").stdout == before
    fresh = url(str(tmp_path / "fresh.db"))
    assert "is not a day" in run(fresh, "demo", "load", "--as-of", "31/03/2023", ok=False).stderr
    loaded = run(fresh, "demo", "load", "--if-empty", "--seed", "2", "--as-of", "today").stdout
    assert "loaded the demo operations" in loaded and "2,300 suspect," in loaded and "tally" not in loaded
    run(fresh, "db", "downgrade", "base")
    assert "db upgrade" in run(fresh, "audit", "head", ok=False).stderr
    run(fresh, "db", "upgrade")
    assert run(fresh, "audit", "head").stdout.startswith("head 0 ")


def test_an_unreachable_database_is_a_plain_message():
    done = subprocess.run([sys.executable, "-m", "coordination", "audit", "verify", "--database-url",
                           "postgresql://nobody@127.0.0.1:1/none"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "cannot be used" in done.stderr and "Traceback" not in done.stderr


def test_import_export_and_backup_from_the_command_line(db, tmp_path):
    out = tmp_path / "tasks.csv"
    nca = ("--as", "liaison.nca", "--operation", "ELABORATE")  # a member of Saltmarsh too: the CLI asks which
    assert "marked" in run(url(db), "export", "tasks", *nca, "--out", str(out)).stdout
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    own = [line for line in lines if ",NCA," in line]
    edited = tmp_path / "edited.csv"
    row = own[0]  # a real change of priority: a row equal to what is stored is "unchanged" for anyone
    changed = row.replace(",high,", ",low,") if ",high," in row else \
        row.replace(",low,", ",high,").replace(",medium,", ",high,").replace(",critical,", ",high,")
    edited.write_text("\n".join(lines[:2] + [changed]), encoding="utf-8")
    dry = run(url(db), "import", "tasks", str(edited), *nca, "--dry-run").stdout
    assert "dry run" in dry
    refused = run(url(db), "import", "tasks", str(edited), "--as", "liaison.fbi", ok=False)
    assert "row 3, owning_agency" in refused.stderr and "nothing was written" in refused.stderr
    run(url(db), "db", "backup", str(tmp_path / "copy.db"))
    run(url(str(tmp_path / "restored.db")), "db", "restore", str(tmp_path / "copy.db"), "--yes")
    run(url(str(tmp_path / "restored.db")), "audit", "verify")


def test_every_command_a_module_defines_is_found_by_its_name_alone():
    """Commands load their module when named (cli.Commands): a command missing from that table would
    not be found at all. Every module under coordination/cli loaded, the commands they define are the
    table's."""
    import importlib
    import pkgutil

    import coordination.cli as package
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"coordination.cli.{module.name}")
    assert sorted(package.cli.commands) == sorted(package._MODULES)
