"""The web console's logins: scan-to-log-in tickets (扫码登录), demo codes, console sessions."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from server.audit.service import record as audit
from server.auth.models import AuthSession, RoleGrant, SessionKind, User
from server.auth.scope import Principal
from server.auth.service import get_or_create_user
from server.auth.tokens import (
    console_idle,
    csrf_token_for,
    issue_console_session,
    revoke,
)
from server.console.models import ConsoleLoginTicket
from server.errors import AppError, not_found
from server.extensions import db
from server.members.models import Community, District, EmployerUnit, Grid, Member, Street
from server.timeutil import utcnow
from server.wechat import client as wechat

QR_PREFIX = "party-console-login:"
# a confirmed ticket may still be picked up this long after it expired (the last poll's trip)
PICKUP_GRACE = timedelta(seconds=30)


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def ticket_lifetime() -> timedelta:
    return timedelta(seconds=current_app.config["CONSOLE_TICKET_SECONDS"])


def demo_login_enabled() -> bool:
    return current_app.config["APP_ENV"] == "development"


def console_config() -> dict[str, Any]:
    config = current_app.config
    return {
        "demo_login": demo_login_enabled(),
        "ticket_seconds": config["CONSOLE_TICKET_SECONDS"],
        "poll_interval_ms": 2000,
        "idle_minutes": config["CONSOLE_IDLE_MINUTES"],
        "absolute_hours": config["CONSOLE_ABSOLUTE_HOURS"],
    }


_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
             ("MicroMessenger/", "微信"), ("Chrome/", "Chrome"), ("Version/", "Safari"))
_SYSTEMS = (("Windows", "Windows"), ("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def browser_label(user_agent: str) -> str:
    """'Chrome 120 · Windows': enough for a person to recognise the computer that asks."""
    browser = "未知浏览器"
    for marker, name in _BROWSERS:
        match = re.search(re.escape(marker) + r"(\d+)", user_agent or "")
        if match:
            browser = f"{name} {match.group(1)}"
            break
    system = next((name for marker, name in _SYSTEMS if marker in (user_agent or "")), "")
    return f"{browser} · {system}" if system else browser


# ---- tickets -------------------------------------------------------------------------------


def create_ticket(
    address: str, user_agent: str, browser_nonce: str | None
) -> tuple[dict[str, Any], str]:
    """A new ticket for the console's QR code, bound to the asking browser's nonce (a new
    nonce when the browser has none yet). Returns the answer and the nonce to keep in the
    browser's cookie."""
    if not browser_nonce or not re.fullmatch(r"[A-Za-z0-9_-]{32,64}", browser_nonce):
        browser_nonce = secrets.token_urlsafe(32)
    ticket = secrets.token_urlsafe(24)  # 192 random bits
    now = utcnow()
    row = ConsoleLoginTicket(
        ticket_hash=_hash(ticket), browser_hash=_hash(browser_nonce), address=address[:64],
        user_agent=(user_agent or "")[:300], created_at=now, expires_at=now + ticket_lifetime(),
    )
    db.session.add(row)
    return {"ticket": ticket, "qr_text": QR_PREFIX + ticket, "expires_at": row.expires_at}, \
        browser_nonce


def _ticket(ticket: str) -> ConsoleLoginTicket:
    row = db.session.get(ConsoleLoginTicket, _hash(ticket)) if ticket else None
    if row is None:
        raise AppError(404, "ticket_not_found", "二维码无效，请在电脑上刷新二维码后重新扫描")
    return row


@dataclass
class PollResult:
    status: str
    expires_at: datetime
    session: dict[str, Any] | None = None
    cookie: str | None = None


def poll_ticket(ticket: str, browser_nonce: str | None) -> PollResult:
    """The console asks whether its ticket was confirmed; the first ask after the phone
    confirmed turns the ticket into a console session (once: the ticket is then used)."""
    row = _ticket(ticket)
    if not browser_nonce or _hash(browser_nonce) != row.browser_hash:
        raise AppError(403, "ticket_other_browser",
                       "此二维码不是在本浏览器上生成的，请刷新页面后重新扫码")
    now = utcnow()
    if row.used_at is not None:
        return PollResult("used", row.expires_at)
    if row.confirmed_at is None:
        return PollResult("expired" if row.expires_at <= now else "pending", row.expires_at)
    if row.expires_at + PICKUP_GRACE <= now:
        return PollResult("expired", row.expires_at)
    # one winner among concurrent polls: only the update that finds it unused goes on
    taken = db.session.execute(
        sa.update(ConsoleLoginTicket)
        .where(ConsoleLoginTicket.ticket_hash == row.ticket_hash,
               ConsoleLoginTicket.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        return PollResult("used", row.expires_at)
    user = db.session.get(User, row.confirmed_by_user_id)
    session, cookie = _start_session(user, row.address, row.user_agent, method="scan")
    row.session_id = session.id
    return PollResult("confirmed", row.expires_at, session_view(user, session), cookie)


def _live_ticket_for_phone(principal: Principal, ticket: str) -> ConsoleLoginTicket:
    row = _ticket(ticket)
    if not principal.user.grants:
        raise AppError(403, "not_staff", "只有社区工作者、书记和管理员可以登录管理后台")
    if row.used_at is not None or (
        row.confirmed_at is not None and row.confirmed_by_user_id != principal.user_id
    ):
        raise AppError(409, "ticket_used", "此二维码已被使用，请在电脑上刷新二维码后重新扫描")
    if row.expires_at <= utcnow():
        raise AppError(410, "ticket_expired", "二维码已过期，请在电脑上刷新二维码后重新扫描")
    return row


def ticket_request(principal: Principal, ticket: str) -> dict[str, Any]:
    """What the phone shows before confirming: which browser, from which address, asks."""
    row = _live_ticket_for_phone(principal, ticket)
    return {"browser": browser_label(row.user_agent), "address": row.address,
            "created_at": row.created_at, "expires_at": row.expires_at}


def confirm_ticket(principal: Principal, ticket: str) -> dict[str, Any]:
    """A staff member confirms on the phone: the console that shows the ticket logs in as them."""
    if principal.session is not None and principal.session.kind != SessionKind.APP:
        raise AppError(403, "phone_required", "请用小程序扫码确认登录")
    row = _live_ticket_for_phone(principal, ticket)
    if row.confirmed_at is None:
        row.confirmed_by_user_id = principal.user_id
        row.confirmed_at = utcnow()
    return {"status": "confirmed"}


# ---- sessions ------------------------------------------------------------------------------


def _start_session(user: User, address: str, user_agent: str, *, method: str):
    first = user.grants[0].id if user.grants else None
    session, cookie = issue_console_session(user, address, user_agent, first)
    user.last_login_at = utcnow()
    audit(user.id, "console.login", "console_session", session.id,
          after={"address": address, "browser": browser_label(user_agent), "method": method})
    return session, cookie


def demo_login(code: str, address: str, user_agent: str) -> tuple[dict[str, Any], str]:
    """Development only: a demo code (demo:staff1:…) logs the console in at once."""
    if not demo_login_enabled():
        raise not_found("页面")
    answer = wechat.code_to_session(code)
    user = get_or_create_user(answer["openid"], answer.get("unionid"))
    db.session.flush()
    if not user.grants:
        raise AppError(403, "not_staff", "只有社区工作者、书记和管理员可以登录管理后台")
    session, cookie = _start_session(user, address, user_agent, method="demo")
    return session_view(user, session), cookie


def _place_names(grants: list[RoleGrant]) -> dict[tuple[str, int], str]:
    """Names of the grants' places, one statement per kind of place that occurs."""
    names: dict[tuple[str, int], str] = {}
    for kind, model, column in (("district", District, "district_id"),
                                ("street", Street, "street_id"),
                                ("community", Community, "community_id"),
                                ("grid", Grid, "grid_id"), ("unit", EmployerUnit, "unit_id")):
        ids = {getattr(g, column) for g in grants if getattr(g, column) is not None}
        if ids:
            for row_id, name in db.session.execute(
                sa.select(model.id, model.name).where(model.id.in_(ids))
            ):
                names[(kind, row_id)] = name
    return names


def grant_place(grant: RoleGrant) -> tuple[str, int | None]:
    """The place a grant is over: the most specific one it names."""
    for kind, column in (("grid", "grid_id"), ("unit", "unit_id"), ("community", "community_id"),
                         ("street", "street_id"), ("district", "district_id")):
        value = getattr(grant, column)
        if value is not None:
            return kind, value
    return "", None


def grant_views(grants: list[RoleGrant]) -> list[dict[str, Any]]:
    names = _place_names(grants)
    views = []
    for grant in grants:
        kind, place_id = grant_place(grant)
        views.append({"grant": grant, "place_type": kind, "place_id": place_id,
                      "place_name": names.get((kind, place_id), "")})
    return views


def session_view(user: User, session: AuthSession) -> dict[str, Any]:
    grants = list(user.grants)
    acting = session.acting_grant_id
    if acting not in {g.id for g in grants}:
        acting = grants[0].id if grants else None
    member_name = db.session.scalar(sa.select(Member.name).where(Member.user_id == user.id))
    last_seen = session.last_seen_at or session.created_at or utcnow()
    return {
        "user": {"id": user.id, "display_name": user.display_name, "name": member_name},
        "grants": grant_views(grants),
        "acting_for": acting,
        "csrf_token": csrf_token_for(session.id),
        "expires_at": session.expires_at,
        "idle_expires_at": min(last_seen + console_idle(), session.expires_at),
    }


def _console_session(principal: Principal) -> AuthSession:
    session = principal.session
    if session is None or session.kind != SessionKind.CONSOLE:
        raise AppError(401, "console_session_required", "请在管理后台登录后使用")
    return session


def current_session(principal: Principal) -> dict[str, Any]:
    return session_view(principal.user, _console_session(principal))


def set_acting_for(principal: Principal, grant_id: int) -> dict[str, Any]:
    """Choose the grant (the place and role) this console session acts for."""
    session = _console_session(principal)
    if grant_id not in {g.id for g in principal.user.grants}:
        raise not_found("角色")
    session.acting_grant_id = grant_id
    return session_view(principal.user, session)


def my_sessions(principal: Principal) -> list[dict[str, Any]]:
    """My live console sessions, newest first."""
    current = _console_session(principal)
    now = utcnow()
    rows = db.session.scalars(
        sa.select(AuthSession)
        .where(AuthSession.user_id == principal.user_id,
               AuthSession.kind == SessionKind.CONSOLE.value,
               AuthSession.revoked_at.is_(None), AuthSession.expires_at > now,
               AuthSession.last_seen_at > now - console_idle())
        .order_by(AuthSession.created_at.desc())
    )
    return [{"id": row.id, "created_at": row.created_at, "last_seen_at": row.last_seen_at,
             "expires_at": row.expires_at, "address": row.address or "",
             "browser": browser_label(row.user_agent or ""), "current": row.id == current.id}
            for row in rows]


def end_session(principal: Principal, session_id: str) -> None:
    """Log one of my console sessions out (another computer, say)."""
    _console_session(principal)
    row = db.session.get(AuthSession, session_id)
    if row is None or row.user_id != principal.user_id or row.kind != SessionKind.CONSOLE:
        raise not_found("登录")
    revoke(row)
    audit(principal.user_id, "console.logout", "console_session", row.id)


def logout(principal: Principal) -> None:
    session = _console_session(principal)
    revoke(session)
    audit(principal.user_id, "console.logout", "console_session", session.id)


def logout_everywhere(principal: Principal) -> int:
    """End every console session of mine; the phone's logins stay."""
    _console_session(principal)
    ended = db.session.execute(
        sa.update(AuthSession)
        .where(AuthSession.user_id == principal.user_id,
               AuthSession.kind == SessionKind.CONSOLE.value,
               AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    audit(principal.user_id, "console.logout_everywhere", "user", principal.user_id,
          after={"sessions": ended})
    return ended


def purge_login_tickets(now: datetime) -> int:
    """Delete login tickets a day after they expired (the login itself is in the audit log)."""
    return db.session.execute(
        sa.delete(ConsoleLoginTicket).where(ConsoleLoginTicket.expires_at < now - timedelta(days=1))
    ).rowcount or 0
