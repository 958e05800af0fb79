"""flask roles …: the first administrator of a district or street, from the command line."""

from __future__ import annotations

import click
import sqlalchemy as sa

from server.audit.service import record as audit
from server.auth.models import ROLE_LABELS, Role, RoleGrant, User
from server.auth.service import get_or_create_user, grant_role
from server.errors import AppError
from server.extensions import db
from server.members.models import District
from server.places.grants import PLACE_OF_ROLE, find_person, place_of_grant


@click.group("roles")
def roles_group():
    """Role grants by hand: the first administrator; everything after in the console."""


@roles_group.command("grant")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--phone", help="the phone of the person's member record (小程序登记的手机号)")
@click.option("--openid", help="the person's WeChat openid (they need not have logged in)")
@click.option("--district", help="district name (district_admin; created when new)")
@click.option("--street", "street_id", type=int, help="street id (street_admin)")
@click.option("--community", "community_id", type=int, help="community id")
@click.option("--grid", "grid_id", type=int, help="grid id (grid_worker)")
@click.option("--unit", "unit_id", type=int, help="employer unit id (unit_secretary)")
def grant_command(role, phone, openid, district, street_id, community_id, grid_id, unit_id):
    """Grant ROLE over a place to the person with PHONE or OPENID (audited)."""
    if bool(phone) == bool(openid):
        raise click.UsageError("give exactly one of --phone and --openid")
    place_input = {"street_id": street_id, "community_id": community_id, "grid_id": grid_id,
                   "unit_id": unit_id}
    try:
        if role == Role.DISTRICT_ADMIN:
            if not district:
                raise click.UsageError("district_admin needs --district NAME")
            row = db.session.scalar(sa.select(District).filter_by(name=district))
            if row is None:
                row = District(name=district)
                db.session.add(row)
                db.session.flush()
                click.echo(f"created district {row.name} (id {row.id})")
            place = {c: None for c in ("street_id", "community_id", "grid_id", "unit_id")}
            place["district_id"] = row.id
        else:
            place = place_of_grant(role, place_input)
        user = get_or_create_user(openid) if openid else find_person(phone=phone)
        db.session.flush()
        existing = db.session.scalar(sa.select(RoleGrant).filter_by(
            user_id=user.id, role=role, **place))
        if existing is not None:
            click.echo(f"already granted: grant {existing.id}")
            return
        grant = grant_role(user, role, **place)
        db.session.flush()
        audit(None, "role.grant", "role_grant", grant.id, reason="命令行授权",
              community_id=place.get("community_id"), street_id=place.get("street_id"),
              after={"role": role, "user_id": user.id,
                     **{k: v for k, v in place.items() if v}})
        db.session.commit()
    except AppError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.code}: {error.message}") from error
    column = PLACE_OF_ROLE[Role(role)]
    click.echo(f"granted {role} ({ROLE_LABELS[Role(role)]}) over {column}={place[column]} "
               f"to user {user.id}: grant {grant.id}")


@roles_group.command("list")
def list_command():
    """Every role grant: id, role, place, user."""
    rows = db.session.execute(
        sa.select(RoleGrant, User.display_name).join(User, User.id == RoleGrant.user_id)
        .order_by(RoleGrant.id))
    for grant, name in rows:
        column = PLACE_OF_ROLE.get(Role(grant.role), "")
        click.echo(f"{grant.id:6} {grant.role:20} {column}={getattr(grant, column, None)!s:6} "
                   f"user {grant.user_id} {name}")
