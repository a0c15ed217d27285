"""What every page needs: the engine, the signed-in principal and reference names (writes: `writes.py`)."""

from __future__ import annotations

import streamlit as st

from coordination import settings
from coordination.db import make_engine, read_session  # noqa: TID251 - the process's one engine
from coordination.principal import Principal
from coordination.queries import standing_data

PRINCIPAL_KEY = "_coordination_principal"  # set by app.py on every run, after the sign-in checks
OPERATION_NAME_KEY = "_coordination_operation_name"  # the name of the principal's operation, set with it


def engine():
    """One connection pool per app process and database."""
    return _engine(settings.load().database_url)


@st.cache_resource
def _engine(url: str):
    return make_engine(url)


def principal() -> Principal:
    return st.session_state[PRINCIPAL_KEY]


def agency_codes() -> list[str]:
    return _reference(settings.load().database_url, "agency_codes")


def partner_codes() -> list[str]:
    """The codes of the agencies taking part in the operation read: where a form or filter picks one."""
    return _partners(settings.load().database_url, principal().operation_id)


@st.cache_data(ttl=60, show_spinner=False)
def _partners(database_url: str, operation_id: int | None) -> list[str]:
    del database_url  # part of the key only
    with read_session(engine()) as session:
        return standing_data.partner_codes(session, operation_id)


def agency_ids() -> dict[str, int]:
    return _reference(settings.load().database_url, "agency_ids")


def jurisdiction_codes() -> list[str]:
    return _reference(settings.load().database_url, "jurisdiction_codes")


def jurisdiction_names() -> dict[str, str]:
    return _reference(settings.load().database_url, "jurisdiction_names")


def jurisdiction_zones() -> dict[str, str]:
    return _reference(settings.load().database_url, "jurisdiction_zones")


def operation_name() -> str:
    """The name of the operation being read ("Operation Elaborate"); before sign-in, or reading none, the
    app's own name: no operation is named to whoever may not read it."""
    return st.session_state.get(OPERATION_NAME_KEY) or standing_data.NO_OPERATION


@st.cache_data(ttl=60, show_spinner=False)  # reference data: read once a minute, not on every rerun
def _reference(database_url: str, query: str):
    del database_url  # part of the key only
    with read_session(engine()) as session:
        return getattr(standing_data, query)(session)
