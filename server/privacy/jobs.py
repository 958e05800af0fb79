"""Scheduled jobs of the personal-information area: account deletions that are due, and the
retention of location fixes and access logs. Each is state-based: a second run changes nothing."""

from __future__ import annotations

from datetime import timedelta

from server.jobs import Job
from server.privacy import erasure, retention

JOBS = [
    Job(
        "privacy_erase_due_accounts",
        erasure.erase_due_accounts,
        every=timedelta(minutes=30),
        description="冷静期满的注销申请：删除身份信息，保留去标识化的记录",
    ),
    Job(
        "privacy_purge_old_locations",
        retention.purge_old_locations,
        daily_at="03:10",
        description="删除活动结束超过保存期限的签到位置坐标（保留距离判定）",
    ),
    Job(
        "privacy_purge_access_logs",
        retention.purge_access_logs,
        daily_at="03:20",
        description="删除超过保存期限（至少6个月）的登录记录与访问日志",
    ),
]
