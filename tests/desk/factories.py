"""Rows waiting in the approvals inbox, one of each kind, made directly (factories, not the
areas' own flows: those are tested in their areas)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from server.activities.models import (
    Activity,
    Appeal,
    Attendance,
    HoursRecord,
    HoursSource,
    HoursStatus,
)
from server.extensions import db
from server.members.models import Registration
from server.pledges.models import Pledge, PledgeImage, PledgeNote, PledgeTemplate
from server.points.models import ManualAward
from server.timeutil import local_today, utcnow


@dataclass
class Waiting:
    registration: int
    hours_record: int
    manual_award: int
    appeal: int
    unconfirmed: int
    pledge_note: int


def waiting_items(community, building, members, staff_user_id: int) -> Waiting:
    """One entry of each kind in `community`: members[0] files what members file; the staff
    member (staff_user_id) entered the 补录 and proposed the point award."""
    first, second = members[0], members[1]
    now = utcnow()
    activity = Activity(community_id=community.id, title="楼道清理", category="environment",
                        starts_at=now - timedelta(hours=5), ends_at=now - timedelta(hours=3),
                        status="ended")
    db.session.add(activity)
    db.session.flush()
    # the second member's report waits again (as a report sent but not yet approved)
    registration = db.session.scalar(sa.select(Registration).filter_by(member_id=second.id))
    registration.status, registration.decided_at = "submitted", None
    record = HoursRecord(member_id=first.id, activity_id=activity.id, community_id=community.id,
                         category="environment", hours=Decimal("2.00"), service_date=local_today(),
                         source=HoursSource.MANUAL.value, status=HoursStatus.PENDING.value,
                         activity_name=activity.title, reason="现场漏签",
                         created_by_user_id=staff_user_id)
    award = ManualAward(member_id=first.id, community_id=community.id, amount=5,
                        reason="协助疫苗接种宣传", requested_by_user_id=staff_user_id)
    appeal = Appeal(member_id=first.id, activity_id=activity.id, community_id=community.id,
                    reason="我签退了但没有记录")
    attendance = Attendance(activity_id=activity.id, member_id=second.id, status="unconfirmed",
                            clock_in_at=now - timedelta(hours=5), clock_in_method="qr")
    signature = PledgeImage(sha256=hashlib.sha256(b"sig").hexdigest(), content_type="image/png",
                            size=3, width=1, height=1, data=b"sig")
    template = PledgeTemplate(community_id=community.id, year=now.year, title="包楼栋承诺书",
                              items=["环境卫生"])
    db.session.add_all([registration, record, award, appeal, attendance, signature, template])
    db.session.flush()
    pledge = Pledge(member_id=first.id, community_id=community.id, building_id=building.id,
                    template_id=template.id, year=now.year, items=["环境卫生"],
                    signature_sha256=signature.sha256)
    db.session.add(pledge)
    db.session.flush()
    note = PledgeNote(pledge_id=pledge.id, member_id=first.id, community_id=community.id,
                      building_id=building.id, content="清理了楼道堆物")
    db.session.add(note)
    db.session.commit()
    return Waiting(registration.id, record.id, award.id, appeal.id, attendance.id, note.id)
