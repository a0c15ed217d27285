"""The liaison workspace in AppTest: create, edit, the no-lost-edits conflict flow, read-only
views for other agencies, exports."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from coordination import services
from coordination.models import AuditEvent, Suspect, Task
from coordination.settings import PROJECT_ROOT
from tests.conftest import TEST_ISSUER
from tests.helpers import AUTH


@pytest.fixture
def workspace(sqlite_store, monkeypatch):
    monkeypatch.setenv("COORD_DATABASE_URL", str(sqlite_store.engine.url))
    with sqlite_store.writer() as session:
        services.create_task(session, sqlite_store.principal("liaison.met"), {
            "reference": "T-1", "title": "Trace wallet", "status": "open", "priority": "high"})
        services.create_suspect(session, sqlite_store.principal("liaison.met"), {
            "reference": "S-1", "full_name": "Synthetic One", "tier": "user", "status": "lead"})
    return sqlite_store


def open_page(subject: str, page: str) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=30)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "iss": TEST_ISSUER, "sub": subject, "name": subject, "iat": int(time.time())}
    at.run()
    at.switch_page(f"coordination/ui/pages/{page}.py").run()
    assert not at.exception
    return at


def open_record(at: AppTest, kind: str, key: str) -> AppTest:
    at.text_input(key=f"{kind}-open").input(key).run()
    assert not at.exception
    return at


def task(store) -> Task:
    with store.reader() as session:
        return session.scalar(select(Task).where(Task.reference == "T-1"))


def test_a_liaison_creates_a_suspect_from_the_form(workspace):
    at = open_page("liaison.met", "suspects")
    at.text_input(key="suspects-new-reference").input("S-NEW")
    at.text_input(key="suspects-new-full_name").input("Ayşe İnce")
    at.selectbox(key="suspects-new-tier").select("money handler")
    at.selectbox(key="suspects-new-status").select("identified")
    at.button(key="FormSubmitter:suspects-create-Create").click().run()
    assert not at.error and "Created S-NEW." in [s.value for s in at.success]
    with workspace.reader() as session:
        created = session.scalar(select(Suspect).where(Suspect.reference == "S-NEW"))
        assert (created.full_name, created.tlp.value, created.owning_agency.code) == ("Ayşe İnce", "AMBER", "MET")


def test_a_bad_form_names_the_field_and_writes_nothing(workspace):
    at = open_page("liaison.met", "suspects")
    at.text_input(key="suspects-new-reference").input("S-BAD")
    at.text_input(key="suspects-new-date_of_birth").input("03/04/2022")
    at.button(key="FormSubmitter:suspects-create-Create").click().run()
    message = at.error[0].value
    assert "date_of_birth" in message and "full_name" in message and "YYYY-MM-DD" in message
    with workspace.reader() as session:
        assert session.scalar(select(Suspect).where(Suspect.reference == "S-BAD")) is None


def test_a_liaison_edits_a_record_and_its_history_shows_it(workspace):
    at = open_record(open_page("liaison.met", "tasks"), "tasks", "T-1")
    record = task(workspace)
    at.text_input(key=f"tasks-{record.id}-title").input("Trace the admin's wallet")
    at.button(key=f"FormSubmitter:tasks-{record.id}-edit-Save").click().run()
    assert not at.exception and not at.warning
    assert (task(workspace).title, task(workspace).version) == ("Trace the admin's wallet", 2)
    history = [frame.value for frame in at.dataframe if "what" in frame.value.columns]
    assert history and history[0]["what"].tolist() == ["create", "update"]
    assert history[0]["who"].tolist() == ["liaison.met", "liaison.met"]


def test_two_people_edit_one_task_nobody_loses_their_edit(workspace):
    record = task(workspace)
    liaison = open_record(open_page("liaison.met", "tasks"), "tasks", "T-1")
    commander = open_record(open_page("commander.met", "tasks"), "tasks", "T-1")
    liaison.text_input(key=f"tasks-{record.id}-title").input("Liaison's title")
    liaison.button(key=f"FormSubmitter:tasks-{record.id}-edit-Save").click().run()
    commander.text_input(key=f"tasks-{record.id}-title").input("Commander's title")
    commander.button(key=f"FormSubmitter:tasks-{record.id}-edit-Save").click().run()
    assert task(workspace).title == "Liaison's title"  # the first save stands
    assert any("Someone saved this record after you loaded it" in w.value for w in commander.warning)
    assert commander.text_input(key=f"tasks-{record.id}-title").value == "Commander's title"  # kept
    commander.button(key=f"tasks-{record.id}-loaded-reload").click().run()
    assert commander.text_input(key=f"tasks-{record.id}-title").value == "Commander's title"
    commander.button(key=f"FormSubmitter:tasks-{record.id}-edit-Save").click().run()
    assert (task(workspace).title, task(workspace).version) == ("Commander's title", 3)


def test_another_agency_sees_the_record_read_only_and_cannot_create_for_others(workspace):
    at = open_record(open_page("liaison.fbi", "tasks"), "tasks", "T-1")
    record = task(workspace)
    assert at.button(key=f"FormSubmitter:tasks-{record.id}-edit-Save").disabled
    assert any("Read only" in c.value for c in at.caption)
    commander = open_page("commander.met", "suspects")
    assert any("does not create suspects" in i.value for i in commander.info)


def test_export_is_prepared_scoped_and_audited(workspace):
    at = open_page("liaison.fbi", "suspects")
    at.button(key="suspects-export-csv").click().run()
    name, data, rows = at.session_state["suspects-export"]
    assert name.endswith(".csv") and rows == 1 and b"S-1" in data
    with workspace.reader() as session:
        last = session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
    assert (last.action, last.actor_subject) == ("export", "liaison.fbi")


SHA = "ab" * 32


def test_a_liaison_records_an_arrest_from_the_form(workspace):
    at = open_page("liaison.met", "arrests")
    for name, value in {"reference": "A-NEW", "suspect": "S-1", "arrested_at": "2022-11-07T06:30:00Z",
                        "place": "London", "offences": "fraud"}.items():
        at.text_input(key=f"arrests-new-{name}").input(value)
    at.selectbox(key="arrests-new-jurisdiction").select("GB-EAW")
    at.selectbox(key="arrests-new-outcome").select("bailed")
    at.button(key="FormSubmitter:arrests-create-Create").click().run()
    assert "Created A-NEW." in [s.value for s in at.success], [e.value for e in at.error]


def test_custody_is_a_timeline_and_only_the_holder_transfers(workspace):
    with workspace.writer() as session:
        item = services.create_evidence_item(session, workspace.principal("liaison.met"), {
            "exhibit_ref": "E-1", "item_type": "phone", "description": "Phone", "sha256": SHA, "seized_from": "S-1",
            "seized_at": "2022-11-07T06:00:00Z", "seized_place": "London", "status": "seized",
            "holder_name": "DC Example"})
    fbi = open_record(open_page("liaison.fbi", "evidence"), "evidence", "E-1")
    assert any("Only the current holder's agency" in c.value for c in fbi.caption)
    met = open_record(open_page("liaison.met", "evidence"), "evidence", "E-1")
    timeline = [frame.value for frame in met.dataframe if "seal" in frame.value.columns][0]
    assert timeline["purpose"].tolist() == ["seizure"]
    met.selectbox(key=f"transfer-{item.id}-to_agency").select("NCA")
    for name, value in {"to_holder": "NCA lab", "occurred_at": "2022-11-08T09:00:00Z", "place": "Lab",
                        "purpose": "analysis", "condition": "sealed", "hash_checked": SHA}.items():
        met.text_input(key=f"transfer-{item.id}-{name}").input(value)
    met.button(key=f"FormSubmitter:transfer-{item.id}-Record transfer").click().run()
    assert "Transfer recorded." in [s.value for s in met.success], [e.value for e in met.error]
    met.run()
    timeline = [frame.value for frame in met.dataframe if "seal" in frame.value.columns][0]
    assert timeline["to"].tolist() == ["MET DC Example", "NCA NCA lab"]
    assert timeline["hash check"].tolist() == ["matches", "matches"]


@pytest.mark.parametrize("page", ["suspects", "arrests", "evidence", "tasks"])
def test_a_commander_sees_every_records_page(workspace, page):
    at = open_page("commander.met", page)
    assert at.dataframe and "you may see" in at.caption[0].value
