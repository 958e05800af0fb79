"""Carrying out an account deletion (注销): who the person was is removed; the records others
depend on (hours, points, boards, issued certificates) stay, de-identified."""

from __future__ import annotations

import hashlib
import io
import secrets
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from PIL import Image

from server.activities.models import Activity, Appeal, Attendance, HoursRecord
from server.audit import service as audit
from server.audit.models import AuditEntry
from server.auth.models import AuthSession, RoleGrant, User
from server.certificates.models import Certificate
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
from server.privacy.models import (
    AccountDeletion,
    DeletionStatus,
)
from server.privacy.retention import remove_coordinates
from server.timeutil import utcnow

DELETED_NAME = "已注销用户"
REMOVED_TEXT = "（已随账号注销删除）"


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
