"""Deconfliction: identifiers held on records, the hits between agencies holding the same one, the
values excluded from matching, contact requests and the grants they lead to, and the checks made.

Matching never compares plain values: each identifier carries `keyed`, HMAC-SHA256 of its kind and
normalised value under the operation's key (an address also the keys of its building), which is kept
outside the database
(coordination.deconfliction_key). An identifier copies its record's owning agency and TLP label
(the services keep them in step), so hits are found and told without reading the record.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import ClassVar

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from coordination.markings import TLP
from coordination.models.base import Base, UTCDateTime, str_enum, utcnow
from coordination.models.enums import ContactStatus, HandlingCondition, HitClosed, HitMatch, IdentifierKind

KEYED = 64  # a hex HMAC-SHA256
UNREAD_ADDRESS = "country IS NULL AND kind = 'address'"


class Identifier(Base):
    __tablename__ = "identifier"
    entity: ClassVar[str] = "identifier"

    id: Mapped[int] = mapped_column(primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operation.id"))
    kind: Mapped[IdentifierKind] = mapped_column(str_enum(IdentifierKind))
    value: Mapped[str] = mapped_column(String(300))  # as entered
    qualifier: Mapped[str | None] = mapped_column(String(300))  # as entered: a handle's platform, a wallet's chain...
    normalised: Mapped[str] = mapped_column(String(300))
    keyed: Mapped[str] = mapped_column(String(KEYED))  # the match index
    phonetic_keyed: Mapped[str | None] = mapped_column(String(KEYED))  # people: sound of the name + birth date
    # addresses: the country whose conventions read it (ISO 3166-1 alpha-2; None: not read yet, as after
    # revision 0017) and the keys of its building and flat (places.address_keys), each keyed: no plain form
    country: Mapped[str | None] = mapped_column(String(2))
    postcode_keyed: Mapped[str | None] = mapped_column(String(KEYED))
    street_keyed: Mapped[str | None] = mapped_column(String(KEYED))
    unit_keyed: Mapped[str | None] = mapped_column(String(KEYED))
    bare_keyed: Mapped[str | None] = mapped_column(String(KEYED))  # street and number alone (places.match)
    record_entity: Mapped[str] = mapped_column(String(32))  # the entity of the record it is held on
    record_id: Mapped[int] = mapped_column(Integer)
    owning_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))  # the record's, kept in step
    tlp: Mapped[TLP] = mapped_column(str_enum(TLP))  # the record's, kept in step
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # removed from its record: matches no more

    __table_args__ = (
        Index("ix_identifier_keyed", "keyed", "operation_id"),
        # people only: the other kinds (nearly all) are not written into it
        Index("ix_identifier_phonetic", "phonetic_keyed", sqlite_where=text("phonetic_keyed IS NOT NULL"),
              postgresql_where=text("phonetic_keyed IS NOT NULL")),
        # addresses only, like the people's index
        Index("ix_identifier_postcode", "postcode_keyed", sqlite_where=text("postcode_keyed IS NOT NULL"),
              postgresql_where=text("postcode_keyed IS NOT NULL")),
        Index("ix_identifier_street", "street_keyed", sqlite_where=text("street_keyed IS NOT NULL"),
              postgresql_where=text("street_keyed IS NOT NULL")),
        Index("ix_identifier_bare", "bare_keyed", sqlite_where=text("bare_keyed IS NOT NULL"),
              postgresql_where=text("bare_keyed IS NOT NULL")),
        # addresses whose building is not keyed yet (stored before revision 0017): looked for at every key use
        Index("ix_identifier_unread_address", "operation_id", sqlite_where=text(UNREAD_ADDRESS),
              postgresql_where=text(UNREAD_ADDRESS)),
        Index("ix_identifier_record", "record_entity", "record_id"),
        Index("ix_identifier_agency", "owning_agency_id"),
    )


class Hit(Base):
    """Two identifiers (first.id < second.id) that match, in one operation or in two (keyed with the
    deployment's one key). Hits between two agencies or two operations are told to both sides (RED:
    to the RED record's owner only; another operation as "another operation", never named); within
    one agency of one operation, they are a possible duplicate. `operation_id` is the first side's."""

    __tablename__ = "hit"
    entity: ClassVar[str] = "hit"

    id: Mapped[int] = mapped_column(primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operation.id"))
    match: Mapped[HitMatch] = mapped_column(str_enum(HitMatch))
    first_id: Mapped[int] = mapped_column(ForeignKey("identifier.id"))
    second_id: Mapped[int] = mapped_column(ForeignKey("identifier.id"))
    # each side's owning agency and TLP label (copied from its identifier and kept in step) and its
    # record, all the telling rule (`policy.told`) reads: hits are found and counted without reading
    # their identifiers
    first_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    second_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    first_tlp: Mapped[TLP] = mapped_column(str_enum(TLP))
    second_tlp: Mapped[TLP] = mapped_column(str_enum(TLP))
    first_record_entity: Mapped[str] = mapped_column(String(32))
    first_record_id: Mapped[int] = mapped_column(Integer)
    first_operation_id: Mapped[int] = mapped_column(ForeignKey("operation.id"))
    second_operation_id: Mapped[int] = mapped_column(ForeignKey("operation.id"))
    second_record_entity: Mapped[str] = mapped_column(String(32))
    second_record_id: Mapped[int] = mapped_column(Integer)
    found_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_reason: Mapped[HitClosed | None] = mapped_column(str_enum(HitClosed))

    __table_args__ = (
        UniqueConstraint("first_id", "second_id", "match", name="uq_hit_pair"),
        Index("ix_hit_second", "second_id"),
        Index("ix_hit_found", "operation_id", "found_at"),
        # a hit is told to each side's operation: the second side's may be another (the first's is operation_id)
        Index("ix_hit_second_operation", "second_operation_id", "found_at"),
    )


# what a hit copies of each side's identifier (hit column suffix: identifier column)
HIT_COPIES = {"agency_id": "owning_agency_id", "tlp": "tlp", "record_entity": "record_entity",
              "record_id": "record_id", "operation_id": "operation_id"}


def hit_copies(first: Mapping | Identifier, second: Mapping | Identifier) -> dict:
    """The columns a hit copies of its two identifiers (rows as mappings, or Identifier objects)."""
    def of(side, name):
        return side[name] if isinstance(side, Mapping) else getattr(side, name)
    return {f"{label}_{copy}": of(side, name) for copy, name in HIT_COPIES.items()
            for label, side in (("first", first), ("second", second))}


class Exclusion(Base):
    """A value that matches everywhere and means nothing (a bank's number used as a spoofed caller ID):
    it makes no hits. Commanders keep the list; the value is kept normalised so a new key can re-key it."""

    __tablename__ = "exclusion"
    entity: ClassVar[str] = "exclusion"

    id: Mapped[int] = mapped_column(primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operation.id"))
    kind: Mapped[IdentifierKind] = mapped_column(str_enum(IdentifierKind))
    normalised: Mapped[str] = mapped_column(String(300))
    keyed: Mapped[str] = mapped_column(String(KEYED))
    reason: Mapped[str] = mapped_column(String(300))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("operation_id", "keyed", name="uq_exclusion_keyed"),)


class ContactRequest(Base):
    """An agency told of a hit asks the other side's owner for contact about that one record."""

    __tablename__ = "contact_request"
    entity: ClassVar[str] = "contact request"

    id: Mapped[int] = mapped_column(primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operation.id"))
    hit_id: Mapped[int] = mapped_column(ForeignKey("hit.id"))
    requesting_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text)
    owner_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    record_entity: Mapped[str] = mapped_column(String(32))  # the record asked about
    record_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[ContactStatus] = mapped_column(str_enum(ContactStatus), default=ContactStatus.PENDING)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    condition: Mapped[HandlingCondition | None] = mapped_column(str_enum(HandlingCondition))
    condition_text: Mapped[str | None] = mapped_column(String(1000))  # H3: the conditions stated
    decline_reason: Mapped[str | None] = mapped_column(String(1000))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # two liaisons deciding at once: one wins

    __table_args__ = (
        Index("ix_contact_request_owner", "owner_agency_id", "status"),
        Index("ix_contact_request_requester", "requesting_agency_id", "status"),
        Index("ix_contact_request_hit", "hit_id"),
    )


class RecordGrant(Base):
    """An approved contact request: the requesting agency's people may read that one record (not a
    RED one), under the owner's handling condition. Read through `policy.visible`."""

    __tablename__ = "record_grant"

    record_entity: Mapped[str] = mapped_column(String(32), primary_key=True)
    record_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("contact_request.id"))
    condition: Mapped[HandlingCondition] = mapped_column(str_enum(HandlingCondition))
    condition_text: Mapped[str | None] = mapped_column(String(1000))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IdentifierCheck(Base):
    """One "check an identifier" made by a person: counted for the hourly limit (audited as well)."""

    __tablename__ = "identifier_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_identifier_check_user", "user_id", "checked_at"),)
