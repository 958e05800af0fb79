"""The reach of a notice before it is sent: how many members the audience holds and how many of
them hold a subscribe credit (the rest see it in the mini-program only). Owned by the console's
staff desk (issue 15); kept apart from the notices service it reads."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from server.auth.scope import COMMUNITY_MANAGERS, Principal, require_community
from server.extensions import db
from server.members.models import Member
from server.notices import audience as audiences
from server.notices.models import NoticeKind, SubscribeCredit
from server.notices.service import template_for


def notice_reach(principal: Principal, community_id: int, audience: dict[str, Any]
                 ) -> dict[str, Any]:
    """{audience (as it will be stored), reached, with_credit, without_credit, template}:
    two statements, whatever the size of the community."""
    require_community(principal, community_id, COMMUNITY_MANAGERS)
    normalised = audiences.normalise(community_id, audience)
    clause = audiences.members_clause(community_id, normalised)
    reached = db.session.scalar(sa.select(sa.func.count(Member.id)).where(clause))
    template = template_for(NoticeKind.NOTICE.value)
    with_credit = 0
    if template is not None:
        with_credit = db.session.scalar(
            sa.select(sa.func.count(sa.distinct(Member.id)))
            .join(SubscribeCredit, SubscribeCredit.member_id == Member.id)
            .where(clause, SubscribeCredit.template_id == template.id, SubscribeCredit.credits > 0)
        )
    return {"audience": normalised, "reached": reached, "with_credit": with_credit,
            "without_credit": reached - with_credit, "template_configured": template is not None}
