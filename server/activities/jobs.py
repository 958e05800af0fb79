"""Scheduled jobs of the activities area: thin calls into the services, state-based, so a
second run of the same slot (or a run by hand) changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from server.activities import service, unconfirmed
from server.jobs import Job


def advance_activity_states(now: datetime) -> dict:
    return service.advance_states(now)


def close_open_records(now: datetime) -> dict:
    return unconfirmed.close_open_records(now)


def daily_unconfirmed_list(now: datetime) -> dict:
    return unconfirmed.daily_unconfirmed_digest(now)


JOBS = [
    Job(
        "activities_advance_states",
        advance_activity_states,
        every=timedelta(minutes=1),
        description="活动状态流转：报名中→进行中→已结束→已归档",
    ),
    Job(
        "activities_close_open_records",
        close_open_records,
        every=timedelta(minutes=5),
        description="活动结束后按社区规则处理未签退记录，登记缺席",
    ),
    Job(
        "activities_daily_unconfirmed_list",
        daily_unconfirmed_list,
        daily_at="08:30",
        description="每日汇总待确认的未签退记录",
    ),
]
