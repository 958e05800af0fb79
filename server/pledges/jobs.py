"""Scheduled jobs of the pledges area: each month's fixed party day, created ahead of time."""

from __future__ import annotations

from server.jobs import Job
from server.pledges import party_day

JOBS = [
    Job(
        "create_party_days",
        party_day.create_party_days,
        daily_at="01:30",
        description="提前创建各社区当月及下月的固定党员活动日活动（已创建的不重复创建）",
    ),
]
