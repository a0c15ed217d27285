"""Dashboard and briefing aggregates against counts made by hand, and their scoping."""

from __future__ import annotations

from datetime import date

from coordination import charts
from coordination.aggregates import Filters, picture

TODAY = date(2022, 11, 7)


def test_figures_equal_counts_made_by_hand(operation):
    with operation.reader() as s:
        p = picture(s, operation.principal("liaison.met"), today=TODAY)
    assert p.suspects_by_status == {"lead": 2, "identified": 1, "arrested": 3, "located": 2}
    assert {("money handler", "arrested", 1), ("administrator", "arrested", 1)} <= set(p.suspect_pipeline)
    assert (p.arrests_total, p.arrests_today) == (4, 3)
    assert [(row.code, row.arrests) for row in p.arrests_by_jurisdiction] == [("GB-EAW", 2), ("NL", 1), ("US-CA", 1)]
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
    assert [row.code for row in commander.arrests_by_jurisdiction if row.code == "NL"] == ["NL"]
    assert [row.code for row in fbi.arrests_by_jurisdiction if row.code == "NL"] == []
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
    assert list(bars.x) == [row.arrests for row in p.arrests_by_jurisdiction]
    assert list(charts.arrests_over_time(p).data[0].y)[-1] == p.arrests_total
