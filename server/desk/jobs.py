"""Scheduled jobs of the staff desk: the daily digest of what waits in each inbox."""

from __future__ import annotations

from datetime import datetime

from server.desk import notifications
from server.scheduler import Job


def daily_digest(now: datetime) -> dict:
    return notifications.daily_digest(now)


JOBS = [
    Job("desk_daily_digest", daily_digest, daily_at="08:00",
        description="每天告诉工作人员和书记待办事项（管理后台提醒与订阅消息）"),
]
