"""The scheduler's keeper, a job of its own every few seconds on every instance: it writes
the heartbeat of the runs this instance has going, takes over the runs whose instance died
(heartbeat older than SCHEDULER_STALE_SECONDS) and runs their job again, and — once, at
start — runs today's slot of a daily job that no instance ran while none was up (within
SCHEDULER_MISFIRE_GRACE_SECONDS of its time)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from apscheduler.schedulers.base import BaseScheduler
from flask import Flask

from server.extensions import db
from server.jobs import Job
from server.scheduler import JobRun, finish_run, instance, run_job
from server.timeutil import LOCAL_TZ, to_local, utcnow

log = logging.getLogger(__name__)

KEEPER = "scheduler_keeper"


def heartbeat(now: datetime) -> None:
    mine = list(db.session.scalars(sa.select(JobRun.id).where(
        JobRun.owner == instance(), JobRun.status == "running")))
    if mine:  # (no write at all otherwise: SQLite has one writer at a time)
        db.session.execute(sa.update(JobRun).where(JobRun.id.in_(mine))
                           .values(heartbeat_at=now))
    db.session.commit()


def take_over(now: datetime, stale: timedelta, jobs: dict[str, Job]) -> list[tuple[Job, int]]:
    """The runs whose instance stopped beating, now this instance's: [(job, run id)]."""
    cutoff = now - stale
    abandoned = db.session.execute(
        sa.select(JobRun.id, JobRun.job_name, JobRun.owner, JobRun.heartbeat_at)
        .where(JobRun.status == "running", JobRun.job_name.in_(list(jobs)),
               sa.func.coalesce(JobRun.heartbeat_at, JobRun.started_at) < cutoff)).all()
    taken = []
    for run_id, name, owner, beat in abandoned:
        # only if nobody else took it first (compare and set)
        done = db.session.execute(
            sa.update(JobRun)
            .where(JobRun.id == run_id, JobRun.status == "running",
                   JobRun.owner.is_(None) if owner is None else JobRun.owner == owner,
                   JobRun.heartbeat_at.is_(None) if beat is None else JobRun.heartbeat_at == beat)
            .values(owner=instance(), heartbeat_at=now)).rowcount
        db.session.commit()
        if done:
            log.warning("job %s: run %s of instance %s stopped beating; taken over", name,
                        run_id, owner)
            taken.append((jobs[name], run_id))
    return taken


def missed_today(now: datetime, grace: timedelta, jobs: list[Job]) -> list[Job]:
    """Daily jobs whose time today has passed within `grace` and whose slot has no run."""
    due = []
    for job in jobs:
        if job.daily_at is None:
            continue
        hour, minute = (int(part) for part in job.daily_at.split(":"))
        local = to_local(now)
        at = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if at <= local <= at + grace and db.session.scalar(
                sa.select(JobRun.id).filter_by(job_name=job.name,
                                               slot=job.slot_for(now))) is None:
            due.append(job)
    return due


def add_keeper(app: Flask, scheduler: BaseScheduler, jobs: list[Job]) -> None:
    stale = timedelta(seconds=int(app.config["SCHEDULER_STALE_SECONDS"]))
    grace = timedelta(seconds=int(app.config["SCHEDULER_MISFIRE_GRACE_SECONDS"]))
    by_name = {job.name: job for job in jobs}
    started = []

    def resume(job: Job, run_id: int) -> None:
        with app.app_context():
            run = db.session.get(JobRun, run_id)
            finish_run(job, run, utcnow())

    def missed(job: Job) -> None:
        with app.app_context():
            run_job(job)

    def keep() -> None:
        with app.app_context():
            now = utcnow()
            heartbeat(now)
            for job, run_id in take_over(now, stale, by_name):
                scheduler.add_job(resume, args=[job, run_id], name=f"{job.name} (taken over)")
            if not started:
                started.append(now)
                for job in missed_today(now, grace, jobs):
                    log.warning("job %s: today's run was missed; running it now", job.name)
                    scheduler.add_job(missed, args=[job], name=f"{job.name} (missed)")

    beat = max(1, min(15, int(stale.total_seconds()) // 4))
    scheduler.add_job(keep, trigger="interval", seconds=beat, id=KEEPER, name=KEEPER,
                      next_run_time=datetime.now(LOCAL_TZ), coalesce=True, max_instances=1)
