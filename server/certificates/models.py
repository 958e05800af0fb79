"""Issued certificates (a stored snapshot: the PDF bytes as issued) and each issuer's name."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import db
from server.timeutil import UTCDateTime, utcnow


class CertificateStatus(enum.StrEnum):
    ISSUED = "issued"
    REVOKED = "revoked"  # 已作废: kept, verifies as revoked


class Certificate(db.Model):
    """志愿服务记录证明: one member, one issuing community, one period.

    The PDF is stored as issued, so corrections to hours records afterwards never change it;
    staff revoke it with a reason and issue a new one. Only a hash of the verification code
    is kept: whoever holds the PDF holds the code.
    """

    __tablename__ = "certificates"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    code_sha256: Mapped[str] = mapped_column(sa.String(64))
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"), index=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"), index=True)
    # "2026-01-01..2026-06-30"; the natural key of a request with the member and community
    period_key: Mapped[str] = mapped_column(sa.String(30))
    period_start: Mapped[date | None] = mapped_column(sa.Date)
    period_end: Mapped[date] = mapped_column(sa.Date)
    # what the public verification page shows, kept apart from the PDF (which a deleted
    # account's certificate no longer has)
    holder_masked: Mapped[str] = mapped_column(sa.String(60))
    issuer_name: Mapped[str] = mapped_column(sa.String(100))
    total_hours_centi: Mapped[int] = mapped_column(sa.Integer)
    record_count: Mapped[int] = mapped_column(sa.Integer)
    issued_on: Mapped[date] = mapped_column(sa.Date)
    # the rows printed, as printed; emptied with the PDF when the account is deleted
    snapshot: Mapped[dict | None] = mapped_column(sa.JSON)
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    pdf_sha256: Mapped[str] = mapped_column(sa.String(64))
    # the last four characters of an identity document, only when the member chose to give
    # them, with when and why (个人信息保护法: minimum necessary, with consent)
    id_last4: Mapped[str | None] = mapped_column(sa.String(4))
    id_reason: Mapped[str | None] = mapped_column(sa.String(200))
    id_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(sa.String(10), default=CertificateStatus.ISSUED.value)
    issued_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    revoke_reason: Mapped[str | None] = mapped_column(sa.String(500))

    __table_args__ = (
        # asking twice for the same period returns the one already issued
        sa.Index(
            "uq_certificates_one_issued",
            "member_id",
            "community_id",
            "period_key",
            unique=True,
            sqlite_where=sa.text("status = 'issued'"),
            postgresql_where=sa.text("status = 'issued'"),
        ),
    )


class CertificateIssuer(db.Model):
    """The name a community's party organisation signs certificates with (出具单位)."""

    __tablename__ = "certificate_issuers"
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"), unique=True)
    party_org_name: Mapped[str] = mapped_column(sa.String(100))
    updated_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
