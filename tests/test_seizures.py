"""Seizures as they happen (ISO/IEC 27037), on both stores: a phone and a laptop collected and sealed at
the door without hashes, each row refused beside its row with nothing written, the acquisition made
later at the lab with its own SHA-256 and custody, and an acquisition read exactly as its exhibit is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from coordination import services
from coordination.errors import NotFound, PermissionDenied, ValidationError
from coordination.kinds import EVIDENCE
from coordination.models import (
    Acquisition,
    AcquisitionCustodyEvent,
    AuditEvent,
    CustodyEvent,
    EvidenceItem,
    Outcome,
    PackageStatus,
    TargetPackage,
)
from coordination.queries import acquisitions as q
from coordination.queries.history import history
from coordination.services.action_day import MAX_EXHIBITS, row_of
from tests.conftest import SHA
from tests.test_action_day import counts, create, step, walk

pytestmark = pytest.mark.usefixtures("key_file")
IMAGE_SHA = "cd" * 32
PHONE = {"item_type": "phone", "description": "black iPhone, screen cracked", "where_found": "kitchen drawer",
         "seal_number": "SEAL-101", "condition": "switched off, in a Faraday bag", "seized_by": "DC Example"}
LAPTOP = {"item_type": "laptop", "description": "grey ThinkPad", "where_found": "bedroom desk",
          "seal_number": "SEAL-102", "condition": "lid closed, powered on", "seized_by": "DC Example"}


def acquisition_data(**extra) -> dict:
    acquired = datetime.now(UTC)  # after the seizure just recorded, never in the future
    return {"method": "full file system extraction", "tool": "Cellebrite UFED", "tool_version": "7.69",
            "examiner": "DC Forensic", "acquired_at": acquired.isoformat(), "sha256": IMAGE_SHA,
            "place": "Met digital forensics lab", "holder_name": "Met digital forensics lab"} | extra


def seized(store, tlp: str | None = None) -> dict[str, EvidenceItem]:
    """A MET package entered and searched, a phone and a laptop seized at the door."""
    package = create(store, "liaison.met", "P-1", **({"tlp": tlp} if tlp else {}))
    walk(store, package.id, PackageStatus.ENTERED)
    step(store, "liaison.met", package.id, PackageStatus.ITEMS_SEIZED, exhibits=[PHONE, LAPTOP])
    with store.reader() as s:
        return {item.item_type.value: item for item in s.scalars(select(EvidenceItem))}


def record(store, subject: str, item_id: int, **extra) -> Acquisition:
    with store.writer() as s:
        return services.record_acquisition(s, store.principal(subject), item_id, acquisition_data(**extra))


def test_a_phone_and_a_laptop_are_seized_at_the_door_without_hashes(store):
    items = seized(store)
    assert set(items) == {"phone", "laptop"}
    with store.reader() as s:
        for typed, item in zip((PHONE, LAPTOP), (items["phone"], items["laptop"]), strict=True):
            assert item.sha256 is None  # sealed: its hash comes from its acquisition
            assert (item.where_found, item.seized_by, item.status.value) == (typed["where_found"], "DC Example",
                                                                             "seized")
            first = s.scalars(select(CustodyEvent).where(CustodyEvent.evidence_item_id == item.id)).one()
            assert (first.sequence, first.seal_number, first.condition, first.hash_checked) \
                == (1, typed["seal_number"], typed["condition"], None)
        assert s.scalar(select(TargetPackage.status)) is PackageStatus.ITEMS_SEIZED


def test_a_device_is_then_acquired_with_its_hash_and_custody_from_the_lab(store):
    phone = seized(store)["phone"]
    acquisition = record(store, "liaison.met", phone.id)
    assert acquisition.reference == "ACQ-P-1-E1-1"
    with store.reader() as s:
        met = store.principal("liaison.met")
        [view] = q.acquisitions_of(s, met, phone.id)
        assert (view.reference, view.row["sha256"], view.row["tool"]) == ("ACQ-P-1-E1-1", IMAGE_SHA,
                                                                           "Cellebrite UFED 7.69")
        [first] = q.custody_of(s, met, acquisition.id)
        assert (first["to"], first["purpose"], first["hash check"]) == (
            "MET Met digital forensics lab", "full file system extraction made", "matches")
        exhibit = s.get(EvidenceItem, phone.id)
        assert exhibit.sha256 is None  # the device keeps no hash: its image has one
        assert exhibit.version == 2  # one version of the exhibit an event on it, as for any record
        said = [entry.what for entry in history(s, met, EVIDENCE, phone.id)]
        assert any("recorded acquisition ACQ-P-1-E1-1" in what and IMAGE_SHA[:12] in what for what in said)
    second = record(store, "liaison.met", phone.id, method="physical image")
    assert second.reference == "ACQ-P-1-E1-2"


def test_an_acquisition_is_handed_on_with_its_hash_recomputed(store):
    phone = seized(store)["phone"]
    acquisition = record(store, "liaison.met", phone.id)
    transfer = {"to_agency": "NCA", "to_holder": "NCA digital forensics lab", "occurred_at":
                datetime.now(UTC).isoformat(), "place": "London", "purpose": "analysis", "condition": "sealed copy"}
    with store.writer() as s, pytest.raises(ValidationError) as refused:
        services.transfer_acquisition(s, store.principal("liaison.met"), acquisition.id, 1, transfer)
    assert set(refused.value.problems) == {"hash_checked"}
    with store.writer() as s:
        services.transfer_acquisition(s, store.principal("liaison.met"), acquisition.id, 1,
                                                   transfer | {"hash_checked": IMAGE_SHA})
    with store.writer() as s, pytest.raises(PermissionDenied):  # MET holds it no more
        services.transfer_acquisition(s, store.principal("liaison.met"), acquisition.id, 2,
                                                   transfer | {"to_agency": "MET", "hash_checked": IMAGE_SHA})
    with store.reader() as s:
        chain = q.custody_of(s, store.principal("liaison.nca"), acquisition.id)
        assert [(e["#"], e["to"], e["hash check"]) for e in chain] == [
            (1, "MET Met digital forensics lab", "matches"), (2, "NCA NCA digital forensics lab", "matches")]


def test_a_bad_row_is_refused_beside_its_row_and_nothing_is_written(store):
    package = create(store, "liaison.met", "P-1")
    walk(store, package.id, PackageStatus.ENTERED)
    before = counts(store)
    rows = [PHONE, LAPTOP | {"sha256": "not a hash"}, {"item_type": "cash", "description": "GBP 4,000",
                                                       "sha256": SHA}, {"item_type": "", "description": ""}]
    with pytest.raises(ValidationError) as refused:
        step(store, "liaison.met", package.id, PackageStatus.ITEMS_SEIZED, exhibits=rows)
    problems = refused.value.problems
    assert {row_of(name) for name in problems} == {2, 3, 4}  # the phone's row was fine
    assert "SHA-256" in next(name for name in problems if row_of(name) == 2)
    assert "holds no data" in next(reason for name, reason in problems.items() if row_of(name) == 3)
    assert counts(store) == before
    with store.reader() as s:
        assert s.scalar(select(TargetPackage.status)) is PackageStatus.ENTERED


def test_a_hash_at_the_door_only_for_data(store):
    """A file handed over on a USB stick is data: its SHA-256 is taken; records handed over need one."""
    package = create(store, "liaison.met", "P-1")
    walk(store, package.id, PackageStatus.ENTERED)
    with pytest.raises(ValidationError) as refused:
        step(store, "liaison.met", package.id, PackageStatus.ITEMS_SEIZED,
             exhibits=[{"item_type": "bank records", "description": "statements handed over on a CD"}])
    assert "is required" in refused.value.problems["seized item 1: SHA-256 (data handed over only)"]
    stick = {"item_type": "storage media", "description": "USB stick: the file handed over", "sha256": SHA}
    step(store, "liaison.met", package.id, PackageStatus.ITEMS_SEIZED, exhibits=[stick])
    with store.reader() as s:
        assert s.scalar(select(EvidenceItem.sha256)) == SHA


@pytest.mark.parametrize(("rows", "problem", "reason"), [
    ([PHONE | {"description": "x" * 100_000}], "seized item 1: Description", "at most 1,000"),
    ([PHONE | {"where_found": "x" * 301}], "seized item 1: Where found", "at most 300"),
    ([PHONE] * (MAX_EXHIBITS + 1), "exhibits", f"at most {MAX_EXHIBITS}"),
    ([PHONE | {"seized_at": (datetime.now(UTC) + timedelta(days=1)).isoformat()}], "seized item 1: Time seized",
     "in the future"),
    ([PHONE | {"sha256": "g" * 64}], "seized item 1: SHA-256 (data handed over only)", "64 hexadecimal"),
    (["a phone"], "seized item 1: Type", "is required"),
])
def test_hostile_rows_are_refused_in_words(store, rows, problem, reason):
    package = create(store, "liaison.met", "P-1")
    walk(store, package.id, PackageStatus.ENTERED)
    with pytest.raises(ValidationError) as refused:
        step(store, "liaison.met", package.id, PackageStatus.ITEMS_SEIZED, exhibits=rows)
    assert reason in refused.value.problems[problem]


@pytest.mark.parametrize(("extra", "problem", "reason"), [
    ({"sha256": "cd" * 31}, "sha256", "64 hexadecimal"),
    ({"sha256": ""}, "sha256", "is required"),
    ({"tool": "x" * 10_000}, "tool", "at most 200"),
    ({"acquired_at": "2001-01-01T00:00:00Z"}, "acquired_at", "before the exhibit was seized"),
    ({"method": "photocopy"}, "method", "not one of"),
])
def test_a_bad_acquisition_is_refused_in_words_and_nothing_is_written(store, extra, problem, reason):
    phone = seized(store)["phone"]
    with pytest.raises(ValidationError) as refused:
        record(store, "liaison.met", phone.id, **extra)
    assert reason in refused.value.problems[problem]
    with store.reader() as s:
        assert s.scalar(select(func.count()).select_from(Acquisition)) == 0
        assert s.scalar(select(func.count()).select_from(AcquisitionCustodyEvent)) == 0


def test_cash_holds_no_data_to_acquire(store):
    package = create(store, "liaison.met", "P-1")
    walk(store, package.id, PackageStatus.ENTERED)
    step(store, "liaison.met", package.id, PackageStatus.ITEMS_SEIZED,
         exhibits=[{"item_type": "cash", "description": "GBP 4,000"}])
    with store.reader() as s:
        cash = s.scalar(select(EvidenceItem.id))
    with pytest.raises(ValidationError) as refused:
        record(store, "liaison.met", cash)
    assert "holds no data" in refused.value.problems["method"]


def test_only_the_agency_holding_the_device_records_its_acquisition(store):
    phone = seized(store)["phone"]
    with pytest.raises(PermissionDenied):
        record(store, "liaison.fbi", phone.id)  # FBI may read the GREEN exhibit, not acquire it
    with store.reader() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "record acquisition")).all()
        assert [event.outcome for event in events] == [Outcome.REFUSED]  # the refusal, audited
        assert s.scalar(select(func.count()).select_from(Acquisition)) == 0


def test_who_may_not_read_the_exhibit_cannot_see_or_find_its_acquisition(store):
    phone = seized(store, tlp="AMBER+STRICT")["phone"]  # MET's eyes only
    acquisition = record(store, "liaison.met", phone.id)
    with store.reader() as s:
        met, fbi, commander = (store.principal(who) for who in ("liaison.met", "liaison.fbi", "commander.met"))
        assert [v.reference for v in q.find(s, met, acquisition.reference)] == [acquisition.reference]
        assert [v.reference for v in q.find(s, commander, acquisition.reference)] == [acquisition.reference]
        assert q.find(s, fbi, acquisition.reference) == []
        assert q.acquisitions_of(s, fbi, phone.id) == []
        assert q.custody_of(s, fbi, acquisition.id) == []
        assert history(s, fbi, EVIDENCE, phone.id) == []
    with pytest.raises(NotFound) as hidden:
        with store.writer() as s:
            services.transfer_acquisition(s, store.principal("liaison.fbi"), acquisition.id, 1, {})
    with pytest.raises(NotFound) as missing:
        with store.writer() as s:
            services.transfer_acquisition(s, store.principal("liaison.fbi"), 999_999, 1, {})
    assert str(hidden.value) == str(missing.value)  # a hidden acquisition and none are told alike
    with pytest.raises(NotFound):
        record(store, "liaison.fbi", phone.id)


# --- the evidence page: an exhibit's acquisitions, in AppTest -----------------------------------

def test_the_evidence_page_records_an_acquisition_and_shows_it(sqlite_store, monkeypatch):
    from datetime import date
    from datetime import time as dt_time

    from tests.helpers import open_page
    from tests.test_records_ui import open_record, open_tab, said

    monkeypatch.setenv("COORD_DATABASE_URL", str(sqlite_store.engine.url))
    store = sqlite_store
    with store.writer() as s:
        phone = services.create_evidence_item(s, store.principal("liaison.met"), {
            "reference": "E-1", "item_type": "phone", "description": "Phone", "seized_from": "S-1",
            "seized_at": "2022-11-07T06:00:00Z", "seized_place": "London", "status": "seized",
            "holder_name": "DC Example"})
    fbi = open_tab(open_record(open_page("liaison.fbi", "evidence"), "evidence", "E-1"), "evidence", phone.id,
                   "Acquisitions")
    assert any("Only the agency holding this item" in c.value for c in fbi.caption)
    at = open_tab(open_record(open_page("liaison.met", "evidence"), "evidence", "E-1"), "evidence", phone.id,
                  "Acquisitions")
    assert any("No acquisition of E-1" in c for c in said(at.caption))
    form = f"acquisition-{phone.id}"
    at.selectbox(key=f"{form}-method").select("logical extraction")
    at.date_input(key=f"{form}-acquired_at-date").set_value(date(2022, 11, 9))
    at.time_input(key=f"{form}-acquired_at-time").set_value(dt_time(10, 30))
    for name, value in {"tool": "Cellebrite UFED", "tool_version": "7.69", "examiner": "DC Forensic",
                        "sha256": "not a hash", "place": "Met lab", "holder_name": "Met lab"}.items():
        at.text_input(key=f"{form}-{name}").input(value)
    at.button(key=f"FormSubmitter:{form}-Record the acquisition").click().run()
    assert any("SHA-256 of the image is not a SHA-256 digest" in e for e in said(at.error))  # beside its field
    assert at.text_input(key=f"{form}-tool").value == "Cellebrite UFED"  # kept as typed
    at.text_input(key=f"{form}-sha256").input(IMAGE_SHA)
    at.button(key=f"FormSubmitter:{form}-Record the acquisition").click().run()
    assert not at.exception
    assert f"ACQ-E-1-1 recorded: the logical extraction of E-1, SHA-256 {IMAGE_SHA}, held by Met lab." \
        in said(at.success)
    table = [frame.value for frame in at.dataframe if "sha256" in frame.value.columns][0]
    assert table["reference"].tolist() == ["ACQ-E-1-1"] and table["sha256"].tolist() == [IMAGE_SHA]
    shown = [frame for frame in at.dataframe if "sha256" in frame.value.columns][0].proto.column_order
    assert shown[-1] == "sha256" and "held by" in shown  # who holds it is read without scrolling past the hash
    with store.reader() as s:
        acquisition_id = s.scalar(select(Acquisition.id))
    form = f"acquisition-transfer-{acquisition_id}"
    at.button(key=f"FormSubmitter:{form}-Review the hand-over").click().run()  # nothing typed yet
    assert not any("cannot be changed afterwards" in message for message in said(at.warning))  # no "to ? ?"
    assert {"To agency is required", "To holder (person or unit) is required"} <= set(said(at.error)), \
        said(at.error)
    at.selectbox(key=f"{form}-to_agency").select("NCA")
    at.date_input(key=f"{form}-occurred_at-date").set_value(date(2022, 11, 10))
    at.time_input(key=f"{form}-occurred_at-time").set_value(dt_time(9, 0))
    for name, value in {"to_holder": "NCA lab", "place": "Lab", "purpose": "analysis", "condition": "sealed copy",
                        "hash_checked": IMAGE_SHA}.items():
        at.text_input(key=f"{form}-{name}").input(value)
    at.button(key=f"FormSubmitter:{form}-Review the hand-over").click().run()
    assert any("cannot be changed afterwards" in message for message in said(at.warning))  # asked first
    at.button(key=f"{form}-confirm").click().run()
    assert not at.exception
    assert "ACQ-E-1-1 handed on to NCA NCA lab (custody event 2)." in said(at.success), said(at.error)
    with store.reader() as s:
        assert s.get(Acquisition, acquisition_id).holder_name == "NCA lab"
