"""Telling a unit's secretary (单位党组织书记) that a feedback sheet has come, or is waiting for its
回执: a notice in the app (their 我的消息), and a subscribe message where they hold a credit —
through the notices' own event path, so a repeated send or reminder notifies once."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from server.auth.models import Role, RoleGrant
from server.extensions import db
from server.feedback_sheets.models import FeedbackSheet
from server.members.models import Community, EmployerUnit, Member
from server.notices.models import NoticeKind
from server.notices.reminders import event_notice


def unit_secretaries(unit_id: int) -> dict[int, list[int]]:
    """The unit's secretaries who are members (those a message can reach): {community: ids}."""
    rows = db.session.execute(
        sa.select(Member.community_id, Member.id)
        .join(RoleGrant, RoleGrant.user_id == Member.user_id)
        .where(RoleGrant.role == Role.UNIT_SECRETARY.value, RoleGrant.unit_id == unit_id,
               Member.community_id.is_not(None))
        .order_by(Member.id))
    found: dict[int, list[int]] = defaultdict(list)
    for community_id, member_id in rows:
        found[community_id].append(member_id)
    return dict(found)


def notify_unit(sheet: FeedbackSheet, label: str, *, reminder: int | None = None) -> int:
    """One notice per secretary's community; `reminder`: the how-many-th 催办 (each once)."""
    community = db.session.get(Community, sheet.community_id)
    unit = db.session.get(EmployerUnit, sheet.employer_unit_id)
    if reminder is None:
        step, title = "sent", f"{community.name}送来{label}反馈单"
        body = (f"{community.name}已签发并送达{unit.name}的{label}在职党员参与社区活动反馈单，"
                "请在网页管理端「反馈单」中查看、下载并回执。")
    else:
        step, title = f"remind{reminder}", f"请回执{community.name}{label}反馈单"
        body = (f"{community.name}送达{unit.name}的{label}反馈单尚未回执，"
                "请在网页管理端「反馈单」中查看并回执。")
    reached = 0
    for community_id, member_ids in unit_secretaries(unit.id).items():
        event_notice(f"feedback_sheet:{sheet.id}:{step}:{community_id}",
                     community_id=community_id, kind=NoticeKind.FEEDBACK_SHEET, title=title,
                     body=body, audience={"type": "members", "member_ids": member_ids},
                     extra={"note": "请查看并回执"})
        reached += len(member_ids)
    return reached
