"""Dashboard and briefing aggregates against counts made by hand, and their scoping."""

from __future__ import annotations

from datetime import date

import pytest

from coordination import charts, services
from coordination.aggregates import Filters, picture

TODAY = date(2022, 11, 7)
SHA = "ab" * 32


def suspect(session, who, ref, status="lead", tier="user", tlp=None):
    data = {"reference": ref, "full_name": f"Synthetic {ref}", "tier": tier, "status": status}
    if tlp:
        data["tlp"] = tlp
    return services.create_suspect(session, who, data)


@pytest.fixture
def operation(store):
    """A small operation: MET and FBI records, two canaries only MET and named people may see."""
    met, fbi, commander = (store.principal(s) for s in ("liaison.met", "liaison.fbi", "commander.met"))
    with store.writer() as s:
        for n, status in enumerate(["lead", "lead", "identified", "arrested", "arrested"]):
            suspect(s, met, f"M-{n}", status, tier="money handler" if n % 2 else "user")
        suspect(s, fbi, "F-1", "arrested", tier="administrator")
        suspect(s, met, "CANARY-STRICT", "located", tlp="AMBER+STRICT")
        suspect(s, met, "CANARY-RED", "located", tlp="RED")
        for ref, who, sus, where, when in [("A-1", met, "M-3", "GB-EAW", "2022-11-07T06:00:00Z"),
                                           ("A-2", met, "M-4", "GB-EAW", "2022-11-06T09:00:00Z"),
                                           ("A-3", fbi, "F-1", "US-CA", "2022-11-07T15:00:00Z")]:
            services.create_arrest(s, who, {"reference": ref, "suspect": sus, "jurisdiction": where,
                                            "arrested_at": when, "place": "x", "offences": "fraud",
                                            "outcome": "bailed"})
        services.create_arrest(s, met, {"reference": "A-CANARY", "suspect": "CANARY-STRICT", "jurisdiction": "NL",
                                        "arrested_at": "2022-11-07T07:00:00Z", "place": "x", "offences": "fraud",
                                        "outcome": "bailed", "tlp": "AMBER+STRICT"})
        for ref, status in [("E-1", "awaiting analysis"), ("E-2", "awaiting analysis"), ("E-3", "analysed")]:
            services.create_evidence_item(s, met, {
                "exhibit_ref": ref, "item_type": "phone", "description": "phone", "sha256": SHA,
                "seized_from": "x", "seized_at": "2022-11-07T06:00:00Z", "seized_place": "x", "status": status,
                "holder_name": "DC Example"})
        for ref, who, status, due in [("T-1", met, "open", "2022-11-01"), ("T-2", met, "blocked", "2022-12-01"),
                                      ("T-3", fbi, "in progress", "2022-11-05"), ("T-4", fbi, "done", "2022-11-01")]:
            services.create_task(s, who, {"reference": ref, "title": "t", "status": status, "priority": "high",
                                          "due_date": due})
        services.create_task(s, commander, {"reference": "T-RED", "title": "t", "status": "open",
                                            "priority": "high", "owning_agency": "MET", "tlp": "RED"})
    return store


def test_figures_equal_counts_made_by_hand(operation):
    with operation.reader() as s:
        p = picture(s, operation.principal("liaison.met"), today=TODAY)
    assert p.suspects_by_status == {"lead": 2, "identified": 1, "arrested": 3, "located": 2}
    assert {("money handler", "arrested", 1), ("administrator", "arrested", 1)} <= set(p.suspect_pipeline)
    assert (p.arrests_total, p.arrests_today) == (4, 3)
    assert [(code, n) for code, *_, n in p.arrests_by_jurisdiction] == [("GB-EAW", 2), ("NL", 1), ("US-CA", 1)]
    assert p.arrests_by_day == [(date(2022, 11, 6), 1), (date(2022, 11, 7), 3)]
    assert p.evidence_awaiting_analysis == 2 and p.evidence_by_holder == [("MET", 3)]
    assert (p.tasks_open, p.tasks_overdue, p.tasks_blocked) == (3, 2, 1)
    assert p.action_day == date(2022, 11, 7)


def test_a_liaison_of_another_agency_counts_nothing_it_may_not_see(operation):
    with operation.reader() as s:
        commander = picture(s, operation.principal("commander.met"), today=TODAY)
        fbi = picture(s, operation.principal("liaison.fbi"), today=TODAY)
    # the commander sees the AMBER+STRICT canaries and (as its author) the RED task, not the RED suspect
    assert commander.suspects_by_status["located"] == 1 and fbi.suspects_by_status.get("located", 0) == 0
    assert commander.arrests_total - fbi.arrests_total == 1
    assert [c for c, *_ in commander.arrests_by_jurisdiction if c == "NL"] == ["NL"]
    assert [c for c, *_ in fbi.arrests_by_jurisdiction if c == "NL"] == []
    assert commander.tasks_open - fbi.tasks_open == 1


def test_filters_narrow_the_picture(operation):
    with operation.reader() as s:
        met = operation.principal("liaison.met")
        fbi_only = picture(s, met, Filters(agencies=("FBI",)), today=TODAY)
        one_day = picture(s, met, Filters(since=date(2022, 11, 7), until=date(2022, 11, 7)), today=TODAY)
        scotland = picture(s, met, Filters(jurisdictions=("GB-SCT",)), today=TODAY)
    assert fbi_only.arrests_total == 1 and fbi_only.suspects_by_status == {"arrested": 1}
    assert one_day.arrests_total == 3
    assert scotland.arrests_total == 0


def test_every_chart_is_titled_and_carries_the_figures(operation):
    with operation.reader() as s:
        p = picture(s, operation.principal("commander.met"), today=TODAY)
    for name, build in charts.ALL.items():
        figure = build(p)
        assert figure.layout.title.text, name
        assert figure.data, name
    bars = charts.arrests_by_jurisdiction(p).data[0]
    assert list(bars.x) == [n for *_, n in p.arrests_by_jurisdiction]
    assert list(charts.arrests_over_time(p).data[0].y)[-1] == p.arrests_total
