"""The one place a write transaction begins and ends (ARCHITECTURE.md, "The one write path").

Use cases (the functions in this package's modules) take the session and the acting principal,
validate, authorise, change and audit, and never commit: several of them compose into one
transaction (an import, a briefing, a sign-in). `run` makes one call one transaction: it commits
on success, rolls back on any error, and records a refusal (PermissionDenied) as an audit event
of its own, committed after the rollback, before re-raising. In an operation that is closed or
archived it runs only the use cases marked `allowed_when_closed` (reading and taking out what is there,
one's own inbox, re-opening it): any other is refused in words (`OperationClosed`), nothing written.

`run_bulk` is the same for a bulk write (an import of a file): one transaction in the writers' lock,
every row checked in it (a bad row reported, and rolled back to its savepoint where it went through a
use case), then all of it committed or none of it, the rows refused for want of permission recorded
as one refused event.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coordination import audit
from coordination.db import write_session
from coordination.errors import AlreadySubmitted, OperationClosed, PermissionDenied
from coordination.fields import shown
from coordination.models import Operation, OperationStatus, Outcome, Submission, utcnow
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
        if not getattr(use_case, ALLOWED_WHEN_CLOSED, False):
            refuse_when_closed(session, principal)
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


ALLOWED_WHEN_CLOSED = "allowed_when_closed"
CLOSED = (OperationStatus.CLOSED, OperationStatus.ARCHIVED)


def allowed_when_closed(use_case: Callable[P, R]) -> Callable[P, R]:
    """Mark a use case `run` runs in a closed or archived operation too: it changes none of the
    operation's records (an export's or a briefing's record, one's own inbox, a sign-in, re-opening)."""
    setattr(use_case, ALLOWED_WHEN_CLOSED, True)
    return use_case


def refuse_when_closed(session: Session, principal: Principal) -> None:
    """An operation closed or archived is read-only: a write acting in it is refused in words."""
    if principal.operation_id is None:
        return
    operation = session.get(Operation, principal.operation_id)
    if operation is not None and operation.status in CLOSED:
        raise OperationClosed(operation.code_name, operation.status.value)


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


@dataclass(frozen=True)
class Checked:
    """What a bulk write's check found, in the transaction `run_bulk` holds open: whether every row
    passed, the refused rows' reasons (for want of permission: audited), and how to write what was
    checked (returning the figures of the write's own audit event)."""

    ok: bool
    refusals: list[str]
    write: Callable[[Session], dict[str, Any]]


def run_bulk(engine: Engine, principal: Principal, entity: str, check: Callable[[Session], Checked],
             dry_run: bool = False) -> bool:
    """An import of `entity` rows as one transaction, all or nothing; returns whether it committed.

    The writers' lock is taken first, so imports queue one behind the other and a second sees the
    first's rows. `check(session)` reads and checks every row, through the use cases where a row
    needs them (each in a savepoint it rolls back when the row is bad). When every row passed and this
    is no dry run, the checked rows are written, the import's event appended, and all of it committed;
    otherwise all of it is rolled back, and (unless a dry run) the refused rows are recorded as one
    refused "import" event of their own, committed after the rollback."""
    with write_session(engine) as session:  # closed on any error: nothing written
        refuse_when_closed(session, principal)
        audit.lock_head(session)
        checked = check(session)
        if checked.ok and not dry_run:
            figures = checked.write(session)
            audit.record(session, audit.NewEvent(principal, "import", entity, None, after=figures))
            session.commit()
            return True
        session.rollback()
        if checked.refusals and not dry_run:
            audit.record(session, audit.NewEvent(principal, "import", entity, None, outcome=Outcome.REFUSED,
                                                 detail="; ".join(checked.refusals[:20])))
            session.commit()
        return False


def record_refused_file(engine: Engine, principal: Principal, entity: str, file_name: str, reason: str) -> None:
    """A file refused as a whole (unreadable, wrong columns) is an audit event too, in a transaction of
    its own; its name is only ever a label, never a path."""
    with write_session(engine) as session:
        audit.record(session, audit.NewEvent(principal, "import", entity, None, outcome=Outcome.REFUSED,
                                             detail=f"'{shown(file_name, 200)}': {reason}"))
        session.commit()


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
