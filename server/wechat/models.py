"""The WeChat access token, shared by every app and scheduler process."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import db
from server.timeutil import UTCDateTime


class WechatAccessToken(db.Model):
    __tablename__ = "wechat_access_tokens"

    appid: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    access_token: Mapped[str | None] = mapped_column(sa.String(512))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refreshed_count: Mapped[int] = mapped_column(sa.Integer, default=0, nullable=False)
