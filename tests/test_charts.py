"""The charts read at a phone's width and at the PDF's: titles that wrap, no number on a sliver,
one bar no wider than among several, a map that keeps its view; and the counts stay the Picture's."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from coordination import charts
from coordination.aggregates import (
    AgencyPairHits,
    AgencyTasks,
    DayArrests,
    EvidenceCell,
    HolderEvidence,
    JurisdictionArrests,
    Picture,
    PipelineCell,
)
from coordination.charts.action_day import _hours_at_least

NL = JurisdictionArrests("NL", "Netherlands", "NL", 52.13, 5.29, 9)
US_CA = JurisdictionArrests("US-CA", "United States (California)", "US", 36.78, -119.42, 4)
US_NY = JurisdictionArrests("US-NY", "United States (New York)", "US", 40.71, -74.01, 3)
AU = JurisdictionArrests("AU", "Australia", "AU", -25.27, 133.78, 1)


def a_picture(**changes) -> Picture:
    fields = {
        "suspects_by_status": {"lead": 1000, "identified": 50, "located": 1}, "suspects_past_lead": 51,
        "suspect_pipeline": [PipelineCell("user", "lead", 990), PipelineCell("administrator", "lead", 10),
                             PipelineCell("user", "identified", 49), PipelineCell("developer", "identified", 1),
                             PipelineCell("user", "located", 1)],
        "arrests_total": 16, "arrests_today": 0,
        "arrests_by_jurisdiction": [NL, US_CA, US_NY],
        "arrests_by_day": [DayArrests(date(2022, 11, 6), 4), DayArrests(date(2022, 11, 7), 12)],
        "evidence_awaiting_analysis": 30,
        "evidence_by_type_status": [EvidenceCell("phone", "awaiting analysis", 30), EvidenceCell("phone", "seized", 1),
                                    EvidenceCell("cash", "seized", 2)],
        "evidence_by_holder": [HolderEvidence("MET", 33)],
        "tasks_by_agency_status": [AgencyTasks("FBI", "open", 5, 2), AgencyTasks("FBI", "blocked", 1, 1)],
        "tasks_open": 6, "tasks_overdue": 3, "tasks_blocked": 1, "action_day": date(2022, 11, 7),
        "hits_between": [AgencyPairHits("FBI", "MET", 4), AgencyPairHits("MET", "MET", 2)],
    }
    return Picture(**{**fields, **changes})


def test_titles_wrap_to_a_phone_width_at_a_parenthesis_where_they_can():
    assert charts.title_lines("Partner tasks by agency and status (overdue hatched)") == [
        "Partner tasks by agency and status", "(overdue hatched)"]
    assert charts.title_lines("Arrests by jurisdiction") == ["Arrests by jurisdiction"]
    assert charts.title_lines("one two three four", width=9) == ["one two", "three", "four"]
    for name, build in charts.ALL.items():
        lines = build(a_picture()).layout.title.text.split("<br>")
        assert all(len(line) <= charts.TITLE_CHARS for line in lines), name


def test_every_title_sits_below_the_toolbar_with_room_for_two_lines():
    for build in charts.ALL.values():
        layout = build(a_picture()).layout
        assert layout.title.pad.t >= charts.TOOLBAR and layout.title.xanchor == "left"
        assert layout.margin.t >= layout.title.pad.t + 2 * charts.TITLE_LINE


def test_a_single_agency_gets_a_bar_as_wide_as_among_several():
    tasks = charts.tasks_by_agency(a_picture()).layout.xaxis.range  # one agency: FBI
    assert tasks[1] - tasks[0] >= 3
    holder = charts.evidence_by_holder(a_picture()).layout.xaxis.range
    assert holder[1] - holder[0] >= 4
    jurisdictions = charts.arrests_by_jurisdiction(a_picture(arrests_by_jurisdiction=[US_NY])).layout.yaxis.range
    assert jurisdictions[0] - jurisdictions[1] >= 6 and jurisdictions[1] == -0.5  # from the top down


def test_the_map_keeps_europe_and_the_us_in_view_and_widens_for_a_point_beyond():
    only_us = charts.arrests_map(a_picture(arrests_by_jurisdiction=[US_NY])).layout.geo
    assert only_us.fitbounds is False
    assert tuple(only_us.lonaxis.range) == charts.MAP_LONGITUDES
    assert tuple(only_us.lataxis.range) == charts.MAP_LATITUDES
    with_australia = charts.arrests_map(a_picture(arrests_by_jurisdiction=[NL, AU])).layout.geo
    assert with_australia.lonaxis.range[1] >= AU.longitude and with_australia.lataxis.range[0] <= AU.latitude


def test_slivers_of_a_stack_carry_no_number_and_every_stack_its_total():
    figure = charts.suspect_pipeline(a_picture())
    texts = {(trace.name, status): str(text) for trace in figure.data
             for status, text in zip(trace.x, trace.text, strict=True)}
    assert texts[("user", "lead")] == "990" and texts[("administrator", "lead")] == ""  # 10 of 1,000: 1 %
    assert texts[("user", "identified")] == "49" and texts[("developer", "identified")] == ""
    assert {a.text for a in figure.layout.annotations} >= {"1,000", "50", "1"}
    assert figure.layout.uniformtext.mode == "hide"


# what each chart of a_picture() adds up to: every chart is here, so none is left unchecked
COUNTS = {"arrests_by_jurisdiction": 16, "arrests_map": 16, "arrests_over_time": 16, "suspect_pipeline": 1051,
          "tasks_by_agency": 6 + 3, "evidence_by_type": 33, "evidence_by_holder": 33, "hits_between_agencies": 6}


def counts_drawn(name: str, figure) -> list[int]:
    """The numbers a chart's marks stand for."""
    if name == "arrests_map":  # a bubble per jurisdiction, named with its count
        return [int(text.rpartition(": ")[2].replace(",", "")) for text in figure.data[0].hovertext]
    if name == "arrests_over_time":  # arrests so far: each day's arrests are its step up
        so_far = list(figure.data[0].y)
        return [now - before for before, now in zip([0, *so_far], so_far, strict=False)]
    return [n for trace in figure.data if trace.type == "bar" for n in (trace.x if trace.orientation == "h"
                                                                        else trace.y)]


@pytest.mark.parametrize("name", charts.ALL)
def test_the_counts_are_the_pictures(name):
    assert set(COUNTS) == set(charts.ALL)
    assert sum(counts_drawn(name, charts.ALL[name](a_picture()))) == COUNTS[name]


def test_the_map_and_the_timeline_draw_each_jurisdiction_and_day_of_the_picture():
    picture = a_picture()
    bubbles, numbers = charts.arrests_map(picture).data
    assert list(bubbles.customdata) == ["NL", "US-CA", "US-NY"]
    assert list(zip(bubbles.lat, bubbles.lon, strict=True)) == [(j.latitude, j.longitude)
                                                                for j in picture.arrests_by_jurisdiction]
    assert list(numbers.text) == ["9", "4", "3"]  # each at least a fifth of the biggest: all carry their number
    [line] = charts.arrests_over_time(picture).data
    assert list(line.x) == [date(2022, 11, 6), date(2022, 11, 7)] and list(line.y) == [4, 16]
    [between, within] = charts.hits_between_agencies(picture).data[0].y
    assert (between, within) == ("FBI and MET", "within MET")


def test_charts_draw_an_empty_picture():
    """Nothing to draw is drawn as nothing: no bar, point or bubble, and no number but a stack's total of 0."""
    empty = a_picture(suspects_by_status={}, suspects_past_lead=0, suspect_pipeline=[], arrests_total=0,
                      arrests_by_jurisdiction=[], arrests_by_day=[], evidence_awaiting_analysis=0,
                      evidence_by_type_status=[], evidence_by_holder=[], tasks_by_agency_status=[], tasks_open=0,
                      tasks_overdue=0, tasks_blocked=0, action_day=None, hits_between=[])
    for name, build in charts.ALL.items():
        figure = build(empty).to_dict()
        marks = {key: trace[key] for trace in figure["data"] for key in ("x", "y", "lat", "lon", "text")
                 if len(trace.get(key, ()))}
        assert not marks, (name, marks)
        assert {note["text"] for note in figure["layout"].get("annotations", ())} <= {"0"}, name
    assert "0 in all" in charts.arrests_over_time(empty).layout.title.text


def test_a_selection_is_named_as_the_chart_shows_it():
    assert charts.shown_names("arrests_by_jurisdiction", a_picture())["NL"] == "Netherlands"
    assert charts.shown_names("arrests_map", a_picture())["US-NY"] == "United States (New York)"
    assert charts.shown_names("tasks_by_agency", a_picture()) == {}  # agencies show as their codes


def test_the_action_day_timeline_keeps_an_axis_of_hours_for_packages_at_one_moment():
    at = datetime(2026, 11, 27, 0, 20, tzinfo=UTC)
    assert _hours_at_least([at, None, at]) == {"range": [at - timedelta(hours=1), at + timedelta(hours=1)]}
    assert _hours_at_least([at, at + timedelta(hours=5)]) == {}  # wide enough: drawn as it is
    assert _hours_at_least([]) == {}
