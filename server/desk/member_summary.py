"""A member's page on the desk: hours, points and stars, pledges and party-day attendance of
one year, and their registrations (报到), in a constant number of statements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from server.activities.models import HoursRecord, HoursStatus
from server.auth.scope import Principal, get_visible_member
from server.extensions import db
from server.members.models import Building, Registration
from server.pledges.models import PartyDay, PartyDayAttendance, Pledge
from server.points.models import PointBalance
from server.timeutil import local_today

REGISTRATION_LABELS = {"submitted": "待审核", "approved": "已报到", "rejected": "已驳回",
                       "withdrawn": "已撤回", "ended": "已结束"}


def member_summary(principal: Principal, member_id: int, year: int | None) -> dict[str, Any]:
    """The member's year at a glance, for staff who look after them (else 404)."""
    member = get_visible_member(principal, member_id)
    today = local_today()
    year = year or today.year
    balances = {b.period: b for b in db.session.scalars(
        sa.select(PointBalance).where(PointBalance.member_id == member.id,
                                      PointBalance.period.in_(("all", str(year)))))}
    hours_year = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(HoursRecord.hours), 0)).where(
            HoursRecord.member_id == member.id, HoursRecord.status == HoursStatus.APPROVED,
            HoursRecord.service_date.between(date(year, 1, 1), date(year, 12, 31))))
    pledges = db.session.execute(
        sa.select(Pledge, Building.name).join(Building, Building.id == Pledge.building_id)
        .where(Pledge.member_id == member.id).order_by(Pledge.year.desc(), Pledge.id.desc())
    ).all()
    attended = {a.month: a for a in db.session.scalars(
        sa.select(PartyDayAttendance).where(PartyDayAttendance.member_id == member.id,
                                            PartyDayAttendance.month.like(f"{year}-%")))}
    days = db.session.scalars(
        sa.select(PartyDay).where(PartyDay.community_id == member.community_id,
                                  PartyDay.month.like(f"{year}-%")).order_by(PartyDay.month)
    ).all() if member.community_id else []
    registrations = db.session.execute(
        sa.select(Registration, Building.name)
        .join(Building, Building.id == Registration.building_id)
        .where(Registration.member_id == member.id).order_by(Registration.submitted_at.desc())
    ).all()
    months = sorted({d.month for d in days if d.day <= today} | set(attended))
    year_balance, all_balance = balances.get(str(year)), balances.get("all")
    return {
        "member_id": member.id,
        "year": year,
        "hours_year": Decimal(hours_year or 0).quantize(Decimal("0.01")),
        "hours_all": Decimal(all_balance.hours_centi if all_balance else 0) / 100,
        "points_year": year_balance.points if year_balance else 0,
        "points_all": all_balance.points if all_balance else 0,
        "stars": year_balance.stars if year_balance else None,
        "pledges": [{"year": p.year, "building_name": name, "status": p.status,
                     "items": p.items, "signed_at": p.signed_at} for p, name in pledges],
        "party_days": [{"month": month, "attended": month in attended,
                        "source": attended[month].source if month in attended else None}
                       for month in months],
        "party_days_attended": len(attended),
        "party_days_missed": sum(1 for m in months if m not in attended),
        "registrations": [{"id": r.id, "status": r.status,
                           "status_label": REGISTRATION_LABELS.get(r.status, r.status),
                           "building_name": name, "room": r.room, "submitted_at": r.submitted_at,
                           "decided_at": r.decided_at} for r, name in registrations],
    }
