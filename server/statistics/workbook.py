"""数据统计 as Excel: every table of the statistics page, a sheet each, the same numbers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from server.auth.scope import Principal
from server.excel import Workbook, set_up_for_printing, workbook_bytes
from server.replica import replica_read
from server.statistics.service import MEASURES, not_reported, statistics
from server.timeutil import to_local


def _value(value: Any) -> Any:
    if value is None:
        return "不适用"
    return float(value) if isinstance(value, Decimal) else value


@replica_read
def statistics_workbook(principal: Principal, scope: str, scope_id: int,
                        period: str) -> tuple[bytes, str]:
    """Every table of the page in one workbook, a sheet each."""
    stats = statistics(principal, scope, scope_id, period)
    missing = not_reported(principal, scope, scope_id)
    wb = Workbook()
    title = f"{stats['name']} {stats['period_label']} 数据统计"
    totals = stats["totals"]
    ws = wb.active
    ws.title = "总览"
    _table(ws, title, ["指标", "数值"], [(label, _value(totals.get(key))) for label, key in (
        ("单位报来名册人数", "roster"), ("名册中已报到", "roster_reported"),
        ("报到率(%)", "reporting_rate"), ("报到党员", "members"),
        ("活跃党员(有服务时长)", "active_members"), ("活跃率(%)", "active_rate"),
        ("服务时长(小时)", "hours"), ("积分合计", "points"), ("活动场次", "activities"),
        ("楼栋数", "buildings"), ("有承诺的楼栋", "pledged_buildings"),
        ("承诺楼栋覆盖率(%)", "pledge_coverage"), ("签订承诺的党员", "pledged_members"),
        ("主题党日场次", "party_days"), ("主题党日参加人次", "party_day_attendances"),
        ("补课人次", "party_day_makeups"))])
    _table(wb.create_sheet("每月服务时长"), title, ["月份", "服务时长(小时)"],
           [(r["month"], float(r["hours"])) for r in stats["hours_by_month"]])
    _table(wb.create_sheet("活动类型"), title, ["活动类型", "场次"],
           [(r["label"], r["activities"]) for r in stats["activities_by_type"]])
    _table(wb.create_sheet("各活动参与人数"), title, ["活动", "开始时间", "参与党员"],
           [(r["title"], to_local(r["starts_at"]).strftime("%Y-%m-%d %H:%M"), r["members"])
            for r in stats["participation"]])
    _table(wb.create_sheet("星级分布"), title, ["星级", "人数"],
           [("★" * r["stars"], r["members"]) for r in stats["stars"]])
    _table(wb.create_sheet("积分分布"), title, ["积分", "人数"],
           [(r["band"], r["members"]) for r in stats["points_distribution"]])
    for key, place, sheet, header in (("communities", "community", "社区对比", "社区"),
                                      ("streets", "street", "街道对比", "街道")):
        rows = stats[key]
        if rows:
            _table(wb.create_sheet(sheet), title,
                   [header, *(f"{label}({unit})" for _k, label, unit in MEASURES)],
                   [(r[place]["name"], *(float(r[k]) if k == "hours" else r[k]
                                         for k, _l, _u in MEASURES)) for r in rows])
    _table(wb.create_sheet("未报到名单"), title, ["社区", "单位", "姓名", "手机号"],
           [(r["community"]["name"], r["unit"], r["name"], r["phone"]) for r in missing])
    return workbook_bytes(wb), f"数据统计-{stats['name']}-{period}.xlsx"


def _table(ws, title: str, headers: list[str], rows: list) -> None:
    ws.append([title])
    ws["A1"].font = Font(size=14, bold=True)
    ws.append(headers)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(list(row))
    for index in range(1, len(headers) + 1):
        ws.column_dimensions[get_column_letter(index)].width = 18 if index > 1 else 22
    set_up_for_printing(ws, 2)
