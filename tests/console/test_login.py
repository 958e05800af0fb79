"""Scan to log in (扫码登录), demo codes, console sessions, CSRF and security headers."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from server.audit.models import AuditEntry
from server.auth.models import AuthSession, Role
from server.extensions import db
from server.timeutil import utcnow
from tests.console.conftest import TICKETS


@pytest.fixture
def staff(org, make_staff):
    return make_staff("staffA", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)


def test_scan_to_log_in_gives_the_browser_a_session_that_opens_the_whole_api(
        staff, browser, login):
    b = browser()
    created = b.post(TICKETS)
    assert created.status_code == 201
    ticket = created.json["ticket"]
    assert len(ticket) >= 22  # at least 128 random bits
    assert created.json["qr_text"] == f"party-console-login:{ticket}"
    assert b.get(f"{TICKETS}/{ticket}").json["status"] == "pending"

    phone = login("staffA")
    asked = phone.get(f"{TICKETS}/{ticket}/request")
    assert asked.status_code == 200
    assert asked.json["browser"] == "Chrome 120 · Windows"
    assert asked.json["address"] == "127.0.0.1"
    assert phone.post(f"{TICKETS}/{ticket}/confirm").json == {"status": "confirmed"}

    poll = b.get(f"{TICKETS}/{ticket}")
    assert poll.json["status"] == "confirmed"
    cookie = b.client.get_cookie("party_console")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Strict"
    assert poll.json["session"]["user"]["id"] == staff.id
    # the same cookie opens the mini-program's endpoints too
    assert b.get("/api/v1/me").json["user"]["id"] == staff.id
    assert b.get("/api/v1/registrations").status_code == 200
    # the login is audited with address and browser
    entry = db.session.scalar(sa.select(AuditEntry).filter_by(action="console.login"))
    assert entry.actor_user_id == staff.id
    assert entry.after["address"] == "127.0.0.1" and entry.after["browser"].startswith("Chrome")


def test_a_ticket_logs_in_once_and_later_polls_say_used(staff, console_login, browser, login):
    b = browser()
    ticket = b.post(TICKETS).json["ticket"]
    login("staffA").post(f"{TICKETS}/{ticket}/confirm")
    assert b.get(f"{TICKETS}/{ticket}").json["status"] == "confirmed"
    assert b.get(f"{TICKETS}/{ticket}").json["status"] == "used"
    again = login("staffA").post(f"{TICKETS}/{ticket}/confirm")
    assert again.status_code == 409 and again.json["code"] == "ticket_used"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuthSession)
                             .filter_by(kind="console")) == 1


def test_an_expired_ticket_cannot_be_confirmed_and_polls_expired(staff, browser, login):
    b = browser()
    ticket = b.post(TICKETS).json["ticket"]
    phone = login("staffA")
    with time_machine.travel(utcnow() + timedelta(minutes=3)):
        refused = phone.post(f"{TICKETS}/{ticket}/confirm")
        assert refused.status_code == 410 and refused.json["code"] == "ticket_expired"
        assert phone.get(f"{TICKETS}/{ticket}/request").json["code"] == "ticket_expired"
        assert b.get(f"{TICKETS}/{ticket}").json["status"] == "expired"
    assert b.client.get_cookie("party_console") is None


def test_an_unconfirmed_ticket_logs_nobody_in(staff, browser):
    b = browser()
    ticket = b.post(TICKETS).json["ticket"]
    assert b.get(f"{TICKETS}/{ticket}").json["status"] == "pending"
    assert b.client.get_cookie("party_console") is None
    assert b.get("/api/v1/me").status_code == 401


def test_another_browser_cannot_pick_up_the_login(staff, browser, login):
    asker, thief = browser(), browser()
    ticket = asker.post(TICKETS).json["ticket"]
    login("staffA").post(f"{TICKETS}/{ticket}/confirm")
    stolen = thief.get(f"{TICKETS}/{ticket}")
    assert stolen.status_code == 403 and stolen.json["code"] == "ticket_other_browser"
    assert thief.client.get_cookie("party_console") is None
    assert asker.get(f"{TICKETS}/{ticket}").json["status"] == "confirmed"


def test_a_ticket_confirmed_by_one_person_cannot_be_taken_by_another(
        org, staff, make_staff, browser, login):
    make_staff("staffB", Role.COMMUNITY_STAFF, community_id=org.communities[1].id)
    b = browser()
    ticket = b.post(TICKETS).json["ticket"]
    login("staffA").post(f"{TICKETS}/{ticket}/confirm")
    other = login("staffB").post(f"{TICKETS}/{ticket}/confirm")
    assert other.status_code == 409 and other.json["code"] == "ticket_used"
    assert b.get(f"{TICKETS}/{ticket}").json["session"]["user"]["id"] == staff.id


def test_a_member_without_a_staff_role_cannot_confirm(org, make_member, browser, login):
    make_member("plain", org.buildings[0])
    b = browser()
    ticket = b.post(TICKETS).json["ticket"]
    refused = login("plain").post(f"{TICKETS}/{ticket}/confirm")
    assert refused.status_code == 403 and refused.json["code"] == "not_staff"
    assert login("plain").get(f"{TICKETS}/{ticket}/request").json["code"] == "not_staff"
    assert b.get(f"{TICKETS}/{ticket}").json["status"] == "pending"


def test_an_unknown_ticket_is_not_found(staff, browser, login):
    b = browser()
    b.post(TICKETS)
    assert b.get(f"{TICKETS}/nonsense").json["code"] == "ticket_not_found"
    assert login("staffA").post(f"{TICKETS}/{'x' * 32}/confirm").json["code"] == \
        "ticket_not_found"


def test_a_console_session_cannot_confirm_another_console(staff, console_login, browser):
    console = console_login("staffA")
    ticket = browser().post(TICKETS).json["ticket"]
    refused = console.post(f"{TICKETS}/{ticket}/confirm")
    assert refused.status_code == 403 and refused.json["code"] == "phone_required"


def test_writes_without_the_csrf_token_are_refused_and_write_nothing(staff, console_login):
    console = console_login("staffA")
    grant_id = console.get("/api/v1/console/session").json["grants"][0]["id"]
    for token in ("", "wrong"):
        refused = console.put("/api/v1/console/session/acting-for", json={"grant_id": grant_id},
                              headers={"X-CSRF-Token": token})
        assert refused.status_code == 403 and refused.json["code"] == "csrf_failed"
    refused = console.post("/api/v1/console/logout", headers={"X-CSRF-Token": ""})
    assert refused.status_code == 403
    assert console.get("/api/v1/console/session").status_code == 200  # still logged in
    assert console.post("/api/v1/console/logout").status_code == 204
    assert console.get("/api/v1/console/session").status_code == 401


def test_the_session_ends_after_30_idle_minutes_and_after_12_hours(staff, console_login):
    console = console_login("staffA")
    start = utcnow()
    with time_machine.travel(start + timedelta(minutes=29)):
        assert console.get("/api/v1/me").status_code == 200  # activity keeps it alive
    with time_machine.travel(start + timedelta(minutes=58)):
        assert console.get("/api/v1/me").status_code == 200
    with time_machine.travel(start + timedelta(minutes=58 + 31)):
        idle = console.get("/api/v1/me")
        assert idle.status_code == 401 and idle.json["code"] == "session_idle_timeout"


def test_the_session_ends_after_12_hours_even_when_used(staff, console_login):
    console = console_login("staffA")
    start = utcnow()
    for minutes in range(20, 12 * 60, 20):
        with time_machine.travel(start + timedelta(minutes=minutes)):
            assert console.get("/api/v1/me").status_code == 200
    with time_machine.travel(start + timedelta(hours=12, minutes=1)):
        assert console.get("/api/v1/me").json["code"] == "token_expired"


def test_sessions_are_listed_and_can_be_ended_one_by_one_or_everywhere(staff, console_login):
    first, second, third = (console_login("staffA") for _ in range(3))
    listed = first.get("/api/v1/console/sessions").json
    assert len(listed) == 3 and sum(s["current"] for s in listed) == 1
    other = next(s for s in listed if not s["current"])
    assert first.delete(f"/api/v1/console/sessions/{other['id']}").status_code == 204
    assert len(first.get("/api/v1/console/sessions").json) == 2
    assert first.post("/api/v1/console/logout-everywhere").status_code == 204
    for b in (first, second, third):
        assert b.get("/api/v1/me").status_code == 401


def test_logout_everywhere_leaves_the_phone_logged_in(staff, console_login, login):
    phone = login("staffA")
    console = console_login("staffA")
    console.post("/api/v1/console/logout-everywhere")
    assert phone.get("/api/v1/me").status_code == 200


def test_someone_elses_session_cannot_be_ended(org, staff, make_staff, console_login):
    make_staff("staffB", Role.COMMUNITY_STAFF, community_id=org.communities[1].id)
    mine, theirs = console_login("staffA"), console_login("staffB")
    their_id = theirs.get("/api/v1/console/sessions").json[0]["id"]
    assert mine.delete(f"/api/v1/console/sessions/{their_id}").status_code == 404
    assert theirs.get("/api/v1/me").status_code == 200


def test_acting_for_one_grant_narrows_what_the_console_sees(org, make_staff, console_login):
    c0, c1 = org.communities
    user = make_staff("both", Role.COMMUNITY_STAFF, community_id=c0.id)
    make_staff("both", Role.COMMUNITY_SECRETARY, community_id=c1.id)
    console = console_login("both")
    session = console.get("/api/v1/console/session").json
    assert [g["place_name"] for g in session["grants"]] == [c0.name, c1.name]
    assert session["acting_for"] == session["grants"][0]["id"]
    assert console.get(f"/api/v1/registrations?community_id={c1.id}").json == []
    assert console.get(f"/api/v1/communities/{c1.id}/registration-cards.xlsx").status_code == 404
    second = session["grants"][1]["id"]
    switched = console.put("/api/v1/console/session/acting-for", json={"grant_id": second})
    assert switched.json["acting_for"] == second
    assert console.get(f"/api/v1/communities/{c1.id}/registration-cards.xlsx").status_code == 200
    assert console.get(f"/api/v1/communities/{c0.id}/registration-cards.xlsx").status_code == 404
    assert user.id == session["user"]["id"]


def test_acting_for_someone_elses_grant_is_not_found(org, staff, make_staff, console_login):
    other = make_staff("staffB", Role.COMMUNITY_STAFF, community_id=org.communities[1].id)
    console = console_login("staffA")
    refused = console.put("/api/v1/console/session/acting-for",
                          json={"grant_id": other.grants[0].id})
    assert refused.status_code == 404


def test_a_bearer_token_is_not_a_console_session(staff, login):
    answer = login("staffA").get("/api/v1/console/session")
    assert answer.status_code == 401 and answer.json["code"] == "console_session_required"


@pytest.mark.settings(APP_ENV="development")
def test_demo_codes_log_the_console_in_during_development(staff, browser):
    b = browser()
    assert b.get("/api/v1/console/config").json["demo_login"] is True
    answer = b.post("/api/v1/console/demo-login", json={"code": "demo:staffA:x1"})
    assert answer.status_code == 200
    b.csrf = answer.json["csrf_token"]
    assert b.get("/api/v1/console/session").json["user"]["id"] == staff.id


@pytest.mark.settings(APP_ENV="development")
def test_demo_login_refuses_members_without_a_staff_role(browser):
    answer = browser().post("/api/v1/console/demo-login", json={"code": "demo:plain:x2"})
    assert answer.status_code == 403 and answer.json["code"] == "not_staff"


def test_demo_login_does_not_exist_outside_development(staff, browser):
    b = browser()
    assert b.get("/api/v1/console/config").json["demo_login"] is False
    answer = b.post("/api/v1/console/demo-login", json={"code": "demo:staffA:x3"})
    assert answer.status_code == 404 and answer.json["code"] == "not_found"
    assert b.client.get_cookie("party_console") is None


@pytest.mark.settings(APP_ENV="production", APP_SECRET_KEY="k" * 32, WECHAT_SECRET="real",
                      RATELIMIT_ENABLED=False)
def test_outside_development_the_console_cookie_is_secure(browser):
    b = browser()
    b.post(TICKETS)
    assert b.client.get_cookie("party_console_browser").secure


def test_security_headers_on_the_api_the_console_and_the_docs(client):
    api = client.get("/api/v1/console/config")
    assert api.headers["X-Content-Type-Options"] == "nosniff"
    assert api.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "frame-ancestors 'none'" in api.headers["Content-Security-Policy"]
    console = client.get("/console/")
    policy = console.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy.split(";")[1]
    assert console.headers["X-Content-Type-Options"] == "nosniff"
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert "https:" not in docs.headers["Content-Security-Policy"]  # its files are the app's
    assert "swagger-ui" in docs.get_data(as_text=True)


@pytest.mark.settings(RATELIMIT_ENABLED=True, CONSOLE_TICKET_LIMIT_PER_ADDRESS="3 per minute")
def test_asking_for_tickets_is_rate_limited_per_address(browser):
    b = browser()
    answers = [b.post(TICKETS).status_code for _ in range(4)]
    assert answers == [201, 201, 201, 429]


def test_old_tickets_are_purged_by_the_scheduled_job(staff, browser):
    from server.console.models import ConsoleLoginTicket
    from server.scheduler import job_by_name, run_job

    browser().post(TICKETS)
    job = job_by_name("purge_console_login_tickets")
    run_job(job, utcnow(), slot="now")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ConsoleLoginTicket)) == 1
    later = utcnow() + timedelta(days=2)
    run = run_job(job, later, slot="later")
    assert run.status == "done"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ConsoleLoginTicket)) == 0


def test_the_console_writes_through_the_mini_programs_endpoints_with_its_csrf_token(
        org, staff, console_login, login):
    from server.members.models import Registration

    applicant = login("applicant")
    submitted = applicant.post("/api/v1/registrations", json={
        "name": "申请人", "phone": "13800001111", "member_type": "retired",
        "community_id": org.communities[0].id, "building_id": org.buildings[0].id,
        "room": "301", "privacy_version": "2026-11", "privacy_agreed": True})
    assert submitted.status_code == 201, submitted.json
    path = f"/api/v1/registrations/{submitted.json['id']}/approve"
    console = console_login("staffA")
    refused = console.post(path, headers={"X-CSRF-Token": "forged"})
    assert refused.status_code == 403 and refused.json["code"] == "csrf_failed"
    assert db.session.get(Registration, submitted.json["id"]).status == "submitted"
    approved = console.post(path, headers={"Idempotency-Key": "approve-once-1"})
    assert approved.status_code == 200 and approved.json["status"] == "approved"


def test_when_the_chosen_grant_is_revoked_the_session_acts_for_the_first_one_left(
        org, make_staff, console_login):
    c0, c1 = org.communities
    make_staff("both", Role.COMMUNITY_STAFF, community_id=c0.id)
    user = make_staff("both", Role.COMMUNITY_SECRETARY, community_id=c1.id)
    console = console_login("both")
    second = user.grants[1]
    console.put("/api/v1/console/session/acting-for", json={"grant_id": second.id})
    db.session.delete(second)
    db.session.commit()
    session = console.get("/api/v1/console/session").json
    assert session["acting_for"] == user.grants[0].id
    assert console.get(f"/api/v1/communities/{c1.id}/registration-cards.xlsx").status_code == 404
    assert console.get(f"/api/v1/communities/{c0.id}/registration-cards.xlsx").status_code == 200
