"""Scheduled jobs of the notices area: publish due notices, send the outbox, reminders."""

from __future__ import annotations

from datetime import datetime, timedelta

from server.notices import outbox, service
from server.scheduler import Job


def publish_due_notices(now: datetime) -> int:
    return service.publish_due(now)


def send_subscribe_messages(now: datetime) -> str:
    return str(outbox.deliver_due(now))


def remind_activity_start(now: datetime) -> int:
    return service.start_reminders(now)


JOBS = [
    Job("notices_publish_due", publish_due_notices, every=timedelta(minutes=1),
        description="发布到点的定时通知"),
    Job("notices_send_subscribe_messages", send_subscribe_messages,
        every=timedelta(seconds=15), description="发送订阅消息（发件箱，每条只发一次）"),
    Job("notices_activity_start_reminders", remind_activity_start,
        every=timedelta(minutes=5), description="活动开始前提醒已报名党员"),
]


def remind_party_day(now: datetime) -> dict:
    return service.party_day_reminders(now)


JOBS.append(
    Job("notices_party_day_reminders", remind_party_day, daily_at="08:30",
        description="固定党员活动日提醒与补课提醒")
)
