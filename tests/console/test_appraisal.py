"""评议: suggested grades from points by thresholds (defaults in config, then the street's, then the
community's), the final grade with a reason when it differs, and thresholds never overwriting a
final grade."""

from __future__ import annotations

from server.auth.models import Role
from server.extensions import db
from server.points.models import PointBalance

SHEETS = "/api/v1/feedback-sheets"
THRESHOLDS = "/api/v1/appraisal/thresholds"


def _sheet(org, make_staff, make_member, console_login):
    """Community 1, year 2026, unit 甲: 张三 120 points, 李四 45, 王五 0."""
    c1 = org.communities[0]
    make_staff("secA", Role.COMMUNITY_SECRETARY, community_id=c1.id)
    make_staff("admin", Role.STREET_ADMIN, street_id=org.street.id)
    ids = {}
    for login_name, name, points in (("m1", "张三", 120), ("m2", "李四", 45), ("m3", "王五", 0)):
        member = make_member(login_name, org.buildings[0], unit=org.units[0], name=name)
        db.session.add(PointBalance(member_id=member.id, period="2026", points=points,
                                    hours_centi=0, community_id=c1.id))
        ids[name] = member.id
    db.session.commit()
    sec = console_login("secA")
    sheet = sec.post(f"{SHEETS}/generate", json={"community_id": c1.id,
                                                 "period": "2026"}).json["sheets"][0]
    return c1, sec, sheet["id"], ids


def _grades(sec, sheet_id):
    rows = sec.get(f"{SHEETS}/{sheet_id}").json["rows"]
    return {r["name"]: (r["suggested_grade_label"], r["final_grade_label"]) for r in rows}


def test_grades_are_suggested_by_the_configured_thresholds_then_the_streets_then_the_communitys(
        org, make_staff, make_member, console_login):
    c1, sec, sheet_id, _ids = _sheet(org, make_staff, make_member, console_login)
    # defaults (config): 100 / 40 / 10
    assert _grades(sec, sheet_id) == {"张三": ("优秀", None), "李四": ("合格", None),
                                      "王五": ("不合格", None)}
    admin = console_login("admin")
    street = admin.put(f"{THRESHOLDS}?scope=street&scope_id={org.street.id}",
                       json={"excellent_points": 150, "qualified_points": 50, "basic_points": 20})
    assert street.status_code == 200, street.json
    assert _grades(sec, sheet_id)["张三"] == ("合格", None)
    assert _grades(sec, sheet_id)["李四"] == ("基本合格", None)
    own = sec.put(f"{THRESHOLDS}?scope=community&scope_id={c1.id}",
                  json={"excellent_points": 110, "qualified_points": 40, "basic_points": 0})
    assert own.json["set_by"] == "community"
    assert _grades(sec, sheet_id) == {"张三": ("优秀", None), "李四": ("合格", None),
                                      "王五": ("基本合格", None)}


def test_a_final_grade_other_than_the_suggestion_needs_a_reason_and_survives_new_thresholds(
        org, make_staff, make_member, console_login):
    c1, sec, sheet_id, ids = _sheet(org, make_staff, make_member, console_login)
    refused = sec.put(f"{SHEETS}/{sheet_id}/grades/{ids['李四']}", json={"grade": "excellent"})
    assert refused.status_code == 422 and refused.json["code"] == "grade_reason_required"
    assert _grades(sec, sheet_id)["李四"] == ("合格", None)
    given = sec.put(f"{SHEETS}/{sheet_id}/grades/{ids['李四']}",
                    json={"grade": "excellent", "reason": "抗洪抢险中表现突出"})
    assert given.status_code == 200 and given.json["suggested_grade"] == "qualified"
    assert sec.put(f"{SHEETS}/{sheet_id}/grades/{ids['张三']}",
                   json={"grade": "excellent"}).status_code == 200  # as suggested: no reason
    sec.put(f"{THRESHOLDS}?scope=community&scope_id={c1.id}",
            json={"excellent_points": 500, "qualified_points": 200, "basic_points": 100})
    assert _grades(sec, sheet_id)["李四"] == ("不合格", "优秀")
    signed = sec.post(f"{SHEETS}/{sheet_id}/sign").json
    row = next(r for r in signed["rows"] if r["name"] == "李四")
    assert (row["final_grade_label"], row["grade_reason"]) == ("优秀", "抗洪抢险中表现突出")
    late = sec.put(f"{SHEETS}/{sheet_id}/grades/{ids['王五']}", json={"grade": "unqualified"})
    assert late.status_code == 409


def test_thresholds_out_of_order_or_out_of_scope_are_refused(org, make_staff, make_member,
                                                             console_login):
    c1, sec, _sheet_id, _ids = _sheet(org, make_staff, make_member, console_login)
    bad = sec.put(f"{THRESHOLDS}?scope=community&scope_id={c1.id}",
                  json={"excellent_points": 10, "qualified_points": 40, "basic_points": 0})
    assert bad.status_code == 422 and bad.json["code"] == "thresholds_out_of_order"
    other = org.communities[1]
    assert sec.get(f"{THRESHOLDS}?scope=community&scope_id={other.id}").status_code == 404
    assert sec.put(f"{THRESHOLDS}?scope=street&scope_id={org.street.id}",
                   json={"excellent_points": 3, "qualified_points": 2,
                         "basic_points": 1}).status_code == 404
