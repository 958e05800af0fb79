"""The scheduler process: APScheduler runs the jobs; the database decides who runs each slot.

APScheduler 3 cannot share a job store between processes, and a deploy briefly runs two
schedulers. So every run first claims its (job, slot) row, unique in the database; the
instance that loses the insert skips the slot. Interval jobs fire on epoch-aligned instants,
so every instance computes the same slot.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import db
from server.timeutil import LOCAL_TZ, UTCDateTime, to_local, utcnow

log = logging.getLogger(__name__)
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


class JobRun(db.Model):
    __tablename__ = "job_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    job_name: Mapped[str] = mapped_column(sa.String(60))
    slot: Mapped[str] = mapped_column(sa.String(40))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(sa.String(10), default="running")
    result: Mapped[str | None] = mapped_column(sa.Text)
    error: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (sa.UniqueConstraint("job_name", "slot"),)


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


def claim_slot(job: Job, slot: str) -> JobRun | None:
    """Insert the (job, slot) row in its own transaction; None when another instance has it."""
    run = JobRun(job_name=job.name, slot=slot, started_at=utcnow())
    db.session.add(run)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return run


def run_job(job: Job, now: datetime | None = None, slot: str | None = None) -> JobRun | None:
    """Run one slot of `job` once across every scheduler instance; call inside an app context."""
    now = now or utcnow()
    slot = slot or job.slot_for(now)
    run = claim_slot(job, slot)
    if run is None:
        log.info("job %s slot %s already claimed elsewhere", job.name, slot)
        return None
    try:
        summary = job.func(now)
        db.session.commit()
        run.status, run.result = "done", None if summary is None else str(summary)
    except Exception:
        db.session.rollback()
        log.exception("job %s failed", job.name)
        run = db.session.merge(run)
        run.status, run.error = "failed", traceback.format_exc()[-4000:]
    run.finished_at = utcnow()
    db.session.commit()
    return run


def all_jobs() -> list[Job]:
    from server.jobs import JOBS

    return list(JOBS)


def job_by_name(name: str) -> Job:
    for job in all_jobs():
        if job.name == name:
            return job
    raise KeyError(name)


def add_jobs(app: Flask, scheduler: BaseScheduler, jobs: list[Job]) -> None:
    grace = app.config["SCHEDULER_MISFIRE_GRACE_SECONDS"]

    def runner(job: Job):
        def run():
            with app.app_context():
                run_job(job)

        return run

    for job in jobs:
        scheduler.add_job(
            runner(job),
            trigger=job.trigger(),
            id=job.name,
            name=job.name,
            coalesce=True,  # after downtime, one catch-up run, not one per missed slot
            max_instances=1,
            misfire_grace_time=job.misfire_grace_seconds(grace),
        )


def start_in_background(app: Flask) -> BackgroundScheduler:
    """The scheduler on threads of this process (the demo); `shutdown()` stops it."""
    scheduler = BackgroundScheduler(timezone=UTC, daemon=True)
    add_jobs(app, scheduler, all_jobs())
    scheduler.start()
    log.info("scheduler started in the background with %d jobs", len(all_jobs()))
    return scheduler


def run_forever(app: Flask) -> None:
    scheduler = BlockingScheduler(timezone=UTC)
    add_jobs(app, scheduler, all_jobs())
    log.info("scheduler starting with %d jobs", len(all_jobs()))
    scheduler.start()
