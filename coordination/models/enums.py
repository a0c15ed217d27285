"""The closed lists of values columns take, stored by value (see `base.str_enum`)."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    ADMIN = "admin"
    COMMANDER = "commander"
    LIAISON = "liaison"
    ANALYST = "analyst"
    OBSERVER = "observer"


class SuspectTier(enum.StrEnum):
    ADMINISTRATOR = "administrator"
    DEVELOPER = "developer"
    HEAVY_USER = "heavy user"
    MONEY_HANDLER = "money handler"
    USER = "user"


class SuspectStatus(enum.StrEnum):
    LEAD = "lead"
    IDENTIFIED = "identified"
    LOCATED = "located"
    ARRESTED = "arrested"
    CHARGED = "charged"
    CONVICTED = "convicted"
    NO_FURTHER_ACTION = "no further action"


class ArrestOutcome(enum.StrEnum):
    IN_CUSTODY = "in custody"
    BAILED = "bailed"
    RELEASED_UNDER_INVESTIGATION = "released under investigation"
    CHARGED = "charged"
    REMANDED = "remanded"
    RELEASED_NFA = "released, no further action"


class EvidenceType(enum.StrEnum):
    SERVER_IMAGE = "server image"
    PHONE = "phone"
    LAPTOP = "laptop"
    STORAGE_MEDIA = "storage media"
    CRYPTO_WALLET = "crypto wallet"
    EXCHANGE_RECORDS = "exchange records"
    BANK_RECORDS = "bank records"
    CALL_DETAIL_RECORDS = "call detail records"
    DOCUMENT = "document"
    CASH = "cash"

    @property
    def digital(self) -> bool:
        return self not in (EvidenceType.DOCUMENT, EvidenceType.CASH)


class EvidenceStatus(enum.StrEnum):
    SEIZED = "seized"
    AWAITING_ANALYSIS = "awaiting analysis"
    IN_ANALYSIS = "in analysis"
    ANALYSED = "analysed"
    DISCLOSED = "disclosed"
    RETURNED = "returned"
    DESTROYED = "destroyed"


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in progress"
    BLOCKED = "blocked"
    DONE = "done"
    CANCELLED = "cancelled"


class TaskPriority(enum.StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class OperationStatus(enum.StrEnum):
    PLANNING = "planning"
    ACTIVE = "active"
    ACTION_DAY = "action day"
    CLOSING = "closing"
    CLOSED = "closed"


class Outcome(enum.StrEnum):
    OK = "ok"
    REFUSED = "refused"
