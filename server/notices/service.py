"""Notices (网上动员): writing, publishing, reading; subscribe credits and templates; reminders."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from server import events
from server.audit import service as audit
from server.auth.scope import COMMUNITY_MANAGERS, Principal, require_community
from server.errors import AppError, conflict, invalid, not_found
from server.extensions import db
from server.members.models import Community, Member
from server.notices import audience as audiences
from server.notices import templates as tpl
from server.notices.models import (
    Notice,
    NoticeKind,
    NoticeRecipient,
    NoticeStatus,
    OutboxStatus,
    SubscribeCredit,
    SubscribeOutbox,
    SubscribeResult,
    SubscribeTemplate,
)
from server.notices.outbox import enqueue, errcode_reason, insert_ignoring_duplicates
from server.timeutil import LOCAL_TZ, local_today, utcnow
from server.wechat import client as wechat

log = logging.getLogger(__name__)
MAX_RESULTS_PER_TAP = 5  # wx.requestSubscribeMessage takes at most 5 templates


# -- templates ------------------------------------------------------------------------------


def list_templates(active_only: bool = True) -> list[SubscribeTemplate]:
    statement = sa.select(SubscribeTemplate).order_by(SubscribeTemplate.id)
    if active_only:
        statement = statement.where(SubscribeTemplate.active.is_(True))
    return list(db.session.scalars(statement))


def template_for(purpose: str) -> SubscribeTemplate | None:
    return db.session.scalar(
        sa.select(SubscribeTemplate).filter_by(purpose=purpose, active=True)
    )


def configure_template(
    purpose: str, template_id: str, fields: list[dict], *, title: str = "",
    page: str | None = None, active: bool = True, actor_user_id: int | None = None,
) -> SubscribeTemplate:
    """Create or change the template used for one purpose (a NoticeKind)."""
    if purpose not in {k.value for k in NoticeKind}:
        raise invalid("template_purpose_invalid", "模板用途不在允许范围内",
                      {"purpose": [k.value for k in NoticeKind]})
    mapping = tpl.check_mapping(fields)
    template = db.session.scalar(sa.select(SubscribeTemplate).filter_by(purpose=purpose))
    other = db.session.scalar(sa.select(SubscribeTemplate).filter_by(template_id=template_id))
    if other is not None and other is not template:
        raise conflict("template_id_taken", "该模板ID已用于其他用途")
    before = None
    if template is None:
        template = SubscribeTemplate(purpose=purpose)
        db.session.add(template)
    else:
        before = {"template_id": template.template_id, "fields": template.fields}
    template.template_id, template.fields, template.title = template_id, mapping, title
    template.page, template.active = page, active
    db.session.flush()
    if actor_user_id is not None:
        audit.record(actor_user_id, "notice.template_configured", "subscribe_template",
                     template.id, before=before,
                     after={"template_id": template_id, "fields": mapping})
    return template


# -- subscribe credits ----------------------------------------------------------------------


def record_subscribe_results(member: Member, results: dict[str, str]) -> list[SubscribeCredit]:
    """The mini-program's report of one wx.requestSubscribeMessage tap: accept adds a credit."""
    if not results or len(results) > MAX_RESULTS_PER_TAP:
        raise invalid("subscribe_results_invalid", "一次最多上报5个模板的订阅结果",
                      {"results": "应为1到5个模板"})
    allowed = {r.value for r in SubscribeResult}
    by_wechat_id = {
        t.template_id: t
        for t in db.session.scalars(
            sa.select(SubscribeTemplate).where(SubscribeTemplate.template_id.in_(list(results)))
        )
    }
    problems = {
        key: "未配置的模板" if key not in by_wechat_id else "取值不在允许范围内"
        for key, value in results.items()
        if key not in by_wechat_id or value not in allowed
    }
    if problems:
        raise invalid("subscribe_results_invalid", "订阅结果有误，请重新订阅",
                      {"results": problems})
    now = utcnow()
    insert_ignoring_duplicates(
        SubscribeCredit,
        [
            {"member_id": member.id, "template_id": t.id, "credits": 0, "updated_at": now}
            for t in by_wechat_id.values()
        ],
    )
    for key, value in results.items():
        template = by_wechat_id[key]
        # one atomic UPDATE, so that a concurrent send's decrement is never lost
        db.session.execute(
            sa.update(SubscribeCredit)
            .where(SubscribeCredit.member_id == member.id,
                   SubscribeCredit.template_id == template.id)
            .values(
                credits=SubscribeCredit.credits + (1 if value == SubscribeResult.ACCEPT else 0),
                last_result=value,
                updated_at=now,
            )
        )
    return my_credits(member)


def my_credits(member: Member) -> list[SubscribeCredit]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(SubscribeCredit).filter_by(member_id=member.id).order_by(SubscribeCredit.id)
        )
    )


# -- notices: staff -------------------------------------------------------------------------


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
        activity = _activity(notice.activity_id)
        if activity is not None:
            values.update(activity_title=activity.title, activity_time=activity.starts_at,
                          activity_address=activity.address)
    values.update(extra or {})
    return values


def _activity(activity_id: int):
    from server.activities.models import Activity

    return db.session.get(Activity, activity_id)


def _attach_message(notice: Notice, when: datetime, strict: bool,
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


def check_content(text: str, openid: str | None) -> str:
    """WeChat's content security check (msg_sec_check v2); risky text is refused."""
    try:
        verdict = wechat.msg_sec_check(text, openid=openid)
    except wechat.WeChatError as error:
        log.warning("msg_sec_check unavailable: %s", error)
        raise AppError(503, "content_check_unavailable",
                       "暂时无法完成内容安全检测，请稍后再发布") from error
    if verdict == "risky":
        raise invalid("content_risky", "通知内容未通过微信内容安全检测，请修改标题或正文后再发布",
                      {"content": "含有违规或敏感内容"})
    return verdict


def create_notice(principal: Principal, community_id: int, data: dict) -> Notice:
    """A staff notice: checked (audience, content, template fields), then published now or
    scheduled for `send_at`."""
    require_community(principal, community_id, COMMUNITY_MANAGERS)
    now = utcnow()
    activity_id = data.get("activity_id")
    if activity_id is not None:
        activity = _activity(activity_id)
        if activity is None or activity.community_id != community_id:
            raise invalid("activity_invalid", "关联的活动不存在或不属于本社区",
                          {"activity_id": "不是本社区的活动"})
    audience = audiences.normalise(community_id, data["audience"])
    send_at = data.get("send_at") or now
    scheduled = send_at > now + timedelta(seconds=5)
    if not scheduled and audiences.count(community_id, audience) == 0:
        raise invalid("audience_empty", "所选范围内没有已报到的党员，请重新选择通知对象")
    notice = Notice(
        community_id=community_id,
        kind=NoticeKind.NOTICE.value,
        title=data["title"],
        body=data["body"],
        activity_id=activity_id,
        audience=audience,
        status=NoticeStatus.SCHEDULED.value,
        send_at=send_at if scheduled else now,
        created_by_user_id=principal.user_id,
        created_at=now,
    )
    db.session.add(notice)
    _attach_message(notice, notice.send_at, strict=True)
    notice.content_check = check_content(f"{notice.title}\n{notice.body}", principal.user.openid)
    db.session.flush()
    if not scheduled:
        publish(notice, now)
    audit.record(principal.user_id, "notice.created", "notice", notice.id,
                 community_id=community_id,
                 after={"title": notice.title, "audience": audience,
                        "send_at": notice.send_at.isoformat(), "status": notice.status})
    return notice


def publish(notice: Notice, now: datetime) -> int:
    """Fix the recipients (in-app) and queue their subscribe messages; safe to repeat: only
    members not yet reached are added. Returns the audience size so far."""
    member_ids = audiences.member_ids(notice.community_id, notice.audience)
    insert_ignoring_duplicates(
        NoticeRecipient,
        [{"notice_id": notice.id, "member_id": m, "created_at": now} for m in member_ids],
    )
    enqueue(notice, member_ids, now)
    if notice.status != NoticeStatus.SENT:
        notice.status, notice.published_at = NoticeStatus.SENT.value, now
    return len(member_ids)


def publish_due(now: datetime) -> int:
    """Publish scheduled notices whose time has come (the scheduler); one commit per notice."""
    published = 0
    while True:
        notice = db.session.scalar(
            sa.select(Notice)
            .where(Notice.status == NoticeStatus.SCHEDULED.value, Notice.send_at <= now)
            .order_by(Notice.send_at, Notice.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if notice is None:
            db.session.commit()
            return published
        # the fields are rendered again: the activity may have changed since it was written
        _attach_message(notice, now, strict=False)
        publish(notice, now)
        db.session.commit()
        published += 1


def cancel_notice(principal: Principal, notice_id: int) -> Notice:
    notice = get_staff_notice(principal, notice_id, lock=True)
    if notice.status == NoticeStatus.CANCELLED:
        return notice
    if notice.status != NoticeStatus.SCHEDULED:
        raise conflict("notice_already_sent", "通知已经发出，不能取消")
    notice.status, notice.cancelled_at = NoticeStatus.CANCELLED.value, utcnow()
    notice.cancelled_by_user_id = principal.user_id
    audit.record(principal.user_id, "notice.cancelled", "notice", notice.id,
                 community_id=notice.community_id, before={"status": "scheduled"},
                 after={"status": "cancelled"})
    return notice


def get_staff_notice(principal: Principal, notice_id: int, lock: bool = False) -> Notice:
    statement = sa.select(Notice).where(Notice.id == notice_id)
    if lock:
        statement = statement.with_for_update()
    notice = db.session.scalar(statement)
    if notice is None or notice.community_id not in principal.community_ids(COMMUNITY_MANAGERS):
        raise not_found("通知")
    return notice


def staff_notices_query(principal: Principal, community_id: int, kind: str | None = None,
                        status: str | None = None) -> sa.Select:
    require_community(principal, community_id, COMMUNITY_MANAGERS)
    statement = sa.select(Notice).where(Notice.community_id == community_id)
    if kind:
        statement = statement.where(Notice.kind == kind)
    if status:
        statement = statement.where(Notice.status == status)
    return statement.order_by(Notice.send_at.desc(), Notice.id.desc())


def notice_stats(notice: Notice) -> dict[str, Any]:
    """What staff see per notice: audience, read, sent, failed and why, without a credit."""
    audience_size, read = db.session.execute(
        sa.select(sa.func.count(NoticeRecipient.id), sa.func.count(NoticeRecipient.read_at))
        .where(NoticeRecipient.notice_id == notice.id)
    ).one()
    by_status = dict(
        db.session.execute(
            sa.select(SubscribeOutbox.status, sa.func.count(SubscribeOutbox.id))
            .where(SubscribeOutbox.notice_id == notice.id)
            .group_by(SubscribeOutbox.status)
        ).all()
    )
    failures = [
        {"errcode": errcode, "reason": errcode_reason(errcode), "count": n}
        for errcode, n in db.session.execute(
            sa.select(SubscribeOutbox.errcode, sa.func.count(SubscribeOutbox.id))
            .where(SubscribeOutbox.notice_id == notice.id,
                   SubscribeOutbox.status == OutboxStatus.FAILED.value)
            .group_by(SubscribeOutbox.errcode)
            .order_by(SubscribeOutbox.errcode)
        ).all()
    ]
    queued = sum(by_status.values())
    return {
        "audience_size": audience_size if notice.status == NoticeStatus.SENT
        else audiences.count(notice.community_id, notice.audience),
        "read": read,
        "unread": audience_size - read,
        "subscribe_sent": by_status.get(OutboxStatus.SENT.value, 0),
        "subscribe_pending": by_status.get(OutboxStatus.PENDING.value, 0),
        "subscribe_failed": by_status.get(OutboxStatus.FAILED.value, 0),
        "failures": failures,
        # no template configured: nobody can get a subscribe message
        "without_credit": by_status.get(OutboxStatus.NO_CREDIT.value, 0)
        if notice.template_id is not None or queued else audience_size,
    }


# -- notices: members -----------------------------------------------------------------------


def my_notices_query(member: Member, unread_only: bool = False) -> sa.Select:
    statement = (
        sa.select(NoticeRecipient)
        .join(Notice, Notice.id == NoticeRecipient.notice_id)
        .where(NoticeRecipient.member_id == member.id, Notice.status == NoticeStatus.SENT.value)
    )
    if unread_only:
        statement = statement.where(NoticeRecipient.read_at.is_(None))
    return statement.order_by(Notice.published_at.desc(), Notice.id.desc())


def unread_count(member: Member) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(NoticeRecipient.id))
        .join(Notice, Notice.id == NoticeRecipient.notice_id)
        .where(
            NoticeRecipient.member_id == member.id,
            NoticeRecipient.read_at.is_(None),
            Notice.status == NoticeStatus.SENT.value,
        )
    )


def open_notice(member: Member, notice_id: int) -> NoticeRecipient:
    """A member opens a notice addressed to them: it is read from now on."""
    recipient = db.session.scalar(
        sa.select(NoticeRecipient)
        .join(Notice, Notice.id == NoticeRecipient.notice_id)
        .where(NoticeRecipient.member_id == member.id, NoticeRecipient.notice_id == notice_id,
               Notice.status == NoticeStatus.SENT.value)
    )
    if recipient is None:
        raise not_found("通知")
    if recipient.read_at is None:
        recipient.read_at = utcnow()
    return recipient


# -- notices caused by events: reminders and activity messages ------------------------------


def event_notice(
    event_key: str, *, community_id: int, kind: NoticeKind, title: str, body: str,
    audience: dict, activity_id: int | None = None, now: datetime | None = None,
    extra: dict[str, Any] | None = None,
) -> Notice:
    """The one notice for an event, published to its audience. Repeating it (another
    scheduler, a later run) creates nothing twice; members who joined the audience since are
    added."""
    now = now or utcnow()
    values = {
        "community_id": community_id, "kind": kind.value, "event_key": event_key[:120],
        "title": title[:100], "body": body, "activity_id": activity_id, "audience": audience,
        "status": NoticeStatus.SCHEDULED.value, "send_at": now, "created_at": now,
    }
    insert_ignoring_duplicates(Notice, [values])
    notice = db.session.scalar(sa.select(Notice).filter_by(event_key=values["event_key"]))
    if notice.status == NoticeStatus.SCHEDULED:
        _attach_message(notice, now, strict=False, extra=extra)
    notice.audience = audience
    publish(notice, now)
    return notice


def _key(*parts: Any) -> str:
    return ":".join(str(p) for p in parts)


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _fmt(when: datetime | None) -> str:
    return tpl.format_value("time", when) if when else ""


ACTIVE_SIGNUPS = ("confirmed",)


def start_reminders(now: datetime) -> int:
    """Remind the members signed up for activities starting within the lead time (once per
    member and start time)."""
    from server.activities.models import Activity

    lead = timedelta(minutes=current_app.config["NOTICES_START_REMINDER_MINUTES"])
    activities = db.session.scalars(
        sa.select(Activity).where(
            Activity.starts_at > now,
            Activity.starts_at <= now + lead,
            Activity.status.in_(REMINDED_ACTIVITY_STATUSES),
        )
    ).all()
    for activity in activities:
        event_notice(
            _key("activity_reminder", activity.id, f"{activity.starts_at:%Y%m%dT%H%M}"),
            community_id=activity.community_id,
            kind=NoticeKind.ACTIVITY_REMINDER,
            title=f"活动即将开始：{activity.title}",
            body=f"您报名的活动「{activity.title}」将于 {_fmt(activity.starts_at)} 开始，"
                 f"地点：{activity.address}。请准时到场签到。",
            audience={"type": "activity", "activity_id": activity.id},
            activity_id=activity.id,
            now=now,
        )
    return len(activities)


REMINDED_ACTIVITY_STATUSES = ("published", "in_progress")


def _signup_notice(signup, kind: NoticeKind, title: str, body: str, when: datetime | None
                   ) -> None:
    activity = signup.activity or _activity(signup.activity_id)
    event_notice(
        # a member who withdrew and signs up anew is queued anew: a new event
        _key(kind.value, signup.id, f"{when:%Y%m%dT%H%M%S}" if when else ""),
        community_id=activity.community_id,
        kind=kind,
        title=title.format(title=activity.title),
        body=body.format(title=activity.title, time=_fmt(activity.starts_at),
                         address=activity.address),
        audience={"type": "members", "member_ids": [signup.member_id]},
        activity_id=activity.id,
    )


def _signed_up_member_ids(activity_id: int) -> list[int]:
    from server.activities.models import SignUp

    return list(
        db.session.scalars(
            sa.select(SignUp.member_id).where(
                SignUp.activity_id == activity_id, SignUp.status.in_(("confirmed", "waitlisted"))
            )
        )
    )


CHANGE_LABELS = {"title": "名称", "starts_at": "开始时间", "ends_at": "结束时间",
                 "address": "地点"}


def _describe(field: str, value: Any) -> str:
    return _fmt(value) if isinstance(value, datetime) else str(value)


def on_activity_changed(activity, changes: dict | None = None, **_kw) -> None:
    shown = {k: v for k, v in (changes or {}).items() if k in CHANGE_LABELS}
    member_ids = _signed_up_member_ids(activity.id)
    if not shown or not member_ids:
        return
    lines = [f"{CHANGE_LABELS[k]}：{_describe(k, old)} → {_describe(k, new)}"
             for k, (old, new) in shown.items()]
    event_notice(
        _key("activity_changed", activity.id, _digest([shown, utcnow()])),
        community_id=activity.community_id,
        kind=NoticeKind.ACTIVITY_CHANGED,
        title=f"活动变更：{activity.title}",
        body=f"您报名的活动「{activity.title}」有变更：\n" + "\n".join(lines),
        audience={"type": "members", "member_ids": member_ids},
        activity_id=activity.id,
        extra={"note": "；".join(lines)},
    )


def on_activity_cancelled(activity, reason: str = "", **_kw) -> None:
    member_ids = _signed_up_member_ids(activity.id)
    if not member_ids:
        return
    event_notice(
        _key("activity_cancelled", activity.id),
        community_id=activity.community_id,
        kind=NoticeKind.ACTIVITY_CANCELLED,
        title=f"活动取消：{activity.title}",
        body=f"您报名的活动「{activity.title}」（{_fmt(activity.starts_at)}）已取消。"
             + (f"原因：{reason}" if reason else ""),
        audience={"type": "members", "member_ids": member_ids},
        activity_id=activity.id,
        extra={"note": reason or "活动已取消"},
    )


def on_signup_confirmed(signup, **_kw) -> None:
    _signup_notice(signup, NoticeKind.SIGNUP_CONFIRMED, "报名成功：{title}",
                   "您已成功报名「{title}」，时间：{time}，地点：{address}。", signup.queued_at)


def on_signup_promoted(signup, **_kw) -> None:
    _signup_notice(signup, NoticeKind.SIGNUP_PROMOTED, "候补转正：{title}",
                   "有人退出，您已从候补转为正式报名「{title}」，时间：{time}，地点：{address}。",
                   signup.promoted_at)


def _safely(receiver):
    """A message must never undo the change that caused it: failures are logged, not raised."""

    def run(sender, **kw):
        try:
            with db.session.begin_nested():
                receiver(sender, **kw)
        except Exception:
            log.exception("notice for %s failed", receiver.__name__)

    run.__name__ = receiver.__name__
    return run


_receivers = [
    (events.activity_changed, _safely(on_activity_changed)),
    (events.activity_cancelled, _safely(on_activity_cancelled)),
    (events.signup_confirmed, _safely(on_signup_confirmed)),
    (events.signup_promoted, _safely(on_signup_promoted)),
]
for _signal, _receiver in _receivers:
    _signal.connect(_receiver, weak=False)


# -- the fixed party day (固定党员活动日) and its make-up (预约补课) --------------------------


def party_day_reminders(now: datetime) -> dict[str, int]:
    """From the day before a community's party-day window opens until it closes, remind the
    members who have not attended; after it closed, ask the ones still missing to book a
    make-up. Once per member, community and month however often it runs."""
    from server.pledges.models import PartyDay
    from server.pledges.party_day import members_missing_party_day

    today = local_today(now)
    month = f"{today:%Y-%m}"
    sent = {"party_day_reminder": 0, "party_day_makeup": 0}
    for party_day in db.session.scalars(sa.select(PartyDay).filter_by(month=month)):
        window = timedelta(days=party_day.window_days)
        first, last = party_day.day - window, party_day.day + window
        if first - timedelta(days=1) <= today <= last:
            kind = NoticeKind.PARTY_DAY_REMINDER
            title = f"{party_day.day.month}月{party_day.day.day}日固定党员活动日提醒"
            body = (f"本月固定党员活动日为{party_day.day.month}月{party_day.day.day}日"
                    f"（{first.month}月{first.day}日至{last.month}月{last.day}日均可参加），"
                    "请按时参加并签到。")
        elif today > last:
            kind = NoticeKind.PARTY_DAY_MAKEUP
            title = f"{party_day.day.month}月固定党员活动日补课提醒"
            body = "您本月未参加固定党员活动日，请在小程序中预约补课。"
        else:
            continue
        missing = [m.id for m in members_missing_party_day(party_day.community_id, month)]
        if not missing:
            continue
        event_notice(
            _key(kind.value, party_day.community_id, month),
            community_id=party_day.community_id, kind=kind, title=title, body=body,
            audience={"type": "members", "member_ids": missing},
            activity_id=party_day.activity_id, now=now,
            extra={"activity_time": datetime.combine(party_day.day, datetime.min.time(),
                                                     tzinfo=LOCAL_TZ)},
        )
        sent[kind.value] += 1
    return sent
