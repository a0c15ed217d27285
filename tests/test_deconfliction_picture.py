"""The operation picture's deconfliction figures, chart and briefing section, on SQLite and PostgreSQL:
counted through the same telling rule as the hits listed (a RED record's hit told to its owner only,
a third agency told nothing), agencies and days filtered, requests overdue after 48 hours, and never
an identifier's value in the briefing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from coordination import charts, deconfliction_key, services
from coordination.aggregates import AgencyPairHits, Filters, PendingRequests, picture
from coordination.briefing.contents import gather
from coordination.kinds import SUSPECTS
from coordination.models import ContactRequest, Hit
from coordination.queries import hits
from coordination.standing_data import DEMO_USERS
from tests.conftest import suspect

PHONE, EMAIL = "phone number", "e-mail address"


@pytest.fixture
def told(store, tmp_path, monkeypatch):
    """MET and FBI share a phone number (FBI asked MET for contact); MET and NL-POLICE an address that
    NL-POLICE holds on a RED record; two MET suspects one more address (a possible duplicate)."""
    path = deconfliction_key.make_key_file(tmp_path / "deconfliction.key")
    monkeypatch.setenv(deconfliction_key.ENVIRONMENT, str(path))
    met, fbi, nl = (store.principal(s) for s in ("liaison.met", "liaison.fbi", "liaison.nl-police"))
    with store.writer() as s:
        m1, m2 = suspect(s, met, "M-1").id, suspect(s, met, "M-2").id
        f1, n1 = suspect(s, fbi, "F-1").id, suspect(s, nl, "N-RED", tlp="RED").id
    for who, record, kind, value in [
            (met, m1, PHONE, "020 7946 0018"), (fbi, f1, PHONE, "+44 20 7946 0018"),
            (met, m1, EMAIL, "ven.bar.1@example.org"), (nl, n1, EMAIL, "Ven.Bar.1@example.org"),
            (met, m2, EMAIL, "ollin.2@example.net"), (met, m1, EMAIL, "OLLIN.2@example.net")]:
        with store.writer() as s:
            services.add_identifier(s, who, SUSPECTS, record, kind, value)
    with store.reader() as s:
        phone_hit = next(row.id for row in hits.hits_for_agency(s, fbi))
    with store.writer() as s:
        services.ask_for_contact(s, fbi, phone_hit, "Same number as our subject in California")
    return store


def seen(store, subject: str, filters: Filters = Filters()):
    with store.reader() as session:
        return picture(session, store.principal(subject), filters)


@pytest.mark.parametrize(("subject", "pairs", "pending"), [
    ("liaison.met", [("FBI", "MET", 1), ("MET", "MET", 1)], [("FBI", "MET", 1, 0)]),
    ("liaison.fbi", [("FBI", "MET", 1)], [("FBI", "MET", 1, 0)]),
    ("liaison.nl-police", [("MET", "NL-POLICE", 1)], []),  # the RED record's owner alone is told
    ("liaison.nca", [], []),
    ("commander.met", [("FBI", "MET", 1), ("MET", "MET", 1)], [("FBI", "MET", 1, 0)]),  # never a RED one
])
def test_hits_are_counted_by_agency_pair_as_they_are_told(told, subject, pairs, pending):
    figures = seen(told, subject)
    assert figures.hits_between == [AgencyPairHits(*pair) for pair in pairs]
    assert figures.requests_pending == [PendingRequests(*row) for row in pending]
    assert figures.open_hits == sum(pair[2] for pair in pairs)


def test_the_counts_agree_with_the_hits_each_person_is_listed(told):
    for user in DEMO_USERS:
        who = told.principal(user.subject)
        with told.reader() as session:
            assert picture(session, who).open_hits == len(hits.hits_for_agency(session, who)), user.subject


def test_the_filters_narrow_the_hits_by_agency_and_day_found(told):
    assert seen(told, "commander.met", Filters(agencies=("FBI",))).hits_between == [AgencyPairHits("FBI", "MET", 1)]
    assert seen(told, "commander.met", Filters(agencies=("NCA",))).hits_between == []
    assert seen(told, "commander.met", Filters(until=date(2020, 1, 1))).hits_between == []
    with told.reader() as session:  # the days the hits were found on, not the clock's (a fixture run across
        found = [at.date() for at in session.scalars(select(Hit.found_at))]  # midnight UTC finds them too)
    assert seen(told, "commander.met", Filters(since=min(found))).open_hits == 2
    assert seen(told, "commander.met", Filters(since=max(found) + timedelta(days=1))).open_hits == 0


def test_a_request_unanswered_for_48_hours_is_counted_overdue(told):
    with told.writer() as session:
        request = session.scalar(select(ContactRequest))
        request.requested_at = datetime.now(UTC) - timedelta(hours=49)
        session.commit()
    assert seen(told, "commander.met").requests_pending == [PendingRequests("FBI", "MET", 1, 1)]


def test_closed_hits_are_not_counted(told):
    commander = told.principal("commander.met")
    with told.writer() as session:
        services.add_exclusion(session, commander, PHONE, "+442079460018", "a bank's number: matches everywhere")
    assert seen(told, "liaison.fbi").hits_between == [] and seen(told, "liaison.fbi").requests_pending == []
    with told.reader() as session:
        assert session.scalar(select(Hit.closed_reason).where(Hit.closed_at.is_not(None))) == "excluded"


def test_the_chart_names_agency_pairs_and_tells_duplicates_apart(told):
    figure = charts.hits_between_agencies(seen(told, "liaison.met"))
    bar = figure.data[0]
    assert list(bar.y) == ["FBI and MET", "within MET"] and list(bar.x) == [1, 1]
    assert bar.marker.color[0] != bar.marker.color[1]
    assert "Open hits between agencies" in figure.layout.title.text


def test_the_briefing_counts_hits_and_requests_and_names_no_value(told):
    with told.reader() as session:
        contents = gather(session, told.principal("liaison.met"))
    tables = {table.title: table for table in contents.tables}
    assert tables["Deconfliction: open hits between agencies"].rows == [("FBI and MET", "1"),
                                                                        ("within MET (possible duplicates)", "1")]
    assert tables["Deconfliction: requests for contact not answered"].rows == [("FBI", "MET", "1", "0")]
    text = repr(contents.tables)
    assert not any(value in text for value in ("7946", "ven.bar", "ollin", "example"))
