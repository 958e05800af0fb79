"""The demo data: what the README promises, and idempotent."""

from __future__ import annotations

import threading
from datetime import date, datetime, time

import pytest
import sqlalchemy as sa
import time_machine

from server.activities.models import Activity
from server.auth.models import RoleGrant, User
from server.demo import seed
from server.extensions import db
from server.members.models import Building, Community, EmployerUnit, Grid, Member, Registration
from server.timeutil import LOCAL_TZ


def counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Community, Grid, Building, EmployerUnit, Member, Registration, User,
                      RoleGrant)
    }


def test_demo_data_is_built_once_however_often_it_runs(app, client):
    lines: list[str] = []
    logins = seed(lines.append)
    first = counts()
    assert first["Community"] == 2 and first["Building"] == 40 and first["EmployerUnit"] == 3
    assert first["Member"] == 200 and first["Registration"] == 200
    assert {m for (m,) in db.session.execute(sa.select(Member.member_type).distinct())} == {
        "in_service", "direct", "retired", "floating"}
    assert any("党员 200/200" in line for line in lines)  # progress is shown
    seed(lines.append)
    assert counts() == first

    for name in ("member001", "staff1"):
        assert name in logins
        response = client.post("/api/v1/auth/login", json={"code": f"demo:{name}:test"})
        assert response.status_code == 200
    assert response.json["user"]["roles"][0]["role"] == "community_staff"


@pytest.mark.parametrize("local_time", ["08:00", "19:30", "23:50", "00:10"])
def test_the_demo_builds_at_any_hour_with_an_activity_open_for_clock_in(app, local_time):
    hour, minute = map(int, local_time.split(":"))
    now = datetime.combine(date(2026, 11, 23), time(hour, minute), tzinfo=LOCAL_TZ)
    with time_machine.travel(now, tick=False):
        seed(lambda line: None)
        open_now = db.session.scalars(sa.select(Activity).where(
            Activity.title == "楼道环境清理",
            Activity.starts_at <= now, Activity.ends_at > now)).all()
    assert len(open_now) == 2  # one in each demo community


def _scheduler_threads() -> list:
    return [t for t in threading.enumerate() if t.name == "APScheduler" and t.is_alive()]


@pytest.mark.settings(WECHAT_STANDIN_PORT=0)
def test_the_demo_command_runs_the_scheduler_while_it_serves_and_stops_it_after(
        app, monkeypatch, capsys):
    from server import cli

    monkeypatch.setattr(cli, "upgrade", lambda: None)  # the test database is already built
    seen = {}

    def serve(host, port, served_app, **_options):
        seen["threads"] = len(_scheduler_threads())
        seen["base_url"] = served_app.config["WECHAT_API_BASE_URL"]

    cli.run_demo(app, "127.0.0.1", 0, serve=serve)
    assert seen["threads"] == 1  # notices leave the outbox while the demo serves
    assert seen["base_url"].startswith("http://127.0.0.1:")  # …to the demo's stand-in
    assert _scheduler_threads() == []
    printed = capsys.readouterr().out
    assert "member002 … member200" in printed and "_standin/sent" in printed
    for login in ("demo:member001:1", "demo:staff1:1", "demo:secretary1:1", "demo:unitsec1:1"):
        line = next(line for line in printed.splitlines() if login in line)
        assert "先试" in line  # each kind of login is told what to try first
