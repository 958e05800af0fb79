"""A scheduler killed mid-run leaves its run `running`: another instance takes it over once
its heartbeat is stale and runs the slot to completion, once; a daily run missed while no
scheduler was up runs at start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from server.extensions import db
from server.scheduler import Job, JobRun, finish_run, instance
from server.scheduler_keeper import heartbeat, missed_today, take_over


def test_a_run_whose_instance_stopped_beating_is_taken_over_once_and_completed(app):
    calls = []
    job = Job("monthly", lambda now: calls.append(now), daily_at="01:30")
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    db.session.add(JobRun(job_name="monthly", slot="2026-12-02", status="running",
                          started_at=now - timedelta(minutes=5), owner="host:1:dead",
                          heartbeat_at=now - timedelta(minutes=3)))
    db.session.add(JobRun(job_name="monthly", slot="2026-12-01", status="running",
                          started_at=now - timedelta(minutes=1), owner="host:2:alive",
                          heartbeat_at=now - timedelta(seconds=10)))
    db.session.commit()

    taken = take_over(now, timedelta(minutes=2), {"monthly": job})
    assert [(j.name, db.session.get(JobRun, run_id).slot) for j, run_id in taken] == [
        ("monthly", "2026-12-02")]
    assert take_over(now, timedelta(minutes=2), {"monthly": job}) == []  # once
    run = finish_run(job, db.session.get(JobRun, taken[0][1]), now)
    assert (run.status, run.owner, len(calls)) == ("done", instance(), 1)
    heartbeat(now + timedelta(minutes=1))  # writes nothing for finished runs
    runs = db.session.execute(sa.select(JobRun.slot, JobRun.status, JobRun.owner)
                              .order_by(JobRun.slot)).all()
    assert runs == [("2026-12-01", "running", "host:2:alive"),
                    ("2026-12-02", "done", instance())]


def test_a_daily_run_missed_within_the_grace_runs_at_start(app):
    job = Job("daily", lambda now: None, daily_at="20:00")  # 12:00 UTC
    at = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    assert missed_today(at + timedelta(seconds=30), timedelta(minutes=1), [job]) == [job]
    assert missed_today(at + timedelta(minutes=2), timedelta(minutes=1), [job]) == []
    assert missed_today(at - timedelta(minutes=1), timedelta(minutes=1), [job]) == []
    db.session.add(JobRun(job_name="daily", slot="2026-12-02", status="done", started_at=at))
    db.session.commit()
    assert missed_today(at + timedelta(seconds=30), timedelta(minutes=1), [job]) == []
