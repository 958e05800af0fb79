"""The scheduler process: APScheduler runs the jobs; the database decides who runs each slot.

APScheduler 3 cannot share a job store between processes, and a deploy briefly runs two
schedulers. So every run first claims its (job, slot) row, unique in the database; the
instance that loses the insert skips the slot. Interval jobs fire on epoch-aligned instants,
so every instance computes the same slot.
"""

from __future__ import annotations

import logging
import traceback
from datetime import UTC, datetime

import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import db
from server.jobs import Job
from server.metrics import JOB_RUNS, serve_scheduler_metrics
from server.timeutil import UTCDateTime, utcnow

log = logging.getLogger(__name__)


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
        JOB_RUNS.labels(job.name, "skipped").inc()
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
    JOB_RUNS.labels(job.name, run.status).inc()
    return run


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


def start_in_background(app: Flask, jobs: list[Job]) -> BackgroundScheduler:
    """Run `jobs` on threads of this process (the demo); `shutdown()` stops them."""
    scheduler = BackgroundScheduler(timezone=UTC, daemon=True)
    add_jobs(app, scheduler, jobs)
    scheduler.start()
    log.info("scheduler started in the background with %d jobs", len(jobs))
    return scheduler


def run_forever(app: Flask, jobs: list[Job]) -> None:
    """Run `jobs` (server.jobs.all_jobs(), say) until stopped."""
    scheduler = BlockingScheduler(timezone=UTC)
    add_jobs(app, scheduler, jobs)
    serve_scheduler_metrics(app.config["METRICS_SCHEDULER_PORT"],
                            app.config["METRICS_SCHEDULER_ADDRESS"])
    log.info("scheduler starting with %d jobs", len(jobs))
    scheduler.start()
