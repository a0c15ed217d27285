"""One input per field, chosen by what the field holds: a list to choose from, a date, a time in
UTC (London time shown beside it), a planned H-hour in its jurisdiction's local time (UTC shown
beside it), a record picked among those the person may read, or text.

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
from coordination.queries.action_day import local_time
from coordination.ui.widgets.context import agency_codes, engine, jurisdiction_codes, jurisdiction_zones, principal

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
        zone = jurisdiction_zones().get(jurisdiction or "")
        return _moment(spec.label_for(name), required, value, key, disabled, zone=zone, place=jurisdiction)
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
        return {code: code for code in agency_codes()}
    if parse is f.jurisdiction:
        return {code: code for code in jurisdiction_codes()}
    if parse is f.user:
        with read_session(engine()) as session:
            return people.assignable(session, owning_agency)
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


def _moment(text: str, required: str, value: str, key: str, disabled: bool, zone: str | None = None,
            place: str | None = None) -> str:
    """A point in time, picked as a date and a time (to the minute): in UTC with the London time shown,
    or, given a `zone`, in that local time (the jurisdiction's) with UTC shown. Returned in UTC."""
    loaded = _parse_moment(value)
    shown = loaded or datetime.now(UTC).replace(second=0, microsecond=0)
    local = ZoneInfo(zone) if zone else UTC
    if zone is not None:
        where = f"local time in {place}"
    else:  # a planned time before its jurisdiction is chosen is read in the one the form is sent with
        where = "UTC" if place is None else "local time in the jurisdiction"
    shown = shown.astimezone(local)
    day_column, time_column = st.columns(2)
    day = day_column.date_input(f"{text} (date, {where}){required}", shown.date(), min_value=FIRST_DAY,
                                max_value=LAST_DAY, key=f"{key}-date", disabled=disabled, format="YYYY-MM-DD")
    at = time_column.time_input(f"{text} (time, {where}){required}", shown.time().replace(tzinfo=None), step=60,
                                key=f"{key}-time", disabled=disabled)
    if day is None or at is None:
        return ""
    # a local time that happens twice (clocks back) is its first; one that never happens (clocks forward)
    # moves on by the gap: the caption says which moment it is
    chosen = datetime.combine(day, time(at.hour, at.minute), local).astimezone(UTC)
    if zone is not None:
        st.caption(local_time(chosen, zone))
    elif place is None:
        st.caption(f"{chosen:%d %b %Y %H:%M} UTC · {chosen.astimezone(LONDON):%H:%M} London time")
    if loaded is not None and loaded.replace(second=0) == chosen:
        return value  # unchanged to the minute: keep the stored seconds
    return chosen.strftime(TIME_FORMAT)


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
