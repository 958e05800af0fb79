"""Excel imports (导入) and the in-service members' rosters that employer units send."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.extensions import db
from server.members.models import Community, EmployerUnit
from server.timeutil import UTCDateTime, utcnow


class ImportStatus:
    PREVIEWED = "previewed"  # uploaded and checked; nothing written yet
    APPLIED = "applied"


class ImportBatch(db.Model):
    """One uploaded file: its preview (row errors, what would change), then its application."""

    __tablename__ = "import_batches"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(20), default=ImportStatus.PREVIEWED)
    filename: Mapped[str] = mapped_column(sa.String(200))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int] = mapped_column(sa.Integer)
    # kept until the import is applied: confirming applies exactly the file that was previewed
    content: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    # the place the file is for (which one depends on the kind): also who may see the import
    community_id: Mapped[int | None] = mapped_column(sa.ForeignKey("communities.id"), index=True)
    street_id: Mapped[int | None] = mapped_column(sa.ForeignKey("streets.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employer_units.id"), index=True)
    row_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    error_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    errors: Mapped[list] = mapped_column(sa.JSON, default=list)
    counts: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_by_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RosterEntry(db.Model):
    """One in-service member (在职党员) on the list an employer unit sends: who, and the
    community where they live. What reporting rates (报到率) are measured against."""

    __tablename__ = "roster_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("employer_units.id"))
    name: Mapped[str] = mapped_column(sa.String(50))
    phone: Mapped[str] = mapped_column(sa.String(20))
    member_type: Mapped[str] = mapped_column(sa.String(20))
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"), index=True)
    import_batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("import_batches.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[EmployerUnit] = relationship()
    community: Mapped[Community] = relationship()

    __table_args__ = (sa.UniqueConstraint("unit_id", "phone"),)
