"""The audit reader: each reader sees the log of their own scope, filtered, and downloads it."""

from __future__ import annotations

import io
from datetime import timedelta

import sqlalchemy as sa
import time_machine
from openpyxl import load_workbook

from server.audit.models import AuditEntry
from server.auth.models import Role
from server.extensions import db
from server.timeutil import local_today, utcnow

AUDIT = "/api/v1/audit-entries"
ORG = "/api/v1/org"


def _set_up(org, make_staff, login):
    """A street admin makes a grid in each community; each community has a secretary."""
    admin_user = make_staff("admin", Role.STREET_ADMIN, street_id=org.street.id)
    admin = login("admin")
    for community in org.communities:
        assert admin.post(f"{ORG}/grids", json={"community_id": community.id,
                                                "name": "新网格"}).status_code == 201
    admin.post(f"{ORG}/units", json={"street_id": org.street.id, "name": "新单位"})
    for index, community in enumerate(org.communities):
        make_staff(f"sec{index}", Role.COMMUNITY_SECRETARY, community_id=community.id)
    return admin_user, admin


def test_a_street_admin_reads_the_whole_street_and_filters_it(org, make_staff, login):
    admin_user, admin = _set_up(org, make_staff, login)
    entries = admin.get(AUDIT).json
    assert [e["action"] for e in entries] == ["place.create"] * 3
    assert entries[0]["action_label"] == "新建地点"
    assert entries[0]["actor"] == {"id": admin_user.id, "display_name": "admin"}
    c0 = org.communities[0]
    only_c0 = admin.get(f"{AUDIT}?community_id={c0.id}").json
    assert [(e["target_type"], e["community"]["name"]) for e in only_c0] == [("grid", c0.name)]
    assert len(admin.get(f"{AUDIT}?action=place&actor_user_id={admin_user.id}").json) == 3
    assert admin.get(f"{AUDIT}?action=role").json == []
    assert len(admin.get(f"{AUDIT}?actor=adm").json) == 3
    assert admin.get(f"{AUDIT}?actor=nobody").json == []
    page = admin.get(f"{AUDIT}?page_size=2")
    assert len(page.json) == 2 and '"total": 3' in page.headers["X-Pagination"]
    today = local_today().isoformat()
    assert len(admin.get(f"{AUDIT}?since={today}&until={today}").json) == 3
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    assert admin.get(f"{AUDIT}?until={yesterday}").json == []


def test_a_community_secretary_reads_only_their_community(org, make_staff, login):
    _set_up(org, make_staff, login)
    sec0 = login("sec0")
    entries = sec0.get(AUDIT).json
    assert {e["community"]["id"] for e in entries} == {org.communities[0].id}
    assert sec0.get(f"{AUDIT}?community_id={org.communities[1].id}").json == []


def test_staff_and_members_cannot_read_the_log(org, make_staff, make_member, login):
    make_staff("s0", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    make_member("m", org.buildings[0])
    for name in ("s0", "m"):
        refused = login(name).get(AUDIT)
        assert refused.status_code == 403 and refused.json["code"] == "forbidden"
        assert login(name).get(f"{AUDIT}.xlsx").status_code == 403


def test_the_download_lists_the_entries_and_is_itself_audited(org, make_staff, login):
    admin_user, admin = _set_up(org, make_staff, login)
    answer = admin.get(f"{AUDIT}.xlsx?action=place")
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("时间", "操作人", "操作")
    assert [r[2] for r in rows[1:]] == ["新建地点"] * 3
    export = db.session.scalar(sa.select(AuditEntry).filter_by(action="audit.export"))
    assert export.actor_user_id == admin_user.id and export.after["rows"] == 3
    assert export.street_id == org.street.id
    assert admin.get(f"{AUDIT}?action=audit").json[0]["action_label"] == "导出操作日志"


def test_dates_are_shanghai_days_and_a_reversed_range_is_refused(org, make_staff, login):
    _, admin = _set_up(org, make_staff, login)
    with time_machine.travel(utcnow() + timedelta(days=2)):
        later = local_today()
        assert admin.post(f"{ORG}/units", json={"street_id": org.street.id,
                                                "name": "后来的单位"}).status_code == 201
    day = later.isoformat()
    assert len(admin.get(f"{AUDIT}?since={day}").json) == 1
    bad = admin.get(f"{AUDIT}?since={day}&until=2020-01-01")
    assert bad.status_code == 422 and bad.json["code"] == "date_range_invalid"
    assert admin.get(f"{AUDIT}?since=not-a-date").status_code == 422
