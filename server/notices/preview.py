"""The subscribe message of a notice as it will look, before it is sent: the template's fields
filled from what staff wrote, each checked against WeChat's limit for its keyword type."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from server.auth.scope import COMMUNITY_MANAGERS, Principal, require_community
from server.errors import invalid
from server.notices import templates as tpl
from server.notices.content import load_activity, notice_values, template_for
from server.notices.models import Notice, NoticeKind
from server.timeutil import utcnow

KIND_NAMES = {
    "thing": "事物", "phrase": "词语", "character_string": "字符串", "number": "数字",
    "letter": "字母", "symbol": "符号", "phone_number": "电话", "car_number": "车牌",
    "amount": "金额", "name": "姓名", "time": "时间", "date": "日期",
}


def _field(field: dict, values: dict[str, Any]) -> dict[str, Any]:
    key = field["key"]
    kind = tpl.keyword_type(key)
    raw = field["value"] if "value" in field else values.get(field["source"])
    shown = " ".join(tpl.format_value(kind, raw).split())
    text, problem = tpl.check_value(key, shown, field.get("truncate", False))
    limit = tpl.RULES[kind][0]
    if kind == "name" and re.search(tpl._CHINESE, shown):
        limit = 10
    return {
        "key": key,
        "kind": kind,
        "kind_label": KIND_NAMES.get(kind, kind),
        "source": tpl.SOURCES.get(field.get("source"), "固定内容"),
        "value": text,
        "length": len(shown),
        "limit": limit,
        "truncated": problem is None and text != shown,
        "problem": problem,
    }


def preview_notice(principal: Principal, community_id: int, data: dict) -> dict[str, Any]:
    """{template_configured, template_title, fields: [...], ok}: nothing is written."""
    require_community(principal, community_id, COMMUNITY_MANAGERS)
    activity_id = data.get("activity_id")
    if activity_id is not None:
        linked = load_activity(activity_id)
        if linked is None or linked.community_id != community_id:
            raise invalid("activity_invalid", "关联的活动不存在或不属于本社区",
                          {"activity_id": "不是本社区的活动"})
    template = template_for(NoticeKind.NOTICE.value)
    if template is None:
        return {"template_configured": False, "template_title": None, "fields": [], "ok": True}
    # a notice never added to the session: only its values are read
    notice = Notice(community_id=community_id, title=data.get("title") or "",
                    body=data.get("body") or "", activity_id=activity_id)
    when: datetime = data.get("send_at") or utcnow()
    values = notice_values(notice, max(when, utcnow()))
    fields = [_field(field, values) for field in template.fields]
    return {"template_configured": True, "template_title": template.title,
            "fields": fields, "ok": not any(f["problem"] for f in fields)}
