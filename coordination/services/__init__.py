"""The only write path. Every function takes the session and the acting principal, validates,
authorises, checks the version the user saw, changes, and records its audit event, all in one
transaction that it commits (or rolls back)."""

from coordination.services.evidence import create_evidence_item, transfer_custody, update_evidence_item
from coordination.services.records import (
    add_task_update,
    create_arrest,
    create_suspect,
    create_task,
    update_arrest,
    update_suspect,
    update_task,
)
from coordination.services.users import create_user, disable_user, record_sign_in, update_user

__all__ = [
    "add_task_update", "create_arrest", "create_evidence_item", "create_suspect", "create_task", "create_user",
    "disable_user", "record_sign_in", "transfer_custody", "update_arrest", "update_evidence_item",
    "update_suspect", "update_task", "update_user",
]
