"""注销账号: request, confirm, a cancellable cooling-off period, then the job removes who the
person was and keeps, de-identified, what others depend on."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from server.activities.models import HoursRecord
from server.auth.models import Role, User
from server.extensions import db
from server.members.models import Member
from server.pledges.models import PledgeImage
from server.points.models import PointBalance, PointEntry
from server.points.reconcile import reconcile
from server.privacy.erasure import erase_due_accounts
from server.privacy.models import AccountDeletion
from server.timeutil import utcnow
from tests.privacy.conftest import NAME, PHONE, days_later

CONFIRM = {"confirm": "确认注销"}


def _everything_that_mentions(needles: list[str]) -> list[str]:
    """Every table, every column (text, JSON and binary alike), read back whole."""
    found = []
    db.session.commit()
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)):
            for column, value in row._mapping.items():
                if value is None:
                    continue
                text = (value.decode("utf-8", "ignore") if isinstance(value, bytes)
                        else str(value))
                found += [f"{table.name}.{column}: {needle}"
                          for needle in needles if needle in text]
    return found


def _schedule(caller) -> dict:
    requested = caller.post("/api/v1/me/account-deletion", key="delete-me-00001")
    assert requested.status_code == 200 and requested.json["request"]["status"] == "requested"
    confirmed = caller.post("/api/v1/me/account-deletion/confirm", json=CONFIRM)
    assert confirmed.status_code == 200, confirmed.json
    return confirmed.json


def test_deletion_needs_the_confirmation_phrase(person):
    person.caller.post("/api/v1/me/account-deletion")
    wrong = person.caller.post("/api/v1/me/account-deletion/confirm", json={"confirm": "好的"})
    assert wrong.status_code == 422 and wrong.json["code"] == "deletion_phrase_mismatch"
    state = person.caller.get("/api/v1/me/account-deletion").json
    assert state["request"]["status"] == "requested" and state["request"]["scheduled_for"] is None


def test_a_confirmed_deletion_waits_the_cooling_off_period_and_can_be_cancelled(person):
    answer = _schedule(person.caller)
    assert answer["cooling_off_days"] == 7
    assert answer["request"]["status"] == "scheduled"
    assert erase_due_accounts(days_later(6)) == {"erased": 0}

    cancelled = person.caller.post("/api/v1/me/account-deletion/cancel")
    assert cancelled.json["request"]["status"] == "cancelled"
    assert erase_due_accounts(days_later(8)) == {"erased": 0}
    db.session.commit()
    assert db.session.get(Member, person.member.id).name == NAME
    assert person.caller.get("/api/v1/me").json["member"]["name"] == NAME


@pytest.mark.settings(PRIVACY_DELETION_COOLING_OFF_DAYS=2)
def test_the_cooling_off_period_is_a_setting(person):
    answer = _schedule(person.caller)
    assert answer["cooling_off_days"] == 2
    assert erase_due_accounts(days_later(3)) == {"erased": 1}


def test_after_the_cooling_off_period_no_trace_of_the_person_is_left(
        person, org, client, make_staff, login):
    issued = person.caller.post("/api/v1/me/certificates", json={})  # it holds the name
    assert issued.status_code == 201
    make_staff("commentsec", Role.COMMUNITY_SECRETARY, community_id=org.communities[0].id)
    comment = login("commentsec").put("/api/v1/points/feedback-comments", json={
        "member_id": person.member.id, "period": "2026", "comment": f"{NAME}同志积极参加"})
    assert comment.status_code == 200, comment.json  # and the audit log holds the comment
    points_before = db.session.scalar(sa.select(sa.func.sum(PointEntry.amount)))
    hours_before = db.session.scalar(sa.select(sa.func.sum(HoursRecord.hours)).where(
        HoursRecord.status == "approved"))
    needles = [NAME, PHONE, person.openid]
    held = _everything_that_mentions(needles)  # the search does find them while they are held
    assert {"users.openid", "members.name", "members.phone", "pledges.own_words",
            "audit_entries.after", "roster_entries.name", "roster_entries.phone"} <= {
        found.split(":")[0] for found in held}

    _schedule(person.caller)
    assert erase_due_accounts(utcnow() + timedelta(days=7, minutes=1)) == {"erased": 1}
    db.session.commit()

    assert _everything_that_mentions(needles) == []
    images = set(db.session.scalars(sa.select(PledgeImage.sha256)))
    assert person.signature not in images and person.photo not in images
    coordinates = db.session.execute(sa.text(
        "SELECT count(*) FROM attendances WHERE clock_in_latitude IS NOT NULL "
        "OR clock_out_latitude IS NOT NULL")).scalar()
    assert coordinates == 0
    # the records others depend on stay, de-identified, and still add up
    assert db.session.scalar(sa.select(sa.func.sum(PointEntry.amount))) == points_before
    assert db.session.scalar(sa.select(sa.func.sum(HoursRecord.hours)).where(
        HoursRecord.status == "approved")) == hours_before
    shell = db.session.get(Member, person.member.id)
    assert shell.user_id is None and shell.community_id == org.communities[0].id
    assert db.session.scalar(sa.select(PointBalance.hidden).filter_by(
        member_id=shell.id, period="all")) is True
    assert reconcile().differences == []
    state = db.session.scalar(sa.select(AccountDeletion))
    assert state.status == "completed" and state.summary["locations"] == 2

    # the old session ends; the same WeChat user logging in again starts fresh
    assert person.caller.get("/api/v1/me").status_code == 401
    response = client.post("/api/v1/auth/login", json={"code": "demo:privacy1:again-1"})
    assert response.status_code == 200
    assert response.json["member"] is None and response.json["user"]["id"] != person.caller.user_id


def test_a_staff_board_after_a_deletion_still_adds_up(person, org, make_staff, login,
                                                      make_member):
    make_member("other1", org.buildings[1], unit=org.units[0])
    make_staff("boardsec", Role.COMMUNITY_SECRETARY, community_id=org.communities[0].id)
    secretary = login("boardsec")
    board = {"scope": "community", "scope_id": org.communities[0].id, "period": "all"}
    before = secretary.get("/api/v1/points/leaderboards", query_string=board).json
    _schedule(person.caller)
    erase_due_accounts(days_later(8))
    db.session.commit()
    after = secretary.get("/api/v1/points/leaderboards", query_string=board).json
    assert sum(e["points"] for e in after["entries"]) == sum(
        e["points"] for e in before["entries"])
    assert NAME not in str(after) and "已注销用户" in str(after)


def test_deletion_requests_are_one_at_a_time_and_only_ones_own(person, login, org, make_member):
    first = person.caller.post("/api/v1/me/account-deletion").json
    again = person.caller.post("/api/v1/me/account-deletion").json
    assert first["request"]["id"] == again["request"]["id"]
    make_member("someone", org.buildings[1])
    someone = login("someone")
    assert someone.post("/api/v1/me/account-deletion/cancel").status_code == 409
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) >= 2


def test_a_staff_account_without_a_member_record_can_be_deleted_too(org, make_staff, login):
    user = make_staff("leavingstaff", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    staff = login("leavingstaff")
    state = staff.get("/api/v1/me/account-deletion").json
    assert state["request"] is None and state["confirm_phrase"] == "确认注销"
    assert staff.get("/api/v1/me/privacy").status_code == 403  # no member record: nothing held
    _schedule(staff)
    assert erase_due_accounts(days_later(8)) == {"erased": 1}
    db.session.commit()
    erased = db.session.get(User, user.id)
    assert erased.openid.startswith("deleted:") and erased.grants == []
    fresh = login("leavingstaff")  # the same WeChat user, a new account with no role
    assert fresh.user_id != user.id
    assert fresh.get(f"/api/v1/communities/{org.communities[0].id}/certificates").status_code == 404
