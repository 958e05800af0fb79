"""flask commands: demo data, the demo server, the scheduler process, jobs by hand."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask_migrate import upgrade
from werkzeug.serving import run_simple

from server import console_build
from server import scheduler as scheduling


def _print_logins(logins: dict[str, str]) -> None:
    click.echo("\n演示登录码（每个完整的码只能用一次；把末尾数字换成任意新值即可再次登录）：")
    for name, what in logins.items():
        code = f"demo:{name}:1" if " " not in name else name  # a range of logins, not a code
        click.echo(f"  {code:24} {what}")


@click.command("seed-demo")
def seed_demo_command():
    """Build demo data (idempotent) and print the demo login codes."""
    from server.demo import seed

    logins = seed(lambda line: click.echo(line))
    _print_logins(logins)


@click.command("demo")
@click.option("--host", default=None, help="address to serve on (default DEMO_HOST)")
@click.option("--port", default=None, type=int, help="port (default DEMO_PORT)")
def demo_command(host, port):
    """Migrate, seed demo data, start the stand-in WeChat API and the scheduler, serve the app."""
    run_demo(current_app._get_current_object(), host, port)


def run_demo(app: Flask, host: str | None, port: int | None, serve=run_simple) -> None:
    """The demo: everything production runs (app, scheduler), with the stand-in for WeChat.
    `serve(host, port, app, …)` blocks until the demo is stopped; the scheduler stops with it."""
    from server.demo import seed
    from server.wechat.standin import StandInServer

    config = app.config
    upgrade()
    logins = seed(lambda line: click.echo(line))
    standin = StandInServer(
        host=config["WECHAT_STANDIN_HOST"],
        port=config["WECHAT_STANDIN_PORT"],
        appid=config["WECHAT_APPID"],
        secret=config["WECHAT_SECRET"],
    )
    standin.start()
    config["WECHAT_API_BASE_URL"] = standin.url
    console_build.ensure_built(click.echo)
    _print_logins(logins)
    host = host or config["DEMO_HOST"]
    port = port or config["DEMO_PORT"]
    click.echo(f"\n管理后台: http://{host}:{port}/console/ （用上面的演示登录码登录）")
    click.echo(f"\n模拟微信接口: {standin.url}（已发出的订阅消息: {standin.url}_standin/sent ，"
               f"统计: {standin.url}_standin/stats ，清空: POST {standin.url}_standin/reset）")
    click.echo(f"接口文档: http://{host}:{port}/api/docs")
    click.echo(f"登录: curl -X POST http://{host}:{port}/api/v1/auth/login "
               "-H 'Content-Type: application/json' -d '{\"code\": \"demo:member001:1\"}'")
    # the same jobs as `flask scheduler` in production: notices leave the outbox, open
    # clock-outs are closed, party days are created
    scheduler = scheduling.start_in_background(app)
    click.echo("定时任务已在本进程运行（订阅消息每 15 秒发送一次）；按 Ctrl+C 停止演示\n")
    try:
        # app.run() refuses to start under the flask command; werkzeug's server is what it wraps
        serve(host, port, app, threaded=True, use_reloader=False)
    finally:
        scheduler.shutdown(wait=False)
        standin.stop()


@click.command("scheduler")
def scheduler_command():
    """Run the scheduler process (safe to run more than one: each slot runs once)."""
    scheduling.run_forever(current_app._get_current_object())


@click.group("jobs")
def jobs_group():
    """Scheduled jobs, by hand."""


@jobs_group.command("list")
def jobs_list():
    for job in scheduling.all_jobs():
        when = f"every {job.every}" if job.every else f"daily at {job.daily_at}"
        click.echo(f"{job.name:40} {when:24} {job.description}")


@jobs_group.command("run")
@click.argument("name")
def jobs_run(name):
    """Run one job now (its own slot, so it never collides with the scheduler's)."""
    from server.timeutil import utcnow

    try:
        job = scheduling.job_by_name(name)
    except KeyError as exc:
        raise click.BadParameter(f"no job named {name}") from exc
    now = utcnow()
    run = scheduling.run_job(job, now, slot=f"manual:{now.isoformat()}")
    click.echo(f"{job.name}: {run.status} {run.result or ''}")
    if run.status != "done":
        click.echo(run.error, err=True)
        raise SystemExit(1)


def register(app: Flask) -> None:
    from server.places.cli import roles_group
    from server.points.cli import points_group
    from server.wechat.cli import standin_command

    for command in (
        seed_demo_command,
        demo_command,
        scheduler_command,
        jobs_group,
        points_group,
        roles_group,
        standin_command,
    ):
        app.cli.add_command(command)
