"""The operation's data: SQLAlchemy 2 typed declarative models.

Every editable operational row carries an owning agency, a marking (TLP label and UK
classification) and a version number used for optimistic locking. Custody events, task
updates and audit events are append-only.

The package is organised by what each module holds:

1. base - `Base` with its constraint naming convention, the `UTCDateTime` column type, `utcnow`,
   `str_enum`, and the triggers `Base.metadata.create_all` creates
2. enums - the closed lists of values: roles, suspect tiers and statuses, arrest outcomes, evidence
   types and statuses, task statuses and priorities, operation statuses, audit outcomes
3. operation - the operations, the agencies taking part (partners), the people taking part (members,
   each with a role there) and the jurisdictions where they act
4. people - user accounts and their signed-in sessions
5. records - the marked operational records (`MarkedRecord`: suspects, arrests, evidence items,
   tasks), custody events, task updates, RED recipients and briefings; what a task is read as
   (closed, overdue, due soon), each in Python and in SQL
6. tallies - the trigger-kept count tables the dashboard reads
7. deconfliction - identifiers held on records (keyed for matching), hits, exclusions, contact
   requests, the record grants approved requests make, and the checks people make
8. decisions - the decision log (append-only) and its pins
9. audit - the hash-chained audit event, and the one-time tokens of submitted forms
10. notifications - notifications, each person's settings, scheduled briefings' PDFs, the pass lease
11. action_day - target packages, their subjects, status changes and conflicts
12. guards - the audited and append-only tables, and the session guard that refuses bulk ORM
   UPDATE/DELETE on audited tables (`coordination.errors.RefusedWrite`)

Every name is re-exported here: import from `coordination.models`, not from its modules.
"""

from __future__ import annotations

from coordination.models.action_day import (
    NEXT,
    OUTCOMES,
    SILENT_AFTER,
    ConflictAcknowledgement,
    PackageConflict,
    PackageStatus,
    PackageStatusChange,
    PackageSubject,
    TargetPackage,
    is_silent,
    silent_at,
)
from coordination.models.audit import AuditEvent, Submission
from coordination.models.base import NAMING, Base, UTCDateTime, str_enum, utcnow
from coordination.models.decisions import Decision, DecisionPin
from coordination.models.deconfliction import (
    HIT_COPIES,
    UNREAD_ADDRESS,
    ContactRequest,
    Exclusion,
    Hit,
    Identifier,
    IdentifierCheck,
    RecordGrant,
    hit_copies,
)
from coordination.models.enums import (
    AcquisitionMethod,
    ArrestOutcome,
    ContactStatus,
    EvidenceStatus,
    EvidenceType,
    HandlingCondition,
    HitClosed,
    HitMatch,
    IdentifierKind,
    OperationStatus,
    Outcome,
    Role,
    SuspectStatus,
    SuspectTier,
    TaskPriority,
    TaskStatus,
)
from coordination.models.guards import APPEND_ONLY, AUDITED_TABLES
from coordination.models.notifications import BriefingFile, MailMode, Notification, NotificationSettings, PassLease
from coordination.models.operation import Agency, Jurisdiction, Membership, Operation, OperationPartner
from coordination.models.people import User, UserSession
from coordination.models.records import (
    CLOSED_TASKS,
    OPERATIONAL_RECORDS,
    Acquisition,
    AcquisitionCustodyEvent,
    Arrest,
    Briefing,
    CustodyEvent,
    EvidenceItem,
    MarkedRecord,
    Recipient,
    Suspect,
    Task,
    TaskUpdate,
    closed,
    due_soon_at,
    is_closed,
    is_due_soon,
    is_overdue,
    overdue_at,
    scoped_indexes,
)
from coordination.models.tallies import (
    ArrestKeys,
    ArrestRedTally,
    ArrestTally,
    EvidenceKeys,
    EvidenceRedTally,
    EvidenceTally,
    RedTallyColumns,
    SuspectKeys,
    SuspectRedTally,
    SuspectTally,
    TallyColumns,
    TaskKeys,
    TaskRedTally,
    TaskTally,
)

__all__ = [
    # base
    "NAMING", "Base", "UTCDateTime", "str_enum", "utcnow",
    # enums
    "AcquisitionMethod",
    "ArrestOutcome", "EvidenceStatus", "EvidenceType", "OperationStatus", "Outcome", "Role", "SuspectStatus",
    "SuspectTier", "TaskPriority", "TaskStatus",
    # operation, people
    "Agency", "Jurisdiction", "Membership", "Operation", "OperationPartner", "User", "UserSession",
    # records
    "Acquisition", "AcquisitionCustodyEvent",
    "OPERATIONAL_RECORDS", "Arrest", "Briefing", "CustodyEvent", "EvidenceItem", "MarkedRecord", "Recipient",
    "Suspect", "Task", "TaskUpdate", "scoped_indexes",
    "CLOSED_TASKS", "closed", "due_soon_at", "is_closed", "is_due_soon", "is_overdue", "overdue_at",
    # tallies
    "ArrestKeys", "ArrestRedTally", "ArrestTally", "EvidenceKeys", "EvidenceRedTally", "EvidenceTally",
    "RedTallyColumns", "SuspectKeys", "SuspectRedTally", "SuspectTally", "TallyColumns", "TaskKeys",
    "TaskRedTally", "TaskTally",
    # deconfliction
    "ContactRequest", "ContactStatus", "Exclusion", "HandlingCondition", "Hit", "HIT_COPIES", "hit_copies",
    "UNREAD_ADDRESS",
    "HitClosed", "HitMatch",
    "Identifier", "IdentifierCheck", "IdentifierKind", "RecordGrant",
    # decisions
    "Decision", "DecisionPin",
    # notifications
    "BriefingFile", "MailMode", "Notification", "NotificationSettings", "PassLease",
    # action day
    "NEXT", "OUTCOMES", "ConflictAcknowledgement", "PackageConflict", "PackageStatus", "PackageStatusChange",
    "PackageSubject", "SILENT_AFTER",
    "TargetPackage", "is_silent", "silent_at",
    # audit, guards
    "AuditEvent", "Submission", "APPEND_ONLY", "AUDITED_TABLES",
]
