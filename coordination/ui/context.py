"""What every page needs: the engine, the signed-in principal, and plain error messages."""

from __future__ import annotations

from contextlib import contextmanager

import streamlit as st
from sqlalchemy import select

from coordination import settings
from coordination.db import make_engine, read_session
from coordination.errors import ConflictError, CoordinationError, ValidationError
from coordination.models import Agency, Jurisdiction
from coordination.principal import Principal

PRINCIPAL_KEY = "_coordination_principal"  # set by app.py on every run, after the sign-in checks


def engine():
    """One connection pool per app process and database."""
    return _engine(settings.load().database_url)


@st.cache_resource
def _engine(url: str):
    return make_engine(url)


def principal() -> Principal:
    return st.session_state[PRINCIPAL_KEY]


@contextmanager
def shown_errors():
    """Run a service call; show its refusal in plain words instead of a stack trace."""
    try:
        yield
    except ValidationError as error:
        st.error("Please correct: " + "; ".join(f"**{field}** {reason}" for field, reason in error.problems.items()))
    except ConflictError as error:
        st.warning(str(error))
    except CoordinationError as error:
        st.error(str(error))


def agency_codes() -> list[str]:
    return _codes(settings.load().database_url, "agency")


def jurisdiction_codes() -> list[str]:
    return _codes(settings.load().database_url, "jurisdiction")


@st.cache_data(ttl=60, show_spinner=False)  # reference data: read once a minute, not on every rerun
def _codes(database_url: str, table: str) -> list[str]:
    del database_url  # part of the key only
    model = {"agency": Agency, "jurisdiction": Jurisdiction}[table]
    with read_session(engine()) as session:
        return list(session.scalars(select(model.code).order_by(model.code)))
