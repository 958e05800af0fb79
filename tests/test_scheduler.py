"""The scheduler claims each (job, slot) once, however many instances run."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler

from server.extensions import db
from server.scheduler import Job, JobRun, add_jobs, run_job


def test_two_instances_running_one_slot_run_it_once(app):
    calls = []
    job = Job("count", lambda now: calls.append(now), every=timedelta(minutes=1))
    now = datetime(2026, 11, 23, 2, 0, 1, tzinfo=UTC)
    first = run_job(job, now)
    second = run_job(job, now + timedelta(seconds=2))
    assert first.status == "done" and second is None
    assert len(calls) == 1


def test_instances_firing_a_little_early_or_late_agree_on_the_slot():
    job = Job("count", lambda now: None, every=timedelta(minutes=5))
    on_time = datetime(2026, 11, 23, 2, 5, 0, tzinfo=UTC)
    assert job.slot_for(on_time - timedelta(seconds=40)) == job.slot_for(on_time)
    assert job.slot_for(on_time + timedelta(seconds=40)) == job.slot_for(on_time)
    assert job.slot_for(on_time + timedelta(minutes=5)) != job.slot_for(on_time)


def test_daily_jobs_have_one_slot_per_shanghai_day():
    job = Job("daily", lambda now: None, daily_at="08:00")
    # 23:30 UTC on the 22nd is already the 23rd in Shanghai
    assert job.slot_for(datetime(2026, 11, 22, 23, 30, tzinfo=UTC)) == "2026-11-23"


def test_a_failing_job_records_its_error_and_releases_nothing_half_done(app):
    def broken(now):
        db.session.execute(sa.text("SELECT 1"))
        raise ValueError("broken job")

    run = run_job(Job("broken", broken, every=timedelta(minutes=1)))
    assert run.status == "failed" and "broken job" in run.error


def test_two_scheduler_instances_run_every_slot_exactly_once(app):
    """Two real APScheduler instances on one database, a job every second, for a few slots."""
    ran: list[str] = []
    job = Job("tick", lambda now: ran.append(job.slot_for(now)), every=timedelta(seconds=1))
    schedulers = [BackgroundScheduler(timezone=UTC) for _ in range(2)]
    finished = threading.Event()
    for scheduler in schedulers:
        add_jobs(app, scheduler, [job])
        scheduler.start()
    finished.wait(4.5)  # real schedulers need real time: a bounded wait, not a sleep-and-assert
    for scheduler in schedulers:
        scheduler.shutdown(wait=True)
    slots = list(ran)
    runs = db.session.scalars(sa.select(JobRun).filter_by(job_name="tick")).all()
    assert len(runs) >= 3
    assert len(slots) == len(set(slots)) == len(runs)
    assert all(run.status == "done" for run in runs)
