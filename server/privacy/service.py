"""The member's rights over their personal information (个人信息保护法 Arts 44–47): see and
copy (summary, export), correct (what and how), withdraw consent, delete the account; and the
retention rules that remove what is no longer needed."""

from __future__ import annotations

import hashlib
import io
import secrets
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from PIL import Image

from server.activities import geo
from server.activities.models import Activity, Appeal, Attendance, HoursRecord
from server.audit import service as audit
from server.audit.models import AuditEntry
from server.auth.models import AuthSession, RoleGrant, User
from server.auth.scope import Principal
from server.certificates.models import Certificate
from server.errors import AppError, conflict, invalid
from server.extensions import db
from server.idempotency import IdempotencyRecord
from server.imports.models import RosterEntry
from server.members.models import Member, Registration
from server.notices.models import OutboxStatus, SubscribeCredit, SubscribeOutbox
from server.pledges.models import (
    BuildingHead,
    Pledge,
    PledgeImage,
    PledgeNote,
    PledgeNotePhoto,
    ResponsibilityArea,
)
from server.points.models import FeedbackComment
from server.privacy import export
from server.privacy.guide import access_log_keep_days, kinds
from server.privacy.models import (
    OPEN_DELETION,
    AccountDeletion,
    ConsentEvent,
    DeletionStatus,
    LocationVerdict,
)
from server.timeutil import utcnow

DELETED_NAME = "已注销用户"
REMOVED_TEXT = "（已随账号注销删除）"
CONFIRM_PHRASE = "确认注销"
# audit actions that record who looked at or exported whose data: the access log
ACCESS_LOG_PREFIXES = ("export.", "privacy.")


def _member(principal: Principal) -> Member:
    if principal.member is None:
        raise AppError(403, "not_a_member", "请先完成党员信息登记（到社区报到）")
    return principal.member


# ---------------------------------------------------------------- see and copy (查阅、复制)


def summary(principal: Principal) -> dict[str, Any]:
    """「我的个人信息」: every kind held, how many records of each, and why it is held."""
    member = _member(principal)
    data = export.collect(member, principal.user)
    return {
        "member_id": member.id,
        "kinds": [{"key": k.key, "label": k.label, "what": k.what, "why": k.why,
                   "kept": k.kept, "count": len(data[k.key])} for k in kinds()],
    }


def export_my_data(principal: Principal) -> tuple[bytes, str]:
    """The complete export as one zip (data.json + data.xlsx + images); logged as an access."""
    member = _member(principal)
    content, counts = export.export_zip(member, principal.user)
    audit.record(principal.user_id, "privacy.export", "member", member.id,
          community_id=member.community_id, after={"rows": sum(counts.values())})
    return content, f"my-data-{member.id}.zip"


# ---------------------------------------------------------------- correct (更正)


def corrections(principal: Principal) -> list[dict[str, str]]:
    """What the member may change themselves, and how to ask for the rest."""
    _member(principal)
    return [
        {"field": "phone", "label": "手机号", "how": "self",
         "action": "POST /api/v1/me/phone 经微信确认新号码后，随报到信息一并更新"},
        {"field": "community", "label": "居住社区、楼栋、房号", "how": "new_report",
         "action": "POST /api/v1/registrations 重新报到，社区审核通过后生效"},
        {"field": "unit", "label": "工作单位、党员类型、姓名", "how": "new_report",
         "action": "POST /api/v1/registrations 重新报到时填写新的信息"},
        {"field": "hours", "label": "志愿服务时长", "how": "appeal",
         "action": "POST /api/v1/activities/<活动id>/appeal 提出申诉，社区核实后更正"},
        {"field": "consents", "label": "位置授权、公开榜单展示", "how": "self",
         "action": "POST /api/v1/me/privacy/consents/<location|public_boards>"},
        {"field": "other", "label": "其他信息（积分、评语、承诺书等）", "how": "ask_staff",
         "action": "联系所在社区工作人员，核实后由社区更正"},
    ]


# ---------------------------------------------------------------- withdraw consent (撤回同意)

CONSENT_EFFECTS = {
    "location": {
        "label": "使用位置信息签到",
        "granted": "可用位置签到：在活动范围内即可签到、签退",
        "withdrawn": "只能扫描现场二维码签到；不再收集您的位置",
    },
    "public_boards": {
        "label": "在公开榜单上展示",
        "granted": "您的名字（部分隐去）和积分显示在先锋榜等公开榜单上",
        "withdrawn": "公开榜单上不显示您；社区工作人员的统计中仍计入",
    },
}


def _consent_rows(member: Member) -> list[dict[str, Any]]:
    states = {"location": (member.location_consent, member.location_consent_at),
              "public_boards": (not member.hide_from_public_boards, None)}
    rows = []
    for kind, effects in CONSENT_EFFECTS.items():
        granted, since = states[kind]
        rows.append({"kind": kind, "label": effects["label"], "granted": granted,
                     "since": since, "withdrawable": True,
                     "effect": effects["granted" if granted else "withdrawn"],
                     "effect_if_withdrawn": effects["withdrawn"]})
    rows.append({"kind": "privacy_notice", "label": "隐私政策", "granted": True,
                 "since": member.privacy_agreed_at, "withdrawable": False,
                 "effect": f"已同意 {member.privacy_version or ''} 版隐私政策",
                 "effect_if_withdrawn": "如不再同意，请注销账号"})
    return rows


def consents(principal: Principal) -> list[dict[str, Any]]:
    return _consent_rows(_member(principal))


def set_consent(principal: Principal, kind: str, granted: bool) -> list[dict[str, Any]]:
    """Give or withdraw a consent at once; the answer says what changes."""
    member = _member(principal)
    if kind not in CONSENT_EFFECTS:
        raise AppError(404, "not_found", "没有这项授权")
    before = member.location_consent if kind == "location" else not member.hide_from_public_boards
    if before != granted:
        if kind == "location":
            # the rule of POST /me/consents/location: when it changed, and nothing else
            member.location_consent = granted
            member.location_consent_at = utcnow()
        else:
            member.hide_from_public_boards = not granted  # the boards follow (points area)
        db.session.add(ConsentEvent(member_id=member.id, kind=kind, granted=granted))
    return _consent_rows(member)


# ---------------------------------------------------------------- delete the account (注销)


def _open_deletion(user_id: int) -> AccountDeletion | None:
    return db.session.scalar(sa.select(AccountDeletion).where(
        AccountDeletion.user_id == user_id, AccountDeletion.status.in_(OPEN_DELETION)))


def deletion_state(principal: Principal) -> dict[str, Any]:
    request = _open_deletion(principal.user_id) or db.session.scalar(
        sa.select(AccountDeletion).where(AccountDeletion.user_id == principal.user_id)
        .order_by(AccountDeletion.id.desc()).limit(1))
    return _deletion_view(request)


def _deletion_view(request: AccountDeletion | None) -> dict[str, Any]:
    days = current_app.config["PRIVACY_DELETION_COOLING_OFF_DAYS"]
    return {
        "request": request,
        "cooling_off_days": days,
        "confirm_phrase": CONFIRM_PHRASE,
        "removed": ["姓名、手机号、微信身份（openid）", "手写签名、践诺照片与内容", "签到位置坐标",
                    "房号、申诉与评语内容", "证明文件与证件号后四位"],
        "kept": ["志愿服务时长、积分（不再与您关联，榜单与统计仍然一致）",
                 "已出具证明的核验信息（姓名部分隐去）"],
    }


def request_deletion(principal: Principal) -> dict[str, Any]:
    """Step 1: ask. Asking again returns the open request."""
    request = _open_deletion(principal.user_id)
    if request is None:
        request = AccountDeletion(user_id=principal.user_id, member_id=principal.member_id,
                                  status=DeletionStatus.REQUESTED.value)
        db.session.add(request)
        db.session.flush()
        audit.record(principal.user_id, "privacy.deletion_request", "account_deletion", request.id)
    return _deletion_view(request)


def confirm_deletion(principal: Principal, phrase: str) -> dict[str, Any]:
    """Step 2: confirm with the phrase; the cooling-off period starts."""
    request = _open_deletion(principal.user_id)
    if request is None:
        raise conflict("deletion_not_requested", "请先提交注销申请")
    if phrase.strip() != CONFIRM_PHRASE:
        raise invalid("deletion_phrase_mismatch", f"请输入“{CONFIRM_PHRASE}”以确认",
                      {"fields": {"confirm": f"请输入“{CONFIRM_PHRASE}”"}})
    if request.status == DeletionStatus.REQUESTED:
        now = utcnow()
        days = current_app.config["PRIVACY_DELETION_COOLING_OFF_DAYS"]
        request.status = DeletionStatus.SCHEDULED.value
        request.confirmed_at = now
        request.scheduled_for = now + timedelta(days=days)
        audit.record(principal.user_id, "privacy.deletion_confirm", "account_deletion", request.id)
    return _deletion_view(request)


def cancel_deletion(principal: Principal) -> dict[str, Any]:
    """Any time before the job has run: nothing is removed."""
    request = _open_deletion(principal.user_id)
    if request is None:
        latest = deletion_state(principal)
        if latest["request"] is not None and latest["request"].status == "cancelled":
            return latest
        raise conflict("deletion_not_requested", "没有待处理的注销申请")
    request.status = DeletionStatus.CANCELLED.value
    request.cancelled_at = utcnow()
    audit.record(principal.user_id, "privacy.deletion_cancel", "account_deletion", request.id)
    return _deletion_view(request)


def erase_due_accounts(now: datetime) -> dict[str, int]:
    """The job: carry out every confirmed deletion whose cooling-off period is over."""
    due = list(db.session.scalars(sa.select(AccountDeletion).where(
        AccountDeletion.status == DeletionStatus.SCHEDULED.value,
        AccountDeletion.scheduled_for <= now).order_by(AccountDeletion.id)))
    for request in due:
        request.summary = erase_identity(request.user_id, request.member_id)
        request.status = DeletionStatus.COMPLETED.value
        request.completed_at = now
    return {"erased": len(due)}


def _placeholder_image() -> str:
    """A blank image that a pledge whose signature was removed points to."""
    buffer = io.BytesIO()
    Image.new("LA", (1, 1)).save(buffer, format="PNG")
    data = buffer.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    if db.session.get(PledgeImage, digest) is None:
        db.session.add(PledgeImage(sha256=digest, content_type="image/png", size=len(data),
                                   width=1, height=1, data=data))
        db.session.flush()
    return digest


def erase_identity(user_id: int, member_id: int | None) -> dict[str, int]:
    """Remove who the person was; keep the records others depend on, de-identified.

    The member row stays as a nameless shell, so hours, points, boards, feedback sheets and
    statistics still add up (the balances follow the member's hidden flag); everything that
    named, reached, pictured or located the person goes.
    """
    user = db.session.get(User, user_id)
    member = db.session.get(Member, member_id) if member_id else db.session.scalar(
        sa.select(Member).filter_by(user_id=user_id))
    done: dict[str, int] = {}

    def run(name: str, statement) -> None:
        done[name] = db.session.execute(statement).rowcount or 0

    if member is not None:
        name = member.name
        done["locations"] = remove_coordinates(Attendance.member_id == member.id)
        signatures = set(db.session.scalars(
            sa.select(Pledge.signature_sha256).where(Pledge.member_id == member.id)))
        note_ids = sa.select(PledgeNote.id).where(PledgeNote.member_id == member.id)
        photos = set(db.session.scalars(
            sa.select(PledgeNotePhoto.image_sha256).where(PledgeNotePhoto.note_id.in_(note_ids))))
        run("photos", sa.delete(PledgeNotePhoto).where(PledgeNotePhoto.note_id.in_(note_ids)))
        run("notes", sa.update(PledgeNote).where(PledgeNote.member_id == member.id)
            .values(content=REMOVED_TEXT, return_reason=None))
        run("signatures", sa.update(Pledge).where(Pledge.member_id == member.id)
            .values(signature_sha256=_placeholder_image(), own_words=""))
        _delete_unreferenced_images(signatures | photos)
        run("areas", sa.delete(ResponsibilityArea).where(ResponsibilityArea.member_id == member.id))
        run("building_heads", sa.delete(BuildingHead).where(BuildingHead.member_id == member.id))
        run("registrations", sa.update(Registration).where(Registration.member_id == member.id)
            .values(room="", reject_reason=None))
        run("appeals", sa.update(Appeal).where(Appeal.member_id == member.id)
            .values(reason=REMOVED_TEXT))
        run("comments", sa.update(FeedbackComment).where(FeedbackComment.member_id == member.id)
            .values(comment=REMOVED_TEXT))
        run("certificates", sa.update(Certificate).where(Certificate.member_id == member.id)
            .values(pdf=None, snapshot=None, id_last4=None, id_reason=None))
        run("subscriptions", sa.delete(SubscribeCredit)
            .where(SubscribeCredit.member_id == member.id))
        run("outbox", sa.delete(SubscribeOutbox).where(
            SubscribeOutbox.member_id == member.id,
            SubscribeOutbox.status == OutboxStatus.PENDING.value))
        if user is not None:
            # where the person led an activity, the leader's name goes from others' records
            led = sa.select(Activity.id).where(Activity.leader_user_id == user.id)
            run("led_records", sa.update(HoursRecord).where(
                HoursRecord.activity_id.in_(led), HoursRecord.leader == name).values(leader=""))
            run("led_activities", sa.update(Activity).where(
                Activity.leader_user_id == user.id, Activity.leader_name == name)
                .values(leader_name=""))
        if member.phone:
            # the units' rosters name and reach the person too; a unit that lists them again
            # after the deletion starts a new entry
            run("roster", sa.delete(RosterEntry).where(RosterEntry.phone == member.phone))
        done["audit"] = _scrub_audit(member, [name, member.phone])
        member.name = DELETED_NAME
        member.phone = ""
        member.room = ""
        member.user_id = None
        member.location_consent = False
        member.location_consent_at = None
        member.hide_from_public_boards = True
        db.session.flush()  # the balances follow the hidden flag (points area)
    if user is not None:
        run("sessions", sa.update(AuthSession).where(
            AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=utcnow()))
        run("grants", sa.delete(RoleGrant).where(RoleGrant.user_id == user.id))
        run("answers", sa.delete(IdempotencyRecord).where(
            IdempotencyRecord.principal == f"u:{user.id}"))
        # a new openid: the same WeChat user logging in again is a new user and starts fresh
        user.openid = f"deleted:{user.id}:{secrets.token_hex(8)}"
        user.unionid = None
        user.session_key = None
        user.display_name = ""
        db.session.flush()
    audit.record(None, "privacy.deletion_complete", "account_deletion", user_id,
          after={"member_id": member.id if member else None})
    return done


def _scrub(value: Any, needles: list[str]) -> Any:
    if isinstance(value, str):
        for needle in needles:
            value = value.replace(needle, "***")
        return value
    if isinstance(value, dict):
        return {k: _scrub(v, needles) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, needles) for v in value]
    return value


def _scrub_audit(member: Member, needles: list[str]) -> int:
    """The audit log keeps who did what to whom, but not the person's name or phone: entries
    about the member (their before/after, e.g. a comment on them) and any reason naming them.
    A Core update: the ORM guard keeps the log append-only for everything else."""
    needles = [n for n in needles if n]
    table = AuditEntry.__table__
    about = sa.and_(table.c.target_type == "member", table.c.target_id == str(member.id))
    naming = sa.or_(*(table.c.reason.contains(n, autoescape=True) for n in needles))
    rows = db.session.execute(
        sa.select(table.c.id, table.c.before, table.c.after, table.c.reason)
        .where(sa.or_(about, naming))).all()
    changed = 0
    for row in rows:
        values = {"before": _scrub(row.before, needles), "after": _scrub(row.after, needles),
                  "reason": _scrub(row.reason, needles)}
        if values != {"before": row.before, "after": row.after, "reason": row.reason}:
            db.session.execute(sa.update(table).where(table.c.id == row.id).values(**values))
            changed += 1
    return changed


def _delete_unreferenced_images(hashes: set[str]) -> None:
    if not hashes:
        return
    still_used = set(db.session.scalars(
        sa.select(Pledge.signature_sha256).where(Pledge.signature_sha256.in_(hashes))))
    still_used |= set(db.session.scalars(
        sa.select(PledgeNotePhoto.image_sha256).where(PledgeNotePhoto.image_sha256.in_(hashes))))
    gone = hashes - still_used
    if gone:
        db.session.execute(sa.delete(PledgeImage).where(PledgeImage.sha256.in_(gone)))


# ---------------------------------------------------------------- retention (保存期限)


def _verdict(lat, lng, activity: Activity) -> tuple[int | None, bool | None]:
    if lat is None or lng is None or activity.latitude is None or activity.longitude is None:
        return None, None
    distance = geo.distance_m(lat, lng, activity.latitude, activity.longitude)
    return round(distance), distance <= activity.radius_m


def remove_coordinates(condition: sa.ColumnElement[bool]) -> int:
    """Null the coordinates of the matching attendances, keeping each one's verdict."""
    rows = db.session.execute(
        sa.select(Attendance, Activity).join(Activity, Activity.id == Attendance.activity_id)
        .where(condition, sa.or_(Attendance.clock_in_latitude.is_not(None),
                                 Attendance.clock_out_latitude.is_not(None)))).all()
    if not rows:
        return 0
    kept = set(db.session.scalars(sa.select(LocationVerdict.attendance_id).where(
        LocationVerdict.attendance_id.in_([a.id for a, _ in rows]))))
    now = utcnow()
    for attendance, activity in rows:
        in_distance, in_inside = _verdict(attendance.clock_in_latitude,
                                          attendance.clock_in_longitude, activity)
        out_distance, out_inside = _verdict(attendance.clock_out_latitude,
                                            attendance.clock_out_longitude, activity)
        if attendance.id not in kept:
            db.session.add(LocationVerdict(
                attendance_id=attendance.id, clock_in_distance_m=in_distance,
                clock_in_inside=in_inside, clock_out_distance_m=out_distance,
                clock_out_inside=out_inside, removed_at=now))
        attendance.clock_in_latitude = attendance.clock_in_longitude = None
        attendance.clock_in_accuracy_m = None
        attendance.clock_out_latitude = attendance.clock_out_longitude = None
        attendance.clock_out_accuracy_m = None
    db.session.flush()
    return len(rows)


def purge_old_locations(now: datetime) -> dict[str, int]:
    """Coordinates go N days after the activity ended (the verdict stays)."""
    days = current_app.config["PRIVACY_LOCATION_KEEP_DAYS"]
    ended = sa.select(Activity.id).where(Activity.ends_at < now - timedelta(days=days))
    return {"attendances": remove_coordinates(Attendance.activity_id.in_(ended))}


def purge_access_logs(now: datetime) -> dict[str, int]:
    """Login records and the access log, once older than the kept period (≥ 6 months)."""
    cutoff = now - timedelta(days=access_log_keep_days())
    sessions = db.session.execute(sa.delete(AuthSession).where(
        AuthSession.created_at < cutoff, AuthSession.expires_at < now)).rowcount
    # a Core delete: the ORM guard keeps the audit log append-only for everything else
    accesses = db.session.execute(sa.delete(AuditEntry).where(
        AuditEntry.at < cutoff,
        sa.or_(*(AuditEntry.action.startswith(prefix) for prefix in ACCESS_LOG_PREFIXES)),
    )).rowcount
    return {"sessions": sessions or 0, "access_entries": accesses or 0}
