"""H-hours that cannot be misread: a planned H-hour is typed as the local time in its jurisdiction's
zone and saved in UTC. A local time the clocks skip is refused naming the valid ones; one that happens
twice is asked about; spreadsheets keep reading explicit UTC times and offsets only. The dates are
fixed (2027's changes), so that the tests pass whenever they run, near midnight UTC and across DST.

The form (AppTest): the jurisdiction picked by name, its zone and abbreviation named by the H-hour,
the time now there by default, the UTC moment shown before saving, the choice asked only when needed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from coordination import fields, services
from coordination.errors import ValidationError
from coordination.models import TargetPackage
from tests.helpers import open_page
from tests.test_records_ui import said

LA, LONDON, AMSTERDAM = "America/Los_Angeles", "Europe/London", "Europe/Amsterdam"
GAP_IN_CALIFORNIA = ("02:30 does not exist in America/Los_Angeles on 14 March 2027 (clocks go forward from 02:00 PST "
                     "to 03:00 PDT): choose 01:59 PST or earlier, or 03:00 PDT or later")
TWICE_IN_CALIFORNIA = ("01:30 happens twice in America/Los_Angeles on 7 November 2027 (clocks go back from 02:00 PDT "
                       "to 01:00 PST): choose PDT (UTC-7), the first, or PST (UTC-8), the second")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# --- the parser (pure) -----------------------------------------------------------------------------

@pytest.mark.parametrize(("wall", "zone", "saved"), [
    (datetime(2027, 7, 7, 6, 0), LA, utc(2027, 7, 7, 13, 0)),  # PDT, UTC-7
    (datetime(2027, 1, 15, 6, 0), LA, utc(2027, 1, 15, 14, 0)),  # PST, UTC-8
    (datetime(2027, 7, 1, 6, 0), LONDON, utc(2027, 7, 1, 5, 0)),  # BST, UTC+1
    (datetime(2027, 12, 1, 6, 0), LONDON, utc(2027, 12, 1, 6, 0)),  # GMT, UTC+0
    (datetime(2027, 7, 1, 6, 0), AMSTERDAM, utc(2027, 7, 1, 4, 0)),  # CEST, UTC+2
    (datetime(2027, 12, 1, 6, 0), AMSTERDAM, utc(2027, 12, 1, 5, 0)),  # CET, UTC+1
    (datetime(2027, 12, 31, 23, 30), LA, utc(2028, 1, 1, 7, 30)),  # another day, and year, in UTC
    (datetime(2027, 3, 14, 1, 59), LA, utc(2027, 3, 14, 9, 59)),  # the last minute before the gap
    (datetime(2027, 3, 14, 3, 0), LA, utc(2027, 3, 14, 10, 0)),  # the first after it
])
def test_a_local_time_is_saved_as_its_utc_moment(wall, zone, saved):
    assert fields.local_to_utc(wall, zone) == saved
    assert fields.planned_moment(None, f"{wall:%Y-%m-%dT%H:%M} {zone}") == saved  # as the form sends it


@pytest.mark.parametrize(("wall", "zone", "words"), [
    (datetime(2027, 3, 14, 2, 30), LA, GAP_IN_CALIFORNIA),
    (datetime(2027, 3, 28, 1, 30), LONDON, "01:30 does not exist in Europe/London on 28 March 2027 (clocks go "
     "forward from 01:00 GMT to 02:00 BST): choose 00:59 GMT or earlier, or 02:00 BST or later"),
    (datetime(2027, 3, 28, 2, 0), AMSTERDAM, "02:00 does not exist in Europe/Amsterdam on 28 March 2027 (clocks go "
     "forward from 02:00 CET to 03:00 CEST): choose 01:59 CET or earlier, or 03:00 CEST or later"),
])
def test_a_local_time_the_clocks_skip_is_refused_naming_the_valid_ones(wall, zone, words):
    with pytest.raises(fields.NonexistentTime) as refused:
        fields.local_to_utc(wall, zone)
    assert str(refused.value) == words
    with pytest.raises(ValueError, match="does not exist"):
        fields.local_to_utc(wall, zone, "UTC+0")  # no choice makes it exist


def test_a_local_time_that_happens_twice_is_refused_unless_the_person_says_which():
    wall = datetime(2027, 11, 7, 1, 30)
    with pytest.raises(fields.AmbiguousTime) as asked:
        fields.local_to_utc(wall, LA)
    assert str(asked.value) == TWICE_IN_CALIFORNIA
    assert asked.value.choices == (("PDT", utc(2027, 11, 7, 8, 30)), ("PST", utc(2027, 11, 7, 9, 30)))
    for said_as, saved in [("PDT", utc(2027, 11, 7, 8, 30)), ("pst", utc(2027, 11, 7, 9, 30)),
                           ("UTC-7", utc(2027, 11, 7, 8, 30)), ("-08:00", utc(2027, 11, 7, 9, 30))]:
        assert fields.local_to_utc(wall, LA, said_as) == saved
    with pytest.raises(fields.AmbiguousTime, match=r"\('CET' is neither\): choose PDT"):
        fields.local_to_utc(wall, LA, "CET")
    with pytest.raises(fields.AmbiguousTime, match="01:30 happens twice in Europe/London on 31 October 2027 "
                       r"\(clocks go back from 02:00 BST to 01:00 GMT\): choose BST \(UTC\+1\), the first, or GMT"):
        fields.local_to_utc(datetime(2027, 10, 31, 1, 30), LONDON)


def test_a_zone_named_time_with_its_choice_is_read_as_a_form_or_a_file_may_write_it():
    assert fields.planned_moment(None, "2027-11-07 01:30 America/Los_Angeles PST") == utc(2027, 11, 7, 9, 30)
    assert fields.planned_moment(None, "2027-11-07T01:30:00 America/Los_Angeles PDT") == utc(2027, 11, 7, 8, 30)
    with pytest.raises(fields.AmbiguousTime, match="happens twice"):
        fields.planned_moment(None, "2027-11-07T01:30 America/Los_Angeles")
    with pytest.raises(ValueError, match="is PDT \\(UTC-7\\), not PST"):  # a choice where there is none to make
        fields.planned_moment(None, "2027-07-07T06:00 America/Los_Angeles PST")
    with pytest.raises(ValueError, match="'Nowhere/Land' is not a time zone name"):
        fields.planned_moment(None, "2027-07-07T06:00 Nowhere/Land")
    with pytest.raises(ValueError, match="is not a time in the form"):
        fields.planned_moment(None, "2027-07-07T06:00 ../../etc/passwd")
    with pytest.raises(ValueError, match="is not a plausible time"):
        fields.planned_moment(None, "2191-07-07T06:00 Europe/London")


@pytest.mark.parametrize(("written", "saved"), [
    ("2030-11-07T06:00:00Z", utc(2030, 11, 7, 6, 0)),
    ("2030-11-07T06:00:00+01:00", utc(2030, 11, 7, 5, 0)),
    ("2030-07-07T06:00:00-07:00", utc(2030, 7, 7, 13, 0)),
])
def test_spreadsheets_keep_their_meaning_an_explicit_utc_time_or_offset(written, saved):
    assert fields.planned_moment(None, written) == saved
    with pytest.raises(ValueError, match="has no time zone"):  # never guessed, as before
        fields.planned_moment(None, written[:19])


def test_a_zone_is_named_with_what_its_clocks_read_then():
    assert fields.zone_now(LA, utc(2027, 7, 1, 12, 0)) == "America/Los_Angeles, PDT (UTC-7)"
    assert fields.zone_now(LA, utc(2027, 1, 1, 12, 0)) == "America/Los_Angeles, PST (UTC-8)"
    assert fields.zone_now("Asia/Kolkata", utc(2027, 1, 1, 12, 0)) == "Asia/Kolkata, IST (UTC+5:30)"
    assert fields.zone_now(LONDON, utc(2027, 1, 1, 12, 0)) == "Europe/London, GMT (UTC+0)"


# --- the service: what the form sends when a time is not one moment is refused in the same words ---

@pytest.mark.usefixtures("key_file")
def test_the_service_refuses_a_skipped_or_doubled_local_time_under_the_h_hour(sqlite_store):
    data = {"reference": "P-1", "jurisdiction": "US-CA", "address": "1 Ocean Avenue, Los Angeles",
            "team_call_sign": "ECHO-1", "legal_authority": "Warrant US/1"}
    with sqlite_store.writer() as s, pytest.raises(ValidationError) as refused:
        services.create_package(s, sqlite_store.principal("liaison.fbi"),
                                data | {"h_hour": "2027-03-14T02:30 America/Los_Angeles"})
    assert refused.value.problems == {"h_hour": GAP_IN_CALIFORNIA}
    with sqlite_store.writer() as s, pytest.raises(ValidationError) as asked:
        services.create_package(s, sqlite_store.principal("liaison.fbi"),
                                data | {"h_hour": "2027-11-07T01:30 America/Los_Angeles"})
    assert asked.value.problems == {"h_hour": TWICE_IN_CALIFORNIA}


# --- the form (AppTest) -----------------------------------------------------------------------------

NEW = "packages-new"
CREATE = "packages-create-Create"


@pytest.fixture
def form(sqlite_store, monkeypatch, key_file):
    """The new-package form of MET's liaison, the required words typed, no jurisdiction chosen yet."""
    del key_file
    monkeypatch.setenv("COORD_DATABASE_URL", str(sqlite_store.engine.url))
    at = open_page("liaison.met", "packages")
    for name, value in {"reference": "P-NEW", "address": "1 Ocean Avenue, Los Angeles", "team_call_sign": "ECHO-1",
                        "legal_authority": "Warrant US/1"}.items():
        at.text_input(key=f"{NEW}-{name}").input(value)
    return at


def saved_h_hour(store) -> datetime | None:
    with store.reader() as s:
        return s.scalar(select(TargetPackage.h_hour).where(TargetPackage.reference == "P-NEW"))


def pick(at, jurisdiction: str, day: date | None = None, at_time: dt_time | None = None):
    at.selectbox(key=f"{NEW}-jurisdiction").select(jurisdiction)
    if day is not None:
        at.date_input(key=f"{NEW}-h_hour-date").set_value(day)
    if at_time is not None:
        at.time_input(key=f"{NEW}-h_hour-time").set_value(at_time)
    at.run()
    assert not at.exception
    return at


def create(at):
    at.button(key=CREATE).click().run()
    assert not at.exception
    return at


def captions(at) -> str:
    return " | ".join(said(at.caption))


def test_jurisdictions_are_picked_by_name_and_stored_by_code(form, sqlite_store):
    picker = form.selectbox(key=f"{NEW}-jurisdiction")
    assert "United States (California)" in picker.options and "England and Wales" in picker.options
    assert "US-CA" not in picker.options
    pick(form, "US-CA", date(2027, 7, 7), dt_time(6, 0))
    assert form.selectbox(key=f"{NEW}-jurisdiction").value == "US-CA"
    create(form)
    assert "Created P-NEW." in said(form.success), said(form.error)
    with sqlite_store.reader() as s:
        assert s.scalar(select(TargetPackage).where(TargetPackage.reference == "P-NEW")).jurisdiction.code == "US-CA"


def test_the_zone_is_named_and_the_time_now_there_is_the_default(form):
    assert "The planned H-hour is the local time in the jurisdiction chosen" in captions(form)
    assert "Times are in UTC." not in captions(form)
    assert "choose the jurisdiction above" in captions(form)
    before = datetime.now(ZoneInfo(LA))
    pick(form, "US-CA")
    after = datetime.now(ZoneInfo(LA))
    assert f"local time in United States (California), {fields.zone_now(LA)} now" in captions(form).replace("*", "")
    shown = datetime.combine(form.date_input(key=f"{NEW}-h_hour-date").value,
                             form.time_input(key=f"{NEW}-h_hour-time").value)
    assert before.replace(tzinfo=None, second=0, microsecond=0) <= shown <= after.replace(tzinfo=None)
    pick(form, "NL")  # untouched: now in the zone chosen instead
    shown = datetime.combine(form.date_input(key=f"{NEW}-h_hour-date").value,
                             form.time_input(key=f"{NEW}-h_hour-time").value)
    now_there = datetime.now(ZoneInfo(AMSTERDAM)).replace(tzinfo=None)
    assert timedelta(0) <= now_there - shown < timedelta(minutes=2)


@pytest.mark.parametrize(("jurisdiction", "day", "saved", "words"), [
    ("US-CA", date(2027, 7, 7), utc(2027, 7, 7, 13, 0), "Saved as Wed 07 Jul 2027 13:00 UTC: 06:00 PDT (UTC-7) in "
     "America/Los_Angeles."),
    ("GB-EAW", date(2027, 7, 1), utc(2027, 7, 1, 5, 0), "Saved as Thu 01 Jul 2027 05:00 UTC: 06:00 BST (UTC+1)"),
    ("GB-EAW", date(2027, 12, 1), utc(2027, 12, 1, 6, 0), "Saved as Wed 01 Dec 2027 06:00 UTC: 06:00 GMT (UTC+0)"),
    ("NL", date(2027, 7, 1), utc(2027, 7, 1, 4, 0), "Saved as Thu 01 Jul 2027 04:00 UTC: 06:00 CEST (UTC+2)"),
])
def test_the_utc_moment_is_shown_before_saving_and_saved(form, sqlite_store, jurisdiction, day, saved, words):
    pick(form, jurisdiction, day, dt_time(6, 0))
    assert words in captions(form).replace("*", "")
    assert saved_h_hour(sqlite_store) is None  # shown, not yet saved
    create(form)
    assert "Created P-NEW." in said(form.success), said(form.error)
    assert saved_h_hour(sqlite_store).replace(tzinfo=UTC) == saved


def test_a_typed_time_stays_when_the_jurisdiction_changes_and_is_read_there(form):
    pick(form, "US-CA", date(2027, 7, 7), dt_time(6, 0))
    pick(form, "GB-EAW")
    assert form.time_input(key=f"{NEW}-h_hour-time").value == dt_time(6, 0)
    assert "Saved as Wed 07 Jul 2027 05:00 UTC: 06:00 BST" in captions(form).replace("*", "")


def test_a_time_the_clocks_skip_is_refused_before_and_at_saving_naming_the_valid_ones(form, sqlite_store):
    pick(form, "US-CA", date(2027, 3, 14), dt_time(2, 30))
    assert GAP_IN_CALIFORNIA in said(form.error)
    create(form)
    assert saved_h_hour(sqlite_store) is None
    assert "Planned H-hour " + GAP_IN_CALIFORNIA in said(form.error)
    pick(form, "US-CA", at_time=dt_time(3, 0))
    create(form)
    assert "Created P-NEW." in said(form.success), said(form.error)
    assert saved_h_hour(sqlite_store).replace(tzinfo=UTC) == utc(2027, 3, 14, 10, 0)


@pytest.mark.parametrize(("choice", "saved"), [("PDT", utc(2027, 11, 7, 8, 30)), ("PST", utc(2027, 11, 7, 9, 30))])
def test_a_time_that_happens_twice_asks_which_and_saves_the_one_chosen(form, sqlite_store, choice, saved):
    assert not [r for r in form.radio if r.key and r.key.startswith(NEW)]  # asked only when needed
    pick(form, "US-CA", date(2027, 11, 7), dt_time(1, 30))
    which = form.radio(key=f"{NEW}-h_hour-twice")
    assert which.value is None and which.options == ["01:30 PDT, the first (08:30 UTC)",
                                                     "01:30 PST, the second (09:30 UTC)"]
    create(form)  # not answered: nothing saved, the question said under the field
    assert saved_h_hour(sqlite_store) is None
    assert "Planned H-hour " + TWICE_IN_CALIFORNIA in said(form.error)
    form.radio(key=f"{NEW}-h_hour-twice").set_value(choice).run()
    assert f"Saved as Sun 07 Nov 2027 {saved:%H:%M} UTC: 01:30 {choice}" in captions(form).replace("*", "")
    create(form)
    assert "Created P-NEW." in said(form.success), said(form.error)
    assert saved_h_hour(sqlite_store).replace(tzinfo=UTC) == saved
