"""Subscribe-message templates (订阅消息模板) per purpose, and each member's one-time
subscriptions (credits): one message allowed per "allow" tapped in the mini-program."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from server.audit import service as audit
from server.auth.scope import Principal, require_member
from server.errors import conflict, invalid, not_found
from server.extensions import db
from server.members.models import Member
from server.notices import templates as tpl
from server.notices.models import NoticeKind, SubscribeCredit, SubscribeResult, SubscribeTemplate
from server.notices.outbox import insert_ignoring_duplicates
from server.timeutil import utcnow

MAX_RESULTS_PER_TAP = 5  # wx.requestSubscribeMessage takes at most 5 templates


def subscribe_templates(principal: Principal) -> list[SubscribeTemplate]:
    """The active templates, for any logged-in caller (the mini-program asks for them)."""
    return _templates()


def configure_template_for_street(principal: Principal, purpose: str, data: dict
                                  ) -> SubscribeTemplate:
    """A street admin sets the template of one purpose; anyone else: 404."""
    if not principal.street_ids():
        raise not_found("模板")
    return configure_template(
        purpose, data["template_id"], data["fields_"], title=data["title"],
        page=data.get("page"), active=data["active"], actor_user_id=principal.user_id)


def _templates(active_only: bool = True) -> list[SubscribeTemplate]:
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


def record_subscribe_results(principal: Principal, results: dict[str, str]
                             ) -> list[SubscribeCredit]:
    """The mini-program's report of one wx.requestSubscribeMessage tap: accept adds a credit."""
    member = require_member(principal)
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
    return _credits_of(member)


def my_credits(principal: Principal) -> list[SubscribeCredit]:
    """The caller's credits per template (a member only)."""
    return _credits_of(require_member(principal))


def _credits_of(member: Member) -> list[SubscribeCredit]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(SubscribeCredit).filter_by(member_id=member.id)
            .options(selectinload(SubscribeCredit.template)).order_by(SubscribeCredit.id)
        )
    )
