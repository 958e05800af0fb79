"""查阅、复制: everything held about one member, by kind (the guide's kinds), and the one
download: a zip with data.json, data.xlsx (a sheet per kind) and the member's own images.

Each kind is one statement (two for a few), whatever the number of records.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from server.activities.models import Activity, Appeal, Attendance, HoursRecord, SignUp
from server.auth.models import AuthSession, User
from server.certificates.models import Certificate
from server.excel import Workbook, workbook_bytes
from server.extensions import db
from server.members.models import Building, Community, EmployerUnit, Member, Registration
from server.notices.models import Notice, NoticeRecipient, SubscribeCredit, SubscribeTemplate
from server.pledges.models import (
    BuildingHead,
    MakeupBooking,
    PartyDayAttendance,
    Pledge,
    PledgeImage,
    PledgeNote,
    PledgeNotePhoto,
    ResponsibilityArea,
)
from server.points.models import FeedbackComment, ManualAward, PointBalance, PointEntry
from server.privacy.guide import kinds
from server.privacy.models import AccountDeletion, ConsentEvent, LocationVerdict
from server.timeutil import to_local, utcnow

Rows = list[dict[str, Any]]


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return to_local(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _rows(statement: sa.Select) -> Rows:
    return [{k: _value(v) for k, v in row._mapping.items()}
            for row in db.session.execute(statement)]


def _profile(member: Member, user: User) -> Rows:
    return _rows(
        sa.select(Member.id.label("member_id"), Member.name, Member.member_type,
                  Community.name.label("community"), Building.name.label("building"),
                  Member.room, User.display_name.label("wechat_name"),
                  User.created_at.label("account_created_at"),
                  Member.created_at.label("member_created_at"), User.last_login_at)
        .select_from(Member)
        .outerjoin(User, User.id == Member.user_id)
        .outerjoin(Community, Community.id == Member.community_id)
        .outerjoin(Building, Building.id == Member.building_id)
        .where(Member.id == member.id))


def _phone(member: Member, user: User) -> Rows:
    return [{"phone": member.phone}] if member.phone else []


def _unit(member: Member, user: User) -> Rows:
    return _rows(sa.select(EmployerUnit.name.label("unit"), EmployerUnit.party_org_name)
                 .where(EmployerUnit.id == member.employer_unit_id))


def _registrations(member: Member, user: User) -> Rows:
    return _rows(
        sa.select(Registration.id, Community.name.label("community"),
                  Building.name.label("building"), Registration.room, Registration.status,
                  Registration.reject_reason, Registration.submitted_at,
                  Registration.decided_at, Registration.ended_at)
        .join(Community, Community.id == Registration.community_id)
        .join(Building, Building.id == Registration.building_id)
        .where(Registration.member_id == member.id).order_by(Registration.id))


def _consents(member: Member, user: User) -> Rows:
    current = [
        {"kind": "privacy_notice", "granted": member.privacy_version is not None,
         "version": member.privacy_version, "at": _value(member.privacy_agreed_at)},
        {"kind": "location", "granted": member.location_consent, "version": None,
         "at": _value(member.location_consent_at)},
        {"kind": "public_boards", "granted": not member.hide_from_public_boards,
         "version": None, "at": None},
    ]
    history = _rows(sa.select(ConsentEvent.kind, ConsentEvent.granted,
                              sa.null().label("version"), ConsentEvent.at)
                    .where(ConsentEvent.member_id == member.id).order_by(ConsentEvent.id))
    return current + [{**row, "kind": f"{row['kind']} (history)"} for row in history]


def _signups(member: Member, user: User) -> Rows:
    return _rows(
        sa.select(SignUp.id, Activity.title.label("activity"), SignUp.status, SignUp.created_at,
                  SignUp.promoted_at, SignUp.withdrawn_at, SignUp.absent_at)
        .join(Activity, Activity.id == SignUp.activity_id)
        .where(SignUp.member_id == member.id).order_by(SignUp.id))


def _attendances(member: Member, user: User) -> Rows:
    return _rows(
        sa.select(Attendance.id, Activity.title.label("activity"), Attendance.status,
                  Attendance.clock_in_at, Attendance.clock_in_method, Attendance.clock_out_at,
                  Attendance.clock_out_method)
        .join(Activity, Activity.id == Attendance.activity_id)
        .where(Attendance.member_id == member.id).order_by(Attendance.id))


def _locations(member: Member, user: User) -> Rows:
    return _rows(
        sa.select(Attendance.id.label("attendance_id"), Activity.title.label("activity"),
                  Attendance.clock_in_at, Attendance.clock_in_latitude,
                  Attendance.clock_in_longitude, Attendance.clock_in_accuracy_m,
                  Attendance.clock_out_latitude, Attendance.clock_out_longitude,
                  Attendance.clock_out_accuracy_m, LocationVerdict.clock_in_distance_m,
                  LocationVerdict.clock_in_inside, LocationVerdict.clock_out_distance_m,
                  LocationVerdict.clock_out_inside,
                  LocationVerdict.removed_at.label("coordinates_removed_at"))
        .join(Activity, Activity.id == Attendance.activity_id)
        .outerjoin(LocationVerdict, LocationVerdict.attendance_id == Attendance.id)
        .where(Attendance.member_id == member.id,
               sa.or_(Attendance.clock_in_latitude.is_not(None),
                      Attendance.clock_out_latitude.is_not(None),
                      LocationVerdict.id.is_not(None)))
        .order_by(Attendance.id))


def _hours(member: Member, user: User) -> Rows:
    return _rows(
        sa.select(HoursRecord.id, HoursRecord.service_date, HoursRecord.activity_name,
                  HoursRecord.place, HoursRecord.organiser, HoursRecord.leader,
                  HoursRecord.hours, HoursRecord.source, HoursRecord.status,
                  HoursRecord.reason, HoursRecord.note, HoursRecord.supersedes_id,
                  HoursRecord.created_at, HoursRecord.approved_at, HoursRecord.rejected_reason)
        .where(HoursRecord.member_id == member.id).order_by(HoursRecord.id))


def _appeals(member: Member, user: User) -> Rows:
    return _rows(
        sa.select(Appeal.id, Activity.title.label("activity"), Appeal.reason, Appeal.status,
                  Appeal.resolution, Appeal.created_at, Appeal.resolved_at)
        .join(Activity, Activity.id == Appeal.activity_id)
        .where(Appeal.member_id == member.id).order_by(Appeal.id))


def _points(member: Member, user: User) -> Rows:
    ledger = _rows(
        sa.select(sa.literal("ledger").label("record"), PointEntry.id, PointEntry.amount,
                  PointEntry.hours_centi, PointEntry.rule_key, PointEntry.source_key,
                  PointEntry.earned_on, PointEntry.month.label("period"), PointEntry.reason,
                  sa.null().label("stars"), PointEntry.created_at)
        .where(PointEntry.member_id == member.id).order_by(PointEntry.id))
    balances = _rows(
        sa.select(sa.literal("balance").label("record"), PointBalance.id,
                  PointBalance.points.label("amount"), PointBalance.hours_centi,
                  sa.null().label("rule_key"), sa.null().label("source_key"),
                  sa.null().label("earned_on"), PointBalance.period,
                  sa.null().label("reason"), PointBalance.stars,
                  PointBalance.updated_at.label("created_at"))
        .where(PointBalance.member_id == member.id).order_by(PointBalance.period))
    awards = _rows(
        sa.select(sa.literal("manual_award").label("record"), ManualAward.id,
                  ManualAward.amount, sa.literal(0).label("hours_centi"),
                  sa.literal("manual").label("rule_key"), sa.null().label("source_key"),
                  sa.null().label("earned_on"), ManualAward.status.label("period"),
                  ManualAward.reason, sa.null().label("stars"),
                  ManualAward.requested_at.label("created_at"))
        .where(ManualAward.member_id == member.id).order_by(ManualAward.id))
    return ledger + balances + awards


def _pledges(member: Member, user: User) -> Rows:
    pledges = _rows(
        sa.select(sa.literal("pledge").label("record"), Pledge.id, Pledge.year,
                  Building.name.label("building"), Pledge.items, Pledge.own_words,
                  Pledge.status, Pledge.signed_at.label("at"),
                  Pledge.signature_sha256.label("signature_file"))
        .join(Building, Building.id == Pledge.building_id)
        .where(Pledge.member_id == member.id).order_by(Pledge.id))
    for row in pledges:
        row["signature_file"] = f"images/{row['signature_file']}"
    areas = _rows(
        sa.select(sa.literal("responsibility_area").label("record"), ResponsibilityArea.id,
                  sa.null().label("year"), Building.name.label("building"),
                  sa.null().label("items"), sa.null().label("own_words"),
                  sa.null().label("status"), ResponsibilityArea.created_at.label("at"),
                  sa.null().label("signature_file"))
        .join(Building, Building.id == ResponsibilityArea.building_id)
        .where(ResponsibilityArea.member_id == member.id))
    heads = _rows(
        sa.select(sa.literal("building_head").label("record"), BuildingHead.id,
                  sa.null().label("year"), Building.name.label("building"),
                  sa.null().label("items"), sa.null().label("own_words"),
                  sa.null().label("status"), BuildingHead.appointed_at.label("at"),
                  sa.null().label("signature_file"))
        .join(Building, Building.id == BuildingHead.building_id)
        .where(BuildingHead.member_id == member.id))
    return pledges + areas + heads


def _photos(member: Member, user: User) -> Rows:
    rows = _rows(
        sa.select(PledgeNote.id.label("note_id"), PledgeNote.content, PledgeNote.status,
                  PledgeNote.return_reason, PledgeNote.created_at, PledgeNote.reviewed_at,
                  PledgeNotePhoto.position, PledgeNotePhoto.image_sha256.label("photo_file"))
        .outerjoin(PledgeNotePhoto, PledgeNotePhoto.note_id == PledgeNote.id)
        .where(PledgeNote.member_id == member.id)
        .order_by(PledgeNote.id, PledgeNotePhoto.position))
    for row in rows:
        if row["photo_file"]:
            row["photo_file"] = f"images/{row['photo_file']}"
    return rows


def _party_days(member: Member, user: User) -> Rows:
    attended = _rows(
        sa.select(sa.literal("attended").label("record"), PartyDayAttendance.month,
                  PartyDayAttendance.source.label("detail"),
                  PartyDayAttendance.attended_at.label("at"))
        .where(PartyDayAttendance.member_id == member.id).order_by(PartyDayAttendance.id))
    booked = _rows(
        sa.select(sa.literal("makeup_booking").label("record"), MakeupBooking.month,
                  MakeupBooking.status.label("detail"), MakeupBooking.booked_at.label("at"))
        .where(MakeupBooking.member_id == member.id).order_by(MakeupBooking.id))
    return attended + booked


def _notices(member: Member, user: User) -> Rows:
    return _rows(
        sa.select(Notice.id.label("notice_id"), Notice.title, NoticeRecipient.created_at,
                  NoticeRecipient.read_at)
        .join(Notice, Notice.id == NoticeRecipient.notice_id)
        .where(NoticeRecipient.member_id == member.id).order_by(NoticeRecipient.id))


def _subscriptions(member: Member, user: User) -> Rows:
    return _rows(
        sa.select(SubscribeTemplate.purpose, SubscribeTemplate.title, SubscribeCredit.credits,
                  SubscribeCredit.last_result, SubscribeCredit.updated_at)
        .join(SubscribeTemplate, SubscribeTemplate.id == SubscribeCredit.template_id)
        .where(SubscribeCredit.member_id == member.id).order_by(SubscribeCredit.id))


def _comments(member: Member, user: User) -> Rows:
    return _rows(
        sa.select(FeedbackComment.period, Community.name.label("community"),
                  FeedbackComment.comment, FeedbackComment.updated_at)
        .join(Community, Community.id == FeedbackComment.community_id)
        .where(FeedbackComment.member_id == member.id).order_by(FeedbackComment.id))


def _certificates(member: Member, user: User) -> Rows:
    return _rows(
        sa.select(Certificate.number, Certificate.issuer_name, Certificate.period_start,
                  Certificate.period_end, Certificate.total_hours_centi,
                  Certificate.record_count, Certificate.id_last4, Certificate.id_reason,
                  Certificate.id_consent_at, Certificate.status, Certificate.issued_at,
                  Certificate.revoked_at, Certificate.revoke_reason)
        .where(Certificate.member_id == member.id).order_by(Certificate.id))


def _logins(member: Member, user: User) -> Rows:
    return _rows(
        sa.select(AuthSession.created_at.label("logged_in_at"), AuthSession.expires_at,
                  AuthSession.revoked_at.label("logged_out_at"))
        .where(AuthSession.user_id == user.id).order_by(AuthSession.created_at))


def _account(member: Member, user: User) -> Rows:
    return _rows(
        sa.select(AccountDeletion.id, AccountDeletion.status, AccountDeletion.requested_at,
                  AccountDeletion.confirmed_at, AccountDeletion.scheduled_for,
                  AccountDeletion.cancelled_at)
        .where(AccountDeletion.user_id == user.id).order_by(AccountDeletion.id))


COLLECTORS: dict[str, Callable[[Member, User], Rows]] = {
    "profile": _profile, "phone": _phone, "unit": _unit, "registrations": _registrations,
    "consents": _consents, "signups": _signups, "attendances": _attendances,
    "locations": _locations, "hours": _hours, "appeals": _appeals, "points": _points,
    "pledges": _pledges, "photos": _photos, "party_days": _party_days, "notices": _notices,
    "subscriptions": _subscriptions, "comments": _comments, "certificates": _certificates,
    "logins": _logins, "account": _account,
}


def collect(member: Member, user: User) -> dict[str, Rows]:
    """Every kind the guide lists, in its order."""
    return {kind.key: COLLECTORS[kind.key](member, user) for kind in kinds()}


def _image_files(data: dict[str, Rows]) -> dict[str, PledgeImage]:
    names = {row["signature_file"] for row in data["pledges"] if row.get("signature_file")}
    names |= {row["photo_file"] for row in data["photos"] if row.get("photo_file")}
    hashes = [name.removeprefix("images/") for name in names]
    if not hashes:
        return {}
    images = db.session.scalars(sa.select(PledgeImage).where(PledgeImage.sha256.in_(hashes)))
    return {f"images/{image.sha256}": image for image in images}


def _cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _workbook(data: dict[str, Rows]) -> bytes:
    book = Workbook(write_only=True)
    labels = {kind.key: kind.label for kind in kinds()}
    for key, rows in data.items():
        sheet = book.create_sheet(title=labels[key][:31])
        columns: list[str] = []
        for row in rows:
            columns += [name for name in row if name not in columns]
        sheet.append(columns or ["（无记录）"])
        for row in rows:
            sheet.append([_cell(row.get(name)) for name in columns])
    return workbook_bytes(book)


README = """我的个人信息（导出）

data.json   全部信息（JSON），按类别列出
data.xlsx   同样的信息（Excel），每类一张工作表
images/     您的手写签名与践诺照片（文件名为其 SHA-256，文件类型见 data.json）

类别与用途见小程序「我的个人信息」中的隐私保护指引。
"""


def export_zip(member: Member, user: User) -> tuple[bytes, dict[str, int]]:
    """The download, and how many rows of each kind it holds."""
    data = collect(member, user)
    images = _image_files(data)
    document = {
        "generated_at": _value(utcnow()),
        "member_id": member.id,
        "kinds": {kind.key: {"label": kind.label, "why": kind.why, "rows": data[kind.key]}
                  for kind in kinds()},
        "images": {name: {"content_type": image.content_type, "size": image.size}
                   for name, image in images.items()},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README)
        archive.writestr("data.json", json.dumps(document, ensure_ascii=False, indent=1))
        archive.writestr("data.xlsx", _workbook(data))
        for name, image in images.items():
            archive.writestr(name, image.data)
    return buffer.getvalue(), {key: len(rows) for key, rows in data.items()}
