"""Round trip (issue 26): a file exported is imported back as "unchanged", row by row, whoever exports it
and whoever owns its rows: every importable kind and the identifiers, by a liaison and by a commander, as
CSV and as XLSX, on SQLite and PostgreSQL. Nothing is written: no version moves, no row is added or
removed, and the only event appended is the import's own.

What used to break it: a package without subjects (an empty cell is None, the package holds []), a time
with a fraction of a second (an export writes times to the second), and a package saved unchanged being
deconflicted again (which keys packages recorded before the key, moving their versions). Each made an
unchanged row a change: "updated", versioned and audited for the exporter's own rows, and refused ("a
liaison of FBI may not change this target package") for another agency's. An identifier keyed by
earlier rules did not import back as itself either."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from coordination import audit, demo, services
from coordination import exports as text_of
from coordination.db import read_session
from coordination.deconfliction_key import ENVIRONMENT, make_key_file, read_key_file
from coordination.errors import ValidationError
from coordination.kinds import ARRESTS, IMPORTABLE, KINDS, SUSPECTS
from coordination.models import AuditEvent, Base, TargetPackage, Task, User
from coordination.principal import Principal, principal_for_subject
from coordination.services import exports, identifier_imports, imports
from coordination.services.merge import same
from tests.conftest import PG_SCHEMA, TEST_ISSUER, Store, key_file  # noqa: F401
from tests.test_demo import blank_engine

PEOPLE = ("liaison.met", "liaison.fbi", "commander.met")
FORMATS = ("csv", "xlsx")
# what the file says of a time: to the second (exports.cell_text); these are stored with a fraction
SUB_SECOND_PAST = "2022-11-07T08:00:00.750000Z"
SUB_SECOND_H_HOUR = "2022-11-07T06:30:15.250000+00:00"


def package(session, who, reference, where="GB-EAW", subjects="", h_hour=SUB_SECOND_H_HOUR, **more):
    return services.create_package(session, who, {
        "reference": reference, "jurisdiction": where, "address": f"{reference} Road",
        "team_call_sign": "BRAVO", "subjects": subjects, "legal_authority": "W/2", "h_hour": h_hour, **more})


@pytest.fixture
def everything(operation, key_file):  # noqa: F811 - the key comes after the operation's first packages
    """The small operation (MET and FBI records, canaries) and what broke the round trip: packages of
    both agencies without subjects and with sub-second H-hours, one naming a subject FBI may not read,
    a RED one, sub-second arrests, tasks assigned and depending, identifiers on records of both
    agencies (one keyed by earlier rules), and a package recorded before the key (unkeyed)."""
    store = operation
    met, fbi = store.principal("liaison.met"), store.principal("liaison.fbi")
    with store.writer() as s:
        package(s, met, "P-NONE")
        package(s, fbi, "P-FBI-NONE", where="US-CA")
        package(s, fbi, "P-FBI-SUB", where="US-CA", subjects="F-1", h_hour="2022-11-07T09:00:00.5Z")
        package(s, met, "P-HIDDEN", subjects="M-2, CANARY-STRICT")  # FBI reads "(restricted record), M-2"
        package(s, met, "P-RED", subjects="M-3", tlp="RED", recipients="commander.met")
        for reference, who, sus in (("A-FRACTION", met, "M-4"), ("A-FBI-FRACTION", fbi, "F-1")):
            services.create_arrest(s, who, {"reference": reference, "suspect": sus, "jurisdiction": "GB-EAW",
                                            "arrested_at": SUB_SECOND_PAST, "place": "1 Road", "offences": "fraud",
                                            "outcome": "charged"})
        services.create_suspect(s, met, {"reference": "M-FULL", "full_name": "Synthetic Full", "tier": "user",
                                         "status": "lead", "aliases": "ghost, g0st", "date_of_birth": "1990-02-03",
                                         "nationality": "gb", "address": "2 Road", "notes": "line one\nline two"})
        services.create_task(s, met, {"reference": "T-LINKED", "title": "follow", "status": "open", "priority": "low",
                                      "assignee": "liaison.met", "depends_on": "T-1", "due_date": "2022-11-09"})
        services.create_task(s, fbi, {"reference": "T-FBI-LINKED", "title": "follow", "status": "open",
                                      "priority": "medium", "assignee": "liaison.fbi", "depends_on": "T-3"})
        for who, reference, kind, value in ((met, "M-0", "phone number", "020 7946 0018"),
                                            (fbi, "F-1", "phone number", "+44 20 7946 0018"),
                                            (met, "CANARY-STRICT", "e-mail address", "canary@example.com"),
                                            (met, "M-FULL", "e-mail address", "Full@Example.com"),
                                            # one building: a hit by its keys ("same building")
                                            (met, "M-0", "address", "Flat 2, 37 Barthor Road, London SW1A 1AA"),
                                            (fbi, "F-1", "address", "37 Barthor Rd, London SW1A1AA, UK")):
            held_on = s.scalar(select(SUSPECTS.model.id).where(SUSPECTS.model.reference == reference))
            services.add_identifier(s, who, SUSPECTS, held_on, kind, value)
        services.add_identifier(s, fbi, SUSPECTS, s.scalar(select(SUSPECTS.model.id).where(  # its country beside it
            SUSPECTS.model.reference == "F-1")), "address", "Coolsingel 40, 3011 AD Rotterdam", "Netherlands")
        earlier = services.add_identifier(s, fbi, SUSPECTS, s.scalar(select(SUSPECTS.model.id).where(
            SUSPECTS.model.reference == "F-1")), "e-mail address", "Old.Rules@Example.com")
        arrest = s.scalar(select(ARRESTS.model.id).where(ARRESTS.model.reference == "A-3"))
        services.add_identifier(s, fbi, ARRESTS, arrest, "e-mail address", "someone@example.org")
        # as an earlier version of the rules normalised and keyed it: the value reads otherwise today
        earlier.normalised, earlier.keyed = "old.rules@example.com (earlier)", "0" * 64
        # recorded before the key (or before keyed matching): keyed when a package is next deconflicted
        unkeyed = s.scalar(select(TargetPackage).where(TargetPackage.reference == "P-1"))
        unkeyed.address_keyed = unkeyed.postcode_keyed = unkeyed.street_keyed = unkeyed.unit_keyed = None
        s.commit()
    return store


def stored(engine) -> tuple[dict, dict]:
    """(every record's version, every table's row count but the audit trail's): what must not move."""
    with engine.connect() as connection:
        versions = {(kind.name, record_id): version for kind in KINDS.values()
                    for record_id, version in connection.execute(select(kind.model.id, kind.model.version))}
        counts = {table.name: connection.scalar(select(func.count()).select_from(table))
                  for table in Base.metadata.sorted_tables if table.name != AuditEvent.__tablename__}
    return versions, counts


def events_since(engine, seq: int) -> list[tuple[str, str, str]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(
            select(AuditEvent.action, AuditEvent.entity, AuditEvent.outcome).where(AuditEvent.seq > seq)
            .order_by(AuditEvent.seq))]


def head(engine) -> int:
    with engine.connect() as connection:
        return audit.head(connection)[0]


def round_trip(engine, subject: str, kind_name: str, file_format: str) -> imports.ImportResult:
    """Export `kind_name` as `subject`, import the very bytes back as them, and check that nothing moved."""
    with read_session(engine) as session:
        who = principal_for_subject(session, subject)
    made = exports.export_file(engine, who, kind_name, file_format)
    assert made.rows, f"{subject} exported no {kind_name}"
    before, seq = stored(engine), head(engine)
    if kind_name == "identifiers":
        result = identifier_imports.import_identifiers(engine, who, made.name, made.data)
    else:
        result = imports.import_file(engine, who, kind_name, made.name, made.data)
    where = f"{subject} {kind_name} {file_format}"
    assert result.ok and result.committed, (where, [str(p) for p in result.problems[:5]])
    assert (result.created, result.updated, result.unchanged) == (0, 0, made.rows), where
    assert stored(engine) == before, where
    assert [(action, entity) for action, entity, _ in events_since(engine, seq)] == [("import", kind_name)], where
    return result


@pytest.mark.parametrize("file_format", FORMATS)
@pytest.mark.parametrize("subject", PEOPLE)
def test_every_kind_exported_imports_back_unchanged(everything, subject, file_format):
    for kind_name in (*IMPORTABLE, "identifiers"):
        round_trip(everything.engine, subject, kind_name, file_format)


def test_the_packages_that_broke_it_are_in_the_files(everything):
    """The file FBI exports holds MET's packages without subjects, with a hidden subject and a fraction
    of a second, and FBI's own: the rows the tester saw refused."""
    with everything.reader() as s:
        made = text_of.build(s, everything.principal("liaison.fbi"), "packages")
    rows = {row[0]: dict(zip(made.columns, row, strict=True)) for row in made.rows}
    assert {"P-NONE", "P-FBI-NONE", "P-FBI-SUB", "P-HIDDEN", "P-1", "P-2"} <= set(rows)
    assert "P-RED" not in rows and "P-CANARY" not in rows
    assert rows["P-NONE"]["subjects"] == "" and rows["P-NONE"]["owning_agency"] == "MET"
    assert rows["P-NONE"]["h_hour"] == "2022-11-07T06:30:15Z"  # stored with .25 of a second
    assert rows["P-HIDDEN"]["subjects"] == "(restricted record), M-2"


def test_a_real_change_still_counts_and_another_agencys_is_still_refused(everything):
    """The rule is about no change only: FBI changing MET's package is refused as before, and FBI's own
    package changed is updated, exactly that row."""
    engine = everything.engine
    fbi = everything.principal("liaison.fbi")
    made = exports.export_file(engine, fbi, "packages", "csv")
    text = made.data.decode("utf-8-sig")
    theirs = text.replace(",P-NONE Road,", ",P-NONE Close,")
    assert theirs != text
    before, seq = stored(engine), head(engine)
    refused = imports.import_file(engine, fbi, "packages", "p.csv", theirs.encode())
    assert not refused.committed and [p.refused for p in refused.problems] == [True]
    assert "a liaison of FBI may not change this target package" in refused.problems[0].reason
    assert stored(engine) == before
    assert [(a, e) for a, e, _ in events_since(engine, seq)] == [("import", "packages")]  # the refusal
    mine = text.replace(",P-FBI-NONE Road,", ",P-FBI-NONE Close,")
    assert mine != text
    changed = imports.import_file(engine, fbi, "packages", "p.csv", mine.encode())
    assert changed.committed and (changed.updated, changed.unchanged) == (1, made.rows - 1), changed.problems
    versions, _ = stored(engine)
    moved = {key for key, version in versions.items() if before[0].get(key) != version}
    with everything.reader() as s:
        ids = dict(s.execute(select(TargetPackage.reference, TargetPackage.id)).all())
    # the package moved, and is deconflicted: which keys the one recorded before the key (P-1) as well
    assert moved == {("packages", ids["P-FBI-NONE"]), ("packages", ids["P-1"])}


def test_a_time_to_the_second_is_the_stored_time_to_that_second():
    stored_at = datetime(2022, 11, 7, 6, 30, 15, 250_000, tzinfo=UTC)
    assert same(stored_at, stored_at.replace(microsecond=0))  # what its export says
    assert not same(stored_at, stored_at.replace(microsecond=0) + timedelta(seconds=1))
    assert not same(stored_at, stored_at.replace(microsecond=500_000))  # a fraction given is compared exactly
    assert not same(stored_at.replace(microsecond=0), stored_at)
    assert same(stored_at, stored_at)


@pytest.mark.parametrize("blank", [None, "", []])
def test_a_blank_is_one_value_however_it_comes(blank):
    for other in (None, "", [], ()):
        assert same(other, blank) and same(blank, other)
    assert not same([1], blank) and not same("x", blank)


# --- a person since disabled, still assigned or named ----------------------------------------------

@pytest.fixture
def someone_gone(everything):
    """A MET task assigned to liaison.met, and a RED task and a RED package naming them, then liaison.met disabled
    (they left the unit): the records keep them, as records keep who they named."""
    commander = everything.principal("commander.met")
    with everything.writer() as s:
        services.create_task(s, commander, {"reference": "T-GONE", "title": "left", "status": "open",
                                            "priority": "low", "owning_agency": "MET", "assignee": "liaison.met"})
        services.create_task(s, commander, {"reference": "T-GONE-RED", "title": "left", "status": "open",
                                            "priority": "low", "owning_agency": "MET", "tlp": "RED",
                                            "recipients": "commander.met, liaison.met"})
        package(s, everything.principal("liaison.met"), "P-GONE-RED", subjects="M-3", tlp="RED",
                recipients="commander.met, liaison.met")
        s.commit()
    with everything.writer() as s:
        gone = s.scalar(select(User).where(User.subject == "liaison.met"))
        services.disable_user(s, Principal.system("test"), gone.id, gone.version)
    return everything


@pytest.mark.parametrize("file_format", FORMATS)
@pytest.mark.parametrize("subject", ["commander.met", "liaison.fbi"])
def test_a_person_since_disabled_still_imports_back_unchanged(someone_gone, subject, file_format):
    if subject == "commander.met":  # named on the RED ones
        for kind_name, reference in (("tasks", "T-GONE-RED"), ("packages", "P-GONE-RED")):
            made = exports.export_file(someone_gone.engine, someone_gone.principal(subject), kind_name, "csv")
            assert reference in made.data.decode("utf-8-sig")
    for kind_name in ("tasks", "packages"):
        round_trip(someone_gone.engine, subject, kind_name, file_format)


def test_a_person_disabled_is_kept_as_named_but_never_newly_named(someone_gone):
    """The update keeps a disabled assignee or recipient who is already there, while the rest of the row
    changes; naming them anew, on a record or in another field, is refused in plain words."""
    commander = someone_gone.principal("commander.met")
    with someone_gone.writer() as s:
        tasks = {t.reference: t for t in s.scalars(select(Task))}
        kept = services.update_task(s, commander, tasks["T-GONE"].id, tasks["T-GONE"].version,
                                    {"title": "left, handed over", "assignee": "liaison.met"})
        assert (kept.title, kept.assignee.subject) == ("left, handed over", "liaison.met")
        red = services.update_task(s, commander, tasks["T-GONE-RED"].id, tasks["T-GONE-RED"].version,
                                   {"priority": "high", "recipients": "liaison.met, commander.met"})
        assert red.priority.value == "high"
    before = stored(someone_gone.engine)
    for reference, changes in (("T-1", {"assignee": "liaison.met"}),
                               ("T-GONE", {"recipients": "liaison.met", "tlp": "RED"}),
                               ("T-RED", {"recipients": "commander.met, liaison.met"})):
        with someone_gone.writer() as s:
            task = s.scalar(select(Task).where(Task.reference == reference))
            with pytest.raises(ValidationError) as refused:
                services.update_task(s, commander, task.id, task.version, changes)
        [problem] = refused.value.problems.values()
        assert problem.strip("' ").startswith("liaison.met' is not an active user"), (reference, problem)
    with someone_gone.writer() as s:
        with pytest.raises(ValidationError) as refused:
            services.create_task(s, commander, {"reference": "T-NEW", "title": "t", "status": "open",
                                                "priority": "low", "assignee": "liaison.met"})
    assert refused.value.problems == {"assignee": "'liaison.met' is not an active user"}
    assert stored(someone_gone.engine) == before


# --- the demo operation, as the tester found it ----------------------------------------------------

@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo_store(request, tmp_path_factory):
    """The demo operation with its identifiers (keyed) and its live second wave (loaded now, to the
    microsecond, as `make run` loads it)."""
    work = tmp_path_factory.mktemp("round_trip_demo")
    path = make_key_file(work / "deconfliction.key")
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv(ENVIRONMENT, str(path))
    engine = blank_engine(request.param, work, f"{PG_SCHEMA}_demo_round_trip")
    now = datetime.now(UTC)
    demo.load(engine, "demo", reset=True, issuer=TEST_ISSUER, key=read_key_file(path), as_of=now.date(),
              live_from=now)
    yield Store(engine, request.param)
    engine.dispose()
    monkeypatch.undo()


@pytest.mark.parametrize("subject", PEOPLE)
def test_the_demo_exported_imports_back_unchanged(demo_store, subject):
    for kind_name in (*IMPORTABLE, "identifiers"):
        round_trip(demo_store.engine, subject, kind_name, "csv")

