"""A member with records in every area (the kinds of the privacy guide), built as real rows."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from PIL import Image

from server.activities.models import Activity, Appeal, Attendance, SignUp
from server.extensions import db
from server.imports.models import RosterEntry
from server.members.models import Member
from server.notices.models import Notice, NoticeRecipient, SubscribeCredit, SubscribeTemplate
from server.pledges.images import store_image
from server.pledges.models import (
    PartyDayAttendance,
    Pledge,
    PledgeNote,
    PledgeNotePhoto,
    PledgeTemplate,
)
from server.points.models import FeedbackComment
from server.timeutil import utcnow
from server.wechat.standin import demo_openid
from tests.certificates.helpers import activity, approve_hours
from tests.points.helpers import street_rule

NAME, PHONE, LOGIN = "欧阳晓彤", "13700001234", "privacy1"
CENTRE = (31.2304, 121.4737)


def png(colour: tuple[int, int, int], size=(40, 20)) -> tuple[bytes, int, int]:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue(), *size


@dataclass
class Person:
    caller: object
    member: Member
    openid: str
    signature: str
    photo: str
    activities: list[Activity]


@pytest.fixture
def person(org, make_member, login) -> Person:
    """欧阳晓彤: reported, consented, signed up, clocked in by location, hours and points,
    an appeal, a pledge with a signature, a note with a photo, a party day, a notice read, a
    subscription, a comment; logged in."""
    street_rule(org.street.id, points=10)
    member = make_member(LOGIN, org.buildings[0], unit=org.units[0], name=NAME,
                         location_consent=True)
    member.phone = PHONE
    community = org.communities[0].id
    # and their employer unit listed them on its roster of in-service members (报到率)
    db.session.add(RosterEntry(unit_id=org.units[0].id, name=NAME, phone=PHONE,
                               member_type="in_service", community_id=community))
    acts = [activity(community, date(2026, 3, 15), latitude=CENTRE[0], longitude=CENTRE[1]),
            activity(community, date(2026, 4, 20), "平安巡逻", "社区北门")]
    for act in acts:
        db.session.add(SignUp(activity_id=act.id, member_id=member.id, status="confirmed"))
        db.session.add(Attendance(
            activity_id=act.id, member_id=member.id, status="clocked_out",
            clock_in_at=act.starts_at, clock_in_method="location",
            clock_in_latitude=CENTRE[0] + 0.0005, clock_in_longitude=CENTRE[1],
            clock_in_accuracy_m=15, clock_out_at=act.ends_at, clock_out_method="location",
            clock_out_latitude=CENTRE[0], clock_out_longitude=CENTRE[1] + 0.01,
            clock_out_accuracy_m=20))
    db.session.commit()
    records = [approve_hours(member.id, acts[0], "2.5"), approve_hours(member.id, acts[1], "3")]
    db.session.add(Appeal(member_id=member.id, activity_id=acts[1].id, community_id=community,
                          hours_record_id=records[1].id, reason=f"{NAME}实际服务了4小时"))
    data, width, height = png((10, 10, 10))
    signature = store_image(data, "PNG", width, height)
    data, width, height = png((200, 120, 0), (60, 40))
    photo = store_image(data, "PNG", width, height)
    template = PledgeTemplate(community_id=community, year=2026, title="包楼栋承诺书",
                              items=["环境卫生"])
    db.session.add(template)
    db.session.flush()
    pledge = Pledge(member_id=member.id, community_id=community,
                    building_id=org.buildings[0].id, template_id=template.id, year=2026,
                    items=["环境卫生"], own_words=f"我是{NAME}，电话{PHONE}",
                    signature_sha256=signature)
    db.session.add(pledge)
    db.session.flush()
    note = PledgeNote(pledge_id=pledge.id, member_id=member.id, community_id=community,
                      building_id=org.buildings[0].id, content=f"{NAME}清理了楼道")
    db.session.add(note)
    db.session.flush()
    db.session.add(PledgeNotePhoto(note_id=note.id, position=0, image_sha256=photo))
    db.session.add(PartyDayAttendance(member_id=member.id, community_id=community,
                                      month="2026-03", source="party_day",
                                      activity_id=acts[0].id))
    notice = Notice(community_id=community, title="端午活动通知", body="欢迎参加",
                    audience={}, status="sent", send_at=utcnow(), published_at=utcnow())
    template_row = SubscribeTemplate(purpose="notice", template_id="tmpl-notice-1",
                                     title="活动通知")
    db.session.add_all([notice, template_row])
    db.session.flush()
    db.session.add(NoticeRecipient(notice_id=notice.id, member_id=member.id,
                                   read_at=utcnow()))
    db.session.add(SubscribeCredit(member_id=member.id, template_id=template_row.id,
                                   credits=2, last_result="accept"))
    db.session.add(FeedbackComment(member_id=member.id, community_id=community,
                                   period="2026-H1", comment=f"{NAME}同志表现突出"))
    db.session.commit()
    caller = login(LOGIN)
    caller.member_id = member.id
    return Person(caller, member, demo_openid(LOGIN), signature, photo, acts)


def days_later(days: int):
    return utcnow() + timedelta(days=days)
