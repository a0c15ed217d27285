"""The demo's two operations (issue 27): Operation Saltmarsh beside Elaborate, with its own partners,
people in other roles there, its records its own, a few values and one address shared with
Elaborate, and a member of one operation reading nothing of the other through the named queries."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from coordination import audit, deconfliction_key, demo, devstack
from coordination.db import read_session
from coordination.deconfliction_key import make_key_file, read_key_file
from coordination.demo import second_operation
from coordination.errors import NotFound
from coordination.kinds import KINDS
from coordination.models import (
    Acquisition,
    Agency,
    Arrest,
    CustodyEvent,
    Decision,
    EvidenceItem,
    Hit,
    Identifier,
    Operation,
    OperationPartner,
    PackageConflict,
    PackageSubject,
    Role,
    Suspect,
    TargetPackage,
    Task,
    TaskUpdate,
)
from coordination.principal import principal_for_subject
from coordination.queries import action_day, decisions, hits, records, timeline
from coordination.queries import exports as export_reads
from coordination.queries import picture as picture_reads
from coordination.queries.records import TableFilters
from tests.conftest import PG_SCHEMA, TEST_ISSUER
from tests.test_demo import blank_engine

NOW = datetime.now(UTC).replace(microsecond=0)
RECORDS = (Suspect, Arrest, EvidenceItem, Task, TargetPackage, Decision, Identifier, Hit)
# of each operation only: its records are read by these people in these roles
ONLY_ELABORATE = ("commander.met", "analyst.europol", "liaison.fbi")
ONLY_SALTMARSH = ("investigator.met",)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def both(request, tmp_path_factory) -> Iterator:
    """Both operations, keyed identifiers and Elaborate's live second wave (as `make run` loads them)."""
    work = tmp_path_factory.mktemp("two_operations")
    path = make_key_file(work / "deconfliction.key")
    engine = blank_engine(request.param, work, f"{PG_SCHEMA}_demo_two")
    with pytest.MonkeyPatch.context() as patch:  # named as `make run` names it: the packages are deconflicted with it
        patch.setenv(deconfliction_key.ENVIRONMENT, str(path))
        demo.load(engine, "demo", seed=5, reset=True, issuer=TEST_ISSUER, key=read_key_file(path), as_of=NOW.date(),
                  live_from=NOW)
    yield engine
    engine.dispose()


def ids_of(session) -> dict[str, int]:
    return dict(session.execute(select(Operation.code, Operation.id)).all())


def test_saltmarsh_is_the_ncas_smaller_operation_with_three_partners(both):
    with read_session(both) as s:
        operation = s.scalar(select(Operation).where(Operation.code == "SALTMARSH"))
        assert (operation.code_name, operation.lead_agency.code) == ("Operation Saltmarsh", "NCA")
        partners = set(s.scalars(select(Agency.code).join(OperationPartner).where(
            OperationPartner.operation_id == operation.id)))
        assert partners == {"NCA", "MET", "NL-POLICE"}
        elaborate = s.scalar(select(Operation).where(Operation.code == "ELABORATE"))
        assert (operation.action_day - elaborate.action_day).days == 56
        for model in (Suspect, Arrest, EvidenceItem, Task, TargetPackage):
            mine, theirs = (s.scalar(select(func.count()).select_from(model).where(model.operation_id == i))
                            for i in (operation.id, elaborate.id))
            assert 30 <= mine < theirs, model  # a few hundred of each (fewer arrests, as in Elaborate)
        # its records are of its partners only, entered by its own members
        agencies = set(s.scalars(select(Agency.code).join(Suspect, Suspect.owning_agency_id == Agency.id)
                                 .where(Suspect.operation_id == operation.id).distinct()))
        assert agencies == partners
        assert audit.verify(s).ok


def test_people_take_part_with_other_roles_in_each_operation(both):
    with read_session(both) as s:
        def role(subject: str, code: str) -> Role:
            principal = principal_for_subject(s, subject, operation=code)
            assert principal.operation_code == code
            return principal.role

        assert (role("liaison.nca", "ELABORATE"), role("liaison.nca", "SALTMARSH")) == (Role.LIAISON, Role.COMMANDER)
        assert (role("liaison.met", "ELABORATE"), role("liaison.met", "SALTMARSH")) == (Role.LIAISON, Role.OBSERVER)
        assert role("liaison.nl-police", "SALTMARSH") is Role.LIAISON
        assert role("commander.met", "ELABORATE") is Role.COMMANDER
        assert role("investigator.met", "SALTMARSH") is Role.LIAISON
        for subject, code in (("commander.met", "SALTMARSH"), ("liaison.fbi", "SALTMARSH"),
                              ("investigator.met", "ELABORATE")):
            with pytest.raises(NotFound, match="no operation"):
                principal_for_subject(s, subject, operation=code)
        assert principal_for_subject(s, "investigator.met").operation_code == "SALTMARSH"  # their only one


def test_every_record_is_of_one_operation_and_links_within_it(both):
    with read_session(both) as s:
        operations = set(ids_of(s).values())
        for model in RECORDS:
            assert set(s.scalars(select(model.operation_id).distinct())) == operations, model
        arrest_suspect = aliased(Suspect)
        pairs = [
            select(func.count()).select_from(Arrest).join(arrest_suspect, arrest_suspect.id == Arrest.suspect_id)
            .where(arrest_suspect.operation_id != Arrest.operation_id),
            select(func.count()).select_from(EvidenceItem).join(Suspect, Suspect.id == EvidenceItem.suspect_id)
            .where(Suspect.operation_id != EvidenceItem.operation_id),
            select(func.count()).select_from(PackageSubject).join(TargetPackage).join(Suspect)
            .where(Suspect.operation_id != TargetPackage.operation_id),
        ]
        depends = aliased(Task)
        pairs.append(select(func.count()).select_from(Task).join(depends, depends.id == Task.depends_on_id)
                     .where(depends.operation_id != Task.operation_id))
        first, second = aliased(Identifier), aliased(Identifier)
        pairs.append(select(func.count()).select_from(Hit).join(first, first.id == Hit.first_id)
                     .join(second, second.id == Hit.second_id)
                     .where((first.operation_id != Hit.first_operation_id)
                            | (second.operation_id != Hit.second_operation_id)
                            | (Hit.operation_id != Hit.first_operation_id)))  # each side's copy, the hit's the first's
        assert [s.scalar(query) for query in pairs] == [0] * len(pairs)
        # the custody and the updates are of the operation's own exhibits and tasks, each numbered on
        assert s.scalar(select(func.count(CustodyEvent.evidence_item_id.distinct()))) == s.scalar(
            select(func.count()).select_from(EvidenceItem))
        assert s.scalar(select(func.count()).select_from(Acquisition)) == 2
        assert s.scalar(select(func.count(TaskUpdate.task_id.distinct()))) <= s.scalar(
            select(func.count()).select_from(Task))


def test_saltmarsh_shares_a_few_values_and_one_address_with_elaborate(both):
    with read_session(both) as s:
        codes = ids_of(s)
        theirs, ours = aliased(Identifier), aliased(Identifier)
        shared = s.execute(select(theirs.kind, ours.value, theirs.value).join(ours, ours.keyed == theirs.keyed).where(
            theirs.operation_id == codes["ELABORATE"], ours.operation_id == codes["SALTMARSH"])).all()
        assert len({value for _, value, _ in shared}) == second_operation.SHARED_WITH_ELABORATE
        assert {kind for kind, *_ in shared} == {"phone number", "e-mail address"}
        assert s.scalar(select(func.count()).select_from(Identifier).where(
            Identifier.operation_id == codes["SALTMARSH"], Identifier.kind == "crypto wallet")) == \
            second_operation.WALLETS
        # each pair holding one value in both is a hit joining the two (matched when the demo is loaded)
        assert s.scalar(select(func.count()).select_from(Hit).join(theirs, theirs.id == Hit.first_id).join(
            ours, ours.id == Hit.second_id).where(theirs.operation_id != ours.operation_id)) == len(shared)
        elaborate, saltmarsh = aliased(TargetPackage), aliased(TargetPackage)
        [(address, at, planned)] = s.execute(select(elaborate.address, elaborate.h_hour, saltmarsh.h_hour).join(
            saltmarsh, saltmarsh.address == elaborate.address).where(
            elaborate.operation_id == codes["ELABORATE"], saltmarsh.operation_id == codes["SALTMARSH"])).all()
        assert at > NOW and (planned - at).total_seconds() == 30 * 60  # live: an event conflict to come


def test_a_member_of_one_operation_reads_nothing_of_the_other(both):
    with read_session(both) as s:
        codes = ids_of(s)
        for subjects, own in ((ONLY_ELABORATE, codes["ELABORATE"]), (ONLY_SALTMARSH, codes["SALTMARSH"])):
            for subject in subjects:
                reader = principal_for_subject(s, subject)
                assert reader.operation_id == own
                for kind in KINDS.values():
                    read = export_reads.records(s, reader, kind)
                    assert {r.operation_id for r in read} <= {own}, (subject, kind.name)
                    mine = s.scalar(select(func.count()).select_from(kind.model)
                                    .where(kind.model.operation_id == own))
                    assert records.table(s, reader, kind, TableFilters()).total <= mine
                    assert export_reads.identifiers(s, reader, kind) is not None
                entries = decisions.log(s, reader)
                assert {s.get(Decision, e.id).operation_id for e in entries} <= {own}
                board = action_day.board(s, reader, NOW)
                assert {s.get(TargetPackage, p.id).operation_id for p in board.packages} <= {own}
                assert {s.get(TargetPackage, p.id).operation_id
                        for p in action_day.agency_packages(s, reader)} <= {own}
                if own == codes["SALTMARSH"]:  # they read their own: the test reads something
                    assert entries and board.packages
        # the timeline names only the people who acted in the reader's operation
        saltmarsh_people = {"Nico Liaison (NCA)", "Indy Investigator (MET)", "Noor Liaison (NL-POLICE)"}
        lines = timeline.page(s, principal_for_subject(s, "investigator.met"), size=200).lines
        assert lines and {line.who for line in lines} <= saltmarsh_people
        lines = timeline.page(s, principal_for_subject(s, "commander.met"), size=500).lines
        assert lines and "Indy Investigator (MET)" not in {line.who for line in lines}


def sides_operations(s, hit_id: int) -> set[int]:
    hit = s.get(Hit, hit_id)
    return {s.get(Identifier, side).operation_id for side in (hit.first_id, hit.second_id)}


def test_the_hits_listed_are_of_the_readers_operation_only(both):
    with read_session(both) as s:
        for subject in (*ONLY_ELABORATE, *ONLY_SALTMARSH):
            reader = principal_for_subject(s, subject)
            told = hits.hits_for_agency(s, reader)
            assert told, subject
            assert all(reader.operation_id in sides_operations(s, h.id) for h in told), subject


def test_the_hits_the_picture_counts_are_of_the_readers_operation_only(both):
    with read_session(both) as s:
        for subject in (*ONLY_ELABORATE, *ONLY_SALTMARSH):
            reader = principal_for_subject(s, subject)
            counted = {hit_id for hit_id, *_ in picture_reads.told_hits(s, reader)}
            assert all(reader.operation_id in sides_operations(s, i) for i in counted), subject


def elaborate_fingerprint(engine) -> str:
    with read_session(engine) as s:
        elaborate = ids_of(s)["ELABORATE"]
        rows = [s.execute(select(model.id, model.reference, model.tlp).where(model.operation_id == elaborate)
                          .order_by(model.id)).all()
                for model in (Suspect, Arrest, EvidenceItem, Task, TargetPackage, Decision)]
        rows.append(s.execute(select(Identifier.id, Identifier.value).where(Identifier.operation_id == elaborate)
                              .order_by(Identifier.id)).all())
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_elaborate_is_the_same_with_or_without_saltmarsh(tmp_path):
    """Each operation draws from its own stream: the second changes nothing of the first."""
    key = read_key_file(make_key_file(tmp_path / "deconfliction.key"))
    engine = blank_engine("sqlite", tmp_path, "")
    demo.load(engine, "demo", seed=6, reset=True, issuer=TEST_ISSUER, key=key, second=False)
    with read_session(engine) as s:
        assert set(ids_of(s)) == {"ELABORATE"}
    alone = elaborate_fingerprint(engine)
    demo.load(engine, "demo", seed=6, reset=True, issuer=TEST_ISSUER, key=key)
    assert elaborate_fingerprint(engine) == alone
    engine.dispose()


def test_the_make_run_banner_says_whom_to_sign_in_as_to_see_both():
    banner = devstack.who_is_who()
    assert any(line.split() == ["liaison.nca", "Nico", "Liaison", "NCA", "liaison", "commander"] for line in banner)
    assert any(line.split() == ["commander.met", "Casey", "Commander", "MET", "commander", "-"] for line in banner)
    assert any(line.split()[0] == "investigator.met" and line.split()[-2:] == ["-", "liaison"] for line in banner)
    assert "sign in as liaison.nca (liaison in Elaborate, commander in Saltmarsh)" in banner[-1]
    assert "investigator.met" in {u.subject for u in devstack.PEOPLE}  # the local provider signs them in


def test_the_values_the_two_operations_share_are_hits_told_as_another_operation(both):
    """`make run` shows deconfliction between operations: the values Saltmarsh shares with Elaborate are
    hits of both, told to each side as "another operation" and its contact, never the other's name."""
    with read_session(both) as s:
        for subject, code, other_name in (("commander.met", "ELABORATE", "Saltmarsh"),
                                          ("liaison.nca", "SALTMARSH", "Elaborate")):
            reader = principal_for_subject(s, subject, operation=code)
            across = [h for h in hits.hits_for_agency(s, reader, limit=500)
                      if len(sides_operations(s, h.id)) == 2]
            assert across, subject
            assert all(h.sentence.startswith("Another operation also holds this ") for h in across), subject
            assert all("deconfliction desk" in h.sentence for h in across), subject
            assert not any(other_name.casefold() in h.sentence.casefold() for h in across), subject


def test_saltmarshs_team_at_elaborates_door_is_a_conflict_told_as_another_operation(both):
    """The NCA team Saltmarsh plans at an address of Elaborate's is deconflicted when the demo is loaded:
    each side's lead liaison and command read "another operation plans an entry there" and its contact."""
    with read_session(both) as s:
        ops = ids_of(s)
        first, second = aliased(TargetPackage), aliased(TargetPackage)
        [(a_side, b_side)] = s.execute(select(first, second).select_from(PackageConflict)
                                       .join(first, first.id == PackageConflict.first_id)
                                       .join(second, second.id == PackageConflict.second_id)
                                       .where(first.operation_id != second.operation_id)).all()
        elaborates = a_side if a_side.operation_id == ops["ELABORATE"] else b_side
        lead = s.get(Agency, elaborates.owning_agency_id).code.lower()  # whichever agency leads that door
        for subject, code, desk in (("commander.met", "ELABORATE", "National Crime Agency"),
                                    (f"liaison.{lead}", "ELABORATE", "National Crime Agency"),
                                    ("liaison.nca", "SALTMARSH", "Metropolitan Police Service")):
            reader = principal_for_subject(s, subject, operation=code)
            told = [w for w in action_day.conflict_warnings(s, reader) if "another operation" in w]
            assert len(told) == 1, subject
            assert f"contact: the {desk} deconfliction desk" in told[0], subject
            assert not any(name in told[0] for name in ("Saltmarsh", "Elaborate")), subject
        assert set(ops) == {"ELABORATE", "SALTMARSH"}
