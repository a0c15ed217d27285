"""Alembic builds the whole schema from empty, round-trips, and matches the models exactly; its
revisions carry their own SQL, so what they install never changes with the application code."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest
from sqlalchemy import inspect, text

from coordination import migrate, services, standing_data
from coordination.db import make_engine, write_session
from coordination.kinds import SUSPECTS
from coordination.models import Base
from coordination.principal import principal_for_subject
from coordination.settings import PROJECT_ROOT
from tests.conftest import PG_SCHEMA, SHA, TEST_ISSUER, postgres_engine
from tests.helpers import tally_mismatches

VERSIONS = PROJECT_ROOT / "migrations" / "versions"
HEAD = max(path.name.split("_")[0] for path in VERSIONS.glob("[0-9]*.py"))  # revisions are numbered


def empty(kind: str, tmp_path, name: str):
    """An empty database: a new SQLite file, or a PostgreSQL schema dropped and made again."""
    if kind == "sqlite":
        return make_engine(f"sqlite:///{tmp_path / f'{name}.db'}")
    schema = f"{PG_SCHEMA}_{name}"
    admin = postgres_engine(schema)
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()
    return postgres_engine(schema)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request, tmp_path):
    engine = empty(request.param, tmp_path, "migrations")
    yield engine
    engine.dispose()


def tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_builds_every_table_and_autogenerate_finds_nothing_to_add(empty_engine):
    migrate.upgrade(empty_engine)
    assert tables(empty_engine) == set(Base.metadata.tables)
    assert migrate.pending_diff(empty_engine) == []


def test_downgrade_base_then_upgrade_head_round_trips(empty_engine):
    migrate.upgrade(empty_engine)
    migrate.downgrade(empty_engine, "base")
    assert tables(empty_engine) == set()
    assert migrate.current(empty_engine) is None
    migrate.upgrade(empty_engine)
    assert migrate.current(empty_engine) == HEAD
    assert migrate.pending_diff(empty_engine) == []


def test_the_database_refuses_to_rewrite_audit_events(empty_engine):
    migrate.upgrade(empty_engine)
    with empty_engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO audit_event (seq, occurred_at, actor_issuer, actor_subject, action, entity, outcome, "
            "prev_hash, hash) VALUES (1, '2022-11-07 06:00:00+00:00', 'i', 's', 'a', 'e', 'ok', 'p', 'h')"))
    for statement in ("UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event"):
        with pytest.raises(Exception, match="append-only"), empty_engine.begin() as connection:
            connection.execute(text(statement))
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT action FROM audit_event")).scalar_one() == "a"


def test_the_alembic_command_line_takes_the_url_and_finds_nothing_to_generate(tmp_path):
    """The plain `alembic` command (as in CI) reads -x database_url; `alembic check` is autogenerate."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    for args in (["upgrade", "head"], ["check"]):
        done = subprocess.run([sys.executable, "-m", "alembic", "-x", f"database_url={url}", *args],
                              cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
    assert migrate.current(url) == HEAD and migrate.pending_diff(url) == []


def test_no_revision_imports_the_application():
    """A revision is frozen: it carries its own SQL, so editing coordination cannot change it later.
    Only migrations/env.py imports the models."""
    revisions = sorted(VERSIONS.glob("*.py"))
    assert revisions
    importing = []
    for path in revisions:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else []
            else:
                continue
            importing += [f"{path.name}:{node.lineno} {name}" for name in names
                          if name == "coordination" or name.startswith("coordination.")]
    assert importing == []


def installed_triggers(engine) -> dict[str, str]:
    """The database's own text of every trigger (and, on PostgreSQL, every function they call)."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            return dict(connection.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all())
        triggers = connection.execute(text(  # without the schema the table name carries
            "SELECT t.tgname, replace(pg_get_triggerdef(t.oid), ' ON ' || quote_ident(n.nspname) || '.', ' ON ') "
            "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND NOT t.tgisinternal"))
        functions = connection.execute(text(
            "SELECT p.proname || '()', p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = current_schema()"))
        return dict(triggers.all()) | dict(functions.all())


def test_head_installs_the_triggers_create_all_installs(empty_engine, tmp_path):
    """The frozen SQL at head equals what coordination/append_only.py and tallies.py make today."""
    migrate.upgrade(empty_engine)
    created = empty(empty_engine.dialect.name, tmp_path, "created")
    try:
        Base.metadata.create_all(created)
        expected = installed_triggers(created)
    finally:
        created.dispose()
    assert len(expected) > 20
    assert installed_triggers(empty_engine) == expected


def add_records(engine, tag: str) -> None:
    """Records of every tallied kind from two agencies, RED ones with named recipients."""
    with write_session(engine) as s:
        met, fbi, commander = (principal_for_subject(s, subject)
                               for subject in ("liaison.met", "liaison.fbi", "commander.met"))
        for who, ref, status, tlp in [(met, "M", "arrested", None), (fbi, "F", "identified", None),
                                      (met, "RED", "located", "RED")]:
            data = {"reference": f"{tag}-{ref}", "full_name": "x", "tier": "user", "status": status}
            services.create_suspect(s, who, data | ({"tlp": tlp, "recipients": "commander.met"} if tlp else {}))
        for ref, tlp in [("A", None), ("A-RED", "RED")]:
            services.create_arrest(s, met, {"reference": f"{tag}-{ref}", "suspect": f"{tag}-M",
                                            "jurisdiction": "GB-EAW", "arrested_at": "2022-11-07T06:00:00Z",
                                            "place": "x", "offences": "fraud", "outcome": "bailed"}
                                   | ({"tlp": tlp, "recipients": "liaison.fbi"} if tlp else {}))
        services.create_evidence_item(s, met, {
            "reference": f"{tag}-E", "item_type": "phone", "description": "phone", "sha256": SHA,
            "seized_from": "x", "seized_at": "2022-11-07T06:00:00Z", "seized_place": "x",
            "status": "awaiting analysis", "holder_name": "DC Example"})
        services.create_task(s, fbi, {"reference": f"{tag}-T", "title": "t", "status": "open", "priority": "high",
                                      "due_date": "2022-11-01"})
        services.create_task(s, commander, {"reference": f"{tag}-T-RED", "title": "t", "status": "open",
                                            "priority": "high", "owning_agency": "MET", "tlp": "RED",
                                            "recipients": "liaison.met"})


def assert_tallies_agree(engine, records: int) -> None:
    with engine.connect() as connection:
        assert tally_mismatches(connection) == []
        assert connection.scalar(text("SELECT sum(n) FROM suspect_tally")) == records
        assert connection.scalar(text("SELECT sum(n) FROM suspect_red_tally")) > 0


def test_tallies_stay_true_through_downgrade_to_0002_and_upgrade_again(empty_engine):
    """Records already there when 0002 arrives are counted by its fill; head's triggers count those
    after, and going from head to 0002 and back installs exactly the triggers each of them installs
    from empty. (Records are written at head only: the services write the models of today.)"""
    migrate.upgrade(empty_engine)
    with write_session(empty_engine) as s:
        standing_data.seed(s, TEST_ISSUER)
        s.commit()
    add_records(empty_engine, "OLD")
    migrate.downgrade(empty_engine, "0001")  # no tallies: the records stay
    migrate.upgrade(empty_engine, "0002")
    at_0002 = installed_triggers(empty_engine)
    assert_tallies_agree(empty_engine, 3)
    migrate.upgrade(empty_engine)
    at_head = installed_triggers(empty_engine)
    add_records(empty_engine, "HEAD")
    assert_tallies_agree(empty_engine, 6)

    migrate.downgrade(empty_engine, "0002")
    assert installed_triggers(empty_engine) == at_0002
    assert_tallies_agree(empty_engine, 6)

    migrate.upgrade(empty_engine)
    assert migrate.current(empty_engine) == HEAD
    assert installed_triggers(empty_engine) == at_head
    assert_tallies_agree(empty_engine, 6)
    add_records(empty_engine, "AGAIN")
    assert_tallies_agree(empty_engine, 9)
    if empty_engine.dialect.name == "postgresql":
        assert at_0002 != at_head  # 0003 replaced PostgreSQL's row triggers with statement triggers
    else:  # and left SQLite's row triggers as 0002 made them (later revisions add append-only guards of their own)
        assert at_0002 == {name: sql for name, sql in at_head.items()
                           if not name.startswith(("decision", "package_status_change", "acquisition_custody_event"))}


def test_0004_fills_the_skeletons_of_existing_references_and_keeps_them_unique_per_agency(empty_engine):
    migrate.upgrade(empty_engine)
    with write_session(empty_engine) as s:
        standing_data.seed(s, TEST_ISSUER)
        s.commit()
    add_records(empty_engine, "SUS")
    migrate.downgrade(empty_engine, "0003")
    migrate.upgrade(empty_engine)
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT reference_skeleton FROM suspect WHERE reference = 'SUS-F'")).scalar() \
            == "SUS-F"
        assert connection.execute(text("SELECT reference_skeleton FROM evidence_item")).scalar() == "SUS-E"
        assert tally_mismatches(connection) == []
    add_records(empty_engine, "OTHER")
    assert migrate.pending_diff(empty_engine) == []


def test_0017_down_keeps_building_hits_as_exact_and_up_again_leaves_the_keys_to_the_application(empty_engine,
                                                                                                key_file):
    migrate.upgrade(empty_engine)
    with write_session(empty_engine) as s:
        standing_data.seed(s, TEST_ISSUER)
        s.commit()
    with write_session(empty_engine) as s:
        for subject, address in (("liaison.met", "Flat 2, 37 Barthor Road, London SW1A 1AA"),
                                 ("liaison.nca", "37 Barthor Rd, London")):
            who = principal_for_subject(s, subject)
            record = services.create_suspect(s, who, {"reference": f"{who.agency_code}-1", "full_name": "x",
                                                      "tier": "user", "status": "lead"})
            services.add_identifier(s, who, SUSPECTS, record.id, "address", address)
        s.commit()
    count_keyed = "SELECT count(*) FROM identifier WHERE country IS NOT NULL AND street_keyed IS NOT NULL"
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT match FROM hit")).scalars().all() == ["same building"]
        assert connection.execute(text(count_keyed)).scalar() == 2
    migrate.downgrade(empty_engine, "0016")
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT match FROM hit")).scalars().all() == ["exact"]
        assert "country" not in {column["name"] for column in inspect(connection).get_columns("identifier")}
    migrate.upgrade(empty_engine)
    with empty_engine.connect() as connection:
        assert connection.execute(text(count_keyed)).scalar() == 0  # keyed when identifiers are next added
    assert migrate.pending_diff(empty_engine) == []


def test_0018_down_keeps_the_hits_and_up_again_leaves_every_address_for_the_application_to_key(empty_engine,
                                                                                                  key_file):
    migrate.upgrade(empty_engine)
    with write_session(empty_engine) as s:
        standing_data.seed(s, TEST_ISSUER)
        s.commit()
    with write_session(empty_engine) as s:
        for subject, address in (("liaison.met", "37 Barthor Rd, London SW1A 1AA"),
                                 ("liaison.nca", "Flat 2, 37 Barthor Road")):  # neither town nor postcode
            who = principal_for_subject(s, subject)
            record = services.create_suspect(s, who, {"reference": f"{who.agency_code}-1", "full_name": "x",
                                                      "tier": "user", "status": "lead"})
            services.add_identifier(s, who, SUSPECTS, record.id, "address", address, "GB")
        s.commit()
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT match FROM hit")).scalars().all() == ["same building"]
        assert connection.execute(text("SELECT count(bare_keyed) FROM identifier")).scalar() == 2
    migrate.downgrade(empty_engine, "0017")
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT match FROM hit")).scalars().all() == ["same building"]
        assert "bare_keyed" not in {column["name"] for column in inspect(connection).get_columns("identifier")}
        assert "bare_keyed" not in {column["name"] for column in inspect(connection).get_columns("target_package")}
    migrate.upgrade(empty_engine)
    with empty_engine.connect() as connection:  # keyed again, bare key too, when identifiers are next added
        assert connection.execute(text("SELECT count(*) FROM identifier WHERE country IS NOT NULL")).scalar() == 0
    assert migrate.pending_diff(empty_engine) == []
