"""A notice before and after it goes: the subscribe message's preview with WeChat's limits, the
figures over time, and who has not read it."""

from __future__ import annotations

from server.auth.models import Role
from server.notices import outbox


def test_the_preview_fills_the_template_and_marks_the_field_over_wechats_limit(
    org, make_staff, login, templates
):
    community = org.communities[0]
    make_staff("staffA", Role.COMMUNITY_STAFF, community_id=community.id)
    url = f"/api/v1/desk/communities/{community.id}/notice-preview"
    short = login("staffA").post(url, json={"title": "周六楼道清扫", "body": "九点集合"})
    assert short.status_code == 200, short.json
    fields = {f["key"]: f for f in short.json["fields"]}
    assert short.json["ok"] and fields["thing1"]["value"] == "周六楼道清扫"
    assert fields["thing1"]["limit"] == 20 and fields["time3"]["kind"] == "time"
    assert fields["thing2"]["value"] == community.name

    # the demo template shortens a long title (truncate); a template that does not is refused
    long_title = "请第一网格全体在职党员周六上午九点到三号楼楼下集合参加清扫"
    cut = login("staffA").post(url, json={"title": long_title, "body": "x"}).json
    first = cut["fields"][0]
    assert cut["ok"] and first["truncated"] and first["value"].endswith("…")
    assert first["length"] == len(long_title) > 20
    templates["notice"].fields = [{"key": "thing1", "source": "title"},
                                  {"key": "phrase2", "value": "清扫楼道"}]
    from server.extensions import db

    db.session.commit()
    refused = login("staffA").post(url, json={"title": long_title, "body": "x"}).json
    assert not refused["ok"]
    assert refused["fields"][0]["problem"] == "超过20个字符"
    assert login("staffA").post(f"/api/v1/desk/communities/{org.communities[1].id}"
                                "/notice-preview", json={"title": "x"}).status_code == 404


def test_a_sent_notice_shows_its_progress_and_who_has_not_read_it_masked(
    org, make_staff, make_member, give_credit, login, standin
):
    community = org.communities[0]
    make_staff("staffA", Role.COMMUNITY_STAFF, community_id=community.id)
    readers = [make_member(f"m{i}", org.buildings[i % 2], name=f"党员{i}") for i in range(3)]
    give_credit(readers[0])
    staff = login("staffA")
    notice = staff.post(f"/api/v1/communities/{community.id}/notices", json={
        "title": "周六楼道清扫", "body": "九点集合", "audience": {"type": "community"}}).json
    outbox.deliver_due()
    assert login("m0").get(f"/api/v1/notices/mine/{notice['id']}").status_code == 200

    timeline = staff.get(f"/api/v1/desk/notices/{notice['id']}/timeline").json
    assert timeline["step"] == "hour"
    assert (timeline["points"][-1]["sent"], timeline["points"][-1]["read"]) == (1, 1)

    unread = staff.get(f"/api/v1/desk/notices/{notice['id']}/unread")
    assert unread.status_code == 200
    assert [m["name"] for m in unread.json] == ["党员2", "党员1"]  # by building, then name
    assert {m["phone_masked"] for m in unread.json} == {"139****5678"}
    assert all(m["building"] for m in unread.json)
    assert login("m0").get(f"/api/v1/desk/notices/{notice['id']}/unread").status_code in (403, 404)
