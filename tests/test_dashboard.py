"""The live operation picture in AppTest: tiles and charts per role, filters in the URL, and
results cached on the audit head (no write, no query; any write, fresh figures)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from coordination import charts, exports, services
from coordination.models import Briefing
from coordination.queries.drill_down import DRILL_DOWN
from coordination.standing_data import DEMO_USERS
from coordination.ui.widgets import live_picture as dashboard
from tests.helpers import open_page


@pytest.fixture
def operation(sqlite_store, monkeypatch):
    monkeypatch.setenv("COORD_DATABASE_URL", str(sqlite_store.engine.url))
    dashboard.cached_picture.clear()
    with sqlite_store.writer() as session:
        for who, ref in (("liaison.met", "S-MET"), ("liaison.fbi", "S-FBI")):
            services.create_suspect(session, sqlite_store.principal(who), {
                "reference": ref, "full_name": "x", "tier": "user", "status": "identified"})
    return sqlite_store


def open_dashboard(subject: str, query: dict | None = None) -> AppTest:
    return open_page(subject, "dashboard", query)


def tile(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.parametrize("user", [u for u in DEMO_USERS if u.role.value != "admin"], ids=lambda u: u.subject)
def test_every_role_sees_tiles_and_charts(operation, user):
    at = open_dashboard(user.subject)
    # labels short enough for a tile half a phone wide: Streamlit cuts a longer one with an ellipsis
    assert [m.label for m in at.metric] == ["Suspects past lead", "Arrests today", "Arrests in total",
                                            "Evidence awaiting analysis", "Open tasks", "Overdue / blocked",
                                            "Open hits", "Requests pending"]
    assert len(at.get("plotly_chart")) == 8
    assert tile(at, "Suspects past lead") == "2"


def test_filters_come_from_the_url_and_go_back_to_it(operation):
    at = open_dashboard("commander.met", {"agency": "FBI"})
    assert at.multiselect(key="dash-agencies").value == ["FBI"]
    assert tile(at, "Suspects past lead") == "1"
    at.multiselect(key="dash-agencies").set_value(["MET", "FBI"]).run()
    assert at.query_params["agency"] == ["MET", "FBI"]
    at.run()  # a refresh keeps them
    assert at.multiselect(key="dash-agencies").value == ["MET", "FBI"]
    assert tile(at, "Suspects past lead") == "2"


def test_figures_are_cached_on_the_audit_head(operation, monkeypatch):
    calls = []
    real = dashboard.picture
    monkeypatch.setattr(dashboard, "picture", lambda *args: calls.append(1) or real(*args))
    at = open_dashboard("commander.met")
    before = len(calls)
    at.run()
    assert len(calls) == before  # nothing changed anywhere: no query
    with operation.writer() as session:
        services.create_suspect(session, operation.principal("liaison.nca"), {
            "reference": "S-NCA", "full_name": "x", "tier": "user", "status": "located"})
    at.run()
    assert len(calls) == before + 1 and tile(at, "Suspects past lead") == "3"


@pytest.mark.parametrize(("chart", "key", "expected"), [
    ("tasks_by_agency", "FBI", {"T-FBI"}), ("evidence_by_holder", "MET", {"E-MET"}),
    ("evidence_by_holder", "FBI", set()), ("arrests_by_jurisdiction", "GB-EAW", {"A-MET"}),
    ("arrests_map", "NL", set()),
])
def test_selecting_a_bar_opens_exactly_its_records(operation, chart, key, expected):
    with operation.writer() as session:
        for who, ref in (("liaison.met", "T-MET"), ("liaison.fbi", "T-FBI")):
            services.create_task(session, operation.principal(who), {"reference": ref, "title": "t",
                                                                     "status": "open", "priority": "low"})
        met = operation.principal("liaison.met")
        services.create_arrest(session, met, {"reference": "A-MET", "suspect": "S-MET", "jurisdiction": "GB-EAW",
                                              "arrested_at": "2022-11-07T06:00:00Z", "place": "x",
                                              "offences": "fraud", "outcome": "bailed"})
        services.create_evidence_item(session, met, {
            "reference": "E-MET", "item_type": "cash", "description": "Cash", "seized_from": "x",
            "seized_at": "2022-11-07T06:00:00Z", "seized_place": "x", "status": "seized", "holder_name": "DC A"})
    kind, _heading, condition = DRILL_DOWN[chart]
    with operation.reader() as session:
        rows = exports.build(session, operation.principal("commander.met"), kind, [condition([key])]).rows
    assert {row[0] for row in rows} == expected
    assert chart in charts.ALL


def test_the_briefing_is_built_only_when_asked_with_the_page_filters(operation, monkeypatch):
    monkeypatch.setenv("COORD_CHROMIUM", "")  # tables only: this test is about the page, not the charts
    at = open_dashboard("commander.met", {"agency": "FBI"})
    assert at.get("download_button") == []  # nothing is built until asked
    with operation.reader() as session:
        before = session.scalar(select(func.count()).select_from(Briefing))
    at.button(key="briefing-prepare").click().run()
    assert not at.exception and not at.error
    with operation.reader() as session:
        made = session.scalars(select(Briefing)).all()
        assert len(made) == before + 1 and made[-1].author.subject == "commander.met"
    assert len(at.get("download_button")) == 1
    assert any("COORD_CHROMIUM" in info.value for info in at.info)  # says how to enable the charts
    prepared = at.session_state["briefing-prepared"]
    assert "agencies FBI" in PdfReader(io.BytesIO(prepared[1])).pages[0].extract_text()

