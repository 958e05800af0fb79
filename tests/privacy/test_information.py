"""查阅、复制、更正、撤回同意: the guide lists what is held, the export holds all of it, and a
withdrawn consent takes effect at once."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import sqlalchemy as sa
from openpyxl import load_workbook

from server.activities.models import Activity
from server.audit.models import AuditEntry
from server.extensions import db
from server.points.models import PointBalance
from server.points.reconcile import reconcile
from server.privacy.export import COLLECTORS
from server.timeutil import utcnow
from tests.privacy.conftest import CENTRE, NAME, PHONE


def _export(caller) -> tuple[dict, zipfile.ZipFile]:
    response = caller.get("/api/v1/me/privacy/export")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    return json.loads(archive.read("data.json")), archive


def test_the_guide_lists_exactly_the_kinds_the_export_holds(person, client):
    guide = client.get("/api/v1/privacy/guide")  # public: shown before anyone logs in
    assert guide.status_code == 200
    listed = [item["key"] for item in guide.json["items"]]
    document, _archive = _export(person.caller)
    assert listed == list(document["kinds"]) == list(COLLECTORS)
    assert all(item["what"] and item["why"] and item["kept"] for item in guide.json["items"])


def test_the_export_holds_every_kind_of_data_of_a_member_with_records_everywhere(person):
    person.caller.post("/api/v1/me/privacy/consents/public_boards", json={"granted": False})
    person.caller.post("/api/v1/me/certificates", json={})
    person.caller.post("/api/v1/me/account-deletion")
    person.caller.post("/api/v1/me/account-deletion/cancel")
    document, archive = _export(person.caller)

    empty = [key for key, kind in document["kinds"].items() if not kind["rows"]]
    assert empty == []
    kinds = document["kinds"]
    assert kinds["profile"]["rows"][0]["name"] == NAME
    assert kinds["phone"]["rows"] == [{"phone": PHONE}]
    assert kinds["unit"]["rows"][0]["unit"] == "甲单位"
    fix = kinds["locations"]["rows"][0]
    assert fix["clock_in_latitude"] == CENTRE[0] + 0.0005 and fix["clock_in_accuracy_m"] == 15
    assert {row["hours"] for row in kinds["hours"]["rows"]} == {"2.50", "3.00"}
    assert any(row["record"] == "ledger" for row in kinds["points"]["rows"])
    assert any(row["kind"] == "public_boards (history)" and row["granted"] is False
               for row in kinds["consents"]["rows"])
    assert kinds["logins"]["rows"] and kinds["account"]["rows"][0]["status"] == "cancelled"

    names = set(archive.namelist())
    assert {"README.txt", "data.json", "data.xlsx"} <= names
    assert f"images/{person.signature}" in names and f"images/{person.photo}" in names
    workbook = load_workbook(io.BytesIO(archive.read("data.xlsx")), read_only=True)
    assert len(workbook.sheetnames) == len(kinds)
    sheet = workbook["手机号"]
    assert [row for row in sheet.iter_rows(values_only=True)] == [("phone",), (PHONE,)]
    # who exported whose data is in the access log
    entry = db.session.scalar(sa.select(AuditEntry).filter_by(action="privacy.export"))
    assert entry.target_id == str(person.member.id) and entry.actor_user_id == person.caller.user_id


def test_my_information_counts_each_kind(person):
    summary = person.caller.get("/api/v1/me/privacy")
    assert summary.status_code == 200
    counts = {kind["key"]: kind["count"] for kind in summary.json["kinds"]}
    assert counts["hours"] == 2 and counts["phone"] == 1 and counts["photos"] == 1


def test_the_member_is_told_what_they_may_correct_and_how(person):
    listed = person.caller.get("/api/v1/me/privacy/corrections")
    assert listed.status_code == 200
    how = {row["field"]: row["how"] for row in listed.json}
    assert how["phone"] == "self" and how["community"] == "new_report"
    assert how["hours"] == "appeal"
    assert any("/me/phone" in row["action"] for row in listed.json)


def test_withdrawing_location_consent_leaves_clock_in_by_code_only(person, org):
    act = Activity(community_id=org.communities[0].id, title="现场服务", category="other",
                   latitude=CENTRE[0], longitude=CENTRE[1], radius_m=200,
                   starts_at=utcnow() - timedelta(minutes=10),
                   ends_at=utcnow() + timedelta(hours=2), status="in_progress")
    db.session.add(act)
    db.session.commit()
    withdrawn = person.caller.post("/api/v1/me/privacy/consents/location",
                                   json={"granted": False}, key="consent-loc-0001")
    assert withdrawn.status_code == 200
    location = next(row for row in withdrawn.json if row["kind"] == "location")
    assert location["granted"] is False and "扫描现场二维码" in location["effect"]

    fix = {"method": "location", "latitude": CENTRE[0], "longitude": CENTRE[1], "accuracy": 10}
    refused = person.caller.post(f"/api/v1/activities/{act.id}/clock-in", json=fix)
    assert refused.status_code == 403 and refused.json["code"] == "location_consent_required"

    person.caller.post("/api/v1/me/privacy/consents/location", json={"granted": True})
    accepted = person.caller.post(f"/api/v1/activities/{act.id}/clock-in", json=fix)
    assert accepted.status_code == 200, accepted.json


def test_withdrawing_the_public_boards_consent_takes_the_member_off_public_boards(
        person, org, login, make_member):
    make_member("neighbour", org.buildings[1], unit=org.units[0])
    neighbour = login("neighbour")
    board = {"scope": "community", "scope_id": org.communities[0].id, "period": "all"}
    before = neighbour.get("/api/v1/points/leaderboards", query_string=board).json
    assert [entry["name"] for entry in before["entries"]] == ["欧**彤"]

    answer = person.caller.post("/api/v1/me/privacy/consents/public_boards",
                                json={"granted": False})
    boards = next(row for row in answer.json if row["kind"] == "public_boards")
    assert boards["granted"] is False and "不显示" in boards["effect"]
    after = neighbour.get("/api/v1/points/leaderboards", query_string=board).json
    assert after["entries"] == []
    assert db.session.scalar(sa.select(PointBalance.hidden).filter_by(
        member_id=person.member.id, period="all")) is True
    assert reconcile().differences == []


def test_an_unknown_consent_is_not_found_and_changes_nothing(person):
    response = person.caller.post("/api/v1/me/privacy/consents/camera", json={"granted": False})
    assert response.status_code == 404 and set(response.json) == {"code", "message", "details"}
