"""Scan-to-log-in tickets (扫码登录) of the web console."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import db
from server.timeutil import UTCDateTime, utcnow


class ConsoleLoginTicket(db.Model):
    """A one-time ticket shown as a QR code by a console page and confirmed by a staff phone.

    Only hashes are stored: someone who reads the table can neither poll a ticket nor pass for
    the browser that asked for it."""

    __tablename__ = "console_login_tickets"
    ticket_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    # the browser that asked (hash of its httpOnly nonce cookie): only it may pick the login up
    browser_hash: Mapped[str] = mapped_column(sa.String(64))
    address: Mapped[str] = mapped_column(sa.String(64), default="")
    user_agent: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    session_id: Mapped[str | None] = mapped_column(sa.String(32))
