"""The operation itself, the agencies taking part and the jurisdictions where they act."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.markings import TLP, Classification
from coordination.models.base import Base, str_enum
from coordination.models.enums import OperationStatus, Role


class Agency(Base):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))


class Jurisdiction(Base):
    __tablename__ = "jurisdiction"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")  # IANA name: where H-hours are read


class Operation(Base):
    """One operation of the deployment: its records, tallies, hits and decisions carry its id, and a
    person reads it only as its member (ARCHITECTURE.md, "Operations")."""

    __tablename__ = "operation"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_name: Mapped[str] = mapped_column(String(100), unique=True)
    # the short code the address and the CLI name it by (`?operation=ELABORATE`, `--operation ELABORATE`)
    code: Mapped[str] = mapped_column(String(32), unique=True, index=True)
    lead_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    action_day: Mapped[date | None] = mapped_column(Date)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    # whom another operation's people are told to contact about a cross-operation hit or conflict
    deconfliction_contact: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[OperationStatus] = mapped_column(str_enum(OperationStatus))
    default_tlp: Mapped[TLP] = mapped_column(str_enum(TLP), default=TLP.AMBER)
    default_classification: Mapped[Classification] = mapped_column(
        str_enum(Classification), default=Classification.OFFICIAL_SENSITIVE)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # HMAC of a fixed text under the deconfliction key the identifiers are keyed with: a different key
    # file is noticed and refused instead of silently matching nothing
    deconfliction_key_fingerprint: Mapped[str | None] = mapped_column(String(64))

    lead_agency: Mapped[Agency] = relationship()

    __mapper_args__ = {"version_id_col": version}


class OperationPartner(Base):
    """An agency taking part in an operation as a partner (the lead agency is one too)."""

    __tablename__ = "operation_partner"

    operation_id: Mapped[int] = mapped_column(ForeignKey("operation.id"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)


class Membership(Base):
    """A person taking part in an operation, with their role there: commander in one operation can be
    an observer in another, and a person reads nothing of an operation they are not a member of."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("operation_id", "user_id", name="uq_membership_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operation.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))
    version: Mapped[int] = mapped_column(Integer, default=1)

    # loaded with the memberships: every run names the operations a person may switch to (services/choosing.py)
    operation: Mapped[Operation] = relationship(lazy="selectin")

    __mapper_args__ = {"version_id_col": version}
