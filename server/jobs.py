"""Every scheduled job, collected from the domain areas (each area's `jobs.py` has `JOBS`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from server.areas import area_modules
from server.idempotency import purge_expired
from server.scheduler import Job


def _purge_idempotency_records(now: datetime) -> int:
    return purge_expired(now)


def _collect() -> list[Job]:
    jobs = [
        Job(
            "purge_idempotency_records",
            _purge_idempotency_records,
            every=timedelta(hours=1),
            description="删除过期的请求标识记录",
        )
    ]
    for module in area_modules("jobs"):
        jobs.extend(module.JOBS)
    return jobs


JOBS: list[Job] = _collect()
