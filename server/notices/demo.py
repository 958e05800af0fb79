"""Demo data of the notices area: a template per purpose and a sample notice (idempotent)."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from server.extensions import db
from server.members.models import Community
from server.notices import service
from server.notices.models import NoticeKind

# purpose → (demo template id, title, field mapping); production ids come from the WeChat
# console (订阅消息 → 我的模板) and are set with PUT /api/v1/subscribe-templates/<purpose>
DEMO_TEMPLATES: dict[str, tuple[str, str, list[dict]]] = {
    NoticeKind.NOTICE: ("demo-tpl-notice", "社区通知", [
        {"key": "thing1", "source": "title", "truncate": True},
        {"key": "thing2", "source": "community", "truncate": True},
        {"key": "time3", "source": "sent_at"},
        {"key": "thing4", "source": "note", "truncate": True},
    ]),
    NoticeKind.ACTIVITY_REMINDER: ("demo-tpl-activity-reminder", "活动开始提醒", [
        {"key": "thing1", "source": "activity_title", "truncate": True},
        {"key": "time2", "source": "activity_time"},
        {"key": "thing3", "source": "activity_address", "truncate": True},
    ]),
    NoticeKind.SIGNUP_CONFIRMED: ("demo-tpl-signup-confirmed", "报名成功通知", [
        {"key": "thing1", "source": "activity_title", "truncate": True},
        {"key": "time2", "source": "activity_time"},
        {"key": "phrase3", "value": "报名成功"},
    ]),
    NoticeKind.SIGNUP_PROMOTED: ("demo-tpl-signup-promoted", "候补成功通知", [
        {"key": "thing1", "source": "activity_title", "truncate": True},
        {"key": "time2", "source": "activity_time"},
        {"key": "phrase3", "value": "候补转正"},
    ]),
    NoticeKind.ACTIVITY_CHANGED: ("demo-tpl-activity-changed", "活动变更通知", [
        {"key": "thing1", "source": "activity_title", "truncate": True},
        {"key": "thing2", "source": "note", "truncate": True},
        {"key": "time3", "source": "activity_time"},
    ]),
    NoticeKind.ACTIVITY_CANCELLED: ("demo-tpl-activity-cancelled", "活动取消通知", [
        {"key": "thing1", "source": "activity_title", "truncate": True},
        {"key": "thing2", "source": "note", "truncate": True},
        {"key": "time3", "source": "activity_time"},
    ]),
    NoticeKind.PARTY_DAY_REMINDER: ("demo-tpl-party-day", "主题党日提醒", [
        {"key": "thing1", "source": "title", "truncate": True},
        {"key": "date2", "source": "activity_time"},
    ]),
    NoticeKind.DESK_TODO: ("demo-tpl-desk-todo", "待办提醒", [
        {"key": "thing1", "source": "title", "truncate": True},
        {"key": "thing2", "source": "note", "truncate": True},
        {"key": "time3", "source": "sent_at"},
    ]),
    NoticeKind.PARTY_DAY_MAKEUP: ("demo-tpl-party-day-makeup", "补课提醒", [
        {"key": "thing1", "source": "title", "truncate": True},
        {"key": "thing2", "source": "note", "truncate": True},
    ]),
    NoticeKind.FEEDBACK_SHEET: ("demo-tpl-feedback-sheet", "反馈单送达通知", [
        {"key": "thing1", "source": "title", "truncate": True},
        {"key": "thing2", "source": "community", "truncate": True},
        {"key": "time3", "source": "sent_at"},
        {"key": "thing4", "source": "note", "truncate": True},
    ]),
}


def seed_templates() -> None:
    for purpose, (template_id, title, fields) in DEMO_TEMPLATES.items():
        if service.template_for(str(purpose)) is None:
            service.configure_template(str(purpose), template_id, fields, title=title,
                                       page="pages/notices/detail?id={notice_id}")


def seed(log: Callable[[str], None] = print) -> None:
    seed_templates()
    community = db.session.scalar(sa.select(Community).order_by(Community.id))
    if community is None:
        return
    notice = service.event_notice(
        "demo:welcome",
        community_id=community.id,
        kind=NoticeKind.NOTICE,
        title="欢迎使用在职党员社区服务",
        body="各位党员同志：社区志愿服务活动、固定党员活动日等通知将在这里发布。"
             "点击“订阅提醒”，重要通知会通过微信提醒您。",
        audience={"type": "community"},
    )
    log(f"通知: {len(DEMO_TEMPLATES)} 个订阅消息模板, 示例通知 #{notice.id}")
