"""Target packages in and out of the tasking spreadsheet, through the Kind machinery: all or nothing,
idempotent, errors by row, column and reason; exports scoped, subjects written by reference."""

from __future__ import annotations

from sqlalchemy import func, select

from coordination import audit, exports, notices, services
from coordination.kinds import SUSPECTS
from coordination.models import AuditEvent, Notification, PackageConflict, PackageStatusChange, TargetPackage
from coordination.services import imports
from tests.conftest import suspect

HEADER = "reference,jurisdiction,address,latitude,longitude,team_call_sign,subjects,legal_authority,h_hour,tlp"
ROWS = ["P-1,GB-EAW,1 High Street,51.5,-0.12,ALPHA-1,\"S-1, S-2\",W/1,2030-11-07T06:00:00Z,AMBER",
        "P-2,NL,2 Damrak,52.37,4.89,BRAVO-2,S-2,W/2,2030-11-07T07:00:00+01:00,AMBER+STRICT"]


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def run(store, content: bytes, subject: str = "liaison.met") -> imports.ImportResult:
    return imports.import_file(store.engine, store.principal(subject), "packages", "tasking.csv", content)


def state(store) -> tuple[int, int]:
    with store.reader() as s:
        return s.scalar(select(func.count()).select_from(TargetPackage)), audit.head(s)[0]


def with_suspects(store):
    with store.writer() as s:
        for ref in ("S-1", "S-2"):
            suspect(s, store.principal("liaison.met"), ref, status="located")
        suspect(s, store.principal("liaison.met"), "S-STRICT", status="located", tlp="AMBER+STRICT")
    return store


def test_a_tasking_sheet_imports_once_and_again_changes_nothing(store):
    with_suspects(store)
    first = run(store, csv_bytes(*ROWS))
    assert first.ok and (first.created, first.updated) == (2, 0), first.problems
    again = run(store, csv_bytes(*ROWS))
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 2)
    with store.reader() as s:
        p2 = s.scalar(select(TargetPackage).where(TargetPackage.reference == "P-2"))
        assert p2.h_hour.isoformat() == "2030-11-07T06:00:00+00:00" and p2.status.value == "planned"
        assert len(s.scalar(select(TargetPackage).where(TargetPackage.reference == "P-1")).subject_ids) == 2


def test_one_bad_row_writes_nothing_and_says_where_and_why(store):
    with_suspects(store)
    before = state(store)
    result = run(store, csv_bytes(ROWS[0], "P-3,XX,3 Road,,,C-3,NOBODY,W/3,2030-11-07T06:00:00,"))
    assert not result.ok and not result.committed
    found = {(p.row, p.column): p.reason for p in result.problems}
    assert "not a known jurisdiction" in found[(3, "jurisdiction")]
    assert "has no time zone" in found[(3, "h_hour")]
    assert "no suspect with reference 'NOBODY'" in found[(3, "subjects")]
    assert state(store) == before


def test_an_export_is_scoped_names_subjects_by_reference_and_imports_back_unchanged(store):
    with_suspects(store)
    assert run(store, csv_bytes(*ROWS, "P-3,GB-EAW,3 Road,,,C-3,\"S-1,S-STRICT\",W/3,2030-11-07T09:00:00Z,")).ok
    with store.reader() as s:
        mine = exports.build(s, store.principal("liaison.met"), "packages")
        theirs = exports.build(s, store.principal("liaison.fbi"), "packages")
    rows = {row[0]: dict(zip(mine.columns, row, strict=True)) for row in mine.rows}
    assert rows["P-1"]["subjects"] == "S-1, S-2" and rows["P-1"]["status"] == "planned"
    assert rows["P-1"]["owning_agency"] == "MET" and rows["P-1"]["h_hour"] == "2030-11-07T06:00:00Z"
    other = {row[0]: dict(zip(theirs.columns, row, strict=True)) for row in theirs.rows}
    assert set(other) == {"P-1", "P-3"}  # not the AMBER+STRICT package
    assert other["P-3"]["subjects"] == "(restricted record), S-1"  # a subject FBI may not read is not named
    back = run(store, mine.csv())
    assert back.ok and (back.created, back.updated, back.unchanged) == (0, 0, 3), back.problems


def test_imported_packages_are_deconflicted_like_created_ones(store, key_file):
    assert run(with_suspects(store), csv_bytes(ROWS[0])).ok
    assert run(store, csv_bytes("F-1,GB-EAW,\"1, high st\",,,X-1,,W/9,2030-11-07T12:00:00Z,"), "liaison.fbi").ok
    with store.reader() as s:
        assert [c.reason for c in s.scalars(select(PackageConflict))] == ["same address"]


def test_an_imported_package_is_written_as_a_created_one(store, key_file):
    """New packages are inserted in batches (bench/package_import.py: 2,000 under 10 s), then given what
    create_package gives one: subjects, the first status change, keys and conflicts (another agency's
    package at the same door, written another way), its RED recipients told; the audit trail holds a
    create event each, as when they are created one by one."""
    with_suspects(store)
    met = store.principal("liaison.met")
    with store.writer() as s:
        services.create_package(s, store.principal("liaison.fbi"), {
            "reference": "F-1", "jurisdiction": "GB-EAW", "address": "1 High St, London SW1A 1AA",
            "team_call_sign": "X-1", "legal_authority": "W/9", "h_hour": "2030-11-07T07:00:00Z"})
    seq = state(store)[1]
    red = "P-RED,GB-EAW,Flat 2 9 Low Road,,,R-1,S-1,W/4,2030-11-07T06:00:00Z,RED"
    rows = [f"{row}," for row in ROWS] + ["P-3,GB-EAW,\"1, High Street, London SW1A1AA\",,,C-3,,W/3,"
                                          "2030-11-07T09:00:00Z,,", f"{red},commander.met"]
    result = run(store, csv_bytes(*rows, header=HEADER + ",recipients"))
    assert result.ok and result.committed and result.created == 4, result.problems
    with store.reader() as s:
        packages = {p.reference: p for p in s.scalars(select(TargetPackage))}
        assert {p.status.value for p in packages.values()} == {"planned"}
        assert len(packages["P-1"].subject_ids) == 2 and packages["P-2"].subject_ids == [
            s.scalar(select(SUSPECTS.model.id).where(SUSPECTS.model.reference == "S-2"))]
        firsts = {(c.package_id, c.status_to.value, c.note, c.changed_by_id) for c in s.scalars(
            select(PackageStatusChange).where(PackageStatusChange.package_id != packages["F-1"].id))}
        assert firsts == {(packages[r].id, "planned", "created", met.user_id) for r in ("P-1", "P-2", "P-3", "P-RED")}
        # P-1's "1 High Street" gives no town: it meets F-1's street and number in London too
        assert sorted((c.first_id, c.second_id, c.reason) for c in s.scalars(select(PackageConflict))) == [
            (packages["F-1"].id, packages[r].id, "same address") for r in ("P-1", "P-3")]
        assert all(p.address_keyed for p in packages.values())
        told = s.scalars(select(Notification.user_id).where(Notification.event == notices.NAMED_RECIPIENT.name,
                                                             Notification.entity_id == packages["P-RED"].id)).all()
        assert told == [store.principal("commander.met").user_id]
        created = s.scalars(select(AuditEvent.entity_id).where(AuditEvent.seq > seq, AuditEvent.action == "create",
                                                               AuditEvent.entity == "target package")).all()
    assert sorted(created) == sorted(packages[r].id for r in ("P-1", "P-2", "P-3", "P-RED"))


def test_a_red_package_without_a_commander_refuses_the_import_beside_its_row(store):
    with_suspects(store)
    before = state(store)
    result = run(store, csv_bytes(*ROWS, "P-RED,GB-EAW,9 Low Road,,,R-1,S-1,W/4,2030-11-07T06:00:00Z,RED"))
    assert not result.committed
    assert [(p.row, p.column) for p in result.problems] == [(4, "recipients")]
    assert "must name at least one commander" in result.problems[0].reason
    assert state(store) == before


def test_the_briefing_has_an_action_day_section_scoped_to_its_author(store):
    from tests.test_briefing import brief, text_of
    with_suspects(store)
    assert run(store, csv_bytes(*ROWS)).ok
    met = store.principal("liaison.met")
    with store.reader() as s:
        ids = dict(s.execute(select(TargetPackage.reference, TargetPackage.id)).all())
    for status in ("briefed", "deployed", "entered", "nil: subject not present"):
        with store.writer() as s:
            version = s.get(TargetPackage, ids["P-2"]).version
            services.change_package_status(s, met, ids["P-2"], version, status, note="flat empty, neighbours say gone")
    mine = text_of(brief(store, "liaison.met")[1])
    assert "Action day: target packages by jurisdiction" in mine
    assert "Action day: nil and aborted, with reasons" in mine and "flat empty, neighbours say gone" in mine
    theirs = text_of(brief(store, "liaison.fbi")[1])
    assert "Action day: target packages by jurisdiction" in theirs and "P-2" not in theirs
    assert "flat empty" not in theirs


def test_the_packages_table_filters_by_status(store):
    from coordination.kinds import TARGET_PACKAGES
    from coordination.queries import records
    with_suspects(store)
    assert run(store, csv_bytes(*ROWS)).ok
    met = store.principal("liaison.met")
    with store.reader() as s:
        p1 = s.scalar(select(TargetPackage).where(TargetPackage.reference == "P-1"))
    with store.writer() as s:
        services.change_package_status(s, met, p1.id, p1.version, "briefed")
    assert "briefed" in records.statuses(TARGET_PACKAGES)
    with store.reader() as s:
        found = records.table(s, met, TARGET_PACKAGES, records.TableFilters(statuses=("briefed",)))
    assert [row[0] for row in found.shown.rows] == ["P-1"] and found.total == 1
