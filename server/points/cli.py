"""flask --app server points …: reconcile balances with the ledger, recompute stars."""

from __future__ import annotations

import click

from server.extensions import db
from server.points.balances import recompute_stars_everywhere
from server.points.reconcile import reconcile


@click.group("points")
def points_group():
    """积分：对账、重算星级。"""


@points_group.command("reconcile")
@click.option("--repair", is_flag=True, help="write the ledger's figures into the balances")
@click.option("--batch-size", default=500, show_default=True, help="members per batch")
@click.option("--show", default=20, show_default=True, help="differences to print")
def reconcile_command(repair, batch_size, show):
    """Check every balance against the ledger; report differences; --repair fixes them."""
    def progress(done: int, total: int) -> None:
        click.echo(f"  {done}/{total} 名党员已核对", err=True)

    report = reconcile(repair=repair, batch_size=batch_size, progress=progress)
    for diff in report.differences[:show]:
        click.echo(f"党员 {diff['member_id']} {diff['period']}: {diff['fields']}")
    if len(report.differences) > show:
        click.echo(f"… 另有 {len(report.differences) - show} 处差异")
    click.echo(f"核对 {report.members} 名党员、{report.balances} 条余额：差异 "
               f"{len(report.differences)} 处" + (f"，已修复 {report.repaired} 处" if repair
                                                  else ""))
    if repair:
        db.session.commit()
    elif report.differences:
        raise SystemExit(1)


@points_group.command("recompute-stars")
@click.argument("year", type=int)
def recompute_stars_command(year):
    """Recompute every member's stars for YEAR from the thresholds in force."""
    changed = recompute_stars_everywhere(year)
    db.session.commit()
    click.echo(f"{year} 年星级已重算：{changed} 人变化")
