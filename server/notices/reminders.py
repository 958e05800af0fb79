"""Notices caused by events: activity reminders, sign-up and change messages (the signal
receivers), and the fixed party day's reminders and make-up calls (固定党员活动日, 预约补课)."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from server import events
from server.extensions import db
from server.notices import templates as tpl
from server.notices.content import attach_message, load_activity
from server.notices.models import Notice, NoticeKind, NoticeStatus
from server.notices.outbox import insert_ignoring_duplicates
from server.notices.service import publish
from server.timeutil import LOCAL_TZ, local_today, utcnow

log = logging.getLogger(__name__)


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
        attach_message(notice, now, strict=False, extra=extra)
    notice.audience = audience
    publish(notice, now)
    return notice


def _event_key(*parts: Any) -> str:
    return ":".join(str(p) for p in parts)


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _shown_time(when: datetime | None) -> str:
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
            _event_key("activity_reminder", activity.id, f"{activity.starts_at:%Y%m%dT%H%M}"),
            community_id=activity.community_id,
            kind=NoticeKind.ACTIVITY_REMINDER,
            title=f"活动即将开始：{activity.title}",
            body=f"您报名的活动「{activity.title}」将于 {_shown_time(activity.starts_at)} 开始，"
                 f"地点：{activity.address}。请准时到场签到。",
            audience={"type": "activity", "activity_id": activity.id},
            activity_id=activity.id,
            now=now,
        )
    return len(activities)


REMINDED_ACTIVITY_STATUSES = ("published", "in_progress")


def _signup_notice(signup, kind: NoticeKind, title: str, body: str, when: datetime | None
                   ) -> None:
    activity = signup.activity or load_activity(signup.activity_id)
    event_notice(
        # a member who withdrew and signs up anew is queued anew: a new event
        _event_key(kind.value, signup.id, f"{when:%Y%m%dT%H%M%S}" if when else ""),
        community_id=activity.community_id,
        kind=kind,
        title=title.format(title=activity.title),
        body=body.format(title=activity.title, time=_shown_time(activity.starts_at),
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
    return _shown_time(value) if isinstance(value, datetime) else str(value)


def on_activity_changed(activity, changes: dict | None = None, **_kw) -> None:
    shown = {k: v for k, v in (changes or {}).items() if k in CHANGE_LABELS}
    member_ids = _signed_up_member_ids(activity.id)
    if not shown or not member_ids:
        return
    lines = [f"{CHANGE_LABELS[k]}：{_describe(k, old)} → {_describe(k, new)}"
             for k, (old, new) in shown.items()]
    event_notice(
        _event_key("activity_changed", activity.id, _digest([shown, utcnow()])),
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
        _event_key("activity_cancelled", activity.id),
        community_id=activity.community_id,
        kind=NoticeKind.ACTIVITY_CANCELLED,
        title=f"活动取消：{activity.title}",
        body=f"您报名的活动「{activity.title}」（{_shown_time(activity.starts_at)}）已取消。"
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


# connected at app start by server/receivers.py
SIGNAL_RECEIVERS = [
    (events.activity_changed, _safely(on_activity_changed)),
    (events.activity_cancelled, _safely(on_activity_cancelled)),
    (events.signup_confirmed, _safely(on_signup_confirmed)),
    (events.signup_promoted, _safely(on_signup_promoted)),
]


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
            _event_key(kind.value, party_day.community_id, month),
            community_id=party_day.community_id, kind=kind, title=title, body=body,
            audience={"type": "members", "member_ids": missing},
            activity_id=party_day.activity_id, now=now,
            extra={"activity_time": datetime.combine(party_day.day, datetime.min.time(),
                                                     tzinfo=LOCAL_TZ)},
        )
        sent[kind.value] += 1
    return sent
