"""Building-contract pledges (包楼栋承诺): signing, heads, the board, notes, coverage."""

from __future__ import annotations

import base64

import pytest
import time_machine

from server import events
from server.audit.models import AuditEntry
from server.auth.models import Role
from server.pledges.models import BuildingHead, Pledge, PledgeImage, PledgeNote
from tests.pledges.helpers import count, image_b64

YEAR = 2026
NOW = f"{YEAR}-06-10T10:00:00+08:00"
pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def community(org, make_staff, login):
    """Community 0 with a staff member and this year's template."""
    make_staff("staffA", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    staff = login("staffA")
    template = staff.post(
        f"/api/v1/communities/{org.communities[0].id}/pledge-templates",
        json={"year": YEAR, "title": "包楼栋承诺书",
              "items": ["环境卫生", "安全隐患排查", "邻里帮扶", "政策宣传", "垃圾分类督导"]},
    )
    assert template.status_code == 201, template.json
    return staff, template.json


def sign_body(template, **changes):
    body = {"template_id": template["id"], "items": ["环境卫生", "邻里帮扶"],
            "own_words": "带头清理楼道杂物", "signature_png_base64": image_b64()}
    body.update(changes)
    return body


def test_member_signs_a_pledge_and_staff_see_coverage_move(org, community, make_member, login):
    staff, template = community
    make_member("m1", org.buildings[0], name="张小明")
    cid = org.communities[0].id
    before = staff.get(f"/api/v1/communities/{cid}/pledge-coverage").json
    assert before["buildings_total"] == 4 and before["buildings_covered"] == 0
    assert [m["name"] for m in before["members_not_pledged"]] == ["张小明"]

    member = login("m1")
    signed = member.post("/api/v1/pledges", json=sign_body(template))
    assert signed.status_code == 201, signed.json
    assert signed.json["items"] == ["环境卫生", "邻里帮扶"]
    assert signed.json["building"]["id"] == org.buildings[0].id

    after = staff.get(f"/api/v1/communities/{cid}/pledge-coverage").json
    assert after["buildings_covered"] == 1
    assert org.buildings[0].id not in [b["id"] for b in after["uncovered_buildings"]]
    assert after["members_not_pledged"] == []
    grid0 = after["grids"][0]
    assert grid0["buildings_covered"] == 1 and len(grid0["uncovered_buildings"]) == 1

    signature = member.get(signed.json["signature_url"])
    assert signature.status_code == 200 and signature.mimetype == "image/png"
    assert signature.data == base64.b64decode(sign_body(template)["signature_png_base64"])


def test_signing_twice_returns_the_same_pledge_and_stores_the_signature_once(
    org, community, make_member, login
):
    _staff, template = community
    make_member("m1", org.buildings[0])
    make_member("m2", org.buildings[0])
    first = login("m1").post("/api/v1/pledges", json=sign_body(template))
    again = login("m1").post("/api/v1/pledges", json=sign_body(template))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["id"] == first.json["id"]
    assert login("m2").post("/api/v1/pledges", json=sign_body(template)).status_code == 201
    assert count(Pledge) == 2
    assert count(PledgeImage) == 1  # the same signature bytes, stored once by content hash
    changed = login("m1").post("/api/v1/pledges", json=sign_body(template, items=["政策宣传"]))
    assert changed.status_code == 409 and changed.json["code"] == "pledge_already_signed"


def test_idempotency_key_replays_the_signing(org, community, make_member, login):
    _staff, template = community
    make_member("m1", org.buildings[0])
    member = login("m1")
    body = sign_body(template)
    first = member.post("/api/v1/pledges", json=body, key="sign-pledge-0001")
    replay = member.post("/api/v1/pledges", json=body, key="sign-pledge-0001")
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert replay.json == first.json
    assert count(Pledge) == 1


@pytest.mark.parametrize(
    "signature, code",
    [
        (image_b64("JPEG"), "image_wrong_format"),
        (base64.b64encode(b"\x89PNG\r\n\x1a\nnot really a png").decode(), "image_invalid"),
        (image_b64()[:-40] + "A" * 40, "image_invalid"),
        ("@@not base64@@", "image_not_base64"),
        (image_b64(size=(3000, 3000)), "image_too_many_pixels"),
    ],
)
def test_a_bad_signature_is_refused_and_writes_nothing(
    org, community, make_member, login, signature, code
):
    _staff, template = community
    make_member("m1", org.buildings[0])
    response = login("m1").post(
        "/api/v1/pledges", json=sign_body(template, signature_png_base64=signature)
    )
    assert response.status_code == 422, response.json
    assert response.json["code"] == code
    assert "signature_png_base64" in response.json["details"]["fields"]
    assert count(Pledge) == 0 and count(PledgeImage) == 0


@pytest.mark.settings(PLEDGES_SIGNATURE_MAX_BYTES=200)
def test_a_signature_over_the_byte_limit_is_refused(org, community, make_member, login):
    _staff, template = community
    make_member("m1", org.buildings[0])
    big = image_b64(size=(300, 300), color="white")
    response = login("m1").post("/api/v1/pledges", json=sign_body(template,
                                                                  signature_png_base64=big))
    assert response.status_code == 422 and response.json["code"] == "image_too_large"
    assert count(Pledge) == 0 and count(PledgeImage) == 0


@pytest.mark.settings(APP_MAX_BODY_BYTES=20_000)
def test_an_oversize_body_gets_the_json_error_and_writes_nothing(
    org, community, make_member, login
):
    _staff, template = community
    make_member("m1", org.buildings[0])
    response = login("m1").post(
        "/api/v1/pledges", json=sign_body(template, own_words="长" * 10_000), key="too-big-0001"
    )
    assert response.status_code == 413
    assert response.json["code"] == "payload_too_large"
    assert count(Pledge) == 0 and count(PledgeImage) == 0


def test_only_members_with_an_approved_registration_sign(org, community, login):
    _staff, template = community
    response = login("stranger").post("/api/v1/pledges", json=sign_body(template))
    assert response.status_code == 403 and response.json["code"] == "registration_required"


def test_a_member_pledges_for_a_responsibility_area_only_once_assigned(
    org, community, make_member, login
):
    staff, template = community
    member_row = make_member("m1", org.buildings[0])
    member = login("m1")
    other_building = org.buildings[3].id
    refused = member.post("/api/v1/pledges", json=sign_body(template, building_id=other_building))
    assert refused.status_code == 422 and refused.json["code"] == "building_not_assigned"
    assigned = staff.post(
        f"/api/v1/communities/{org.communities[0].id}/responsibility-areas",
        json={"member_id": member_row.id, "building_id": other_building},
    )
    assert assigned.status_code == 201
    assert member.get("/api/v1/pledges/buildings").json[1]["id"] == other_building
    signed = member.post("/api/v1/pledges", json=sign_body(template, building_id=other_building))
    assert signed.status_code == 201 and signed.json["building"]["id"] == other_building


def test_withdrawing_ends_the_pledge_and_the_headship_and_signing_again_renews_it(
    org, community, make_member, login
):
    staff, template = community
    member_row = make_member("m1", org.buildings[0])
    member = login("m1")
    pledge = member.post("/api/v1/pledges", json=sign_body(template)).json
    head = staff.put(f"/api/v1/buildings/{org.buildings[0].id}/head",
                     json={"member_id": member_row.id})
    assert head.status_code == 200
    withdrawn = member.post(f"/api/v1/pledges/{pledge['id']}/withdraw")
    assert withdrawn.json["status"] == "withdrawn"
    assert member.post(f"/api/v1/pledges/{pledge['id']}/withdraw").status_code == 200
    assert count(BuildingHead) == 0
    coverage = staff.get(f"/api/v1/communities/{org.communities[0].id}/pledge-coverage").json
    assert coverage["buildings_covered"] == 0
    again = member.post("/api/v1/pledges", json=sign_body(template))
    assert again.status_code == 201 and again.json["id"] == pledge["id"]
    assert again.json["status"] == "active"


def test_a_pledge_is_renewed_each_year(org, community, make_member, login):
    staff, template = community
    make_member("m1", org.buildings[0])
    login("m1").post("/api/v1/pledges", json=sign_body(template))
    with time_machine.travel(f"{YEAR + 1}-01-05T10:00:00+08:00", tick=False):
        member, staff = login("m1"), login("staffA")  # last year's sessions have expired
        stale = member.post("/api/v1/pledges", json=sign_body(template))
        assert stale.status_code == 422 and stale.json["code"] == "template_not_current"
        coverage = staff.get(f"/api/v1/communities/{org.communities[0].id}/pledge-coverage")
        assert coverage.json["year"] == YEAR + 1 and coverage.json["buildings_covered"] == 0
        new = staff.post(f"/api/v1/communities/{org.communities[0].id}/pledge-templates",
                         json={"year": YEAR + 1, "title": "包楼栋承诺书"}).json
        assert new["items"] == ["环境卫生", "安全隐患排查", "邻里帮扶", "政策宣传"]
        renewed = member.post("/api/v1/pledges", json=sign_body(new))
        assert renewed.status_code == 201 and renewed.json["year"] == YEAR + 1
    assert count(Pledge) == 2


def test_building_head_is_chosen_among_pledged_members_and_the_board_masks(
    org, community, make_member, login
):
    staff, template = community
    head_row = make_member("m1", org.buildings[0], name="张小明")
    other = make_member("m2", org.buildings[0], name="李四")
    make_member("m3", org.buildings[0], name="王五", hide_from_public_boards=True)
    building = org.buildings[0].id
    refused = staff.put(f"/api/v1/buildings/{building}/head", json={"member_id": other.id})
    assert refused.status_code == 422 and refused.json["code"] == "head_must_pledge"
    for name in ("m1", "m2", "m3"):
        login(name).post("/api/v1/pledges", json=sign_body(template))
    appointed = staff.put(f"/api/v1/buildings/{building}/head", json={"member_id": head_row.id})
    assert appointed.status_code == 200 and appointed.json["member_name"] == "张小明"
    assert staff.put(f"/api/v1/buildings/{building}/head",
                     json={"member_id": head_row.id}).status_code == 200
    assert count(AuditEntry, action="building_head.appoint") == 1

    board = login("neighbour").get(f"/api/v1/buildings/{building}/pledge-board").json
    assert board["head"] == {"name": "张*明"}
    shown = [(m["name"], m["is_head"]) for m in board["members"]]
    assert shown == [("张*明", True), ("李*", False)]
    assert board["members"][0]["items"] == ["环境卫生", "邻里帮扶"]
    text = str(board)
    assert "13912345678" not in text and "101" not in text and "王" not in text
    assert "phone" not in text and "room" not in text


def test_staff_of_another_community_get_404(org, community, make_member, make_staff, login):
    _staff, template = community
    member_row = make_member("m1", org.buildings[0])
    pledge = login("m1").post("/api/v1/pledges", json=sign_body(template)).json
    note = login("m1").post(f"/api/v1/pledges/{pledge['id']}/notes", json={"content": "清理楼道"})
    make_staff("staffB", Role.COMMUNITY_STAFF, community_id=org.communities[1].id)
    other = login("staffB")
    cid = org.communities[0].id
    assert other.get(f"/api/v1/communities/{cid}/pledge-coverage").status_code == 404
    assert other.get(f"/api/v1/communities/{cid}/pledges").status_code == 404
    assert other.get(f"/api/v1/communities/{cid}/pledge-notes").status_code == 404
    assert other.post(f"/api/v1/communities/{cid}/pledge-templates",
                      json={"year": YEAR, "title": "x"}).status_code == 404
    assert other.put(f"/api/v1/buildings/{org.buildings[0].id}/head",
                     json={"member_id": member_row.id}).status_code == 404
    assert other.get(f"/api/v1/pledges/{pledge['id']}").status_code == 404
    assert other.post(f"/api/v1/pledge-notes/{note.json['id']}/verify").status_code == 404
    assert count(PledgeNote, status="submitted") == 1


def test_a_grid_worker_sees_coverage_of_their_grid_only(org, community, make_staff, login):
    make_staff("grid1", Role.GRID_WORKER, community_id=org.communities[0].id,
               grid_id=org.grids[0].id)
    coverage = login("grid1").get(
        f"/api/v1/communities/{org.communities[0].id}/pledge-coverage").json
    assert [g["grid_id"] for g in coverage["grids"]] == [org.grids[0].id]
    assert coverage["buildings_total"] == 2


def test_a_verified_note_tells_the_points_area_once(org, community, make_member, login):
    staff, template = community
    make_member("m1", org.buildings[0])
    member = login("m1")
    pledge = member.post("/api/v1/pledges", json=sign_body(template)).json
    body = {"content": "帮助独居老人搬运物品", "photos": [image_b64("JPEG"), image_b64("PNG")]}
    note = member.post(f"/api/v1/pledges/{pledge['id']}/notes", json=body)
    assert note.status_code == 201 and len(note.json["photo_urls"]) == 2
    assert member.post(f"/api/v1/pledges/{pledge['id']}/notes", json=body).json["id"] == \
        note.json["id"]
    photo = member.get(note.json["photo_urls"][0])
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"

    received = []

    def receiver(sender, **_kw):
        received.append((sender.id, sender.member_id, sender.community_id))

    events.pledge_note_verified.connect(receiver)
    try:
        verified = staff.post(f"/api/v1/pledge-notes/{note.json['id']}/verify")
        again = staff.post(f"/api/v1/pledge-notes/{note.json['id']}/verify")
    finally:
        events.pledge_note_verified.disconnect(receiver)
    assert verified.json["status"] == "verified" and again.status_code == 200
    assert received == [(note.json["id"], note.json["member_id"], org.communities[0].id)]
    refused = staff.post(f"/api/v1/pledge-notes/{note.json['id']}/return",
                         json={"reason": "照片不清楚"})
    assert refused.status_code == 409


def test_staff_return_a_note_with_a_reason_and_the_member_corrects_it(
    org, community, make_member, login
):
    staff, template = community
    make_member("m1", org.buildings[0])
    member = login("m1")
    pledge = member.post("/api/v1/pledges", json=sign_body(template)).json
    note = member.post(f"/api/v1/pledges/{pledge['id']}/notes", json={"content": "巡查"}).json
    assert staff.post(f"/api/v1/pledge-notes/{note['id']}/return", json={}).status_code == 422
    returned = staff.post(f"/api/v1/pledge-notes/{note['id']}/return",
                          json={"reason": "请补充现场照片"})
    assert returned.json["status"] == "returned"
    seen = member.get(f"/api/v1/pledge-notes/{note['id']}").json
    assert seen["return_reason"] == "请补充现场照片"
    fixed = member.put(f"/api/v1/pledge-notes/{note['id']}",
                       json={"content": "巡查消防通道", "photos": [image_b64("JPEG")]})
    assert fixed.json["status"] == "submitted"
    assert [n["id"] for n in staff.get(
        f"/api/v1/communities/{org.communities[0].id}/pledge-notes?status=submitted").json] == [
        note["id"]]


def test_a_member_cannot_read_another_members_notes(org, community, make_member, login):
    _staff, template = community
    make_member("m1", org.buildings[0])
    make_member("m2", org.buildings[0])
    pledge = login("m1").post("/api/v1/pledges", json=sign_body(template)).json
    note = login("m1").post(f"/api/v1/pledges/{pledge['id']}/notes",
                            json={"content": "x", "photos": [image_b64()]}).json
    nosy = login("m2")
    assert nosy.get(f"/api/v1/pledge-notes/{note['id']}").status_code == 404
    assert nosy.get(f"/api/v1/pledge-notes/{note['id']}/photos/0").status_code == 404
    assert nosy.get(f"/api/v1/pledges/{pledge['id']}/signature.png").status_code == 404
    assert nosy.get("/api/v1/pledge-notes/mine").json == []
    assert nosy.post(f"/api/v1/pledges/{pledge['id']}/notes", json={"content": "y"}).status_code \
        == 404


def test_bad_note_photos_are_refused_and_write_nothing(org, community, make_member, login):
    _staff, template = community
    make_member("m1", org.buildings[0])
    member = login("m1")
    pledge = member.post("/api/v1/pledges", json=sign_body(template)).json
    images_before = count(PledgeImage)
    too_many = member.post(f"/api/v1/pledges/{pledge['id']}/notes",
                           json={"content": "x", "photos": [image_b64("JPEG")] * 4})
    assert too_many.status_code == 422
    gif = image_b64("GIF")
    bad = member.post(f"/api/v1/pledges/{pledge['id']}/notes",
                      json={"content": "x", "photos": [image_b64("JPEG", color="red"), gif]})
    assert bad.status_code == 422 and bad.json["code"] == "image_wrong_format"
    assert bad.json["details"]["fields"] == {"photos.1": "格式不支持"}
    assert count(PledgeNote) == 0 and count(PledgeImage) == images_before


def test_a_withdrawn_pledges_notes_are_neither_resubmitted_nor_reviewed(
    org, community, make_member, login
):
    staff, template = community
    make_member("m1", org.buildings[0])
    member = login("m1")
    pledge = member.post("/api/v1/pledges", json=sign_body(template)).json
    returned = member.post(f"/api/v1/pledges/{pledge['id']}/notes", json={"content": "巡查"}).json
    assert staff.post(f"/api/v1/pledge-notes/{returned['id']}/return",
                      json={"reason": "请补充照片"}).status_code == 200
    waiting = member.post(f"/api/v1/pledges/{pledge['id']}/notes", json={"content": "清扫"}).json
    assert member.post(f"/api/v1/pledges/{pledge['id']}/withdraw").status_code == 200

    verified = []

    def receiver(sender, **_kw):
        verified.append(sender.id)

    events.pledge_note_verified.connect(receiver)
    try:
        resubmitted = member.put(f"/api/v1/pledge-notes/{returned['id']}",
                                 json={"content": "巡查消防通道"})
        verify = staff.post(f"/api/v1/pledge-notes/{waiting['id']}/verify")
        send_back = staff.post(f"/api/v1/pledge-notes/{waiting['id']}/return",
                               json={"reason": "请补充照片"})
    finally:
        events.pledge_note_verified.disconnect(receiver)
    for refused in (resubmitted, verify, send_back):
        assert refused.status_code == 409 and refused.json["code"] == "pledge_withdrawn"
    assert verified == []
    notes = {n["id"]: n for n in member.get("/api/v1/pledge-notes/mine").json}
    assert notes[returned["id"]]["status"] == "returned"
    assert notes[returned["id"]]["content"] == "巡查"
    assert notes[waiting["id"]]["status"] == "submitted"


def test_only_a_returned_note_is_corrected_and_resubmitted(org, community, make_member, login):
    _staff, template = community
    make_member("m1", org.buildings[0])
    member = login("m1")
    pledge = member.post("/api/v1/pledges", json=sign_body(template)).json
    note = member.post(f"/api/v1/pledges/{pledge['id']}/notes", json={"content": "巡查"}).json
    put = member.put(f"/api/v1/pledge-notes/{note['id']}", json={"content": "改过的内容"})
    assert put.status_code == 409 and put.json["code"] == "note_not_returned"
    assert put.json["message"]
    assert member.get(f"/api/v1/pledge-notes/{note['id']}").json["content"] == "巡查"
