"""Many operations in one deployment (issue 27), on SQLite and PostgreSQL: Operation Elaborate loaded at
the operation scale, measured, then copied 19 times over (each copy an operation of its own: its own
operation_id and ids, its members and partners, the tallies counted again) and measured again.

- (a) the operation picture's full rerun for Elaborate's commander (bench/dashboard.py's AppTest run,
  the cached figures cleared first), and the figures' computation alone (`aggregates.picture`), with
  20 operations stored against 1 (target: at most 1.2x)
- (b) switching operation: the commander's principal for another operation and that picture's first
  read (target: under 300 ms median)
- (c) an identifier saved on a MET suspect with a value another agency holds in every operation
  (target: under 10 ms median): matched across operations, one hit with each of the 20.

    python -m bench.operations [OUT]     (PostgreSQL from COORD_BENCH_POSTGRES_URL, schema bench_operations)
    BENCH_OPERATION_SCALE=demo ...       a smaller operation per copy (default: operation)
    BENCH_STORES=postgresql ...          one store only (default: sqlite,postgresql)
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import case, func, insert, literal, select
from sqlalchemy.orm import Session

from bench import dashboard, signed_in
from bench.deconfliction import use_key
from bench.package_addresses import engine_for
from bench.stress_scale import median_ms, run
from coordination import aggregates, demo, tallies
from coordination.db import read_session, write_session
from coordination.kinds import SUSPECTS
from coordination.markings import TLP
from coordination.models import (
    Arrest,
    Decision,
    EvidenceItem,
    Exclusion,
    Hit,
    Identifier,
    IdentifierKind,
    Membership,
    Operation,
    OperationPartner,
    OperationStatus,
    Recipient,
    Suspect,
    TargetPackage,
    Task,
)
from coordination.principal import principal_for_subject
from coordination.services import identifiers

SCALE = os.environ.get("BENCH_OPERATION_SCALE", "operation")
OPERATIONS = 20
SCHEMA = "bench_operations"
COMMANDER, SAVER = "commander.met", "liaison.met"
SAVES = 100
STORES = os.environ.get("BENCH_STORES", "sqlite,postgresql").split(",")
os.environ.setdefault("COORD_NOTIFY_EVERY_S", "0")  # no reminder pass in the AppTest app, writing while we build
# what an operation holds that the picture, the switch and matching read (custody, updates and the
# audit trail are the deployment's history, not an operation's figures: left out of the copies)
COPIED = (Suspect, Arrest, EvidenceItem, Task, TargetPackage, Decision, Identifier, Hit, Exclusion)
BY_ENTITY = {model.entity: model for model in (Suspect, Arrest, EvidenceItem, Task, TargetPackage, Decision)}
# columns naming a record by (entity column, id column)
ENTITY_IDS = {"record_id": "record_entity", "first_record_id": "first_record_entity",
              "second_record_id": "second_record_entity"}


def _moved(column, offsets: dict[str, int], table) -> object:
    """The column's value in a copy: ids (and ids of copied records) moved on by their table's offset."""
    if column.name == "id":
        return column + offsets[table.name]
    if column.name in ENTITY_IDS:
        entity = table.c[ENTITY_IDS[column.name]]
        return case({e: column + offsets[m.__tablename__] for e, m in BY_ENTITY.items()}, value=entity,
                    else_=column)
    targets = [key.column.table.name for key in column.foreign_keys]
    if targets and targets[0] in offsets:
        return column + offsets[targets[0]]
    return column


def copy_operation(session: Session, source: int, n: int, strides: dict[str, int]) -> int:
    """Operation `source` copied as the n-th copy: its records, recipients, members and partners."""
    original = session.get(Operation, source)
    copy = Operation(code_name=f"Operation Bench {n:02d}", code=f"BENCH{n:02d}", lead_agency_id=original.lead_agency_id,
                     action_day=original.action_day, status=OperationStatus.ACTIVE, default_tlp=original.default_tlp,
                     default_classification=original.default_classification,
                     deconfliction_key_fingerprint=original.deconfliction_key_fingerprint)
    session.add(copy)
    session.flush()
    offsets = {table: stride * n for table, stride in strides.items()}
    for model in COPIED:
        table = model.__table__
        # every operation column (a hit's sides' too): the copy's, so a copy's hits are its own
        values = [literal(copy.id).label(c.name) if c.name.endswith("operation_id") else _moved(c, offsets, table)
                  for c in table.columns]
        session.execute(insert(table).from_select([c.name for c in table.columns],
                                                  select(*values).where(table.c.operation_id == source)))
    for entity, model in BY_ENTITY.items():
        session.execute(insert(Recipient.__table__).from_select(["entity", "entity_id", "user_id"], select(
            Recipient.entity, Recipient.entity_id + offsets[model.__tablename__], Recipient.user_id).where(
            Recipient.entity == entity, Recipient.entity_id <= strides[model.__tablename__])))
    session.execute(insert(Membership.__table__).from_select(["operation_id", "user_id", "role", "version"], select(
        literal(copy.id), Membership.user_id, Membership.role, Membership.version).where(
        Membership.operation_id == source)))
    session.execute(insert(OperationPartner.__table__).from_select(["operation_id", "agency_id"], select(
        literal(copy.id), OperationPartner.agency_id).where(OperationPartner.operation_id == source)))
    return copy.id


def build(engine, copies: int) -> float:
    """Copy the one operation `copies` times in one transaction, the tallies counted at the end (s)."""
    start = time.perf_counter()
    with write_session(engine) as session:
        [source] = session.scalars(select(Operation.id)).all()
        strides = {model.__tablename__: session.scalar(select(func.coalesce(func.max(model.id), 0)))
                   for model in COPIED}
        with tallies.counted_at_the_end(session):
            for n in range(1, copies + 1):
                copy_operation(session, source, n, strides)
                print(f"\r  copies: {n}/{copies}   ", end="", file=sys.stderr, flush=True)
        demo.continue_sequences(session, COPIED)
        session.commit()
    print(file=sys.stderr)
    _analyse(engine)
    return time.perf_counter() - start


def _analyse(engine) -> None:
    """Planner statistics after a bulk load, as autovacuum (off on the test server) would keep them."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")


def picture_ms(engine) -> float:
    """The figures' computation alone for the commander's operation, in its own read session as a page."""
    with read_session(engine) as session:
        commander = principal_for_subject(session, COMMANDER)

    def read() -> None:
        with read_session(engine) as session:
            aggregates.picture(session, commander)
    return median_ms(read)


def switch_ms(engine) -> float:
    """The commander's principal for each other operation in turn, and its picture's first read."""
    with read_session(engine) as session:
        codes = session.scalars(select(Operation.code).order_by(Operation.id)).all()[1:]
    times = []
    for n in range(max(15, len(codes))):
        start = time.perf_counter()
        with read_session(engine) as session:
            aggregates.picture(session, principal_for_subject(session, COMMANDER, operation=codes[n % len(codes)]))
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def saves_ms(engine, batch: int) -> tuple[float, int]:
    """Median ms of one phone number saved on a MET suspect (one transaction, matched), each a value
    another agency holds in the saver's operation and in every copy (matched in each); and the hits
    the saves made."""
    with read_session(engine) as session:
        saver = principal_for_subject(session, SAVER)
        held = session.scalars(select(Identifier.value).where(
            Identifier.operation_id == saver.operation_id, Identifier.owning_agency_id != saver.agency_id,
            Identifier.kind == IdentifierKind.PHONE, Identifier.tlp != TLP.RED,
            Identifier.normalised != demo.BANK_NUMBER).order_by(Identifier.id).offset(batch * SAVES).limit(SAVES)).all()
        mine = session.scalars(select(Suspect.id).where(
            Suspect.operation_id == saver.operation_id, Suspect.owning_agency_id == saver.agency_id,
            Suspect.tlp != TLP.RED).order_by(Suspect.id).offset(batch * SAVES).limit(SAVES)).all()
        hits_before = session.scalar(select(func.count()).select_from(Hit))
    times = []
    for value, suspect_id in zip(held, mine, strict=True):
        start = time.perf_counter()
        with write_session(engine) as session:
            identifiers.add_identifier(session, saver, SUSPECTS, suspect_id, IdentifierKind.PHONE, value)
            session.commit()
        times.append(time.perf_counter() - start)
    with read_session(engine) as session:
        made = session.scalar(select(func.count()).select_from(Hit)) - hits_before
    return statistics.median(times) * 1000, made


def measure(label: str, url: str | None, key) -> list[dict]:
    engine = engine_for(url, SCHEMA)
    app_url = engine.url.render_as_string(hide_password=False) if url is None else \
        f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{SCHEMA}"
    start = time.perf_counter()
    demo.load(engine, SCALE, key=key, second=False)
    _analyse(engine)
    print(f"{label}: one operation at the {SCALE} scale loaded in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    os.environ["COORD_DATABASE_URL"] = app_url
    signed_in.page(COMMANDER, "dashboard")  # Streamlit and the app loaded before the first measure
    rows = []
    for stored, batch in ((1, 0), (OPERATIONS, 1)):
        if stored > 1:
            built = build(engine, stored - 1)
            print(f"{label}: {stored - 1} copies made in {built:.0f} s", file=sys.stderr)
        with read_session(engine) as session:
            counts = {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                      for model in (Operation, Suspect, Identifier)}
        full = dashboard.measure(app_url)["full_ms"]
        save, made = saves_ms(engine, batch)
        rows.append({"store": label, "stored": stored, "counts": counts, "full_ms": full,
                     "picture_ms": picture_ms(engine), "switch_ms": switch_ms(engine) if stored > 1 else None,
                     "save_ms": save, "hits": made})
    engine.dispose()
    return rows


def main(out: Path, postgres_url: str | None) -> None:
    key = use_key(out)
    os.environ["COORD_CHECKS_PER_HOUR"] = "1000000"  # a speed measure: the answers are counted, not spent
    rows = measure("sqlite", None, key) if "sqlite" in STORES else []
    if postgres_url and "postgresql" in STORES:
        rows += measure("postgresql", postgres_url, key)
    print(f"\nOperations stored, each Elaborate at the {SCALE} scale (medians; targets: 20 stored within 1.2x of 1, "
          "switch < 300 ms, identifier save < 10 ms)")
    print("| store      | ops | suspects  | identifiers | picture rerun ms | picture figures ms | switch ms | "
          "id save ms | hits made |")
    print("|------------|-----|-----------|-------------|------------------|--------------------|-----------|"
          "------------|-----------|")
    for r in rows:
        switch = f"{r['switch_ms']:>9.1f}" if r["switch_ms"] is not None else f"{'-':>9}"
        print(f"| {r['store']:<10} | {r['stored']:>3} | {r['counts']['suspect']:>9,} | "
              f"{r['counts']['identifier']:>11,} | {r['full_ms']:>16.0f} | {r['picture_ms']:>18.1f} | {switch} | "
              f"{r['save_ms']:>10.2f} | {r['hits']:>9} |")
    for one, many in zip(rows[0::2], rows[1::2], strict=True):
        print(f"{one['store']}: 20 stored / 1 stored: picture rerun {many['full_ms'] / one['full_ms']:.2f}x, "
              f"figures {many['picture_ms'] / one['picture_ms']:.2f}x, identifier save "
              f"{many['save_ms'] / one['save_ms']:.2f}x")


if __name__ == "__main__":
    run(main)
