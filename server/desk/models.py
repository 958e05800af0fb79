"""What the desk tells staff and secretaries (the bell in the console): a daily digest of what
waits in their inbox, and an appeal as soon as it arrives."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import db
from server.timeutil import UTCDateTime, utcnow


class DeskNotification(db.Model):
    """One message to one staff user; `event_key` makes each event tell a user once (the
    digest of a day, an appeal)."""

    __tablename__ = "desk_notifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(sa.String(20))  # digest | appeal
    event_key: Mapped[str] = mapped_column(sa.String(120))
    title: Mapped[str] = mapped_column(sa.String(100))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    # where the console opens it (a path inside the console)
    link: Mapped[str] = mapped_column(sa.String(200), default="/inbox")
    community_id: Mapped[int | None] = mapped_column(sa.ForeignKey("communities.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        sa.UniqueConstraint("user_id", "event_key"),
        sa.Index("ix_desk_notifications_user_created", "user_id", "created_at"),
    )
