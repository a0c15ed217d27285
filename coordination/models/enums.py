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

    @property
    def device(self) -> bool:
        """A device holding data: collected and sealed at the door, hashed only when acquired later
        (ISO/IEC 27037), unless what was handed over at the scene is itself data on it."""
        return self in (EvidenceType.PHONE, EvidenceType.LAPTOP, EvidenceType.STORAGE_MEDIA,
                        EvidenceType.CRYPTO_WALLET)

    @property
    def data(self) -> bool:
        """Data received as data (an image, records a provider handed over): hashed as it is recorded."""
        return self.digital and not self.device


class AcquisitionMethod(enum.StrEnum):
    """How a device's data was acquired at the lab."""

    PHYSICAL_IMAGE = "physical image"
    LOGICAL_IMAGE = "logical image"
    FULL_FILE_SYSTEM = "full file system extraction"
    LOGICAL_EXTRACTION = "logical extraction"
    CLOUD_EXTRACTION = "cloud extraction"


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
    ARCHIVED = "archived"  # out of the pickers, still readable to its members


class Outcome(enum.StrEnum):
    OK = "ok"
    REFUSED = "refused"


class IdentifierKind(enum.StrEnum):
    """What an identifier is: each kind has its own normalisation (coordination.identifiers)."""

    PHONE = "phone number"
    EMAIL = "e-mail address"
    HANDLE = "online handle"
    WALLET = "crypto wallet"
    BANK_ACCOUNT = "bank account"
    IMEI = "IMEI"
    IP_ADDRESS = "IP address"
    DOMAIN = "domain"
    PERSON = "person"
    ADDRESS = "address"


class HitMatch(enum.StrEnum):
    EXACT = "exact"  # the same keyed identifier
    POSSIBLE = "possible"  # people whose names sound alike, born the same day
    SAME_ADDRESS = "same address"  # addresses written two ways whose building and flat agree
    SAME_BUILDING = "same building"  # addresses in one building, another flat (one door, one stairwell)


class HitClosed(enum.StrEnum):
    EXCLUDED = "excluded"  # the value went on the exclusion list
    REMOVED = "removed"  # one side's identifier was removed from its record


class ContactStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class HandlingCondition(enum.StrEnum):
    """What the owner attaches to a record it lets another agency read (a handling code)."""

    H0 = "H0"
    H1 = "H1"
    H2 = "H2"
    H3 = "H3"

    @property
    def meaning(self) -> str:
        return {"H0": "no conditions", "H1": "not for use in court",
                "H2": "not to be passed on without permission", "H3": "the conditions stated"}[self.value]
