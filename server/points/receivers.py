"""How the points area answers the other areas' signals (hours approved, absence, a pledge
note verified, the party day attended): each settles one source on the ledger. Connected at
app start in server/receivers.py."""

from __future__ import annotations

from datetime import date

from server.points.ledger import settle_source
from server.points.models import ANY_CATEGORY, PointEntry, RuleKind
from server.points.point_rules import centi, month_key
from server.timeutil import local_today, to_local

# hours record states that never count, whatever hours they carry
NOT_COUNTING = {"pending", "submitted", "rejected", "void", "voided", "cancelled", "reversed"}


def on_hours_record_finalised(record, previous_hours=None, **_kw) -> PointEntry | None:
    status = getattr(record, "status", None)
    hours = 0 if status is not None and str(status) in NOT_COUNTING else record.hours
    return settle_source(
        member_id=record.member_id,
        community_id=record.community_id,
        kind=RuleKind.HOURS,
        category=getattr(record, "category", None) or ANY_CATEGORY,
        source_type="hours_record",
        source_id=record.id,
        # the counting unit is the member's hours for one activity: a correction is a new
        # record superseding the old one, and pays only the difference
        source_key=f"hours:{record.member_id}:{record.activity_id}",
        earned_on=record.service_date,
        hours_centi=centi(hours),
        activity_id=getattr(record, "activity_id", None),
    )


def on_signup_absent(signup, **_kw) -> PointEntry | None:
    activity = getattr(signup, "activity", None)
    community_id = getattr(signup, "community_id", None) or getattr(activity, "community_id", None)
    day = _local_day_of(getattr(activity, "starts_at", None))
    return settle_source(
        member_id=signup.member_id,
        community_id=community_id,
        kind=RuleKind.ABSENCE,
        source_type="absence",
        source_id=signup.activity_id,
        source_key=f"absence:{signup.member_id}:{signup.activity_id}",
        earned_on=day,
        activity_id=signup.activity_id,
        reason="报名后无故缺席",
    )


def on_pledge_note_verified(note, **_kw) -> PointEntry | None:
    return settle_source(
        member_id=note.member_id,
        community_id=note.community_id,
        kind=RuleKind.PLEDGE_NOTE,
        source_type="pledge_note",
        source_id=note.id,
        source_key=f"pledge_note:{note.id}",
        earned_on=local_today(),
    )


def on_party_day_attended(attendance, **_kw) -> PointEntry | None:
    month = str(attendance.month)
    today = local_today()
    day = today if month_key(today) == month else date(int(month[:4]), int(month[5:7]), 15)
    # one award per member per month, whether on the day or at the make-up (补课)
    return settle_source(
        member_id=attendance.member_id,
        community_id=attendance.community_id,
        kind=RuleKind.PARTY_DAY,
        source_type="party_day",
        source_id=attendance.id,
        source_key=f"party_day:{attendance.member_id}:{month}",
        earned_on=day,
    )


def _local_day_of(value) -> date:
    if value is None:
        return local_today()
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    return to_local(value).date()
