"""`python -m coordination operations ...` and `--operation CODE` on every command acting as a person,
with two operations set up: ELABORATE (the seeded one) and LEDGER (opened here). On both stores."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from coordination.cli import cli
from coordination.models import AuditEvent
from tests.conftest import TEST_ISSUER
from tests.test_briefing import cli_url

CLOSED_WORDS = ("error: Operation Elaborate is closed: its records are read-only. "
                "Re-opening it is a decision of its command.")
SUSPECTS = "reference,full_name,tier,status\nS-CLI,Synthetic Cli,user,lead\n"


@pytest.fixture
def run(store):
    def run(*args: str, ok: bool = True):
        result = CliRunner().invoke(cli, [*args, "--database-url", cli_url(store)])
        assert (result.exit_code == 0) == ok, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        return result
    return run


@pytest.fixture
def two(run):
    """LEDGER opened by commander.met (who commands both), liaison.met an observer in it."""
    opened = run("operations", "open", "--code-name", "Operation Ledger", "--code", "ledger", "--lead-agency", "NCA",
                 "--partners", "MET, FBI", "--starts-on", "2023-01-09", "--as", "commander.met")
    assert opened.output.strip() == "opened Operation Ledger (LEDGER), in planning"
    run("operations", "add-member", "LEDGER", "liaison.met", "observer", "--as", "admin")
    return run


def test_operations_are_listed_to_their_members_and_every_one_to_an_admin(two):
    mine = two("operations", "list", "--as", "commander.met").output.splitlines()
    assert [line.split()[0] for line in mine] == ["ELABORATE", "LEDGER"]
    assert mine[1].endswith("(planning, led by NCA, commander)")
    assert [line.split()[0] for line in two("operations", "list", "--as", "liaison.fbi").output.splitlines()] == [
        "ELABORATE"]
    assert "LEDGER" in two("operations", "list", "--as", "admin").output
    listed = two("operations", "members", "LEDGER", "--as", "liaison.met").output
    assert [line.split()[0] for line in listed.splitlines()] == ["commander.met", "liaison.met"]
    assert listed.splitlines()[1].split()[-1] == "observer"
    refused = two("operations", "members", "LEDGER", "--as", "liaison.fbi", ok=False)
    assert refused.stderr.strip() == "error: no operation 'LEDGER'"  # not a member: as if there were none


def test_a_person_of_several_operations_names_the_one_they_act_in(two, tmp_path):
    out = str(tmp_path / "s.csv")
    several = two("export", "suspects", "--as", "liaison.met", "--out", out, ok=False)
    assert several.stderr.strip() == ("error: liaison.met takes part in several operations (ELABORATE, LEDGER): "
                                      "give --operation CODE")
    assert "wrote 0 suspects" in two("export", "suspects", "--as", "liaison.met", "--operation", "ledger",
                                     "--out", out).output
    (tmp_path / "in.csv").write_text(SUSPECTS)
    refused = two("import", "suspects", str(tmp_path / "in.csv"), "--as", "liaison.met", "--operation", "LEDGER",
                  ok=False)  # an observer in LEDGER
    assert "observer" in refused.output
    two("import", "suspects", str(tmp_path / "in.csv"), "--as", "liaison.met", "--operation", "ELABORATE")
    assert "wrote 1 suspects" in two("export", "suspects", "--as", "liaison.met", "--operation", "ELABORATE",
                                     "--out", out).output
    assert "wrote 1 suspects" in two("export", "suspects", "--as", "liaison.fbi", "--out", out).output  # only one
    for subject, code in (("liaison.fbi", "LEDGER"), ("liaison.met", "NOPE")):
        missing = two("export", "suspects", "--as", subject, "--operation", code, "--out", out, ok=False)
        assert missing.stderr.strip() == f"error: no operation '{code}'"


def test_a_closed_operation_refuses_in_words_until_command_reopens_it(run, tmp_path):
    (tmp_path / "in.csv").write_text(SUSPECTS)
    for status in ("closing", "closed"):
        run("operations", "status", "ELABORATE", status, "--as", "commander.met")
    refused = run("import", "suspects", str(tmp_path / "in.csv"), "--as", "liaison.met", ok=False)
    assert refused.stderr.strip() == CLOSED_WORDS
    run("export", "suspects", "--as", "liaison.met", "--out", str(tmp_path / "s.csv"))  # reading goes on
    no_reason = run("operations", "status", "ELABORATE", "active", "--as", "commander.met", ok=False)
    assert no_reason.stderr.startswith("error: reason: is required")
    not_command = run("operations", "status", "ELABORATE", "active", "--reason", "x", "--as", "liaison.met", ok=False)
    assert "a liaison of MET may not move Operation Elaborate from closed to active" in not_command.stderr
    reopened = run("operations", "status", "ELABORATE", "active", "--reason", "new intelligence", "--as",
                   "commander.met")
    assert reopened.output.strip() == "Operation Elaborate (ELABORATE) is active now"
    run("import", "suspects", str(tmp_path / "in.csv"), "--as", "liaison.met")


def test_memberships_are_provisioned_from_the_command_line_and_audited(two, store):
    two("operations", "change-role", "LEDGER", "liaison.met", "liaison")
    assert two("operations", "members", "ledger").output.splitlines()[1].split()[-1] == "liaison"
    two("operations", "remove-member", "LEDGER", "liaison.met", "--as", "admin")
    assert "liaison.met" not in two("operations", "members", "LEDGER").output
    assert two("operations", "add-member", "LEDGER", "nobody", "liaison", ok=False).stderr.strip() == \
        "error: person: 'nobody' is not an active user"
    two("users", "add", "--issuer", TEST_ISSUER, "--subject", "analyst.nca", "--name", "Ana Lyst", "--agency",
        "NCA", "--role", "analyst", "--operations", "ledger")
    assert "analyst.nca" in two("operations", "members", "LEDGER").output
    with store.reader() as session:
        events = session.execute(select(AuditEvent.actor_subject, AuditEvent.action, AuditEvent.after).where(
            AuditEvent.entity == "membership").order_by(AuditEvent.seq)).all()
    assert [(who, action) for who, action, _ in events] == [
        ("admin", "create"), ("cli", "update"), ("admin", "delete"), ("cli", "create")]
    assert json.loads(events[-1].after) == {"operation": "LEDGER", "person": "analyst.nca", "role": "analyst"}
