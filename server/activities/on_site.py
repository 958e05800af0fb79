"""On site, for the caller: a member signs up, withdraws, clocks in and out; the leader shows
the rotating on-site code and watches the roster. The rules are in `signup` and `clockin`."""

from __future__ import annotations

from typing import Any

from server.activities import activity_log, clockin, signup
from server.activities.models import (
    Attendance,
    SignUp,
)
from server.activities.signup import (
    with_waitlist_position,
)
from server.auth.scope import (
    ON_SITE_STAFF,
    Principal,
    require_activity,
    require_member,
)


def onsite_code(principal: Principal, activity_id: int) -> dict[str, Any]:
    """The rotating on-site code (现场签到码), for the activity's staff and leader."""
    return clockin.current_code(require_activity(principal, activity_id, ON_SITE_STAFF))


def roster(principal: Principal, activity_id: int) -> dict[str, Any]:
    """The live on-site roster (现场名单), for the activity's staff and leader."""
    return activity_log.roster(require_activity(principal, activity_id, ON_SITE_STAFF))


def sign_up(principal: Principal, activity_id: int) -> SignUp:
    """报名 for the calling member."""
    return with_waitlist_position(signup.sign_up(require_member(principal), activity_id))


def withdraw(principal: Principal, activity_id: int) -> SignUp:
    """取消报名 for the calling member."""
    return with_waitlist_position(signup.withdraw(require_member(principal), activity_id))


def clock_in(principal: Principal, activity_id: int, proof: dict[str, Any]) -> Attendance:
    """签到 for the calling member."""
    return clockin.clock_in(require_member(principal), activity_id, proof)


def clock_out(principal: Principal, activity_id: int, proof: dict[str, Any]) -> Attendance:
    """签退 for the calling member."""
    return clockin.clock_out(require_member(principal), activity_id, proof)
