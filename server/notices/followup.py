"""Following a notice up after it went (the console's staff desk): how sending and reading
went over time, and who has not read it yet — with their building, for a phone call."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from server.auth.scope import COMMUNITY_MANAGERS, Principal, require_community_row
from server.extensions import db
from server.masking import mask_phone
from server.members.models import Member
from server.notices.models import Notice, NoticeRecipient, OutboxStatus, SubscribeOutbox
from server.pagination import paginate
from server.timeutil import utcnow

MAX_POINTS = 48  # the chart's points: hours while they fit, else days


def _staff_notice(principal: Principal, notice_id: int) -> Notice:
    return require_community_row(principal, Notice, notice_id, "通知", COMMUNITY_MANAGERS)


def _cumulative(times: list[datetime], edges: list[datetime]) -> list[int]:
    times = sorted(times)
    counts, i = [], 0
    for edge in edges:
        while i < len(times) and times[i] <= edge:
            i += 1
        counts.append(i)
    return counts


def notice_timeline(principal: Principal, notice_id: int) -> dict[str, Any]:
    """Subscribe messages sent and notices read, counted up to the end of each hour (each day
    once the notice is older than two days) since it was published: two statements."""
    notice = _staff_notice(principal, notice_id)
    if notice.published_at is None:
        return {"step": "hour", "points": []}
    read = list(db.session.scalars(
        sa.select(NoticeRecipient.read_at)
        .where(NoticeRecipient.notice_id == notice.id, NoticeRecipient.read_at.is_not(None))))
    sent = list(db.session.scalars(
        sa.select(SubscribeOutbox.sent_at)
        .where(SubscribeOutbox.notice_id == notice.id,
               SubscribeOutbox.status == OutboxStatus.SENT.value)))
    start, end = notice.published_at, max([utcnow(), *read, *[s for s in sent if s]])
    step = timedelta(hours=1) if end - start <= timedelta(hours=MAX_POINTS) else timedelta(days=1)
    edges, edge = [start], start.replace(minute=0, second=0, microsecond=0) + step
    while True:
        edges.append(min(edge, end))
        if edge >= end or len(edges) >= 400:
            break
        edge += step
    sent_counts = _cumulative([s for s in sent if s], edges)
    read_counts = _cumulative(read, edges)
    return {"step": "hour" if step == timedelta(hours=1) else "day",
            "points": [{"at": at, "sent": s, "read": r}
                       for at, s, r in zip(edges, sent_counts, read_counts, strict=True)]}


def unread_members(principal: Principal, notice_id: int, pagination_parameters) -> list[dict]:
    """The recipients who have not opened the notice, by building and name: phone masked (the
    members page reveals it, audited)."""
    notice = _staff_notice(principal, notice_id)
    statement = (
        sa.select(Member)
        .join(NoticeRecipient, NoticeRecipient.member_id == Member.id)
        .where(NoticeRecipient.notice_id == notice.id, NoticeRecipient.read_at.is_(None))
        .options(selectinload(Member.building))
        .order_by(Member.building_id, Member.name, Member.id)
    )
    return [
        {"member_id": m.id, "name": m.name, "phone_masked": mask_phone(m.phone or ""),
         "building": m.building.name if m.building else None, "room": m.room}
        for m in paginate(statement, pagination_parameters)
    ]
