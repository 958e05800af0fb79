"""Every list endpoint costs the same number of SQL statements for 5 rows as for 50: what a
page shows beside its rows is loaded for the whole page at once, never a query per row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from server.activities.models import (
    Activity,
    Appeal,
    Attendance,
    HoursRecord,
    SignUp,
)
from server.auth.models import Role
from server.desk.models import DeskNotification
from server.extensions import db
from server.members.models import Building, EmployerUnit, Member
from server.notices.models import Notice, NoticeRecipient
from server.pledges.models import (
    BuildingHead,
    DedicationDay,
    MakeupBooking,
    MakeupSession,
    Pledge,
    PledgeImage,
    PledgeNote,
    PledgeTemplate,
    ResponsibilityArea,
)
from server.points.models import ManualAward, PointBalance, PointEntry, PointRule
from server.timeutil import local_today, utcnow

SMALL, LARGE = 5, 50


@dataclass
class World:
    """n of everything in one community, each row with places and people of its own."""

    org: object
    staff_user_id: int
    n: int = 0
    members: list[Member] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    pledges: list[Pledge] = field(default_factory=list)
    sessions: list[MakeupSession] = field(default_factory=list)
    notice_id: int = 0

    @property
    def community_id(self) -> int:
        return self.org.communities[0].id

    def grow(self, total: int, make_member) -> None:
        """Add rows until there are `total` of each; row 0 (member, activity, pledge,
        make-up session) is the one the per-member and per-activity lists look at."""
        now = utcnow()
        today = local_today()
        community_id = self.community_id
        grid_id = self.org.grids[0].id
        if self.n == 0:
            db.session.add(PledgeImage(sha256="0" * 64, content_type="image/png", size=1,
                                       width=1, height=1, data=b"x"))
            db.session.add(PledgeTemplate(community_id=community_id, year=today.year,
                                          title="承诺书", items=["环境卫生"]))
            notice = Notice(community_id=community_id, title="通知", body="正文",
                            audience={"type": "community"}, status="sent", send_at=now,
                            published_at=now)
            db.session.add(notice)
            db.session.flush()
            self.notice_id = notice.id
        template_id = db.session.scalar(sa.select(PledgeTemplate.id).filter_by(title="承诺书"))
        for i in range(self.n, total):
            building = Building(community_id=community_id, grid_id=grid_id, name=f"楼{i}")
            unit = EmployerUnit(name=f"单位{i}", party_org_name=f"单位{i}党委")
            db.session.add_all([building, unit])
            db.session.flush()
            member = make_member(f"m{i}", building, unit=unit)
            self.members.append(member)
            activity = Activity(
                community_id=community_id, title=f"活动{i}", category="environment",
                starts_at=now - timedelta(hours=3, minutes=i), ends_at=now - timedelta(hours=1),
                status="published", published_at=now - timedelta(days=1),
            )
            db.session.add(activity)
            db.session.flush()
            self.activities.append(activity)
            a0, m0 = self.activities[0], self.members[0]
            pairs = {(activity.id, m0.id), (a0.id, member.id)}
            for activity_id, member_id in pairs:
                db.session.add(SignUp(activity_id=activity_id, member_id=member_id,
                                      status="confirmed", queued_at=now))
                db.session.add(HoursRecord(
                    member_id=member_id, activity_id=activity_id, community_id=community_id,
                    category="environment", hours=Decimal("2"), service_date=today,
                    source="clock", status="approved", activity_name=f"活动{i}",
                ))
                db.session.add(Appeal(member_id=member_id, activity_id=activity_id,
                                      community_id=community_id, reason="时长有误"))
            db.session.add(Attendance(activity_id=activity.id, member_id=member.id,
                                      status="unconfirmed", clock_in_at=now - timedelta(hours=3),
                                      clock_in_method="qr"))
            db.session.add(PointEntry(
                member_id=m0.id, community_id=community_id, amount=5, rule_key="manual:*",
                source_type="manual_award", source_id=str(i), source_key=f"test:{i}",
                earned_on=today, month=today.strftime("%Y-%m"),
            ))
            db.session.add(PointBalance(member_id=member.id, period=today.strftime("%Y-%m"),
                                        points=i, hours_centi=100, community_id=community_id,
                                        building_id=building.id, grid_id=grid_id,
                                        employer_unit_id=unit.id,
                                        street_id=self.org.street.id))
            notice = Notice(community_id=community_id, title=f"通知{i}", body="周六大扫除",
                            audience={"all": True}, status="sent", send_at=now,
                            published_at=now, created_by_user_id=self.staff_user_id)
            db.session.add(notice)
            db.session.flush()
            db.session.add(NoticeRecipient(notice_id=notice.id, member_id=m0.id))
            db.session.add(ManualAward(member_id=member.id, community_id=community_id,
                                       amount=3, reason="表现突出",
                                       requested_by_user_id=self.staff_user_id))
            db.session.add(PointRule(scope_type="community", scope_id=community_id,
                                     kind="hours", category="*", points=10,
                                     effective_from=today + timedelta(days=10 + i)))
            db.session.add(PledgeTemplate(community_id=community_id, year=today.year,
                                          title=f"承诺书{i}", items=["环境卫生"]))
            pledge = Pledge(member_id=member.id, community_id=community_id,
                            building_id=building.id, template_id=template_id, year=today.year,
                            items=["环境卫生"], signature_sha256="0" * 64, status="active")
            db.session.add(pledge)
            db.session.flush()
            self.pledges.append(pledge)
            for pledge_of_note in {self.pledges[0].id, pledge.id}:
                owner = self.pledges[0] if pledge_of_note == self.pledges[0].id else pledge
                db.session.add(PledgeNote(pledge_id=owner.id, member_id=owner.member_id,
                                          community_id=community_id,
                                          building_id=owner.building_id,
                                          content=f"清理楼道{i}", status="submitted"))
            db.session.add(NoticeRecipient(notice_id=self.notice_id, member_id=member.id))
            db.session.add(BuildingHead(building_id=building.id, community_id=community_id,
                                        member_id=member.id))
            db.session.add(DeskNotification(user_id=self.staff_user_id, kind="digest",
                                            event_key=f"digest:{i}", title=f"您有 {i} 项待办"))
            db.session.add(ResponsibilityArea(community_id=community_id, member_id=member.id,
                                              building_id=self.org.buildings[1].id))
            session = MakeupSession(community_id=community_id, month=today.strftime("%Y-%m"),
                                    title=f"补课{i}", starts_at=now + timedelta(days=1),
                                    ends_at=now + timedelta(days=1, hours=2), capacity=100,
                                    activity_id=activity.id)
            db.session.add(session)
            db.session.flush()
            self.sessions.append(session)
            db.session.add(MakeupBooking(session_id=self.sessions[0].id, member_id=member.id,
                                         community_id=community_id,
                                         month=today.strftime("%Y-%m"), status="booked"))
            db.session.add(DedicationDay(street_id=self.org.street.id,
                                         day=today + timedelta(days=100 + i), title=f"奉献日{i}",
                                         activity_id=activity.id))
        db.session.commit()
        self.n = total


def _rows(body) -> int:
    if isinstance(body, list):
        return len(body)
    for key in ("entries", "rows", "buildings_total", "participation", "items"):
        if key in body:
            return body[key] if isinstance(body[key], int) else len(body[key])
    raise AssertionError(f"no rows in {sorted(body)}")


# (who asks, path): every list of the activities, members, points and pledges areas
def _endpoints(w: World) -> list[tuple[str, str]]:
    c, a0, m0 = w.community_id, w.activities[0].id, w.members[0].id
    many = "page_size=100"
    year = local_today().year
    return [
        ("member", f"/api/v1/activities?when=all&{many}"),
        ("member", f"/api/v1/me/appeals?{many}"),
        ("member", f"/api/v1/me/activity-log?{many}"),
        ("member", f"/api/v1/points/me/entries?{many}"),
        ("member", f"/api/v1/pledge-notes/mine?{many}"),
        ("member", f"/api/v1/notices/mine?{many}"),
        ("staff", f"/api/v1/communities/{c}/activities?{many}"),
        ("staff", f"/api/v1/communities/{c}/notices?{many}"),
        ("staff", f"/api/v1/desk/inbox?community_id={c}"),
        ("staff", f"/api/v1/members/{m0}/activity-log?{many}"),
        ("staff", f"/api/v1/activities/{a0}/hours-records?{many}"),
        ("staff", f"/api/v1/communities/{c}/hours-records?{many}"),
        ("staff", f"/api/v1/desk/activities/{a0}/hours-records"),
        ("staff", f"/api/v1/desk/communities/{c}/hours-per-member"),
        ("staff", f"/api/v1/communities/{c}/unconfirmed-attendances?{many}"),
        ("staff", f"/api/v1/communities/{c}/appeals?{many}"),
        ("staff", f"/api/v1/activities/{a0}/roster"),
        ("staff", f"/api/v1/registrations?{many}"),
        ("staff", f"/api/v1/members?community_id={c}&{many}"),
        ("staff", f"/api/v1/desk/members?community_id={c}&{many}"),
        ("staff", f"/api/v1/communities/{c}/buildings"),
        ("staff", "/api/v1/units"),
        ("staff", f"/api/v1/points/members/{m0}/entries?{many}"),
        ("staff", f"/api/v1/points/manual-awards?community_id={c}&{many}"),
        ("staff", f"/api/v1/points/leaderboards?scope=community&scope_id={c}&limit=100"),
        ("staff", f"/api/v1/points/communities/{c}/feedback?period={local_today().year}"),
        ("staff", f"/api/v1/points/rules?community_id={c}"),
        ("staff", f"/api/v1/communities/{c}/pledge-templates"),
        ("staff", f"/api/v1/communities/{c}/responsibility-areas"),
        ("staff", f"/api/v1/communities/{c}/pledges?{many}"),
        ("staff", f"/api/v1/communities/{c}/pledge-coverage"),
        ("staff", f"/api/v1/communities/{c}/pledge-notes?{many}"),
        ("staff", f"/api/v1/communities/{c}/makeup-sessions"),
        ("staff", f"/api/v1/makeup-sessions/{w.sessions[0].id}/bookings"),
        ("street", f"/api/v1/streets/{w.org.street.id}/dedication-days"),
        ("staff", f"/api/v1/desk/notices/{w.notice_id}/unread?{many}"),
        ("staff", f"/api/v1/communities/{c}/building-heads"),
        ("staff", "/api/v1/desk/notifications"),
        ("staff", f"/api/v1/statistics?scope=community&scope_id={c}&period={year}"),
        ("staff", f"/api/v1/statistics?scope=grid&scope_id={w.org.grids[0].id}&period={year}"),
        ("street", f"/api/v1/statistics?scope=street&scope_id={w.org.street.id}&period={year}"),
    ]


def _pages(w: World) -> list[str]:
    return [f"/api/v1/desk/members/{w.members[0].id}/summary"]


@pytest.fixture
def counted(app) -> Callable[[Callable], tuple[int, object]]:
    """counted(call) → (SQL statements the call ran, its result)."""
    statements: list[str] = []

    def _count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    def _counted(call):
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", _count)
        try:
            result = call()
        finally:
            event.remove(db.engine, "before_cursor_execute", _count)
        return len(statements), result

    return _counted


def test_every_list_costs_the_same_statements_for_5_rows_as_for_50(
    org, make_member, make_staff, login, counted
):
    staff_user = make_staff("sec", Role.COMMUNITY_SECRETARY, community_id=org.communities[0].id)
    make_staff("street", Role.STREET_ADMIN, street_id=org.street.id)
    world = World(org=org, staff_user_id=staff_user.id)
    figures: dict[str, list[int]] = {}
    pages: dict[str, list[int]] = {}
    for size in (SMALL, LARGE):
        world.grow(size, make_member)
        callers = {"member": login("m0"), "staff": login("sec"), "street": login("street")}
        for who, path in _endpoints(world):
            statements, response = counted(lambda: callers[who].get(path))  # noqa: B023
            assert response.status_code == 200, (path, response.json)
            key = path if "/statistics" in path else path.split("?")[0]
            figures.setdefault(key, []).extend([statements, _rows(response.json)])
        for path in _pages(world):  # one member's page: as many statements in either world
            statements, response = counted(lambda: callers["staff"].get(path))  # noqa: B023
            assert response.status_code == 200, (path, response.json)
            pages.setdefault(path, []).append(statements)
    report = "\n".join(f"{path}: {s5} statements for {r5} rows, {s50} for {r50} rows"
                       for path, (s5, r5, s50, r50) in figures.items())
    print(report)
    grew = {path: f[0::2] for path, f in figures.items() if f[2] != f[0]}
    assert grew == {}, report
    assert {path: s for path, s in pages.items() if len(set(s)) > 1} == {}, pages
    too_few = [path for path, f in figures.items() if f[3] <= f[1]]
    assert too_few == [], "these lists did not grow with the data: " + ", ".join(too_few)
