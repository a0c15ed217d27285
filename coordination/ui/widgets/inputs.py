"""One input per field, chosen by what the field holds: a list to choose from, a date, a time in
UTC (London time shown beside it), a planned H-hour in its jurisdiction's local time (its zone named,
the UTC moment it is saved as shown beside it), a record picked among those the person may read, or text.

Every input returns the text an export would hold for the value ("" for none), so forms, imports
and exports agree on what a value looks like; the services parse it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import streamlit as st

from coordination import fields as f
from coordination.db import read_session
from coordination.exports import TIME_FORMAT
from coordination.fields import Field
from coordination.kinds import LinkTo, of
from coordination.markings import TLP
from coordination.queries import people, records
from coordination.text import plain
from coordination.ui.widgets.context import (
    engine,
    jurisdiction_codes,
    jurisdiction_names,
    jurisdiction_zones,
    partner_codes,
    principal,
)

LONDON = ZoneInfo("Europe/London")
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2100, 12, 31)  # plausible for the case
CLASSIFICATIONS = ["OFFICIAL", "OFFICIAL-SENSITIVE"]
LONG_TEXT = ("notes", "description")


def label(name: str, spec: Field) -> str:
    return spec.label_for(name) + (" *" if spec.required else "")


def field_input(name: str, spec: Field, value: str, key: str, *, disabled: bool = False, long_text: bool = True,
                owning_agency: str | None = None, jurisdiction: str | None = None) -> str:
    """Draw the input for one field holding `value` (export text); return what the person left in it.
    A planned time is read in `jurisdiction`'s local time (the form's, as last chosen or sent)."""
    parse = spec.parse
    text = label(name, spec)
    required = " *" if spec.required else ""
    if parse is f.moment:
        return _moment(spec.label_for(name), required, value, key, disabled)
    if parse is f.planned_moment:
        return _planned(spec.label_for(name), required, value, key, disabled, jurisdiction)
    if parse is f.day:
        return _day(text, value, key, disabled)
    options = _options(name, parse, owning_agency)
    if options is not None:
        return _choose(text, options, value, key, disabled, spec.required, free=_free_text(parse))
    if name in LONG_TEXT and long_text:
        return st.text_area(text, value, key=key, disabled=disabled)
    return st.text_input(text, value, key=key, disabled=disabled)


def _options(name: str, parse, owning_agency: str | None) -> dict[str, str] | None:
    """value -> what the person reads, when the field takes one of a list (None: free text)."""
    if isinstance(parse, f.Choice):
        return {option: option for option in parse.options}
    if parse is f.tlp:
        return {t.value: t.label for t in TLP}
    if parse is f.classification:
        return {c: c for c in CLASSIFICATIONS}
    if parse is f.agency:
        return {code: code for code in partner_codes()}
    if parse is f.jurisdiction:  # picked by name, sent by code
        names = jurisdiction_names()
        return {code: names.get(code, code) for code in jurisdiction_codes()}
    if parse is f.user:
        with read_session(engine()) as session:
            return people.assignable(session, principal(), owning_agency)
    if isinstance(parse, LinkTo):
        with read_session(engine()) as session:
            keys = records.keys_offered(session, principal(), of(parse.links_to))
        return {key: key for key in sorted(keys)}
    return None


def _free_text(parse) -> bool:
    """Links and people may be typed when not among the offered ones (the service checks them)."""
    return parse is f.user or isinstance(parse, LinkTo)


def _choose(text: str, options: dict[str, str], value: str, key: str, disabled: bool, required: bool,
            free: bool) -> str:
    choices = list(options)
    if value and value not in options:
        choices.insert(0, value)
    if not required:
        choices.insert(0, "")
    chosen = st.selectbox(text, choices, index=choices.index(value) if value in choices else None, key=key,
                          disabled=disabled, format_func=lambda v: options.get(v, v) if v else "(none)",
                          placeholder="Choose or type to search" if free else "Choose",
                          accept_new_options=free)
    return chosen or ""


def _moment(text: str, required: str, value: str, key: str, disabled: bool) -> str:
    """A point in time, picked as a date and a time (to the minute) in UTC, London time shown beside it."""
    loaded = _parse_moment(value)
    shown = loaded or datetime.now(UTC).replace(second=0, microsecond=0)
    day_column, time_column = st.columns(2)
    day = day_column.date_input(f"{text} (date, UTC){required}", shown.date(), min_value=FIRST_DAY,
                                max_value=LAST_DAY, key=f"{key}-date", disabled=disabled, format="YYYY-MM-DD")
    at = time_column.time_input(f"{text} (time, UTC){required}", shown.time().replace(tzinfo=None), step=60,
                                key=f"{key}-time", disabled=disabled)
    if day is None or at is None:
        return ""
    chosen = datetime.combine(day, time(at.hour, at.minute), UTC)
    st.caption(f"{chosen:%d %b %Y %H:%M} UTC · {chosen.astimezone(LONDON):%H:%M} London time")
    if loaded is not None and loaded.replace(second=0) == chosen:
        return value  # unchanged to the minute: keep the stored seconds
    return chosen.strftime(TIME_FORMAT)


def _planned(text: str, required: str, value: str, key: str, disabled: bool, jurisdiction: str | None) -> str:
    """A planned H-hour: a date and a time (to the minute) on the clocks of `jurisdiction`, its zone named
    above them and the UTC moment it will be saved as shown below them. The forms that hold one are live
    (record_forms), so both follow each change, the jurisdiction's too, before anything is saved.

    Until the person changes them the inputs hold the loaded H-hour, or for a new package the time now,
    on the chosen jurisdiction's clocks; once changed, the typed wall time stays and is read in whichever
    jurisdiction is chosen. A time the clocks skip is refused under the inputs naming the valid ones; a
    time that happens twice asks which of the two (a choice shown only then, none preselected).

    Returns the UTC moment as export text; when the local time is not one moment, the local time with its
    zone's name (fields.ZONED), which the service refuses in the same words, so nothing is saved."""
    zone = jurisdiction_zones().get(jurisdiction or "")
    loaded = _parse_moment(value)
    place = ZoneInfo(zone) if zone else UTC
    day_key, time_key, held_key = f"{key}-date", f"{key}-time", f"{key}-held"
    held = st.session_state.get(held_key)  # (zone, date, time) the form itself last put in the inputs
    drawn = day_key in st.session_state and time_key in st.session_state  # not when the form was just opened
    touched = drawn and held is not None and (st.session_state[day_key], st.session_state[time_key]) != held[1:]
    if not drawn or (not touched and (held is None or held[0] != zone)):
        start = (loaded or datetime.now(UTC)).astimezone(place)
        st.session_state[day_key], st.session_state[time_key] = start.date(), time(start.hour, start.minute)
        st.session_state[held_key] = (zone, start.date(), time(start.hour, start.minute))
    if zone is None:
        st.caption(f"{text}: local time in the jurisdiction; choose the jurisdiction above.")
    else:
        name = jurisdiction_names().get(jurisdiction or "", jurisdiction or "")
        st.caption(f"{text}: local time in {plain(name)}, **{plain(f.zone_now(zone))}** now.")
    day_column, time_column = st.columns(2)
    day = day_column.date_input(f"{text} (date, local time){required}", min_value=FIRST_DAY, max_value=LAST_DAY,
                                key=day_key, disabled=disabled, format="YYYY-MM-DD")
    at = time_column.time_input(f"{text} (time, local time){required}", step=60, key=time_key, disabled=disabled)
    if day is None or at is None or zone is None:
        return ""
    wall = datetime.combine(day, time(at.hour, at.minute))
    chosen: datetime | None
    try:
        chosen = f.local_to_utc(wall, zone)
    except f.AmbiguousTime as twice:
        chosen = _which_of_two(twice, wall, zone, key, loaded, disabled)
    except ValueError as problem:  # the clocks skip it
        st.error(plain(str(problem)))
        chosen = None
    if chosen is None:
        return f"{wall:%Y-%m-%dT%H:%M} {zone}"
    here = chosen.astimezone(place)
    there = f"{here:%H:%M} {here.tzname()} ({f.utc_offset(here.utcoffset())}) in {zone}"
    st.caption(f"Saved as **{chosen:%a %d %b %Y %H:%M} UTC**: {plain(there)}.")
    if loaded is not None and loaded.replace(second=0) == chosen:
        return value  # unchanged to the minute: keep the stored seconds
    return chosen.strftime(TIME_FORMAT)


def _which_of_two(twice: f.AmbiguousTime, wall: datetime, zone: str, key: str, loaded: datetime | None,
                  disabled: bool) -> datetime | None:
    """A local time that happens twice: the person picks which (the loaded one, when it is one of them)."""
    (first, first_at), (second, second_at) = twice.choices
    readings = {first: first_at, second: second_at}
    was = next((name for name, at in readings.items() if loaded is not None and loaded.replace(second=0) == at), None)
    picked = st.radio(f"{wall:%H:%M} happens twice in {zone} on {wall.day} {wall:%B %Y}: which one?", list(readings),
                      index=list(readings).index(was) if was else None, key=f"{key}-twice", disabled=disabled,
                      format_func=lambda name: f"{wall:%H:%M} {name}, the {'first' if name == first else 'second'} "
                                               f"({readings[name]:%H:%M} UTC)")
    if picked is None:
        st.warning(plain(str(twice)))
        return None
    return readings[picked]


def _parse_moment(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, TIME_FORMAT).replace(tzinfo=UTC) if value else None
    except ValueError:
        return None


def _day(text: str, value: str, key: str, disabled: bool) -> str:
    try:
        loaded = date.fromisoformat(value) if value else None
    except ValueError:
        loaded = None
    chosen = st.date_input(text, loaded, min_value=FIRST_DAY, max_value=LAST_DAY, key=key, disabled=disabled,
                           format="YYYY-MM-DD")
    return chosen.isoformat() if isinstance(chosen, date) else ""
