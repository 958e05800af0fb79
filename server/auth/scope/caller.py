"""The caller: who is logged in, for which grants, and the role groups the rules use."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

import sqlalchemy as sa
from flask import g

from server.auth.models import AuthSession, Role, RoleGrant, User
from server.auth.tokens import current_login
from server.errors import forbidden
from server.extensions import db
from server.members.models import Community, Member

# Roles that manage a whole community (activities, notices, approvals, corrections).
COMMUNITY_MANAGERS = (Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.STREET_ADMIN)
# Roles that work on site for a community: managers, and grid workers for their grid's community.
ON_SITE_STAFF = (*COMMUNITY_MANAGERS, Role.GRID_WORKER)
SECRETARIES = (Role.COMMUNITY_SECRETARY, Role.STREET_ADMIN)


@dataclass
class Principal:
    user: User
    session: AuthSession | None = None
    member: Member | None = None
    grants: list[RoleGrant] = field(default_factory=list)

    @property
    def user_id(self) -> int:
        return self.user.id

    @property
    def member_id(self) -> int | None:
        return self.member.id if self.member else None

    def roles(self) -> set[str]:
        return {grant.role for grant in self.grants}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles() & {str(r) for r in roles})

    @cached_property
    def _street_communities(self) -> dict[int, set[int]]:
        street_ids = {g.street_id for g in self.grants if g.role == Role.STREET_ADMIN}
        if not street_ids:
            return {}
        rows = db.session.execute(
            sa.select(Community.street_id, Community.id).where(Community.street_id.in_(street_ids))
        )
        result: dict[int, set[int]] = {sid: set() for sid in street_ids}
        for street_id, community_id in rows:
            result[street_id].add(community_id)
        return result

    def community_ids(self, roles: Iterable[str] = COMMUNITY_MANAGERS) -> set[int]:
        """Communities where the caller holds one of `roles` (a street admin: all of the street's;
        a grid worker: the community of their grid)."""
        wanted = {str(r) for r in roles}
        ids: set[int] = set()
        for grant in self.grants:
            if grant.role not in wanted:
                continue
            if grant.role == Role.STREET_ADMIN:
                ids |= self._street_communities.get(grant.street_id, set())
            elif grant.community_id is not None:
                ids.add(grant.community_id)
        return ids

    def grid_ids(self) -> set[int]:
        return {g.grid_id for g in self.grants if g.role == Role.GRID_WORKER and g.grid_id}

    def unit_ids(self) -> set[int]:
        return {g.unit_id for g in self.grants if g.role == Role.UNIT_SECRETARY and g.unit_id}

    def street_ids(self) -> set[int]:
        return {g.street_id for g in self.grants if g.role == Role.STREET_ADMIN and g.street_id}


def current_principal() -> Principal:
    """The logged-in caller; 401 with a code the client re-logs in on."""
    if "principal" not in g:
        session, user, member = current_login()  # loaded with the session, once per request
        g.principal = Principal(user=user, session=session, member=member,
                                grants=acting_grants(session, list(user.grants)))
    return g.principal


def require_member(principal: Principal) -> Member:
    """The caller's member record; 403 (with what to do) for a caller who has none."""
    if principal.member is None:
        raise forbidden("请先完成党员信息登记（到社区报到）")
    return principal.member


def current_member() -> Member:
    return require_member(current_principal())


def acting_grants(session: AuthSession | None, grants: list[RoleGrant]) -> list[RoleGrant]:
    """A console session acts for one of the person's grants at a time (chosen in the console);
    the mini-program's sessions act with all of them."""
    if session is None or session.kind != "console" or session.acting_grant_id is None:
        return grants
    chosen = [grant for grant in grants if grant.id == session.acting_grant_id]
    # a revoked choice falls back to the first grant, as the console's session shows it
    return chosen or grants[:1]
