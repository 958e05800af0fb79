"""Fixtures of the notices tests: the demo templates, credits, many members at once."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from server.auth.models import User
from server.extensions import db
from server.members.models import Member
from server.notices.demo import seed_templates
from server.notices.models import SubscribeCredit, SubscribeTemplate
from server.timeutil import utcnow
from server.wechat.standin import demo_openid


@pytest.fixture
def templates(app):
    """The demo template of every purpose, by purpose."""
    seed_templates()
    db.session.commit()
    return {t.purpose: t for t in db.session.scalars(sa.select(SubscribeTemplate))}


@pytest.fixture
def give_credit(app, templates):
    def _give(member: Member, purpose: str = "notice", credits: int = 1) -> None:
        db.session.add(SubscribeCredit(member_id=member.id, template_id=templates[purpose].id,
                                       credits=credits))
        db.session.commit()

    return _give


@pytest.fixture
def bulk_members(app, templates):
    """bulk_members(building, n, credits=1) → member ids: n members with a WeChat login and
    `credits` notice credits each, written in a few statements."""

    def _bulk(building, n: int, credits: int = 1, prefix: str = "bulk", unit=None) -> list[int]:
        now = utcnow()
        db.session.execute(sa.insert(User), [
            {"openid": demo_openid(f"{prefix}{i}"), "display_name": f"{prefix}{i}",
             "created_at": now} for i in range(n)
        ])
        users = dict(db.session.execute(
            sa.select(User.openid, User.id).where(User.display_name.like(f"{prefix}%"))
        ).all())
        db.session.execute(sa.insert(Member), [
            {"user_id": users[demo_openid(f"{prefix}{i}")], "name": f"党员{i}",
             "phone": "13900000000", "member_type": "in_service",
             "employer_unit_id": unit.id if unit else None,
             "community_id": building.community_id, "building_id": building.id, "room": "101",
             "location_consent": False, "hide_from_public_boards": False, "created_at": now}
            for i in range(n)
        ])
        ids = list(db.session.scalars(
            sa.select(Member.id).where(Member.user_id.in_(list(users.values())))
        ))
        if credits:
            db.session.execute(sa.insert(SubscribeCredit), [
                {"member_id": m, "template_id": templates["notice"].id, "credits": credits,
                 "updated_at": now} for m in ids
            ])
        db.session.commit()
        return ids

    return _bulk


@pytest.fixture(autouse=True)
def _principal_per_request(app):
    """The `app` fixture holds one app context for the whole test and Flask reuses it for
    every test-client request, so `g.principal` would outlive a request; in production each
    request has its own context. Forget it before each request, as production does."""
    from flask import g

    app.before_request(lambda: g.pop("principal", None))
