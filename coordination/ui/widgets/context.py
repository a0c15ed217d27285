"""What every page needs: the engine, the signed-in principal and reference names (writes: `writes.py`)."""

from __future__ import annotations

import streamlit as st

from coordination import settings
from coordination.db import make_engine, read_session  # noqa: TID251 - the process's one engine
from coordination.principal import Principal
from coordination.queries import standing_data

PRINCIPAL_KEY = "_coordination_principal"  # set by app.py on every run, after the sign-in checks


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


def agency_ids() -> dict[str, int]:
    return _reference(settings.load().database_url, "agency_ids")


def jurisdiction_codes() -> list[str]:
    return _reference(settings.load().database_url, "jurisdiction_codes")


def jurisdiction_names() -> dict[str, str]:
    return _reference(settings.load().database_url, "jurisdiction_names")


def jurisdiction_zones() -> dict[str, str]:
    return _reference(settings.load().database_url, "jurisdiction_zones")


def operation_name() -> str:
    """The name of the operation the signed-in person reads; before sign-in, the deployment's (no
    operation's name is shown to someone who may not read it)."""
    person = st.session_state.get(PRINCIPAL_KEY)
    return _operation_name(settings.load().database_url, person.operation_id if person is not None else None)


@st.cache_data(ttl=60, show_spinner=False)
def _operation_name(database_url: str, operation_id: int | None) -> str:
    del database_url  # part of the key only
    with read_session(engine()) as session:
        return standing_data.operation_name(session, operation_id)


@st.cache_data(ttl=60, show_spinner=False)  # reference data: read once a minute, not on every rerun
def _reference(database_url: str, query: str):
    del database_url  # part of the key only
    with read_session(engine()) as session:
        return getattr(standing_data, query)(session)
