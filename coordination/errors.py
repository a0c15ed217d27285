"""The errors every service raises; the UI and CLI turn them into plain messages."""

from __future__ import annotations

from datetime import datetime


class CoordinationError(Exception):
    """Base for errors meant to be shown to a user."""


class ValidationError(CoordinationError):
    """Bad input: `problems` maps each bad field to a plain-words reason."""

    def __init__(self, problems: dict[str, str]):
        self.problems = dict(problems)
        super().__init__("; ".join(f"{field}: {reason}" for field, reason in self.problems.items()))


class PermissionDenied(CoordinationError):
    """The principal may not do this; the service records the refusal in the audit trail."""

    def __init__(self, message: str, *, action: str = "", entity: str = "", entity_id: int | None = None):
        self.action, self.entity, self.entity_id = action, entity, entity_id
        super().__init__(message)


class OperationClosed(CoordinationError):
    """A write in an operation that is closed or archived: its records are read-only until its command
    re-opens it. Said to the person in these words (`services.runner.run` raises it)."""

    def __init__(self, code_name: str, status: str):
        super().__init__(f"{code_name} is {status}: its records are read-only. "
                         "Re-opening it is a decision of its command.")


class NotFound(CoordinationError):
    """No such record, or not one the principal may see (the two look alike on purpose)."""


class ConflictError(CoordinationError):
    """Someone saved the record after the version the user loaded. `fields` names the fields both
    sides changed (a merge found them); empty when the save was refused as a whole."""

    def __init__(self, entity: str, entity_id: int, changed_by: str | None, changed_at: datetime | None,
                 current_version: int, reference: str | None = None, fields: tuple[str, ...] = ()):
        self.entity = entity
        self.entity_id = entity_id
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.current_version = current_version
        self.reference = reference
        self.fields = fields
        when = changed_at.strftime("%Y-%m-%d %H:%M:%S UTC") if changed_at else "an unknown time"
        what = reference or f"this {entity}"  # a record's id is never shown (kept in entity_id)
        advice = (f"you both changed {', '.join(name.replace('_', ' ') for name in fields)}: choose which to keep"
                  if fields else "reload it and apply your change again")
        super().__init__(f"{what} was changed by {changed_by or 'someone else'} at {when} "
                         f"(now version {current_version}); {advice}")


class AlreadyMoved(ConflictError):
    """A step pressed on a record's state that has moved on since (a status tapped on a package that
    another person moved): who moved it and when, in the words shown to the person; nothing written."""

    def __init__(self, entity: str, entity_id: int, reference: str, status: str, changed_by: str | None,
                 changed_at: datetime | None, when: str, current_version: int):
        super().__init__(entity, entity_id, changed_by, changed_at, current_version, reference)
        self.status = status
        self.args = (f"{reference} is already {status} ({changed_by or 'someone else'}, {when}). Nothing recorded.",)


class RefusedWrite(CoordinationError):
    """A programming error guard, not a user's mistake: a bulk ORM UPDATE or DELETE on an audited
    table, which would change rows without their audit events (see `coordination.models.guards`)."""


class AlreadySubmitted(CoordinationError):
    """The form was sent before (a double click, a resubmission); its write was not made twice."""

    def __init__(self) -> None:
        super().__init__("This form was already sent; it was not written twice.")
