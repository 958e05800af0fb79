"""Changes after publishing (发布后变更): what an edit of a published activity changed, read
from the audit entries its edits already write (before/after snapshots of every field)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from server.audit.models import AuditEntry
from server.auth.models import User
from server.auth.scope import ON_SITE_STAFF, Principal, require_activity
from server.extensions import db
from server.timeutil import to_local

FIELD_LABELS = {
    "title": "名称",
    "category": "类型",
    "content": "内容",
    "address": "地点",
    "latitude": "签到点纬度",
    "longitude": "签到点经度",
    "radius_m": "签到范围（米）",
    "starts_at": "开始时间",
    "ends_at": "结束时间",
    "organiser": "组织单位",
    "leader_name": "带队人",
    "leader_user_id": "带队人账号",
    "capacity": "人数上限",
    "signup_deadline": "报名截止",
    "audience_grid_ids": "面向网格",
    "audience_member_types": "面向党员类别",
    "audience_street_id": "面向街道",
}
TIMES = {"starts_at", "ends_at", "signup_deadline"}
# what the members who signed up are told of (server/notices/reminders.py CHANGE_LABELS)
ANNOUNCED = {"title", "starts_at", "ends_at", "address"}


def _shown(field: str, value: Any) -> str:
    if value is None or value == [] or value == "":
        return "（空）"
    if field in TIMES and isinstance(value, str):
        return f"{to_local(datetime.fromisoformat(value)):%Y-%m-%d %H:%M}"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def activity_changes(principal: Principal, activity_id: int) -> list[dict[str, Any]]:
    """Each field an edit changed while the activity was published or under way, newest
    first: the old and new value as shown, who changed it and when (its staff)."""
    require_activity(principal, activity_id, ON_SITE_STAFF)
    rows = db.session.execute(
        sa.select(AuditEntry, User.display_name)
        .outerjoin(User, User.id == AuditEntry.actor_user_id)
        .where(AuditEntry.action == "activity.update", AuditEntry.target_type == "activity",
               AuditEntry.target_id == str(activity_id))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    ).all()
    changes: list[dict[str, Any]] = []
    for entry, actor_name in rows:
        before, after = entry.before or {}, entry.after or {}
        if before.get("status") == "draft":
            continue  # drafts are edited freely; nobody has seen them yet
        for field, label in FIELD_LABELS.items():
            if before.get(field) == after.get(field):
                continue
            changes.append({
                "audit_id": entry.id,
                "at": entry.at,
                "by": actor_name or "",
                "field": field,
                "field_label": label,
                "old": _shown(field, before.get(field)),
                "new": _shown(field, after.get(field)),
                "announced": field in ANNOUNCED,
            })
    return changes
