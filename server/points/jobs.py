"""Scheduled jobs of the points area."""

from __future__ import annotations

from datetime import datetime

from server.jobs import Job
from server.points.reconcile import reconcile


def nightly_reconcile_check(now: datetime) -> str:
    """Report (never repair) differences between balances and the ledger; repairs are a
    deliberate `flask points reconcile --repair`."""
    report = reconcile(repair=False)
    return f"members={report.members} balances={report.balances} " \
           f"differences={len(report.differences)}"


JOBS = [
    Job("points_reconcile_check", nightly_reconcile_check, daily_at="03:30",
        description="积分余额与台账夜间对账（只报告差异）"),
]
