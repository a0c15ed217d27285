"""The one adapter between pages and the write path (ARCHITECTURE.md, "The one write path").

A page asks for a write with `attempt(use_case, ...)`: it opens the write session, runs the use case
(a committed service: `services/runner.py` makes it one transaction, audits a refusal and claims the
form's token) as the signed-in person, and turns each outcome into the page's answer:

- written: the confirmation (`confirm`) shown at the top of the next run, the form drawn afresh; or,
  with no `confirm`, the use case's result handed back in `Written` for the page to show;
- refused for its fields (`ValidationError`): each problem under its field when the page names the
  form's `labels`, otherwise said by `said`;
- not written (a refusal, a conflict, a resubmission, anything else a service says): `said`, by
  default `not_written`, in plain words.

`call` is the one place the UI opens a write session; `attempt` builds on it. The rest is the state a
form keeps between runs: its one-time token, its widgets' keys, the problems shown under its fields.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import streamlit as st

from coordination.db import write_session
from coordination.errors import AlreadySubmitted, ConflictError, CoordinationError, ValidationError
from coordination.fields import Field
from coordination.text import plain
from coordination.ui.widgets import flash
from coordination.ui.widgets.context import engine, principal

R = TypeVar("R")


@dataclass(frozen=True)
class Written(Generic[R]):
    """A write that was made, with what its use case returned."""

    value: R


def call(use_case: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """`use_case(session, *args, **kwargs)` in a write session on the app's database: a committed
    service (or `in_transaction`'s, for the sign-in), which commits or rolls back itself. Its errors
    are raised: for callbacks and the sign-in gate, which answer them their own way (or not at all)."""
    with write_session(engine()) as session:
        return use_case(session, *args, **kwargs)


def attempt(use_case: Callable[..., R], *args: Any, form: str | None = None, confirm: str | Callable[[R], str] |
            None = None, labels: Mapping[str, str] | None = None,
            said: Callable[[CoordinationError], None] | None = None, **kwargs: Any) -> Written[R] | None:
    """`use_case(session, principal(), *args, **kwargs)`, answered on the page.

    Written: with `confirm` (words, or words made of the result), the confirmation on the next run and
    a fresh `form` (`written`; without a form, only the confirmation), and this call does not return;
    without `confirm`, `Written(result)`. Refused for its fields: with `labels` (field -> words) and a
    `form`, each problem under its field (`refused`, which reruns); otherwise `said(error)`. Not written
    for any other reason: `said(error)` (`not_written` unless the page says otherwise). Both return None."""
    say = said or not_written
    try:
        value = call(use_case, principal(), *args, **kwargs)
    except ValidationError as error:
        if labels is not None and form is not None:
            refused(form, error, labels)  # reruns
        say(error)
        return None
    except CoordinationError as error:
        say(error)
        return None
    if confirm is None:
        return Written(value)
    message = confirm if isinstance(confirm, str) else confirm(value)
    if form is not None:
        written(form, message)  # reruns
    flash.later(message)
    st.rerun()


# --- the answers ---------------------------------------------------------------------------------

def not_written(error: CoordinationError) -> None:
    """A refusal, a conflict without a merge, or a resubmission: said in plain words."""
    if isinstance(error, AlreadySubmitted):
        st.info(plain(str(error)))
    elif isinstance(error, ConflictError):
        st.warning(plain(str(error)))
    else:
        st.error(plain(str(error)))


def said_plainly(error: CoordinationError) -> None:
    """Any refusal in one message above the form: every bad field named, or the reason."""
    if isinstance(error, ValidationError):
        st.error("Please correct: " + "; ".join(f"**{plain(field)}** {plain(reason)}"
                                                for field, reason in error.problems.items()))
    elif isinstance(error, ConflictError):
        st.warning(plain(str(error)))
    else:
        st.error(plain(str(error)))


@contextmanager
def shown_errors() -> Iterator[None]:
    """Run something that is not a write of a page's (the briefing's export): its refusal in plain words
    instead of a stack trace."""
    try:
        yield
    except CoordinationError as error:
        said_plainly(error)


# --- a form's state between runs ----------------------------------------------------------------

def token(form: str, content: object) -> str:
    """One token per thing a person asked for in a form: the same content sent again (a double click,
    a resubmitted form, even after the form was cleared) carries the same token, and the service
    writes it once. Something else typed in the form gets a new token."""
    digest = hashlib.sha256(repr(content).encode()).hexdigest()
    sent = st.session_state.get(f"_sent-{form}")
    if sent is None or sent[0] != digest:
        sent = st.session_state[f"_sent-{form}"] = (digest, uuid.uuid4().hex)
    return sent[1]


def problems_of(form: str) -> dict[str, str]:
    return st.session_state.get(f"{form}-problems", {})


def show_problem(form: str, name: str) -> None:
    problem = problems_of(form).get(name)
    if problem:
        st.error(plain(problem))


def missing(form: str, specs: Mapping[str, Field], typed: Mapping[str, str]) -> bool:
    """Before a review step (a custody event is asked about before it is sent): each required field
    left empty said under it, so the question never reads "to ? ?". True when any is."""
    problems = {name: f"{spec.label_for(name)} is required" for name, spec in specs.items()
                if spec.required and not typed.get(name, "").strip()}
    st.session_state[f"{form}-problems"] = problems
    return bool(problems)


def key(form: str, name: str) -> str:
    """A widget's key in a form. After each write the form is drawn anew under new keys: a browser
    keeps what a widget held while its key stays the same, even when the server forgets it."""
    generation = st.session_state.get(f"_generation-{form}", 0)
    return f"{form}-{name}" + (f"~{generation}" if generation else "")


def written(form: str, message: str) -> None:
    """After a write: a fresh form (new widgets, no problems, nothing loaded); confirm on the next run."""
    flash.forget_form(f"{form}-")
    st.session_state[f"_generation-{form}"] = st.session_state.get(f"_generation-{form}", 0) + 1
    flash.later(message)
    st.rerun()


def refused(form: str, error: ValidationError, labels: Mapping[str, str]) -> None:
    """Keep what was typed and show each problem under its field (labels, never column names)."""
    st.session_state[f"{form}-problems"] = {name: f"{labels.get(name, name)} {reason}"
                                            for name, reason in error.problems.items()}
    st.rerun()
