"""Who counts as a community's member for pledges and the party day: an approved
registration (报到) with the community."""

from __future__ import annotations

import sqlalchemy as sa

from server.auth.scope import Principal
from server.errors import AppError
from server.extensions import db
from server.members.models import Member, Registration, RegistrationStatus
from server.timeutil import local_today


def current_year() -> int:
    return local_today().year


def approved_members_clause(community_id: int) -> sa.ColumnElement[bool]:
    """Members whose approved registration (报到) is with this community."""
    return Member.id.in_(
        sa.select(Registration.member_id).where(
            Registration.community_id == community_id,
            Registration.status == RegistrationStatus.APPROVED,
        )
    )


def require_registered_member(principal: Principal) -> Member:
    """The caller as a member with an approved registration; else 403 telling them to report."""
    member = principal.member
    if (
        member is None
        or member.community_id is None
        or db.session.scalar(
            sa.select(Registration.id).where(
                Registration.member_id == member.id,
                Registration.community_id == member.community_id,
                Registration.status == RegistrationStatus.APPROVED,
            )
        )
        is None
    ):
        raise AppError(403, "registration_required", "请先到社区报到并通过审核后再操作")
    return member
