"""The registration cards (在职党员登记卡) of a community, as a workbook laid out for print."""

from __future__ import annotations

import sqlalchemy as sa
from openpyxl.styles import Alignment, Font

from server.audit import service as audit
from server.auth.scope import (
    Principal,
    require_community,
)
from server.excel import Workbook, set_up_for_printing, workbook_bytes
from server.extensions import db
from server.members.models import (
    MEMBER_TYPE_LABELS,
    Registration,
    RegistrationStatus,
)
from server.timeutil import to_local

CARD_COLUMNS = ("姓名", "手机号", "党员类型", "工作单位", "单位党组织", "网格", "楼栋", "房号",
                "报到日期", "审核日期")


def registration_cards_xlsx(principal: Principal, community_id: int) -> tuple[bytes, str]:
    """在职党员登记卡 of a community as a printable workbook; every export is logged."""
    community = require_community(principal, community_id)
    rows = db.session.scalars(
        sa.select(Registration)
        .where(
            Registration.community_id == community_id,
            Registration.status == RegistrationStatus.APPROVED,
        )
        .order_by(Registration.building_id, Registration.room, Registration.id)
    ).all()
    book = Workbook()
    sheet = book.active
    sheet.title = "在职党员登记卡"
    sheet.append([f"{community.name} 党员报到登记卡"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(list(CARD_COLUMNS))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for registration in rows:
        member = registration.member
        unit = member.employer_unit
        sheet.append(
            [
                member.name,
                member.phone,
                MEMBER_TYPE_LABELS.get(member.member_type, member.member_type),
                unit.name if unit else "",
                unit.party_org_name if unit else "",
                registration.building.grid.name,
                registration.building.name,
                registration.room,
                to_local(registration.submitted_at).strftime("%Y-%m-%d"),
                to_local(registration.decided_at).strftime("%Y-%m-%d")
                if registration.decided_at
                else "",
            ]
        )
    for column, width in zip("ABCDEFGHIJ", (10, 14, 10, 20, 20, 10, 10, 8, 12, 12), strict=True):
        sheet.column_dimensions[column].width = width
    set_up_for_printing(sheet, header_row=2)
    audit.record(
        principal.user_id,
        "export.registration_cards",
        "community",
        community_id,
        community_id=community_id,
        after={"rows": len(rows)},
    )
    return workbook_bytes(book), f"registration-cards-{community_id}.xlsx"
