"""Scheduled jobs of the notices area: publish due notices, send the outbox, reminders."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from server.jobs import EPOCH
from server.notices import outbox, service
from server.scheduler import Job
from server.timeutil import utcnow

SEND_EVERY = timedelta(seconds=15)
SLOT_MARGIN_SECONDS = 1.0  # the run's last batch ends this long before a slot


def sending_budget(now: datetime, budget: float, every: timedelta = SEND_EVERY) -> float:
    """A sending run's time, ending shortly before one of the job's own slots: a run still
    going when a slot comes makes the scheduler skip that slot (one instance at a time), and
    the outbox would then wait idle until the slot after — up to `every` lost per run."""
    step = every.total_seconds()
    into_slot = (now - EPOCH).total_seconds() % step
    slots = int((budget + into_slot) // step)
    if slots < 1:
        return budget
    return max(slots * step - into_slot - SLOT_MARGIN_SECONDS, step / 2)


def publish_due_notices(now: datetime) -> int:
    return service.publish_due(now)


def send_subscribe_messages(now: datetime) -> str:
    budget = float(current_app.config["NOTICES_DELIVER_BUDGET_SECONDS"])
    return str(outbox.deliver_due(now, sending_budget(utcnow(), budget)))


def remind_activity_start(now: datetime) -> int:
    return service.start_reminders(now)


JOBS = [
    Job("notices_publish_due", publish_due_notices, every=timedelta(minutes=1),
        description="发布到点的定时通知"),
    Job("notices_send_subscribe_messages", send_subscribe_messages,
        every=SEND_EVERY, description="发送订阅消息（发件箱，每条只发一次）"),
    Job("notices_activity_start_reminders", remind_activity_start,
        every=timedelta(minutes=5), description="活动开始前提醒已报名党员"),
]


def remind_party_day(now: datetime) -> dict:
    return service.party_day_reminders(now)


JOBS.append(
    Job("notices_party_day_reminders", remind_party_day, daily_at="08:30",
        description="固定党员活动日提醒与补课提醒")
)
