"""The member's rights over their personal information (个人信息保护法 Arts 44–47): see and
copy (summary, export), correct (what and how), withdraw consent, delete the account; and the
retention rules that remove what is no longer needed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from server.audit import service as audit
from server.auth.scope import Principal
from server.errors import AppError, conflict, invalid
from server.extensions import db
from server.members.models import Member
from server.privacy import export
from server.privacy.guide import kinds
from server.privacy.models import (
    OPEN_DELETION,
    AccountDeletion,
    ConsentEvent,
    DeletionStatus,
)
from server.timeutil import utcnow

CONFIRM_PHRASE = "确认注销"


def _member(principal: Principal) -> Member:
    if principal.member is None:
        raise AppError(403, "not_a_member", "请先完成党员信息登记（到社区报到）")
    return principal.member


# ---------------------------------------------------------------- see and copy (查阅、复制)


def summary(principal: Principal) -> dict[str, Any]:
    """「我的个人信息」: every kind held, how many records of each, and why it is held."""
    member = _member(principal)
    data = export.collect(member, principal.user)
    return {
        "member_id": member.id,
        "kinds": [{"key": k.key, "label": k.label, "what": k.what, "why": k.why,
                   "kept": k.kept, "count": len(data[k.key])} for k in kinds()],
    }


def export_my_data(principal: Principal) -> tuple[bytes, str]:
    """The complete export as one zip (data.json + data.xlsx + images); logged as an access."""
    member = _member(principal)
    content, counts = export.export_zip(member, principal.user)
    audit.record(principal.user_id, "privacy.export", "member", member.id,
          community_id=member.community_id, after={"rows": sum(counts.values())})
    return content, f"my-data-{member.id}.zip"


# ---------------------------------------------------------------- correct (更正)


def corrections(principal: Principal) -> list[dict[str, str]]:
    """What the member may change themselves, and how to ask for the rest."""
    _member(principal)
    return [
        {"field": "phone", "label": "手机号", "how": "self",
         "action": "POST /api/v1/me/phone 经微信确认新号码后，随报到信息一并更新"},
        {"field": "community", "label": "居住社区、楼栋、房号", "how": "new_report",
         "action": "POST /api/v1/registrations 重新报到，社区审核通过后生效"},
        {"field": "unit", "label": "工作单位、党员类型、姓名", "how": "new_report",
         "action": "POST /api/v1/registrations 重新报到时填写新的信息"},
        {"field": "hours", "label": "志愿服务时长", "how": "appeal",
         "action": "POST /api/v1/activities/<活动id>/appeal 提出申诉，社区核实后更正"},
        {"field": "consents", "label": "位置授权、公开榜单展示", "how": "self",
         "action": "POST /api/v1/me/privacy/consents/<location|public_boards>"},
        {"field": "other", "label": "其他信息（积分、评语、承诺书等）", "how": "ask_staff",
         "action": "联系所在社区工作人员，核实后由社区更正"},
    ]


# ---------------------------------------------------------------- withdraw consent (撤回同意)

CONSENT_EFFECTS = {
    "location": {
        "label": "使用位置信息签到",
        "granted": "可用位置签到：在活动范围内即可签到、签退",
        "withdrawn": "只能扫描现场二维码签到；不再收集您的位置",
    },
    "public_boards": {
        "label": "在公开榜单上展示",
        "granted": "您的名字（部分隐去）和积分显示在先锋榜等公开榜单上",
        "withdrawn": "公开榜单上不显示您；社区工作人员的统计中仍计入",
    },
}


def _consent_rows(member: Member) -> list[dict[str, Any]]:
    states = {"location": (member.location_consent, member.location_consent_at),
              "public_boards": (not member.hide_from_public_boards, None)}
    rows = []
    for kind, effects in CONSENT_EFFECTS.items():
        granted, since = states[kind]
        rows.append({"kind": kind, "label": effects["label"], "granted": granted,
                     "since": since, "withdrawable": True,
                     "effect": effects["granted" if granted else "withdrawn"],
                     "effect_if_withdrawn": effects["withdrawn"]})
    rows.append({"kind": "privacy_notice", "label": "隐私政策", "granted": True,
                 "since": member.privacy_agreed_at, "withdrawable": False,
                 "effect": f"已同意 {member.privacy_version or ''} 版隐私政策",
                 "effect_if_withdrawn": "如不再同意，请注销账号"})
    return rows


def consents(principal: Principal) -> list[dict[str, Any]]:
    return _consent_rows(_member(principal))


def set_consent(principal: Principal, kind: str, granted: bool) -> list[dict[str, Any]]:
    """Give or withdraw a consent at once; the answer says what changes."""
    member = _member(principal)
    if kind not in CONSENT_EFFECTS:
        raise AppError(404, "not_found", "没有这项授权")
    before = member.location_consent if kind == "location" else not member.hide_from_public_boards
    if before != granted:
        if kind == "location":
            # the rule of POST /me/consents/location: when it changed, and nothing else
            member.location_consent = granted
            member.location_consent_at = utcnow()
        else:
            member.hide_from_public_boards = not granted  # the boards follow (points area)
        db.session.add(ConsentEvent(member_id=member.id, kind=kind, granted=granted))
    return _consent_rows(member)


# ---------------------------------------------------------------- delete the account (注销)


def _open_deletion(user_id: int) -> AccountDeletion | None:
    return db.session.scalar(sa.select(AccountDeletion).where(
        AccountDeletion.user_id == user_id, AccountDeletion.status.in_(OPEN_DELETION)))


def deletion_state(principal: Principal) -> dict[str, Any]:
    request = _open_deletion(principal.user_id) or db.session.scalar(
        sa.select(AccountDeletion).where(AccountDeletion.user_id == principal.user_id)
        .order_by(AccountDeletion.id.desc()).limit(1))
    return _deletion_view(request)


def _deletion_view(request: AccountDeletion | None) -> dict[str, Any]:
    days = current_app.config["PRIVACY_DELETION_COOLING_OFF_DAYS"]
    return {
        "request": request,
        "cooling_off_days": days,
        "confirm_phrase": CONFIRM_PHRASE,
        "removed": ["姓名、手机号、微信身份（openid）", "手写签名、践诺照片与内容", "签到位置坐标",
                    "房号、申诉与评语内容", "证明文件与证件号后四位"],
        "kept": ["志愿服务时长、积分（不再与您关联，榜单与统计仍然一致）",
                 "已出具证明的核验信息（姓名部分隐去）"],
    }


def request_deletion(principal: Principal) -> dict[str, Any]:
    """Step 1: ask. Asking again returns the open request."""
    request = _open_deletion(principal.user_id)
    if request is None:
        request = AccountDeletion(user_id=principal.user_id, member_id=principal.member_id,
                                  status=DeletionStatus.REQUESTED.value)
        db.session.add(request)
        db.session.flush()
        audit.record(principal.user_id, "privacy.deletion_request", "account_deletion", request.id)
    return _deletion_view(request)


def confirm_deletion(principal: Principal, phrase: str) -> dict[str, Any]:
    """Step 2: confirm with the phrase; the cooling-off period starts."""
    request = _open_deletion(principal.user_id)
    if request is None:
        raise conflict("deletion_not_requested", "请先提交注销申请")
    if phrase.strip() != CONFIRM_PHRASE:
        raise invalid("deletion_phrase_mismatch", f"请输入“{CONFIRM_PHRASE}”以确认",
                      {"fields": {"confirm": f"请输入“{CONFIRM_PHRASE}”"}})
    if request.status == DeletionStatus.REQUESTED:
        now = utcnow()
        days = current_app.config["PRIVACY_DELETION_COOLING_OFF_DAYS"]
        request.status = DeletionStatus.SCHEDULED.value
        request.confirmed_at = now
        request.scheduled_for = now + timedelta(days=days)
        audit.record(principal.user_id, "privacy.deletion_confirm", "account_deletion", request.id)
    return _deletion_view(request)


def cancel_deletion(principal: Principal) -> dict[str, Any]:
    """Any time before the job has run: nothing is removed."""
    request = _open_deletion(principal.user_id)
    if request is None:
        latest = deletion_state(principal)
        if latest["request"] is not None and latest["request"].status == "cancelled":
            return latest
        raise conflict("deletion_not_requested", "没有待处理的注销申请")
    request.status = DeletionStatus.CANCELLED.value
    request.cancelled_at = utcnow()
    audit.record(principal.user_id, "privacy.deletion_cancel", "account_deletion", request.id)
    return _deletion_view(request)
