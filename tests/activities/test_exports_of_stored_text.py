"""Exports download whatever text is stored: control characters accepted before the text rule
(or written by hand) are left out of the workbook, never a 500."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from openpyxl import load_workbook

from server.activities.models import Activity, HoursRecord
from server.extensions import db
from tests.activities.conftest import CENTRE, T0

FIX = {"method": "location", "latitude": CENTRE[0], "longitude": CENTRE[1], "accuracy": 10}


def test_both_exports_answer_200_when_a_stored_title_holds_a_control_character(
        publish, member, staff, clock):
    activity = publish()
    caller = member("m1", location_consent=True)
    caller.post(f"/api/v1/activities/{activity['id']}/signup")
    clock.move_to(T0 + timedelta(hours=2))
    assert caller.post(f"/api/v1/activities/{activity['id']}/clock-in", json=FIX).status_code == 200
    clock.move_to(T0 + timedelta(hours=3))
    caller.post(f"/api/v1/activities/{activity['id']}/clock-out", json=FIX)
    db.session.execute(sa.update(Activity).values(title="a\u0001b", address="x\u001fy"))
    db.session.execute(sa.update(HoursRecord).values(activity_name="a\u0001b"))
    db.session.commit()

    records = staff.get(f"/api/v1/activities/{activity['id']}/records.xlsx")
    assert records.status_code == 200
    book = load_workbook(io.BytesIO(records.data))
    assert book["签到名单"]["A1"].value == "ab"
    assert book["时长记录"]["C2"].value == "ab"
    log = staff.get(f"/api/v1/members/{caller.member_id}/activity-log.xlsx")
    assert log.status_code == 200
    assert load_workbook(io.BytesIO(log.data)).active["A3"].value == "ab"


def test_every_export_builds_its_workbook_with_the_clean_workbook():
    server = Path(__file__).resolve().parents[2] / "server"
    direct = [str(path.relative_to(server)) for path in server.rglob("*.py")
              if "from openpyxl import Workbook" in path.read_text(encoding="utf-8")]
    assert direct == []  # use server.excel.Workbook
