"""Feedback sheets (反馈单) sent and acknowledged: generated for every unit, commented, signed,
sent, acknowledged and reminded; each step audited; each party sees only its own sheets."""

from __future__ import annotations

import io

import sqlalchemy as sa
from openpyxl import load_workbook

from server.audit.models import AuditEntry
from server.auth.models import Role
from server.extensions import db

SHEETS = "/api/v1/feedback-sheets"


def _set_up(org, make_staff, make_member):
    """Community 1: 张三 and 李四 of unit 甲, 王五 of unit 乙; community 2: 赵六 of unit 甲."""
    c1, c2 = org.communities
    unit_a, unit_b = org.units
    make_staff("secA", Role.COMMUNITY_SECRETARY, community_id=c1.id)
    make_staff("secB", Role.COMMUNITY_SECRETARY, community_id=c2.id)
    make_staff("unitA", Role.UNIT_SECRETARY, unit_id=unit_a.id)
    make_staff("unitB", Role.UNIT_SECRETARY, unit_id=unit_b.id)
    members = {
        "张三": make_member("m1", org.buildings[0], unit=unit_a, name="张三"),
        "李四": make_member("m2", org.buildings[1], unit=unit_a, name="李四"),
        "王五": make_member("m3", org.buildings[2], unit=unit_b, name="王五"),
        "赵六": make_member("m4", org.buildings[4], unit=unit_a, name="赵六"),
    }
    make_member("m5", org.buildings[0], name="无单位")  # belongs to no unit: no sheet
    return members


def _actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.action.like("feedback_sheet.%")).order_by(AuditEntry.id)))


def test_generating_a_quarter_makes_one_draft_per_unit_and_again_makes_nothing(
        org, make_staff, make_member, console_login):
    _set_up(org, make_staff, make_member)
    sec = console_login("secA")
    body = {"community_id": org.communities[0].id, "period": "2026-Q4"}
    first = sec.post(f"{SHEETS}/generate", json=body)
    assert first.status_code == 200, first.json
    assert first.json["created"] == 2
    sheets = first.json["sheets"]
    assert [(s["unit"]["name"], s["members"], s["status"], s["period_label"]) for s in sheets] == [
        ("甲单位", 2, "draft", "2026年第四季度"), ("乙单位", 1, "draft", "2026年第四季度")]
    again = sec.post(f"{SHEETS}/generate", json=body)
    assert again.json["created"] == 0
    assert [s["id"] for s in again.json["sheets"]] == [s["id"] for s in sheets]
    assert _actions() == ["feedback_sheet.generate"] * 2


def test_a_bad_period_is_refused_and_makes_nothing(org, make_staff, make_member, console_login):
    _set_up(org, make_staff, make_member)
    sec = console_login("secA")
    refused = sec.post(f"{SHEETS}/generate",
                       json={"community_id": org.communities[0].id, "period": "2026-11"})
    assert refused.status_code == 422
    assert sec.get(SHEETS).json == []


def test_the_sheet_goes_from_draft_to_acknowledged_each_step_audited(
        org, make_staff, make_member, console_login):
    members = _set_up(org, make_staff, make_member)
    sec = console_login("secA")
    sheets = sec.post(f"{SHEETS}/generate", json={"community_id": org.communities[0].id,
                                                  "period": "2026-H2"}).json["sheets"]
    sheet_a = sheets[0]
    unit = console_login("unitA")
    assert unit.get(SHEETS).json == []  # a draft is the community's own business
    assert unit.get(f"{SHEETS}/{sheet_a['id']}").status_code == 404

    said = sec.put(f"{SHEETS}/{sheet_a['id']}/comments/{members['张三'].id}",
                   json={"comment": "积极参加环境整治，表现突出"})
    assert said.status_code == 200, said.json
    refused = sec.post(f"{SHEETS}/{sheet_a['id']}/send")
    assert refused.status_code == 409 and refused.json["code"] == "feedback_sheet_not_signed"

    signed = sec.post(f"{SHEETS}/{sheet_a['id']}/sign").json
    assert signed["status"] == "signed" and signed["editable"] is False
    assert [(r["name"], r["comment"]) for r in signed["rows"]] == [
        ("张三", "积极参加环境整治，表现突出"), ("李四", "")]
    late = sec.put(f"{SHEETS}/{sheet_a['id']}/comments/{members['李四'].id}",
                   json={"comment": "迟到的评语"})
    assert late.status_code == 409 and late.json["code"] == "feedback_sheet_not_draft"

    sent = sec.post(f"{SHEETS}/{sheet_a['id']}/send").json
    assert sent["status"] == "sent" and sent["sent_at"]
    assert sec.post(f"{SHEETS}/{sheet_a['id']}/send").json["status"] == "sent"  # a retry

    awaiting = unit.get(f"{SHEETS}?status=sent").json
    assert [s["id"] for s in awaiting] == [sheet_a["id"]]
    acknowledged = unit.post(f"{SHEETS}/{sheet_a['id']}/acknowledge").json
    assert acknowledged["status"] == "acknowledged" and acknowledged["status_label"] == "已回执"
    unit.post(f"{SHEETS}/{sheet_a['id']}/acknowledge")  # a retry acknowledges once

    seen = {s["unit"]["name"]: s["status"] for s in sec.get(SHEETS).json}
    assert seen == {"甲单位": "acknowledged", "乙单位": "draft"}
    assert _actions() == ["feedback_sheet.generate"] * 2 + [
        "feedback_sheet.comment", "feedback_sheet.sign", "feedback_sheet.send",
        "feedback_sheet.acknowledge"]
    # the secretary reads the unit's acknowledgement in the community's audit log
    log = sec.get("/api/v1/audit-entries?action=feedback_sheet.acknowledge").json
    assert [e["action_label"] for e in log] == ["回执反馈单"]


def test_the_secretary_reminds_a_unit_that_has_not_acknowledged_once_a_day(
        org, make_staff, make_member, console_login):
    _set_up(org, make_staff, make_member)
    sec = console_login("secA")
    sheet = sec.post(f"{SHEETS}/generate", json={"community_id": org.communities[0].id,
                                                 "period": "2026"}).json["sheets"][1]
    refused = sec.post(f"{SHEETS}/{sheet['id']}/remind")
    assert refused.status_code == 409 and refused.json["code"] == "feedback_sheet_not_awaiting"
    sec.post(f"{SHEETS}/{sheet['id']}/sign")
    sec.post(f"{SHEETS}/{sheet['id']}/send")
    reminded = sec.post(f"{SHEETS}/{sheet['id']}/remind").json
    assert reminded["reminders"] == 1 and reminded["reminded_today"] is True
    assert sec.post(f"{SHEETS}/{sheet['id']}/remind").json["reminders"] == 1
    unit_b = console_login("unitB")
    assert unit_b.get(SHEETS).json[0]["reminders"] == 1
    assert _actions().count("feedback_sheet.remind") == 1


def test_a_unit_secretary_sees_their_units_sheets_from_every_community_and_nothing_else(
        org, make_staff, make_member, console_login):
    _set_up(org, make_staff, make_member)
    c1, c2 = org.communities
    sent_ids = {}
    for login_name, community in (("secA", c1), ("secB", c2)):
        sec = console_login(login_name)
        for sheet in sec.post(f"{SHEETS}/generate", json={"community_id": community.id,
                                                          "period": "2026-Q4"}).json["sheets"]:
            sec.post(f"{SHEETS}/{sheet['id']}/sign")
            sec.post(f"{SHEETS}/{sheet['id']}/send")
            sent_ids[(community.name, sheet["unit"]["name"])] = sheet["id"]
    unit_a = console_login("unitA")
    mine = unit_a.get(SHEETS).json
    assert sorted((s["community"]["name"], s["unit"]["name"]) for s in mine) == [
        ("社区1", "甲单位"), ("社区2", "甲单位")]
    others = sent_ids[("社区1", "乙单位")]
    for path in (f"{SHEETS}/{others}", f"{SHEETS}/{others}.xlsx"):
        answer = unit_a.get(path)
        assert answer.status_code == 404 and answer.json["code"] == "not_found"
    assert unit_a.post(f"{SHEETS}/{others}/acknowledge").status_code == 404
    # a unit secretary cannot write the community's part
    own = sent_ids[("社区2", "甲单位")]
    assert unit_a.post(f"{SHEETS}/{own}/remind").status_code == 404


def test_a_community_secretary_sees_nothing_of_the_next_community(
        org, make_staff, make_member, console_login):
    members = _set_up(org, make_staff, make_member)
    c1, c2 = org.communities
    sec_b = console_login("secB")
    theirs = sec_b.post(f"{SHEETS}/generate", json={"community_id": c2.id,
                                                    "period": "2026-Q4"}).json["sheets"][0]
    sec_a = console_login("secA")
    refused = sec_a.post(f"{SHEETS}/generate", json={"community_id": c2.id, "period": "2026-Q4"})
    assert refused.status_code == 404
    assert sec_a.get(SHEETS).json == []
    assert sec_a.get(f"{SHEETS}?community_id={c2.id}").json == []
    assert sec_a.get(f"{SHEETS}/{theirs['id']}").status_code == 404
    assert sec_a.put(f"{SHEETS}/{theirs['id']}/comments/{members['赵六'].id}",
                     json={"comment": "越权"}).status_code == 404
    assert sec_a.post(f"{SHEETS}/{theirs['id']}/sign").status_code == 404


def test_the_download_is_a_print_ready_sheet_as_signed(org, make_staff, make_member,
                                                       console_login):
    members = _set_up(org, make_staff, make_member)
    sec = console_login("secA")
    sheet = sec.post(f"{SHEETS}/generate", json={"community_id": org.communities[0].id,
                                                 "period": "2026-Q4"}).json["sheets"][0]
    sec.put(f"{SHEETS}/{sheet['id']}/comments/{members['李四'].id}", json={"comment": "认真负责"})
    sec.post(f"{SHEETS}/{sheet['id']}/sign")
    sec.post(f"{SHEETS}/{sheet['id']}/send")
    answer = console_login("unitA").get(f"{SHEETS}/{sheet['id']}.xlsx")
    assert answer.status_code == 200
    ws = load_workbook(io.BytesIO(answer.data)).worksheets[0]
    assert ws["A1"].value == "在职党员到社区报到参与活动情况反馈单"
    assert "2026年第四季度" in ws["A2"].value and "甲单位党委" in ws["A2"].value
    assert ws["A3"].value == "报到社区：社区1"
    rows = [r for r in ws.iter_rows(min_row=5, values_only=True) if r[1]]
    assert [(r[1], r[9]) for r in rows] == [("张三", "评议等次：不合格"),
                                            ("李四", "评议等次：不合格；认真负责")]
    assert ws.page_setup.orientation == "landscape"
