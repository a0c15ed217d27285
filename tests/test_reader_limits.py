"""The reader carries its limit (issue 24): a shareable briefing "up to X" holds nothing marked above X
in any section, because every read takes the one reader (`Principal.up_to`) and `policy` applies it:
the action day's subjects, the deconfliction counts and requests, the picture's figures, the pinned
decisions and the changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from coordination import briefing, services
from coordination.aggregates import picture
from coordination.markings import TLP
from coordination.models import PackageStatus
from tests.test_action_day import walk
from tests.test_briefing import brief, text_of
from tests.test_deconfliction_picture import told  # noqa: F401 (a fixture used below)


def _tables(result) -> dict:
    return {table.title: table for table in result.contents.tables}


@pytest.fixture
def arrests_made(store, key_file):
    """MET's AMBER package for S-OPEN (AMBER) and S-STRICT (AMBER+STRICT), taken to "arrest made" an
    hour ago (inside the board's live window whatever the time of day)."""
    met = store.principal("liaison.met")
    h_hour = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    with store.writer() as s:
        services.create_suspect(s, met, {"reference": "S-OPEN", "full_name": "Synthetic Open", "tier": "user",
                                         "status": "located", "tlp": "AMBER"})
        services.create_suspect(s, met, {"reference": "S-STRICT", "full_name": "Synthetic Strict", "tier": "user",
                                         "status": "located", "tlp": "AMBER+STRICT"})
        package = services.create_package(s, met, {
            "reference": "PKG-AMBER", "jurisdiction": "GB-EAW", "address": "1 Limit Street, London",
            "team_call_sign": "ALPHA-1", "legal_authority": "Warrant W/1", "h_hour": h_hour, "tlp": "AMBER",
            "subjects": "S-OPEN, S-STRICT"})
    walk(store, package.id, PackageStatus.ARREST_MADE)
    return store


def test_a_shareable_briefing_names_no_subject_above_its_marking_in_the_arrests_made(arrests_made):
    full, _ = brief(arrests_made, "commander.met")
    shared, pdf = brief(arrests_made, "commander.met", audience=briefing.Audience(up_to="AMBER"))
    subjects = {row[0]: row[3] for row in _tables(full)["Action day: arrests made"].rows}
    assert subjects["PKG-AMBER"] == "S-OPEN, S-STRICT"  # the author reads both
    shared_subjects = {row[0]: row[3] for row in _tables(shared)["Action day: arrests made"].rows}
    assert shared_subjects["PKG-AMBER"] == "S-OPEN"  # the package is within AMBER; S-STRICT is not
    assert "S-STRICT" not in text_of(pdf)


def test_a_shareable_briefing_counts_only_the_hits_and_requests_within_its_marking(told):  # noqa: F811
    """The `told` hits are between AMBER suspects: an AMBER briefing counts them, a GREEN or CLEAR one
    holds no hit, no request, and its picture none either."""
    amber, _ = brief(told, "liaison.met", audience=briefing.Audience(up_to="AMBER"))
    assert _tables(amber)["Deconfliction: open hits between agencies"].rows == [
        ("FBI and MET", "1"), ("within MET (possible duplicates)", "1")]
    assert _tables(amber)["Deconfliction: requests for contact not answered"].rows == [("FBI", "MET", "1", "0")]
    for limit in ("GREEN", "CLEAR"):
        shared, pdf = brief(told, "liaison.met", audience=briefing.Audience(up_to=limit))
        assert _tables(shared)["Deconfliction: open hits between agencies"].rows == []
        assert _tables(shared)["Deconfliction: requests for contact not answered"].rows == []
        assert "FBI and MET" not in text_of(pdf)
    with told.reader() as session:
        limited = picture(session, told.principal("commander.met").within(TLP.GREEN))
        unlimited = picture(session, told.principal("commander.met"))
    assert limited.open_hits == 0 and limited.pending_requests == 0
    assert unlimited.open_hits == 2 and unlimited.pending_requests == 1


def test_a_limit_is_never_raised_and_a_page_has_none(store):
    commander = store.principal("commander.met")
    assert commander.up_to is None and commander.within(None) is commander
    amber = commander.within(TLP.AMBER)
    assert amber.up_to is TLP.AMBER and amber.within(TLP.RED).up_to is TLP.AMBER
    assert amber.within(TLP.CLEAR).up_to is TLP.CLEAR
