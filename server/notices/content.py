"""What a notice says, checked before it goes: the subscribe message rendered from its
template, and WeChat's text security check (内容安全)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from server.errors import AppError, invalid
from server.extensions import db
from server.members.models import Community
from server.notices import templates as tpl
from server.notices.models import Notice, SubscribeTemplate
from server.wechat import client as wechat

log = logging.getLogger(__name__)


def template_for(purpose: str) -> SubscribeTemplate | None:
    return db.session.scalar(
        sa.select(SubscribeTemplate).filter_by(purpose=purpose, active=True)
    )


def load_activity(activity_id: int):
    from server.activities.models import Activity  # activities imports notices: a cycle

    return db.session.get(Activity, activity_id)


def _values(notice: Notice, when: datetime, extra: dict[str, Any] | None = None) -> dict:
    community = db.session.get(Community, notice.community_id)
    values: dict[str, Any] = {
        "title": notice.title,
        "body": notice.body,
        "community": community.name if community else "",
        "sent_at": when,
        "note": "点击查看详情",
    }
    if notice.activity_id is not None:
        activity_row = load_activity(notice.activity_id)
        if activity_row is not None:
            values.update(activity_title=activity_row.title,
                          activity_time=activity_row.starts_at,
                          activity_address=activity_row.address)
    values.update(extra or {})
    return values


notice_values = _values  # what the fields are filled from; the console's preview shows them


def attach_message(notice: Notice, when: datetime, strict: bool,
                    extra: dict[str, Any] | None = None) -> None:
    """Render the subscribe message once for the notice; a field WeChat would refuse is a 422
    for staff (strict), or makes an automatic reminder in-app only."""
    template = template_for(notice.kind)
    notice.template_id, notice.message_data = None, None
    if template is None:
        return
    data, problems = tpl.render(template.fields, _values(notice, when, extra))
    if problems:
        if strict:
            raise invalid(
                "subscribe_fields_invalid",
                "通知内容不符合订阅消息模板的要求，请缩短标题或修改内容",
                {"fields": problems},
            )
        log.warning("notice %s: template %s fields refused %s: in-app only",
                    notice.event_key, template.template_id, problems)
        return
    notice.template_id, notice.message_data = template.id, data


# A notice is a post a community reads, written by its staff: of WeChat's scenes (1 profile,
# 2 comment, 3 forum, 4 social log) a forum post is the nearest. Scene 1 is for nicknames and
# profiles, and is tuned for them.
NOTICE_SCENE = wechat.SEC_CHECK_SCENE_FORUM
NOT_SEEN_RECENTLY = 61010  # the author has not opened the mini-program in the last 2 hours


def end_read_transaction() -> None:
    """End the request's transaction when it has only read so far (who is calling), so that
    no lock or snapshot is held while WeChat answers: on SQLite every transaction is BEGIN
    IMMEDIATE and would hold the write lock for the whole call."""
    session = db.session()
    if session.in_transaction() and not (session.new or session.dirty or session.deleted):
        session.commit()


def check_content(text: str, openid: str | None) -> str:
    """WeChat's text security check (msg_sec_check v2) of a notice, in pieces of at most
    2,500 characters (all must pass): "pass" or "review"; risky text is refused (422).

    A network call: the caller holds no transaction open while it runs."""
    try:
        verdict = wechat.msg_sec_check(text, openid=openid, scene=NOTICE_SCENE)
    except wechat.WeChatError as error:
        if error.errcode == NOT_SEEN_RECENTLY:
            raise AppError(409, "content_check_needs_recent_visit",
                           "发布前请先在微信中打开本小程序（两小时内打开过即可），再重新发布",
                           {"errcode": error.errcode}) from error
        log.warning("msg_sec_check unavailable: %s", error)
        raise AppError(503, "content_check_unavailable",
                       "暂时无法完成内容安全检测，请稍后再发布") from error
    if verdict == "risky":
        raise invalid("content_risky", "通知内容未通过微信内容安全检测，请修改标题或正文后再发布",
                      {"content": "含有违规或敏感内容"})
    return verdict
