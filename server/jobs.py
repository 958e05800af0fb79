"""Every scheduled job: `Job`, the job type, beside `JOBS`, the list the scheduler process
and `flask jobs` are given. The core jobs are declared here; each area's `jobs.py` declares
its own `JOBS` with this type, and `JOBS` here is all of them."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from server.areas import area_modules
from server.idempotency import purge_expired
from server.timeutil import LOCAL_TZ, to_local

# interval jobs fire on instants counted from here, so every scheduler instance agrees on slots
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Job:
    """A scheduled job: a thin call into a domain service, `func(now) -> summary`.

    Either `every` (an interval) or `daily_at` ("HH:MM", Asia/Shanghai) is set. `func` does
    its work in the session; the runner commits (a long job may commit in batches itself).
    """

    name: str
    func: Callable[[datetime], object]
    every: timedelta | None = None
    daily_at: str | None = None
    description: str = ""

    def slot_for(self, now: datetime) -> str:
        if self.every is not None:
            seconds = self.every.total_seconds()
            # nearest boundary: instances firing a little early or late agree on the slot
            index = round((now - EPOCH).total_seconds() / seconds)
            return (EPOCH + timedelta(seconds=index * seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return to_local(now).strftime("%Y-%m-%d")

    def trigger(self):
        if self.every is not None:
            return IntervalTrigger(seconds=self.every.total_seconds(), start_date=EPOCH)
        hour, minute = (int(part) for part in self.daily_at.split(":"))
        return CronTrigger(hour=hour, minute=minute, timezone=LOCAL_TZ)

    def misfire_grace_seconds(self, configured: int) -> int:
        # a run may start late (a busy machine, a restart) but not after its next slot
        if self.every is not None:
            return max(1, min(configured, int(self.every.total_seconds() / 2)))
        return configured


def _purge_idempotency_records(now: datetime) -> int:
    return purge_expired(now)


CORE_JOBS: list[Job] = [
    Job(
        "purge_idempotency_records",
        _purge_idempotency_records,
        every=timedelta(hours=1),
        description="删除过期的请求标识记录",
    )
]


@functools.cache
def all_jobs() -> list[Job]:
    """The core jobs and every area's. The areas' jobs modules are found by name on first use:
    they import `Job` from here, so this module cannot import them while it loads."""
    jobs = list(CORE_JOBS)
    for module in area_modules("jobs"):
        jobs.extend(module.JOBS)
    return jobs


def __getattr__(name: str) -> list[Job]:
    # `from server.jobs import JOBS`: every job, collected on first use (see all_jobs)
    if name == "JOBS":
        return all_jobs()
    raise AttributeError(name)


def job_by_name(name: str) -> Job:
    for job in all_jobs():
        if job.name == name:
            return job
    raise KeyError(name)
