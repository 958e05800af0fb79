"""Scheduled jobs of the console: old scan-to-log-in tickets are deleted."""

from __future__ import annotations

from datetime import timedelta

from server.console.service import purge_login_tickets
from server.scheduler import Job

JOBS = [
    Job(
        "purge_console_login_tickets",
        purge_login_tickets,
        every=timedelta(hours=6),
        description="删除过期一天以上的管理后台扫码登录二维码记录",
    ),
]
