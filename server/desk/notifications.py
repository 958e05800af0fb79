"""Staff and secretaries are told what waits for them: a daily digest of their inbox (待办) in
the console's bell and, where they hold a credit, as a subscribe message through the outbox;
and at once when a member files an appeal (申诉)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from server.auth.models import RoleGrant, User
from server.auth.scope import COMMUNITY_MANAGERS, Principal
from server.database import insert_or_ignore
from server.desk import inbox
from server.desk.models import DeskNotification
from server.extensions import db
from server.members.models import Community, Member
from server.notices import service as notices
from server.notices.models import NoticeKind, SubscribeCredit
from server.notices.subscriptions import template_for
from server.timeutil import local_today, utcnow

MANAGER_ROLES = [str(r) for r in COMMUNITY_MANAGERS]
SHOWN = 50  # the bell lists the latest


def _managers() -> list[Principal]:
    """Everyone who decides something in an inbox, with all their grants (two statements)."""
    grants = db.session.scalars(
        sa.select(RoleGrant).where(RoleGrant.role.in_(MANAGER_ROLES)).order_by(RoleGrant.user_id)
    ).all()
    by_user: dict[int, list[RoleGrant]] = defaultdict(list)
    for grant in grants:
        by_user[grant.user_id].append(grant)
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(by_user)))}
    return [Principal(user=users[uid], grants=g) for uid, g in by_user.items()]


def _pending_by_user(principals: list[Principal]) -> dict[int, dict[str, int]]:
    """Per user, the count per kind of entries waiting for them (their own entries left out:
    they cannot decide those). One statement per kind over every community."""
    every = set().union(*(p.community_ids(COMMUNITY_MANAGERS) for p in principals)) \
        if principals else set()
    rows = {kind: inbox.pending_items(kind, every) for kind in inbox.KIND_LABELS}
    result: dict[int, dict[str, int]] = {}
    for principal in principals:
        scopes = inbox.deciding_scopes(principal, None)
        counts = {}
        for kind, items in rows.items():
            n = sum(1 for item in items if item.community_id in scopes[kind]
                    and item.maker_user_id != principal.user_id)
            if n:
                counts[kind] = n
        if counts:
            result[principal.user_id] = counts
    return result


def _digest_text(counts: dict[str, int]) -> tuple[str, str]:
    total = sum(counts.values())
    parts = "、".join(f"{inbox.KIND_LABELS[k]} {n} 项" for k, n in counts.items())
    return f"您有 {total} 项待办", f"等您处理：{parts}。请到管理后台「待办」处理。"


def _members_with_credit(user_ids: list[int]) -> dict[int, Member]:
    """The member record of each user that holds a credit for the desk's template."""
    template = template_for(NoticeKind.DESK_TODO.value)
    if template is None or not user_ids:
        return {}
    members = db.session.scalars(
        sa.select(Member)
        .join(SubscribeCredit, SubscribeCredit.member_id == Member.id)
        .where(Member.user_id.in_(user_ids), SubscribeCredit.template_id == template.id,
               SubscribeCredit.credits > 0)
    ).all()
    return {m.user_id: m for m in members}


def _tell(user_id: int, kind: str, event_key: str, title: str, body: str, now: datetime,
          community_id: int | None = None, link: str = "/inbox") -> None:
    db.session.execute(insert_or_ignore(DeskNotification.__table__, {
        "user_id": user_id, "kind": kind, "event_key": event_key, "title": title, "body": body,
        "link": link, "community_id": community_id, "created_at": now}))


def _message(member: Member, event_key: str, title: str, body: str, now: datetime) -> None:
    """The subscribe message (and the mini-program's copy), once per event: the outbox sends
    it, counting the credit."""
    notices.event_notice(event_key, community_id=member.community_id, kind=NoticeKind.DESK_TODO,
                 title=title, body=body, now=now,
                 audience={"type": "members", "member_ids": [member.id]},
                 extra={"note": "请到管理后台「待办」处理"})


def daily_digest(now: datetime) -> dict[str, int]:
    """Tell each staff member and secretary what waits in their inbox today: once per day
    however often it runs (one row per user and day, one notice per user and day)."""
    day = local_today(now).isoformat()
    pending = _pending_by_user(_managers())
    credited = _members_with_credit(list(pending))
    for user_id, counts in pending.items():
        title, body = _digest_text(counts)
        _tell(user_id, "digest", f"digest:{day}", title, body, now)
        if user_id in credited:
            _message(credited[user_id], f"desk_digest:{user_id}:{day}", title, body, now)
    return {"told": len(pending), "messages": len(credited)}


def on_appeal_filed(appeal: Any, **_: Any) -> None:
    """A member filed an appeal: everyone who manages its community is told at once."""
    community = db.session.get(Community, appeal.community_id)
    users = set(db.session.scalars(
        sa.select(RoleGrant.user_id).where(
            sa.or_(
                sa.and_(RoleGrant.role.in_([r for r in MANAGER_ROLES if r != "street_admin"]),
                        RoleGrant.community_id == appeal.community_id),
                sa.and_(RoleGrant.role == "street_admin",
                        RoleGrant.street_id == community.street_id),
            ))))
    member = db.session.get(Member, appeal.member_id)
    users.discard(member.user_id)  # a member who is also staff is not told of their own
    now = utcnow()
    title = f"{member.name} 提出申诉"
    body = f"{member.name} 对活动记录提出申诉：{appeal.reason[:80]}"
    for user_id in sorted(users):
        _tell(user_id, "appeal", f"appeal:{appeal.id}", title, body, now,
              community_id=appeal.community_id)
    for user_id, staff_member in _members_with_credit(sorted(users)).items():
        _message(staff_member, f"desk_appeal:{appeal.id}:{user_id}", title, body, now)


def my_notifications(principal: Principal) -> dict[str, Any]:
    """The caller's latest notifications and how many are unread (two statements)."""
    items = db.session.scalars(
        sa.select(DeskNotification).where(DeskNotification.user_id == principal.user_id)
        .order_by(DeskNotification.created_at.desc(), DeskNotification.id.desc()).limit(SHOWN)
    ).all()
    unread = db.session.scalar(
        sa.select(sa.func.count(DeskNotification.id)).where(
            DeskNotification.user_id == principal.user_id, DeskNotification.read_at.is_(None)))
    return {"unread": unread, "items": items}


def mark_read(principal: Principal, ids: list[int] | None) -> dict[str, Any]:
    """Mark the caller's notifications read (the given ones, or all); others' are untouched."""
    statement = sa.update(DeskNotification).where(
        DeskNotification.user_id == principal.user_id, DeskNotification.read_at.is_(None))
    if ids:
        statement = statement.where(DeskNotification.id.in_(ids))
    db.session.execute(statement.values(read_at=utcnow()))
    return my_notifications(principal)
