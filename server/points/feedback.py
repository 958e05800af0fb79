"""反馈单: what each community tells an employer unit about its members, per half-year or
year; the secretaries' comments (评语); and a community's own summary by month."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from server.errors import invalid, not_found
from server.excel import Workbook, set_up_for_printing, workbook_bytes
from server.extensions import db
from server.members.models import (
    MEMBER_TYPE_LABELS,
    Community,
    EmployerUnit,
    Member,
    Registration,
    RegistrationStatus,
)
from server.points.models import FeedbackComment, PointBalance, PointEntry
from server.points.rules import check_period, hours_of, period_months
from server.timeutil import to_local, utcnow


def check_appraisal_period(period: str) -> str:
    check_period(period)
    if not (len(period) == 4 or (len(period) == 7 and period[5] == "H")):
        raise invalid("period_not_appraisal", "反馈单按半年（如 2026-H1）或全年（如 2026）出具")
    return period


def period_label(period: str) -> str:
    if len(period) == 4:
        return f"{period}年度"
    return f"{period[:4]}年{'上' if period[6] == '1' else '下'}半年"


def _rows_for(members: list[Member], period: str) -> list[dict[str, Any]]:
    if not members:
        return []
    ids = [m.id for m in members]
    year = period[:4]
    balances = {
        (row.member_id, row.period): row
        for row in db.session.execute(
            sa.select(PointBalance.member_id, PointBalance.period, PointBalance.points,
                      PointBalance.hours_centi, PointBalance.stars)
            .where(PointBalance.member_id.in_(ids), PointBalance.period.in_({period, year}))
        )
    }
    # activities with approved hours in the period (an activity whose hours were all
    # corrected away does not count)
    months = period_months(period)
    per_activity = (
        sa.select(PointEntry.member_id, PointEntry.activity_id)
        .where(PointEntry.member_id.in_(ids), PointEntry.month.in_(months),
               PointEntry.source_type == "hours_record", PointEntry.activity_id.is_not(None))
        .group_by(PointEntry.member_id, PointEntry.activity_id)
        .having(sa.func.sum(PointEntry.hours_centi) > 0)
        .subquery()
    )
    activities = dict(db.session.execute(
        sa.select(per_activity.c.member_id, sa.func.count())
        .group_by(per_activity.c.member_id)
    ).all())
    registered = {}
    for member_id, community_id, decided_at, submitted_at in db.session.execute(
        sa.select(Registration.member_id, Registration.community_id, Registration.decided_at,
                  Registration.submitted_at)
        .where(Registration.member_id.in_(ids),
               Registration.status == RegistrationStatus.APPROVED.value)
    ):
        registered[(member_id, community_id)] = decided_at or submitted_at
    comments = {
        (c.member_id, c.community_id): c.comment
        for c in db.session.scalars(
            sa.select(FeedbackComment).where(FeedbackComment.member_id.in_(ids),
                                             FeedbackComment.period == period)
        )
    }
    community_names = dict(db.session.execute(
        sa.select(Community.id, Community.name)
        .where(Community.id.in_({m.community_id for m in members}))
    ).all())
    rows = []
    for m in members:
        in_period = balances.get((m.id, period))
        in_year = balances.get((m.id, year))
        reg = registered.get((m.id, m.community_id))
        rows.append({
            "member_id": m.id,
            "name": m.name,
            "member_type": MEMBER_TYPE_LABELS.get(m.member_type, m.member_type),
            "community_id": m.community_id,
            "community": community_names.get(m.community_id, ""),
            "registered_on": to_local(reg).date() if reg else None,
            "activities": activities.get(m.id, 0),
            "hours": hours_of(in_period.hours_centi if in_period else 0),
            "points": in_period.points if in_period else 0,
            "stars": (in_year.stars or 0) if in_year else 0,
            "comment": comments.get((m.id, m.community_id), ""),
        })
    return rows


def unit_sheet(unit_id: int, period: str, community_ids: set[int] | None) -> dict[str, Any]:
    """The sheet for one unit: each of its members who reported to a community."""
    check_appraisal_period(period)
    unit = db.session.get(EmployerUnit, unit_id)
    if unit is None:
        raise not_found("单位")
    query = sa.select(Member).where(Member.employer_unit_id == unit_id,
                                    Member.community_id.is_not(None))
    if community_ids is not None:
        query = query.where(Member.community_id.in_(community_ids or {-1}))
    members = list(db.session.scalars(query.order_by(Member.community_id, Member.id)))
    rows = _rows_for(members, period)
    return {
        "unit": {"id": unit.id, "name": unit.name, "party_org_name": unit.party_org_name},
        "period": period,
        "period_label": period_label(period),
        "generated_at": utcnow(),
        "communities": sorted({r["community"] for r in rows}),
        "rows": rows,
    }


def community_sheet(community_id: int, period: str) -> list[dict[str, Any]]:
    """The same rows for the community's own members who belong to a unit (for writing 评语)."""
    check_appraisal_period(period)
    members = list(db.session.scalars(
        sa.select(Member).where(Member.community_id == community_id,
                                Member.employer_unit_id.is_not(None)).order_by(Member.id)
    ))
    units = dict(db.session.execute(sa.select(EmployerUnit.id, EmployerUnit.name)).all())
    rows = _rows_for(members, period)
    for member, row in zip(members, rows, strict=True):
        row["unit"] = units.get(member.employer_unit_id, "")
    return rows


def write_comment(member: Member, period: str, comment: str,
                  user_id: int) -> tuple[FeedbackComment, str | None]:
    check_appraisal_period(period)
    existing = db.session.scalar(
        sa.select(FeedbackComment).where(
            FeedbackComment.member_id == member.id,
            FeedbackComment.community_id == member.community_id,
            FeedbackComment.period == period,
        ).with_for_update()
    )
    before = existing.comment if existing else None
    if existing is None:
        existing = FeedbackComment(member_id=member.id, community_id=member.community_id,
                                   period=period, comment=comment, written_by_user_id=user_id)
        db.session.add(existing)
    else:
        existing.comment = comment
        existing.written_by_user_id = user_id
        existing.updated_at = utcnow()
    db.session.flush()
    return existing, before


# ---------------------------------------------------------------- Excel

HEADERS = [("序号", 6), ("姓名", 10), ("党员类别", 10), ("报到社区", 16), ("报到日期", 12),
           ("参加活动(次)", 11), ("服务时长(小时)", 12), ("积分", 8), ("星级", 8),
           ("社区党组织评语", 40)]


def sheet_xlsx(sheet: dict[str, Any]) -> bytes:
    """The sheet as a printable workbook: A4 landscape, fitted to the page width, the header
    row repeated on every page, the communities named at the top."""
    wb = Workbook()
    ws = wb.active
    ws.title = "反馈单"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    last = get_column_letter(len(HEADERS))

    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = "在职党员到社区报到参与活动情况反馈单"
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    ws.merge_cells(f"A2:{last}2")
    unit = sheet["unit"]
    ws["A2"] = (f"单位党组织：{unit['party_org_name'] or unit['name']}（{unit['name']}）"
                f"    考核周期：{sheet['period_label']}")
    ws.merge_cells(f"A3:{last}3")
    ws["A3"] = "报到社区：" + ("、".join(sheet["communities"]) or "（无）")
    for cell in ("A2", "A3"):
        ws[cell].alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)

    header_row = 4
    for col, (title, width) in enumerate(HEADERS, start=1):
        cell = ws.cell(row=header_row, column=col, value=title)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        ws.column_dimensions[get_column_letter(col)].width = width
    for index, row in enumerate(sheet["rows"], start=1):
        values = [
            index, row["name"], row["member_type"], row["community"],
            row["registered_on"].isoformat() if row["registered_on"] else "",
            row["activities"], float(row["hours"]), row["points"],
            "★" * row["stars"] if row["stars"] else "—", row["comment"],
        ]
        r = header_row + index
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=col, value=value)
            cell.border = border
            cell.alignment = Alignment(vertical="center", wrap_text=col == len(HEADERS),
                                       horizontal="left" if col == len(HEADERS) else "center")
        ws.cell(row=r, column=7).number_format = "0.00"
    foot = header_row + len(sheet["rows"]) + 2
    ws.cell(row=foot, column=1,
            value="社区党组织（盖章）：                    经办人：                    "
                  f"日期：{to_local(sheet['generated_at']).date().isoformat()}")
    ws.merge_cells(start_row=foot, start_column=1, end_row=foot, end_column=len(HEADERS))

    set_up_for_printing(ws, header_row)
    return workbook_bytes(wb)


# ---------------------------------------------------------------- community summary


def community_summary(community_id: int, year: int) -> dict[str, Any]:
    """Members reported, the active share, hours and points by month."""
    reported = db.session.scalar(
        sa.select(sa.func.count()).select_from(Member).where(Member.community_id == community_id)
    )
    in_service = db.session.scalar(
        sa.select(sa.func.count()).select_from(Member).where(
            Member.community_id == community_id, Member.member_type == "in_service")
    )
    active = db.session.scalar(
        sa.select(sa.func.count()).select_from(PointBalance).where(
            PointBalance.period == str(year), PointBalance.community_id == community_id,
            PointBalance.hours_centi > 0)
    )
    months = [f"{year}-{m:02d}" for m in range(1, 13)]
    by_month = {
        row.period: row
        for row in db.session.execute(
            sa.select(PointBalance.period,
                      sa.func.sum(PointBalance.points).label("points"),
                      sa.func.sum(PointBalance.hours_centi).label("hours_centi"),
                      sa.func.count().filter(PointBalance.hours_centi > 0).label("active"))
            .where(PointBalance.community_id == community_id, PointBalance.period.in_(months))
            .group_by(PointBalance.period)
        )
    }
    stars = dict(db.session.execute(
        sa.select(PointBalance.stars, sa.func.count())
        .where(PointBalance.period == str(year), PointBalance.community_id == community_id,
               PointBalance.stars > 0)
        .group_by(PointBalance.stars)
    ).all())
    return {
        "community_id": community_id,
        "year": year,
        "members_reported": reported,
        "in_service_reported": in_service,
        "active_members": active,
        "active_share": round(active / reported, 4) if reported else 0.0,
        "stars": [{"stars": s, "members": stars.get(s, 0)} for s in range(1, 6)],
        "months": [
            {
                "month": month,
                "points": int(by_month[month].points or 0) if month in by_month else 0,
                "hours": hours_of(int(by_month[month].hours_centi or 0))
                if month in by_month else hours_of(0),
                "active_members": int(by_month[month].active or 0) if month in by_month else 0,
            }
            for month in months
        ],
    }
