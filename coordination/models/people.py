"""The people who use the dashboard: provisioned user accounts and their signed-in sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.models.base import Base, UTCDateTime, str_enum
from coordination.models.enums import Role
from coordination.models.operation import Agency, Membership


class User(Base):
    """A provisioned person. The identity is (issuer, subject), never the email."""

    __tablename__ = "user_account"
    __table_args__ = (UniqueConstraint("issuer", "subject", name="uq_user_account_identity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(300))
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    # admin: the deployment's administrator; any other role is the default of a new membership (the
    # role a person reads an operation with is their membership's)
    role: Mapped[Role] = mapped_column(str_enum(Role))
    # the operation the app opens on at the next sign-in (a preference: one since left is passed over)
    last_operation_id: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # set when the user is disabled: no sign-in issued before it is admitted again, even once re-enabled
    sign_ins_void_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    agency: Mapped[Agency] = relationship()
    memberships: Mapped[list[Membership]] = relationship(order_by=Membership.operation_id, viewonly=True)

    __mapper_args__ = {"version_id_col": version}


class UserSession(Base):
    """A signed-in browser session, known to every app replica: the idle timeout and absolute
    lifetime are enforced here, because Streamlit's identity cookie lasts 30 days unchecked."""

    __tablename__ = "user_session"
    __table_args__ = (UniqueConstraint("issuer", "subject", "signed_in_at", name="uq_user_session_identity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    issuer: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(300))
    signed_in_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the ID token's iat
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(64))
