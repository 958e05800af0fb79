"""Notices (网上动员): staff write, schedule, cancel and follow them; members read theirs.

Templates and credits: subscriptions.py; what a notice says and its content check:
content.py; notices caused by events (reminders, activity messages): reminders.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from server.audit import service as audit
from server.auth.scope import (
    COMMUNITY_MANAGERS,
    Principal,
    require_community,
    require_community_row,
    require_member,
)
from server.database import lock_row
from server.errors import conflict, invalid, not_found
from server.extensions import db
from server.notices import audience as audiences
from server.notices.content import (
    attach_message,
    check_content,
    end_read_transaction,
    load_activity,
)
from server.notices.models import (
    Notice,
    NoticeKind,
    NoticeRecipient,
    NoticeStatus,
    OutboxStatus,
    SubscribeOutbox,
)
from server.notices.outbox import enqueue, errcode_reason, insert_ignoring_duplicates
from server.timeutil import utcnow


def create_notice(principal: Principal, community_id: int, data: dict) -> Notice:
    """A staff notice: checked (content, audience, template fields), then published now or
    scheduled for `send_at`."""
    # WeChat first, with no transaction open (the check is a network call)
    openid = principal.user.openid
    end_read_transaction()
    verdict = check_content(f"{data['title']}\n{data['body']}", openid)
    require_community(principal, community_id, COMMUNITY_MANAGERS)
    now = utcnow()
    activity_id = data.get("activity_id")
    if activity_id is not None:
        linked = load_activity(activity_id)
        if linked is None or linked.community_id != community_id:
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
    attach_message(notice, notice.send_at, strict=True)
    notice.content_check = verdict
    db.session.flush()
    if not scheduled:
        publish(notice, now)
    audit.record(principal.user_id, "notice.created", "notice", notice.id,
                 community_id=community_id,
                 after={"title": notice.title, "audience": audience,
                        "send_at": notice.send_at.isoformat(), "status": notice.status})
    return with_stats(notice)


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
        attach_message(notice, now, strict=False)
        publish(notice, now)
        db.session.commit()
        published += 1


def cancel_notice(principal: Principal, notice_id: int) -> Notice:
    """Cancel a scheduled notice before it goes (staff of its community)."""
    notice = _staff_notice(principal, notice_id, lock=True)
    if notice.status == NoticeStatus.CANCELLED:
        return with_stats(notice)
    if notice.status != NoticeStatus.SCHEDULED:
        raise conflict("notice_already_sent", "通知已经发出，不能取消")
    notice.status, notice.cancelled_at = NoticeStatus.CANCELLED.value, utcnow()
    notice.cancelled_by_user_id = principal.user_id
    audit.record(principal.user_id, "notice.cancelled", "notice", notice.id,
                 community_id=notice.community_id, before={"status": "scheduled"},
                 after={"status": "cancelled"})
    return with_stats(notice)


def get_staff_notice(principal: Principal, notice_id: int) -> Notice:
    """One notice with its figures (`stats`), for staff of its community; else 404."""
    return with_stats(_staff_notice(principal, notice_id))


def _staff_notice(principal: Principal, notice_id: int, lock: bool = False) -> Notice:
    """A notice of a community the caller manages (locked when asked); else 404."""
    notice = require_community_row(principal, Notice, notice_id, "通知", COMMUNITY_MANAGERS)
    return lock_row(Notice, notice_id) if lock else notice


def staff_notices_query(principal: Principal, community_id: int, kind: str | None = None,
                        status: str | None = None) -> sa.Select:
    require_community(principal, community_id, COMMUNITY_MANAGERS)
    statement = sa.select(Notice).where(Notice.community_id == community_id)
    if kind:
        statement = statement.where(Notice.kind == kind)
    if status:
        statement = statement.where(Notice.status == status)
    # the template's id is shown per row: joined to the page's statement (LEFT OUTER JOIN)
    return statement.options(joinedload(Notice.template)).order_by(
        Notice.send_at.desc(), Notice.id.desc())


def with_stats(notice: Notice) -> Notice:
    """The notice with its figures attached as `stats`, as the detail schema shows it (its
    template loaded here too: the schema runs no query)."""
    notice.stats = notice_stats(notice)
    _ = notice.template
    return notice


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


def my_notices_query(principal: Principal, unread_only: bool = False) -> sa.Select:
    """The caller's notices, newest first (a member only)."""
    member = require_member(principal)
    statement = (
        sa.select(NoticeRecipient)
        .join(Notice, Notice.id == NoticeRecipient.notice_id)
        .where(NoticeRecipient.member_id == member.id, Notice.status == NoticeStatus.SENT.value)
    )
    if unread_only:
        statement = statement.where(NoticeRecipient.read_at.is_(None))
    # the notice of each row comes with it (the join), not one statement per row
    return statement.options(contains_eager(NoticeRecipient.notice)).order_by(
        Notice.published_at.desc(), Notice.id.desc())


def unread_count(principal: Principal) -> dict[str, int]:
    """How many of the caller's notices are unread."""
    member = require_member(principal)
    return {"unread": db.session.scalar(
        sa.select(sa.func.count(NoticeRecipient.id))
        .join(Notice, Notice.id == NoticeRecipient.notice_id)
        .where(
            NoticeRecipient.member_id == member.id,
            NoticeRecipient.read_at.is_(None),
            Notice.status == NoticeStatus.SENT.value,
        )
    )}


def open_notice(principal: Principal, notice_id: int) -> NoticeRecipient:
    """A member opens a notice addressed to them: it is read from now on."""
    member = require_member(principal)
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


# the names the jobs, the demo and other areas use
from server.notices.reminders import (  # noqa: E402  (reminders imports publish from here)
    event_notice,
    party_day_reminders,
    start_reminders,
)
from server.notices.subscriptions import configure_template, template_for  # noqa: E402

__all__ = ["NoticeKind", "configure_template", "event_notice", "party_day_reminders",
           "start_reminders", "template_for"]
