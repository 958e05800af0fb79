"""Points balances (积分余额) per member and period: where the member stands on the boards,
bumped with each ledger entry, and the stars (星级) of each member-year."""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from server.database import dialect_name, upsert
from server.extensions import db
from server.members.models import Building, Community, Member
from server.points.models import PointBalance, StarLevel
from server.points.point_rules import periods_of_month, star_levels_for, stars_from
from server.timeutil import utcnow


def placement(member: Member) -> dict[str, Any]:
    """Where the member stands on the boards, copied into each balance row."""
    # many-to-one loads come from the session's identity map after the first member of a
    # building or community, so a batch of members costs a query per place, not per member
    grid_id = member.building.grid_id if member.building is not None else None
    street_id = member.community.street_id if member.community is not None else None
    return {
        "community_id": member.community_id,
        "grid_id": grid_id,
        "building_id": member.building_id,
        "employer_unit_id": member.employer_unit_id,
        "street_id": street_id,
        "member_type": member.member_type,
        "hidden": bool(member.hide_from_public_boards),
    }


def write_balance(values: dict[str, Any], bump: bool) -> None:
    """Insert a balance row or add to (bump) / overwrite it, atomically on both databases."""
    write_balances([values], bump)


def write_balances(rows: list[dict[str, Any]], bump: bool) -> None:
    """write_balance for rows with the same columns, in one statement executed for each."""
    columns = tuple(rows[0])
    db.session.execute(_balance_upsert(dialect_name(), columns, bump), rows)


@functools.cache
def _balance_upsert(_dialect: str, columns: tuple[str, ...], bump: bool):
    # built once per dialect and shape, its values given at execution: a ledger entry bumps
    # five periods, and building the statement cost more than running it
    table = PointBalance.__table__

    def update(new: Any) -> dict[str, Any]:
        updated = {k: new[k] for k in columns if k not in ("member_id", "period")}
        if bump:
            updated["points"] = table.c.points + new.points
            updated["hours_centi"] = table.c.hours_centi + new.hours_centi
        return updated

    return upsert(PointBalance, None, ["member_id", "period"], update)


def bump_balances(member: Member, month: str, points: int, hours_centi: int) -> None:
    place = placement(member)
    now = utcnow()
    write_balances(
        [{"member_id": member.id, "period": period, "points": points,
          "hours_centi": hours_centi, "updated_at": now, **place}
         for period in periods_of_month(month)],
        bump=True,
    )
    refresh_stars(member, int(month[:4]))


def refresh_stars(member: Member, year: int, levels: list[StarLevel] | None = None) -> int:
    """Stars of one member-year from the year balance and the thresholds in force."""
    row = db.session.execute(
        sa.select(PointBalance.id, PointBalance.points, PointBalance.hours_centi,
                  PointBalance.stars)
        .where(PointBalance.member_id == member.id, PointBalance.period == str(year))
    ).first()
    if row is None:
        return 0
    if levels is None:
        levels = star_levels_for(member.community_id, year)
    stars = stars_from(levels, row.points, row.hours_centi)
    if row.stars != stars:
        db.session.execute(
            sa.update(PointBalance).where(PointBalance.id == row.id).values(stars=stars)
        )
    return stars


def follow_member_moves(session: Session, _context: Any) -> None:
    """After each flush (connected in server/receivers.py): a member who moves, changes type
    or hides from public boards takes their balance rows along, so that boards stay one
    index range."""
    watched = ("community_id", "building_id", "employer_unit_id", "member_type",
               "hide_from_public_boards")
    for obj in list(session.dirty):
        if not isinstance(obj, Member):
            continue
        state = sa.inspect(obj)
        if not any(state.attrs[name].history.has_changes() for name in watched):
            continue
        connection = session.connection()
        grid_id = street_id = None
        if obj.building_id is not None:
            grid_id = connection.scalar(
                sa.select(Building.grid_id).where(Building.id == obj.building_id))
        if obj.community_id is not None:
            street_id = connection.scalar(
                sa.select(Community.street_id).where(Community.id == obj.community_id))
        connection.execute(
            sa.update(PointBalance).where(PointBalance.member_id == obj.id).values(
                community_id=obj.community_id, grid_id=grid_id, building_id=obj.building_id,
                employer_unit_id=obj.employer_unit_id, street_id=street_id,
                member_type=obj.member_type, hidden=bool(obj.hide_from_public_boards),
            )
        )


def recompute_stars(community_ids: list[int], year: int) -> int:
    changed = 0
    for community_id in community_ids:
        levels = star_levels_for(community_id, year)
        rows = db.session.execute(
            sa.select(PointBalance.id, PointBalance.points, PointBalance.hours_centi,
                      PointBalance.stars)
            .where(PointBalance.period == str(year), PointBalance.community_id == community_id)
        ).all()
        for row in rows:
            stars = stars_from(levels, row.points, row.hours_centi)
            if stars != row.stars:
                db.session.execute(
                    sa.update(PointBalance).where(PointBalance.id == row.id).values(stars=stars)
                )
                changed += 1
    return changed


def recompute_stars_everywhere(year: int) -> int:
    """Every community's stars of `year` (after the thresholds changed by hand)."""
    return recompute_stars(list(db.session.scalars(sa.select(Community.id))), year)
