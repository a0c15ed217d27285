"""The action day on both stores: target packages, their status machine, outcomes that write their
arrests and exhibits in the same transaction (or nothing), event deconfliction, H-hours in local
time across daylight-saving changes, and scoping by marking."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from coordination import audit, deconfliction_key, services
from coordination.deconfliction_key import KeyMissing
from coordination.errors import ConflictError, PermissionDenied, ValidationError
from coordination.models import (
    NEXT,
    Arrest,
    AuditEvent,
    CustodyEvent,
    EvidenceItem,
    Outcome,
    PackageConflict,
    PackageStatus,
    PackageStatusChange,
    TargetPackage,
)
from coordination.queries import action_day as q
from coordination.queries import notifications
from tests.conftest import SHA, suspect
from tests.helpers import provision

pytestmark = pytest.mark.usefixtures("key_file")  # addresses are matched keyed, under the operation's key
H_HOUR = datetime(2030, 11, 7, 6, 0, tzinfo=UTC)
# the shortest walk to each status
PATH = {PackageStatus.PLANNED: [], PackageStatus.BRIEFED: [PackageStatus.BRIEFED]}
PATH[PackageStatus.DEPLOYED] = [*PATH[PackageStatus.BRIEFED], PackageStatus.DEPLOYED]
PATH[PackageStatus.ENTERED] = [*PATH[PackageStatus.DEPLOYED], PackageStatus.ENTERED]
for _outcome in (PackageStatus.ARREST_MADE, PackageStatus.ITEMS_SEIZED, PackageStatus.NOTHING_FOUND,
                 PackageStatus.NIL):
    PATH[_outcome] = [*PATH[PackageStatus.ENTERED], _outcome]
PATH[PackageStatus.ABORTED] = [PackageStatus.ABORTED]
PATH[PackageStatus.CLOSED] = [*PATH[PackageStatus.NIL], PackageStatus.CLOSED]
PHONE = {"item_type": "phone", "description": "black phone", "seal_number": "SEAL-1", "sha256": SHA}


def package_data(ref: str, **extra) -> dict:
    return {"reference": ref, "jurisdiction": "GB-EAW", "address": f"{ref} High Street, London",
            "team_call_sign": "ALPHA-1", "legal_authority": "Warrant W/123", "h_hour": H_HOUR.isoformat()} | extra


def create(store, subject: str, ref: str, **extra) -> TargetPackage:
    with store.writer() as s:
        return services.create_package(s, store.principal(subject), package_data(ref, **extra))


def version(store, package_id: int) -> int:
    with store.reader() as s:
        return s.get(TargetPackage, package_id).version


def step(store, subject: str, package_id: int, status, **extra):
    with store.writer() as s:
        note = extra.pop("note", "door closed, nobody in" if status in ("aborted", PackageStatus.ABORTED) else "")
        exhibits = extra.pop("exhibits", [PHONE] if status == PackageStatus.ITEMS_SEIZED else [])
        return services.change_package_status(s, store.principal(subject), package_id, version(store, package_id),
                                              status, note=note, exhibits=exhibits, **extra)


def walk(store, package_id: int, to: PackageStatus, subject: str = "liaison.met") -> None:
    for status in PATH[to]:
        step(store, subject, package_id, status)


def counts(store) -> dict[str, int]:
    with store.reader() as s:
        return {model.__name__: s.scalar(select(func.count()).select_from(model))
                for model in (Arrest, EvidenceItem, CustodyEvent, PackageStatusChange, AuditEvent)}


@pytest.fixture
def subjects(store):
    """Suspects MET's packages are for."""
    met = store.principal("liaison.met")
    with store.writer() as s:
        for ref in ("S-1", "S-2"):
            suspect(s, met, ref, status="located")
        suspect(s, met, "S-STRICT", status="located", tlp="AMBER+STRICT")
    return store


# --- the state machine ------------------------------------------------------------------------

EDGES = [(start, end) for start, ends in NEXT.items() for end in ends]


def test_the_state_machine_reaches_every_status_and_ends_closed():
    assert {end for _, end in EDGES} | {PackageStatus.PLANNED} == set(PackageStatus)
    assert NEXT[PackageStatus.CLOSED] == ()
    assert all(NEXT[outcome] == (PackageStatus.CLOSED,) for outcome in PackageStatus if outcome.is_outcome)


def test_every_legal_transition_is_taken_and_every_illegal_one_refused_naming_the_next_steps(subjects):
    store = subjects
    for n, (start, end) in enumerate(EDGES):
        package = create(store, "liaison.met", f"P-{n}", subjects="S-1")
        walk(store, package.id, start)
        for wrong in set(PackageStatus) - set(NEXT[start]):
            before = counts(store)
            with pytest.raises(ValidationError) as refused:
                step(store, "liaison.met", package.id, wrong)
            reason = refused.value.problems["new_status"]
            if NEXT[start]:
                assert f"cannot go from '{start.value}' to '{wrong.value}'" in reason
                assert all(f"'{allowed.value}'" in reason for allowed in NEXT[start]), reason
            else:
                assert "cannot change any more" in reason
            assert counts(store) == before
        change = step(store, "liaison.met", package.id, end)
        assert (change.status_from, change.status_to) == (start, end)
        with store.reader() as s:
            assert s.get(TargetPackage, package.id).status is end
    with store.reader() as s:  # each change is a row: who, when, from, to (creation is the first)
        rows = s.scalars(select(PackageStatusChange).order_by(PackageStatusChange.id)).all()
        assert len(rows) == len(EDGES) + sum(len(PATH[start]) + 1 for start, _ in EDGES)
        assert all(row.changed_by_id is not None and row.changed_at is not None for row in rows)


def test_a_status_change_is_audited_and_the_history_is_append_only(subjects):
    store = subjects
    package = create(store, "liaison.met", "P-1")
    step(store, "liaison.met", package.id, "briefed", note="briefed at 04:00")
    with store.reader() as s:
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
        assert (event.action, event.entity, event.entity_id) == ("change status", "target package", package.id)
        assert '"briefed"' in event.after and "briefed at 04:00" in event.after
    with store.writer() as s, pytest.raises(Exception, match="append-only"):
        s.connection().exec_driver_sql("UPDATE package_status_change SET note = 'rewritten'")


def test_only_the_lead_agencys_liaisons_move_a_package_and_a_refusal_is_audited(subjects):
    store = subjects
    package = create(store, "liaison.met", "P-1")
    for subject in ("liaison.fbi", "commander.met", "analyst.europol", "observer.eurojust"):
        with pytest.raises(PermissionDenied, match="may not change this target package"):
            step(store, subject, package.id, "briefed")
        with store.reader() as s:
            last = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
            assert last.outcome is Outcome.REFUSED and last.actor_subject == subject
    with store.reader() as s:
        assert s.get(TargetPackage, package.id).status is PackageStatus.PLANNED


def test_an_abort_needs_a_reason_and_a_stale_version_is_a_conflict(subjects):
    store = subjects
    package = create(store, "liaison.met", "P-1")
    with pytest.raises(ValidationError, match="say why the package was aborted"):
        step(store, "liaison.met", package.id, "aborted", note="  ")
    stale = version(store, package.id)
    step(store, "liaison.met", package.id, "briefed")
    with store.writer() as s, pytest.raises(ConflictError):
        services.change_package_status(s, store.principal("liaison.met"), package.id, stale, "deployed")


# --- outcomes that write themselves -----------------------------------------------------------

def test_arrest_made_creates_the_arrests_and_exhibits_in_the_same_transaction(subjects):
    store = subjects
    package = create(store, "liaison.met", "P-1", subjects="S-1, S-2", jurisdiction="NL",
                     tlp="AMBER+STRICT")
    walk(store, package.id, PackageStatus.ENTERED)
    before = counts(store)
    with store.reader() as s:
        s2 = s.scalar(select(TargetPackage).where(TargetPackage.id == package.id)).subject_ids[1]
    step(store, "liaison.met", package.id, PackageStatus.ARREST_MADE, arrested=[s2], exhibits=[PHONE])
    after = counts(store)
    assert after["Arrest"] - before["Arrest"] == 1 and after["EvidenceItem"] - before["EvidenceItem"] == 1
    with store.reader() as s:
        arrest = s.scalar(select(Arrest))
        assert arrest.reference == "P-1-A1" and arrest.suspect.reference == "S-2"
        assert arrest.jurisdiction.code == "NL" and arrest.place == "P-1 High Street, London"
        assert arrest.on_action_day and arrest.tlp.value == "AMBER+STRICT" and arrest.owning_agency.code == "MET"
        item = s.scalar(select(EvidenceItem))
        assert (item.reference, item.holder_agency.code, item.holder_name) == ("P-1-E1", "MET", "ALPHA-1")
        seizure = item.custody_events[0]
        assert (seizure.sequence, seizure.to_agency.code, seizure.seal_number) == (1, "MET", "SEAL-1")
        # the change, the arrest, the exhibit: one transaction, so consecutive audit events
        events = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(3)).all()
        assert [e.entity for e in reversed(events)] == ["arrest", "evidence item", "target package"]


def test_arrest_made_arrests_every_subject_unless_told_which(subjects):
    store = subjects
    package = create(store, "liaison.met", "P-1", subjects="S-1,S-2")
    walk(store, package.id, PackageStatus.ENTERED)
    step(store, "liaison.met", package.id, PackageStatus.ARREST_MADE)
    with store.reader() as s:
        assert sorted(s.scalars(select(Arrest.reference))) == ["P-1-A1", "P-1-A2"]


def test_a_search_that_seized_items_needs_them_and_nothing_found_takes_none(subjects):
    store = subjects
    one, two = create(store, "liaison.met", "P-1"), create(store, "liaison.met", "P-2")
    for package in (one, two):
        walk(store, package.id, PackageStatus.ENTERED)
    with pytest.raises(ValidationError, match="at least one seized item"):
        step(store, "liaison.met", one.id, PackageStatus.ITEMS_SEIZED, exhibits=[])
    with pytest.raises(ValidationError, match="only an arrest or a search"):
        step(store, "liaison.met", two.id, PackageStatus.NOTHING_FOUND, exhibits=[PHONE])
    step(store, "liaison.met", one.id, PackageStatus.ITEMS_SEIZED,
         exhibits=[PHONE, {"item_type": "cash", "description": "GBP 4,000 in notes", "seal_number": "SEAL-2"}])
    with store.reader() as s:
        assert sorted(s.scalars(select(EvidenceItem.reference))) == ["P-1-E1", "P-1-E2"]


@pytest.mark.parametrize("failure", ["data without its hash", "arrest reference taken", "no subjects"])
def test_nothing_is_written_when_any_part_of_an_outcome_fails(subjects, failure):
    store = subjects
    package = create(store, "liaison.met", "P-1", subjects="" if failure == "no subjects" else "S-1")
    walk(store, package.id, PackageStatus.ENTERED)
    exhibits = [PHONE]
    if failure == "data without its hash":  # records handed over as data are hashed at once; a sealed laptop is not
        exhibits = [PHONE, {"item_type": "bank records", "description": "statements on a CD"}]
    if failure == "arrest reference taken":
        with store.writer() as s:
            services.create_arrest(s, store.principal("liaison.met"), {
                "reference": "P-1-A1", "suspect": "S-2", "jurisdiction": "GB-EAW",
                "arrested_at": "2022-11-07T06:00:00Z", "place": "x", "offences": "fraud", "outcome": "bailed"})
    before, head = counts(store), None
    with store.reader() as s:
        head = audit.head(s)
    with pytest.raises(ValidationError) as refused:
        step(store, "liaison.met", package.id, PackageStatus.ARREST_MADE, exhibits=exhibits)
    reason = str(refused.value)
    assert {"data without its hash": "seized item 2: SHA-256", "arrest reference taken": "arrest P-1-A1",
            "no subjects": "names no subject"}[failure] in reason
    assert counts(store) == before
    with store.reader() as s:
        assert audit.head(s) == head
        assert s.get(TargetPackage, package.id).status is PackageStatus.ENTERED


# --- subjects, marking and hostile input -------------------------------------------------------

def test_subjects_resolve_only_among_suspects_the_author_may_read(subjects):
    store = subjects
    with pytest.raises(ValidationError) as refused:
        create(store, "liaison.fbi", "F-1", subjects="S-1, S-STRICT, NOBODY")
    assert "no suspect with reference 'S-STRICT'" in refused.value.problems["subjects"]
    assert "no suspect with reference 'NOBODY'" in refused.value.problems["subjects"]
    package = create(store, "liaison.met", "P-1", subjects="S-1, S-STRICT")
    with store.reader() as s:
        fbi, met = store.principal("liaison.fbi"), store.principal("commander.met")
        assert [ref for _, ref in q.package(s, met, package.id).subjects] == ["S-1", "S-STRICT"]
        assert [ref for _, ref in q.package(s, fbi, package.id).subjects] == ["S-1"]


@pytest.mark.parametrize(("field", "value", "reason"), [
    ("latitude", "nan", "is not a latitude"), ("longitude", "1e400", "is not a longitude"),
    ("latitude", "9" * 5000, "is not a latitude"), ("h_hour", "2030-11-07T06:00:00", "has no time zone"),
    ("h_hour", "tomorrow", "is not a time"), ("jurisdiction", "XX", "not a known jurisdiction"),
    ("address", "a\nb", "control characters"), ("subjects", ", ".join(f"S-{n}" for n in range(60)), "at most 50"),
])
def test_hostile_package_fields_are_refused_with_a_reason(subjects, field, value, reason):
    with pytest.raises(ValidationError) as refused:
        create(subjects, "liaison.met", "P-1", **{field: value})
    assert reason in refused.value.problems[field]


def test_packages_are_scoped_by_marking_like_every_record(subjects):
    store = subjects
    create(store, "liaison.met", "P-OPEN")
    create(store, "liaison.met", "P-STRICT", tlp="AMBER+STRICT")
    provision(store, "commander.nca", "Cam Commander", "NCA", "commander")  # a RED package names a commander
    create(store, "liaison.met", "P-RED", tlp="RED", recipients="commander.nca")
    now = datetime.now(UTC)
    with store.reader() as s:
        def seen(subject):
            return {p.reference for p in q.board(s, store.principal(subject), now).packages}
        assert seen("liaison.met") == {"P-OPEN", "P-STRICT", "P-RED"}
        assert seen("liaison.fbi") == {"P-OPEN"}
        assert seen("commander.met") == {"P-OPEN", "P-STRICT"}  # RED: named recipients only
        assert q.agency_packages(s, store.principal("liaison.fbi")) == []


def test_the_live_board_follows_a_wave_across_midnight_and_leaves_out_what_is_long_past(store):
    late = H_HOUR.replace(hour=22)  # a wave that starts at 22:00 UTC and runs into the next day
    for ref, offset in (("P-GONE", -13), ("P-EARLIER", -11), ("P-TONIGHT", 1), ("P-AFTER-MIDNIGHT", 4),
                        ("P-TOMORROW-NIGHT", 23), ("P-TOO-FAR", 25)):
        create(store, "liaison.met", ref, h_hour=(late + timedelta(hours=offset)).isoformat())
    with store.reader() as s:
        met = store.principal("liaison.met")
        live = {p.reference for p in q.board(s, met, late, q.LIVE).packages}
        today = {p.reference for p in q.board(s, met, late, late.date()).packages}
        assert live == {"P-EARLIER", "P-TONIGHT", "P-AFTER-MIDNIGHT", "P-TOMORROW-NIGHT"}
        assert "P-AFTER-MIDNIGHT" not in today and "P-TONIGHT" in today
        assert q.days(s, met, late)[0] == q.LIVE
        assert q.LIVE not in q.days(s, met, late + timedelta(days=3))


# --- event deconfliction ----------------------------------------------------------------------

def warnings(store, subject: str) -> list[str]:
    with store.reader() as s:
        return q.conflict_warnings(s, store.principal(subject))


def test_same_normalised_address_of_two_agencies_in_overlapping_windows_warns_both_and_command(store):
    create(store, "liaison.met", "P-MET", address="12, Baker Street, London")
    create(store, "liaison.nl-police", "P-NL", address="12 baker st london",
           h_hour=(H_HOUR + timedelta(hours=23)).isoformat())
    # both AMBER: each lead agency may read the other's package, so it is named, with whom to call
    assert warnings(store, "liaison.met") == [
        "Your agency's package P-MET conflicts (same address, H-hours 23 h 00 min apart) with NL-POLICE's "
        "package P-NL; contact NL-POLICE's liaison Noor Liaison (liaison.nl-police@demo.invalid)."]
    assert warnings(store, "liaison.nl-police") == [
        "Your agency's package P-NL conflicts (same address, H-hours 23 h 00 min apart) with MET's package "
        "P-MET; contact MET's liaison Morgan Liaison (liaison.met@demo.invalid)."]
    assert warnings(store, "liaison.fbi") == []
    assert warnings(store, "commander.met") == [
        "MET's package P-MET and NL-POLICE's package P-NL conflict (same address, H-hours 23 h 00 min apart). "
        "Both lead agencies have been told; MET's liaison Morgan Liaison (liaison.met@demo.invalid) and "
        "NL-POLICE's liaison Noor Liaison (liaison.nl-police@demo.invalid)."]


def test_packages_within_100_m_conflict_and_150_m_apart_do_not(store):
    create(store, "liaison.met", "P-MET", latitude="51.5237", longitude="-0.1585")
    create(store, "liaison.fbi", "P-NEAR", latitude="51.5243", longitude="-0.1585")  # about 67 m north
    create(store, "liaison.nl-police", "P-FAR", latitude="51.5237", longitude="-0.1563")  # about 152 m east
    with store.reader() as s:
        found = s.scalars(select(PackageConflict)).all()
    assert [(c.reason, 60 < c.distance_m < 75) for c in found] == [("within 100 m", True)]
    assert len(warnings(store, "liaison.fbi")) == 1 and warnings(store, "liaison.nl-police") == []


def test_no_conflict_outside_the_window_nor_within_one_agency(store):
    create(store, "liaison.met", "P-1", address="1 Main Road")
    create(store, "liaison.met", "P-2", address="1 Main Road")  # the same agency plans its own doors
    create(store, "liaison.fbi", "P-3", address="1 main rd", h_hour=(H_HOUR + timedelta(hours=25)).isoformat())
    assert warnings(store, "liaison.met") == warnings(store, "liaison.fbi") == warnings(store, "commander.met") == []


def test_moving_a_package_finds_its_conflicts_again(store):
    create(store, "liaison.met", "P-1", address="1 Main Road")
    other = create(store, "liaison.fbi", "P-2", address="2 Main Road")
    assert warnings(store, "liaison.fbi") == []
    with store.writer() as s:
        services.update_package(s, store.principal("liaison.fbi"), other.id, other.version, {"address": "1 MAIN ROAD"})
    assert len(warnings(store, "liaison.fbi")) == 1
    with store.writer() as s:
        services.update_package(s, store.principal("liaison.fbi"), other.id, version(store, other.id),
                                {"h_hour": (H_HOUR - timedelta(days=3)).isoformat()})
    assert warnings(store, "liaison.fbi") == []


def test_another_agency_never_learns_which_strict_or_red_package_it_conflicts_with(store):
    create(store, "liaison.met", "P-STRICT", address="5 Hidden Lane", tlp="AMBER+STRICT")
    create(store, "liaison.fbi", "P-FBI", address="5 hidden lane")
    told = warnings(store, "liaison.fbi")
    assert told == ["Your agency's package P-FBI conflicts (same address, in overlapping H-hour windows) with "
                    "another agency's package; contact command."]
    assert "P-STRICT" not in told[0] and "MET" not in told[0] and "Hidden" not in told[0]
    assert [("P-STRICT" in w, "FBI's package P-FBI" in w) for w in warnings(store, "liaison.met")] == [(True, True)]
    create(store, "liaison.met", "P-RED", address="9 Red Road", tlp="RED", recipients="commander.met")
    create(store, "liaison.nl-police", "P-NL", address="9 Red Road")
    assert warnings(store, "liaison.nl-police") == [
        "Your agency's package P-NL conflicts (same address, in overlapping H-hour windows) with another "
        "agency's package; contact command."]  # command, named on the RED package, can deconflict it
    assert any("P-RED" in w and "NL-POLICE's package P-NL" in w for w in warnings(store, "liaison.met"))
    assert any("MET's package P-RED and NL-POLICE's package P-NL" in w for w in warnings(store, "commander.met"))


def test_a_conflict_reaches_both_lead_agencies_and_command_in_their_inboxes_once(store):
    create(store, "liaison.met", "P-MET", address="12, Baker Street, London")
    nl_package = create(store, "liaison.nl-police", "P-NL", address="12 baker st london")
    with store.writer() as s:  # found again when the package changes: not told again
        services.update_package(s, store.principal("liaison.nl-police"), nl_package.id, nl_package.version,
                                {"team_call_sign": "BRAVO"})

    def inbox(subject):
        with store.reader() as s:
            return [e.sentence for e in notifications.inbox(s, store.principal(subject)).entries
                    if e.event == "package conflict"]
    assert [("Your agency's package P-MET" in w, "P-NL" in w) for w in inbox("liaison.met")] == [(True, True)]
    assert [("Your agency's package P-NL" in w, "P-MET" in w) for w in inbox("liaison.nl-police")] == [(True, True)]
    assert inbox("liaison.fbi") == [] and len(inbox("commander.met")) == 1
    for subject in ("liaison.met", "liaison.nl-police", "commander.met"):  # as the board tells it
        assert inbox(subject) == warnings(store, subject)


def test_addresses_are_matched_keyed_under_the_operations_key_never_as_plain_text(store, key_file):
    package = create(store, "liaison.met", "P-MET", address="12, Baker Street, London")
    key = deconfliction_key.read_key_file(key_file)
    with store.reader() as s:
        stored = s.get(TargetPackage, package.id)
        assert stored.address_keyed == key.keyed("address", "12 baker street london")
        columns = {c.name: getattr(stored, c.key) for c in TargetPackage.__table__.columns}
    assert not [name for name, value in columns.items() if value == "12 baker street london"]
    create(store, "liaison.nl-police", "P-NL", address="12 baker st london")
    assert len(warnings(store, "liaison.met")) == 1


def test_without_a_key_packages_are_recorded_and_matched_by_distance_and_keyed_once_one_is_there(
        store, key_file, monkeypatch):
    monkeypatch.delenv(deconfliction_key.ENVIRONMENT)
    create(store, "liaison.met", "P-MET", address="3 Keyless Road")
    create(store, "liaison.nl-police", "P-NL", address="3 keyless rd")
    assert warnings(store, "commander.met") == []  # no key: the same address is not compared
    create(store, "liaison.met", "P-HERE", address="Somewhere", latitude="51.5237", longitude="-0.1585")
    create(store, "liaison.fbi", "P-NEAR", address="Elsewhere", latitude="51.5243", longitude="-0.1585")
    assert len(warnings(store, "liaison.fbi")) == len(warnings(store, "commander.met")) == 1
    with store.reader() as s:
        assert s.scalars(select(TargetPackage.address_keyed)).all() == [None] * 4
    monkeypatch.setenv(deconfliction_key.ENVIRONMENT, str(key_file))
    create(store, "liaison.fbi", "P-FBI", address="3 Keyless Road")  # the first check with the key keys them all
    assert sum("P-FBI" in w for w in warnings(store, "liaison.fbi")) == 2  # with MET's and NL-POLICE's
    assert len(warnings(store, "liaison.nl-police")) == 1
    with store.reader() as s:
        assert None not in s.scalars(select(TargetPackage.address_keyed)).all()
        assert s.scalar(select(AuditEvent.after).where(AuditEvent.action == "key package addresses")) == \
            '{"packages":4}'


def test_a_key_that_is_not_the_operations_refuses_the_package_in_words_and_writes_nothing(
        store, key_file, tmp_path, monkeypatch):
    create(store, "liaison.met", "P-1", address="1 Main Road")
    before = counts(store)
    monkeypatch.setenv(deconfliction_key.ENVIRONMENT,
                       str(deconfliction_key.make_key_file(tmp_path / "another.key")))
    with pytest.raises(KeyMissing, match="not the key this operation"):
        create(store, "liaison.fbi", "P-2", address="1 Main Road")
    assert counts(store) == before


def test_an_aborted_package_loses_its_conflicts_audited_and_is_never_matched_again(store):
    met = create(store, "liaison.met", "P-MET", address="7 Abort Avenue")
    create(store, "liaison.nl-police", "P-NL", address="7 abort ave")
    assert len(warnings(store, "liaison.met")) == len(warnings(store, "liaison.nl-police")) == 1
    step(store, "liaison.met", met.id, PackageStatus.ABORTED)
    assert warnings(store, "liaison.met") == warnings(store, "liaison.nl-police") == []
    assert warnings(store, "commander.met") == []
    with store.reader() as s:
        assert s.scalars(select(PackageConflict)).all() == []
        removed = s.scalars(select(AuditEvent).where(AuditEvent.action == "remove",
                                                     AuditEvent.entity == PackageConflict.entity)).all()
    assert len(removed) == 1 and json.loads(removed[0].after) == {"why": f"package {met.id} was aborted"}
    fbi = create(store, "liaison.fbi", "P-FBI", address="7 Abort Avenue")  # meets the NL package, not MET's
    assert len(warnings(store, "liaison.fbi")) == len(warnings(store, "liaison.nl-police")) == 1
    assert warnings(store, "liaison.met") == []
    step(store, "liaison.met", met.id, PackageStatus.CLOSED)
    with store.writer() as s:  # an aborted, closed package moved next to another: still no part
        services.update_package(s, store.principal("liaison.met"), met.id, version(store, met.id),
                                {"address": "7 ABORT AVENUE", "team_call_sign": "BRAVO"})
    assert warnings(store, "liaison.met") == []
    with store.reader() as s:
        pairs = {(c.first_id, c.second_id) for c in s.scalars(select(PackageConflict))}
    assert all(met.id not in pair for pair in pairs) and any(fbi.id in pair for pair in pairs)


def test_a_conflict_that_holds_for_another_reason_is_kept_with_its_reason_brought_up_to_date(store):
    create(store, "liaison.met", "P-1", address="1 Main Road", latitude="51.5237", longitude="-0.1585")
    other = create(store, "liaison.fbi", "P-2", address="Next door", latitude="51.5243", longitude="-0.1585")
    with store.reader() as s:
        [(kept, reason)] = s.execute(select(PackageConflict.id, PackageConflict.reason)).all()
    assert reason == "within 100 m"
    with store.writer() as s:
        services.update_package(s, store.principal("liaison.fbi"), other.id, other.version,
                                {"address": "1 main rd", "latitude": "51.5237"})
    with store.reader() as s:
        assert s.execute(select(PackageConflict.id, PackageConflict.reason)).all() == [(kept, "same address")]
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.entity == PackageConflict.entity, AuditEvent.action == "update")) == 1


def test_a_conflict_that_no_longer_holds_is_removed_audited_and_one_that_holds_is_kept(store):
    create(store, "liaison.met", "P-1", address="1 Main Road")
    other = create(store, "liaison.fbi", "P-2", address="1 main road")
    with store.reader() as s:
        kept = s.scalars(select(PackageConflict.id)).all()
    with store.writer() as s:
        services.update_package(s, store.principal("liaison.fbi"), other.id, other.version, {"team_call_sign": "X"})
    with store.reader() as s:
        assert s.scalars(select(PackageConflict.id)).all() == kept
    with store.writer() as s:
        services.update_package(s, store.principal("liaison.fbi"), other.id, version(store, other.id),
                                {"address": "2 Main Road"})
    with store.reader() as s:
        assert s.scalars(select(PackageConflict)).all() == []
        assert [json.loads(after) for after in s.scalars(select(AuditEvent.after).where(
            AuditEvent.action == "remove"))] == [{"why": f"package {other.id} moved"}]


# --- time ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("utc", "zone", "shown"), [
    ("2022-10-30T00:30:00+00:00", "Europe/London", "Sun 30 Oct 2022 01:30 BST (00:30 UTC)"),
    ("2022-10-30T01:30:00+00:00", "Europe/London", "Sun 30 Oct 2022 01:30 GMT (01:30 UTC)"),
    ("2022-03-27T00:59:00+00:00", "Europe/Amsterdam", "Sun 27 Mar 2022 01:59 CET (00:59 UTC)"),
    ("2022-03-27T01:00:00+00:00", "Europe/Amsterdam", "Sun 27 Mar 2022 03:00 CEST (01:00 UTC)"),
    ("2022-11-06T08:30:00+00:00", "America/Los_Angeles", "Sun 06 Nov 2022 01:30 PDT (08:30 UTC)"),
    ("2022-11-06T09:30:00+00:00", "America/Los_Angeles", "Sun 06 Nov 2022 01:30 PST (09:30 UTC)"),
    ("2022-11-07T06:00:00+00:00", "America/Los_Angeles", "Sun 06 Nov 2022 22:00 PST (06:00 Mon 07 Nov UTC)"),
])
def test_h_hours_read_in_local_time_with_utc_beside_across_daylight_saving_changes(utc, zone, shown):
    assert q.local_time(datetime.fromisoformat(utc), zone) == shown


def test_a_package_stores_its_h_hour_in_utc_and_shows_its_jurisdictions_time(store):
    package = create(store, "liaison.met", "P-1", jurisdiction="US-CA", h_hour="2022-11-06T01:30:00-08:00")
    with store.reader() as s:
        assert s.get(TargetPackage, package.id).h_hour == datetime(2022, 11, 6, 9, 30, tzinfo=UTC)
        shown = q.package(s, store.principal("commander.met"), package.id)
        assert shown.h_hour_text == "Sun 06 Nov 2022 01:30 PST (09:30 UTC)"


def test_a_live_package_without_news_an_hour_past_h_hour_is_silent(store):
    h = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)
    package = create(store, "liaison.met", "P-1", h_hour=h.isoformat())
    with store.reader() as s:
        shown = q.package(s, store.principal("commander.met"), package.id)
    assert not shown.silent(h + timedelta(minutes=59)) and shown.silent(h + timedelta(minutes=61))
    walk(store, package.id, PackageStatus.NIL)
    with store.reader() as s:
        assert not q.package(s, store.principal("commander.met"), package.id).silent(h + timedelta(days=9999))


@pytest.mark.parametrize(("extra", "field", "reason"), [
    ({"new_status": "closed\x00"}, "new_status", "is not one of"),
    ({"new_status": 10 ** 5000}, "new_status", "cannot be read as text"),
    ({"note": "x" * 1_001}, "note", "at most 1,000"),
    ({"note": ["not", "text"]}, "note", "must be text"),
    ({"exhibits": [1, "two"], "new_status": "searched: items seized"}, "seized item 1: Type", "is required"),
    ({"exhibits": [PHONE] * 51, "new_status": "searched: items seized"}, "exhibits", "at most 50"),
    ({"arrested": [-1], "new_status": "arrest made"}, "arrested", "one of the package's subjects"),
])
def test_hostile_status_changes_are_refused_with_a_reason_and_write_nothing(subjects, extra, field, reason):
    store = subjects
    package = create(store, "liaison.met", "P-1", subjects="S-1")
    walk(store, package.id, PackageStatus.ENTERED)
    before = counts(store)
    extra = dict(extra)  # the parameters are shared by both stores' runs
    status = extra.pop("new_status", "nil: subject not present")
    with store.writer() as s, pytest.raises(ValidationError) as refused:
        services.change_package_status(s, store.principal("liaison.met"), package.id, version(store, package.id),
                                       status, **extra)
    assert reason in refused.value.problems[field]
    assert counts(store) == before
