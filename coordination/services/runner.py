"""The one place a write transaction begins and ends (ARCHITECTURE.md, "The one write path").

Use cases (the functions in this package's modules) take the session and the acting principal,
validate, authorise, change and audit, and never commit: several of them compose into one
transaction (an import, a briefing, a sign-in). `run` makes one call one transaction: it commits
on success, rolls back on any error, and records a refusal (PermissionDenied) as an audit event
of its own, committed after the rollback, before re-raising.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coordination import audit
from coordination.errors import AlreadySubmitted, PermissionDenied
from coordination.models import Outcome, Submission, utcnow
from coordination.principal import Principal

P = ParamSpec("P")
R = TypeVar("R")
UseCase = Callable[Concatenate[Session, Principal, P], R]


def run(session: Session, principal: Principal, use_case: UseCase, *args, submission: str | None = None,
        **kwargs):
    """`use_case(session, principal, ...)` as one transaction. A form's `submission` token is claimed
    in the same transaction: sent twice, the second finds it taken (AlreadySubmitted), nothing written."""
    _check_writer(session)
    try:
        if submission is not None:
            _claim(session, principal, submission)
        result = use_case(session, principal, *args, **kwargs)
        session.commit()
        return result
    except PermissionDenied as refusal:
        session.rollback()
        record_refusal(session, principal, refusal, default_action=use_case.__name__.replace("_", " "))
        session.commit()
        raise
    except BaseException:
        session.rollback()
        raise


def committed(use_case: UseCase) -> UseCase:
    """The entry point pages, the CLI and tests call: the use case, run as its own transaction."""
    @functools.wraps(use_case)
    def call(session: Session, principal: Principal, *args, **kwargs):
        return run(session, principal, use_case, *args, **kwargs)
    return call


def in_transaction(use_case: Callable[..., R]) -> Callable[..., R]:
    """For use cases that do not act for a principal yet (admitting a sign-in): `use_case(session,
    ...)` as one transaction, committed on success, rolled back on any error."""
    @functools.wraps(use_case)
    def call(session: Session, *args, **kwargs):
        _check_writer(session)
        try:
            result = use_case(session, *args, **kwargs)
            session.commit()
            return result
        except BaseException:
            session.rollback()
            raise
    return call


def record_refusal(session: Session, principal: Principal, refusal: PermissionDenied, default_action: str) -> None:
    audit.record(session, audit.NewEvent(principal, refusal.action or default_action, refusal.entity or "-",
                                         refusal.entity_id, outcome=Outcome.REFUSED, detail=str(refusal)))


def _claim(session: Session, principal: Principal, token: str) -> None:
    if len(token) > 64 or session.get(Submission, token) is not None:
        raise AlreadySubmitted()
    session.add(Submission(token=token, user_id=principal.user_id, submitted_at=utcnow()))
    try:
        session.flush()
    except IntegrityError:  # claimed by a transaction that committed after our look
        raise AlreadySubmitted() from None


def _check_writer(session: Session) -> None:
    bind = session.get_bind()
    if bind.dialect.name == "sqlite" and not bind.get_execution_options().get("coord_write"):
        raise RuntimeError("services need a session from db.write_session(): SQLite writers must lock at BEGIN")
