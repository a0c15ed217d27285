"""The liaison workspace in AppTest: create, edit, the no-lost-edits conflict flow, read-only
views for other agencies, exports."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from datetime import time as dt_time

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from coordination import services
from coordination.models import Arrest, AuditEvent, EvidenceItem, Suspect, Task
from tests.helpers import open_page


@pytest.fixture
def workspace(sqlite_store, monkeypatch):
    monkeypatch.setenv("COORD_DATABASE_URL", str(sqlite_store.engine.url))
    with sqlite_store.writer() as session:
        services.create_task(session, sqlite_store.principal("liaison.met"), {
            "reference": "T-1", "title": "Trace wallet", "status": "open", "priority": "high"})
        services.create_suspect(session, sqlite_store.principal("liaison.met"), {
            "reference": "S-1", "full_name": "Synthetic One", "tier": "user", "status": "lead"})
    return sqlite_store




def open_record(at: AppTest, kind: str, key: str) -> AppTest:
    at.text_input(key=f"{kind}-open").input(key)
    at.button(key=f"{kind}-open-sent").click().run()
    assert not at.exception
    return at


def said(elements) -> list[str]:
    """Messages as a person reads them: Markdown's backslash escapes (of typed values) undone."""
    return [re.sub(r"\\(.)", r"\1", element.value) for element in elements]


def open_tab(at: AppTest, kind: str, record_id: int, title: str) -> AppTest:
    """Only the open tab of a record is drawn: open one as a click on it would."""
    at.session_state[f"{kind}-{record_id}-tabs"] = title
    at.run()
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
    assert not at.error and "Created S-NEW." in said(at.success)
    with workspace.reader() as session:
        created = session.scalar(select(Suspect).where(Suspect.reference == "S-NEW"))
        assert (created.full_name, created.tlp.value, created.owning_agency.code) == ("Ayşe İnce", "AMBER", "MET")


def test_a_bad_form_names_the_field_and_writes_nothing(workspace):
    at = open_page("liaison.met", "suspects")
    at.text_input(key="suspects-new-reference").input("S-BAD")
    at.text_input(key="suspects-new-nationality").input("United Kingdom")
    at.button(key="FormSubmitter:suspects-create-Create").click().run()
    messages = said(at.error)
    assert "Please correct 4 fields below." in messages  # full name, nationality, tier, status
    assert "Full name is required" in messages and "Tier is required" in messages
    assert any(m.startswith("Nationality (ISO country code) 'United Kingdom' is not") for m in messages)
    assert not any("full_name" in m or "nationality" == m.split()[0] for m in messages)  # labels, not columns
    assert at.text_input(key="suspects-new-reference").value == "S-BAD"  # what was typed stays
    with workspace.reader() as session:
        assert session.scalar(select(Suspect).where(Suspect.reference == "S-BAD")) is None


def test_a_liaison_edits_a_record_and_its_history_shows_it(workspace):
    at = open_record(open_page("liaison.met", "tasks"), "tasks", "T-1")
    record = task(workspace)
    at.text_input(key=f"tasks-{record.id}-title").input("Trace the admin's wallet")
    at.button(key=f"FormSubmitter:tasks-{record.id}-edit-Save").click().run()
    assert not at.exception and not at.warning
    assert (task(workspace).title, task(workspace).version) == ("Trace the admin's wallet", 2)
    open_tab(at, "tasks", record.id, "History")
    history = [frame.value for frame in at.dataframe if "what" in frame.value.columns]
    assert history and history[0]["what"].tolist()[1] == "changed title Trace wallet → Trace the admin's wallet"
    assert history[0]["what"].tolist()[0].startswith("created it: reference T-1, title Trace wallet")
    assert history[0]["who"].tolist() == ["Morgan Liaison (MET)", "Morgan Liaison (MET)"]  # names, not subjects
    assert not any("_id" in what or "{" in what for what in history[0]["what"])  # no column names or JSON


def test_two_people_edit_one_task_nobody_loses_their_edit(workspace):
    record = task(workspace)
    liaison = open_record(open_page("liaison.met", "tasks"), "tasks", "T-1")
    commander = open_record(open_page("commander.met", "tasks"), "tasks", "T-1")
    liaison.text_input(key=f"tasks-{record.id}-title").input("Liaison's title")
    liaison.button(key=f"FormSubmitter:tasks-{record.id}-edit-Save").click().run()
    assert "T-1 saved, version 2." in said(liaison.success)
    commander.text_input(key=f"tasks-{record.id}-title").input("Commander's title")
    commander.button(key=f"FormSubmitter:tasks-{record.id}-edit-Save").click().run()
    assert task(workspace).title == "Liaison's title"  # the first save stands
    assert any("changed the same field as you" in message for message in said(commander.warning))
    assert commander.text_input(key=f"tasks-{record.id}-title").value == "Commander's title"  # kept
    choice = commander.radio(key=f"tasks-{record.id}-pick-title")
    assert [re.sub(r"\\(.)", r"\1", option) for option in choice.options] == [
        "Keep mine: Commander's title", "Keep theirs: Liaison's title"]
    commander.button(key=f"tasks-{record.id}-resolve").click().run()
    assert (task(workspace).title, task(workspace).version) == ("Commander's title", 3)
    assert "T-1 saved, version 3." in said(commander.success)


def test_edits_of_different_fields_are_merged_without_asking(workspace):
    """Issue 14's first scenario: B raises the priority, A rewrote the description from the version
    before; A's save keeps B's priority."""
    record = task(workspace)
    a = open_record(open_page("liaison.met", "tasks"), "tasks", "T-1")
    b = open_record(open_page("liaison.met", "tasks"), "tasks", "T-1")
    b.selectbox(key=f"tasks-{record.id}-priority").select("critical")
    b.button(key=f"FormSubmitter:tasks-{record.id}-edit-Save").click().run()
    a.text_area(key=f"tasks-{record.id}-description").input("Rewritten by A")
    a.button(key=f"FormSubmitter:tasks-{record.id}-edit-Save").click().run()
    assert not a.warning and "T-1 saved, version 3." in said(a.success)
    saved = task(workspace)
    assert (saved.priority.value, saved.description) == ("critical", "Rewritten by A")


def test_another_agency_sees_the_record_read_only_and_cannot_create_for_others(workspace):
    at = open_record(open_page("liaison.fbi", "tasks"), "tasks", "T-1")
    record = task(workspace)
    assert at.button(key=f"FormSubmitter:tasks-{record.id}-edit-Save").disabled
    assert any("Read only" in c.value for c in at.caption)
    commander = open_page("commander.met", "suspects")
    assert any("does not create suspects" in message for message in said(commander.info))


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
    for name, value in {"reference": "A-NEW", "place": "London", "offences": "fraud"}.items():
        at.text_input(key=f"arrests-new-{name}").input(value)
    at.selectbox(key="arrests-new-suspect").select("S-1")  # offered: a suspect the liaison may read
    at.date_input(key="arrests-new-arrested_at-date").set_value(date(2022, 11, 7))
    at.time_input(key="arrests-new-arrested_at-time").set_value(dt_time(6, 30))
    at.selectbox(key="arrests-new-jurisdiction").select("GB-EAW")
    at.selectbox(key="arrests-new-outcome").select("bailed")
    at.button(key="FormSubmitter:arrests-create-Create").click().run()
    assert "Created A-NEW." in said(at.success), said(at.error)
    with workspace.reader() as session:
        made = session.scalar(select(Arrest).where(Arrest.reference == "A-NEW"))
    assert made.arrested_at == datetime(2022, 11, 7, 6, 30, tzinfo=UTC)


def test_custody_is_a_timeline_and_only_the_holder_transfers(workspace):
    with workspace.writer() as session:
        item = services.create_evidence_item(session, workspace.principal("liaison.met"), {
            "reference": "E-1", "item_type": "phone", "description": "Phone", "sha256": SHA, "seized_from": "S-1",
            "seized_at": "2022-11-07T06:00:00Z", "seized_place": "London", "status": "seized",
            "holder_name": "DC Example"})
    fbi = open_tab(open_record(open_page("liaison.fbi", "evidence"), "evidence", "E-1"), "evidence", item.id, "Custody")
    assert any("Only the current holder's agency" in c.value for c in fbi.caption)
    met = open_tab(open_record(open_page("liaison.met", "evidence"), "evidence", "E-1"), "evidence", item.id, "Custody")
    timeline = [frame.value for frame in met.dataframe if "seal" in frame.value.columns][0]
    assert timeline["purpose"].tolist() == ["seizure"]
    assert met.selectbox(key=f"transfer-{item.id}-to_agency").value is None  # no misleading default
    met.button(key=f"FormSubmitter:transfer-{item.id}-Review transfer").click().run()  # nothing typed yet
    assert not any("cannot be changed afterwards" in message for message in said(met.warning))  # no "to ? ?"
    assert "To holder (person or unit) is required" in said(met.error), said(met.error)
    met.selectbox(key=f"transfer-{item.id}-to_agency").select("NCA")
    met.date_input(key=f"transfer-{item.id}-occurred_at-date").set_value(date(2022, 11, 8))
    met.time_input(key=f"transfer-{item.id}-occurred_at-time").set_value(dt_time(9, 0))
    for name, value in {"to_holder": "NCA lab", "place": "Lab", "purpose": "analysis", "condition": "sealed",
                        "hash_checked": SHA}.items():
        met.text_input(key=f"transfer-{item.id}-{name}").input(value)
    met.button(key=f"FormSubmitter:transfer-{item.id}-Review transfer").click().run()
    assert any("cannot be changed afterwards" in message for message in said(met.warning))  # asked first
    with workspace.reader() as session:
        assert session.get(EvidenceItem, item.id).holder_name == "DC Example"  # nothing written yet
    met.button(key=f"transfer-{item.id}-confirm").click().run()
    assert "E-1 transferred to NCA NCA lab (custody event 2)." in said(met.success), \
        said(met.error)
    timeline = [frame.value for frame in met.dataframe if "seal" in frame.value.columns][0]
    assert timeline["to"].tolist() == ["MET DC Example", "NCA NCA lab"]
    assert timeline["hash check"].tolist() == ["matches", "matches"]


@pytest.mark.parametrize("page", ["suspects", "arrests", "evidence", "tasks"])
def test_a_commander_sees_every_records_page(workspace, page):
    at = open_page("commander.met", page)
    assert at.dataframe and "you may see" in at.caption[0].value


def test_an_update_changes_the_status_and_a_later_edit_keeps_it(workspace):
    """Issue 14's second scenario: a status set through an update survives a save of the details
    form loaded before it; the update form is empty again and the list shows the note at once."""
    record = task(workspace)
    at = open_record(open_page("liaison.met", "tasks"), "tasks", "T-1")
    assert f"tasks-{record.id}-status" not in [w.key for w in at.selectbox]  # one place for the status
    open_tab(at, "tasks", record.id, "Updates")
    at.text_area(key=f"task-update-{record.id}-body").input("Warrant served")
    at.selectbox(key=f"task-update-{record.id}-status").select("in progress")
    at.button(key=f"FormSubmitter:task-update-{record.id}-Add update").click().run()
    assert "T-1: update added, status open → in progress." in said(at.success)
    assert at.text_area(key=f"task-update-{record.id}-body~1").value == ""  # a fresh form: no second note by accident
    notes = [frame.value for frame in at.dataframe if "note" in frame.value.columns][0]
    assert notes["note"].tolist() == ["Warrant served"]
    open_tab(at, "tasks", record.id, "Details")
    at.text_input(key=f"tasks-{record.id}-title").input("Trace the wallet (served)")
    at.button(key=f"FormSubmitter:tasks-{record.id}-edit-Save").click().run()
    saved = task(workspace)
    assert (saved.title, saved.status.value, saved.version) == ("Trace the wallet (served)", "in progress", 3)


@pytest.mark.parametrize(("subject", "offered"), [("liaison.fbi", False), ("analyst.europol", True),
                                                   ("liaison.met", True)])
def test_the_update_form_is_offered_only_to_who_may_add_one(workspace, subject, offered):
    record = task(workspace)  # a MET task
    at = open_tab(open_record(open_page(subject, "tasks"), "tasks", "T-1"), "tasks", record.id, "Updates")
    assert (f"task-update-{record.id}-body" in [w.key for w in at.text_area]) is offered


def test_provisioning_and_disabling_a_user_confirm_by_name(workspace):
    at = open_page("admin", "users")
    at.text_input(key="provision-user-subject").input("liaison.new")
    at.text_input(key="provision-user-name").input("Nova Liaison")
    at.selectbox(key="provision-user-agency").select("NCA")
    at.button(key="FormSubmitter:provision-user-Provision").click().run()
    assert "Provisioned liaison.new (NCA, liaison): they can sign in now." in said(at.success)
    at.selectbox(key=at.selectbox[0].key).select(next(o for o in at.selectbox[0].options if "liaison.new" in o)).run()
    user_id = next(k for k in (w.key for w in at.checkbox) if k and k.startswith("change-user-"))
    at.checkbox(key=user_id).uncheck()
    at.button(key="FormSubmitter:change-user-Save").click().run()
    assert "Saved liaison.new (NCA, liaison, disabled: signed out everywhere)." in said(at.success)


def test_what_people_typed_is_shown_as_text_never_as_a_link(workspace):
    """A holder typed as a Markdown link (an image link would make the browser fetch from outside)."""
    trap = "[Session expired: sign in](https://evil.invalid/x) ![x](https://evil.invalid/i.png)"
    with workspace.writer() as session:
        services.create_evidence_item(session, workspace.principal("liaison.met"), {
            "reference": "E-TRAP", "item_type": "cash", "description": "Cash", "seized_from": "x",
            "seized_at": "2022-11-07T06:00:00Z", "seized_place": "London", "status": "seized", "holder_name": trap})
    at = open_record(open_page("liaison.fbi", "evidence"), "evidence", "E-TRAP")
    header = next(c.value for c in at.caption if "held by" in c.value)
    assert "](" not in header and "\\[Session expired" in header  # every bracket escaped: plain text
    assert trap in re.sub(r"\\(.)", r"\1", header)  # and reads back as typed
