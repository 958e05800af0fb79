"""Excel imports: template, preview with every row's error, confirm in one transaction,
re-import changes nothing, bad files refused, and each import seen only in its scope."""

from __future__ import annotations

import io
import zipfile

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from server.audit.models import AuditEntry
from server.auth.models import Role
from server.extensions import db
from server.imports.models import ImportBatch, RosterEntry
from server.members.models import Building, EmployerUnit

IMPORTS = "/api/v1/imports"
BUILDING_HEADERS = ["楼栋名称", "所属网格", "纬度", "经度"]
ROSTER_HEADERS = ["姓名", "手机号", "工作单位", "党员类型", "居住社区"]


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def xlsx(headers: list[str], rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(caller, kind: str, content: bytes, filename: str = "data.xlsx", **place):
    data = {"kind": kind, **{k: str(v) for k, v in place.items()},
            "file": (io.BytesIO(content), filename)}
    return caller.post(IMPORTS, data=data, headers={}, content_type="multipart/form-data")


@pytest.fixture
def staff0(org, make_staff, login):
    make_staff("s0", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    return login("s0")


def test_the_buildings_template_has_headers_an_example_and_the_grids_as_a_drop_down(org, staff0):
    answer = staff0.get(f"{IMPORTS}/templates/buildings.xlsx?community_id={org.communities[0].id}")
    assert answer.status_code == 200
    workbook = load_workbook(io.BytesIO(answer.data))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == BUILDING_HEADERS
    assert sheet["A2"].value.startswith("（示例）")
    assert sheet.data_validations.dataValidation, "drop-down lists"
    options = workbook["选项"]
    assert options.sheet_state == "hidden"
    assert [c.value for c in options["B"] if c.value] == ["第1网格", "第2网格"]


def test_a_file_with_errors_previews_every_error_and_imports_nothing(org, staff0):
    c0 = org.communities[0]
    before = count(Building)
    content = xlsx(BUILDING_HEADERS, [
        ["（示例）1号楼", "第1网格", 39.9, 116.4],   # the template's example: skipped
        ["5号楼", "第1网格", 39.9087, 116.3975],
        ["", "第1网格", None, None],
        ["6号楼", "第9网格", None, None],
        ["5号楼", "第2网格", 95, 116.3],
        ["7号楼", "第2网格", 39.9, None],
    ])
    preview = upload(staff0, "buildings", content, community_id=c0.id)
    assert preview.status_code == 201, preview.json
    assert preview.json["status"] == "previewed" and preview.json["row_count"] == 5
    errors = {(e["row"], e["column"]) for e in preview.json["errors"]}
    assert errors == {(4, "楼栋名称"), (5, "所属网格"), (6, "楼栋名称"), (6, "纬度"),
                      (7, "经度")}
    assert all(e["message"] for e in preview.json["errors"])
    refused = staff0.post(f"{IMPORTS}/{preview.json['id']}/confirm")
    assert refused.status_code == 422 and refused.json["code"] == "import_has_errors"
    assert count(Building) == before


def test_a_good_file_imports_in_one_go_and_importing_it_again_changes_nothing(org, staff0):
    c0 = org.communities[0]
    rows = [[f"{n}号楼", "第2网格", 39.9 + n / 1000, 116.4] for n in range(10, 20)]
    rows.append(["1-1号楼", "第2网格", None, None])  # exists in grid 1: moves to grid 2
    content = xlsx(BUILDING_HEADERS, rows)
    preview = upload(staff0, "buildings", content, community_id=c0.id)
    assert preview.json["counts"] == {"create": 10, "update": 1, "unchanged": 0}
    assert count(Building) == 8
    done = staff0.post(f"{IMPORTS}/{preview.json['id']}/confirm")
    assert done.status_code == 200 and done.json["status"] == "applied"
    assert count(Building) == 18
    moved = db.session.scalar(sa.select(Building).filter_by(community_id=c0.id, name="1-1号楼"))
    assert moved.grid_id == org.grids[1].id
    assert staff0.post(f"{IMPORTS}/{preview.json['id']}/confirm").json["code"] == \
        "import_already_applied"
    again = upload(staff0, "buildings", content, community_id=c0.id)
    assert again.json["counts"] == {"create": 0, "update": 0, "unchanged": 11}
    staff0.post(f"{IMPORTS}/{again.json['id']}/confirm")
    assert count(Building) == 18
    entries = db.session.scalars(sa.select(AuditEntry).filter_by(action="import.apply")).all()
    assert [e.after["create"] for e in entries] == [10, 0]


@pytest.mark.parametrize(("filename", "content", "status", "code"), [
    ("data.csv", b"a,b\n", 422, "file_not_xlsx"),
    ("data.xlsm", b"PK", 422, "file_macro_enabled"),
    ("data.xlsx", b"this is not a zip file", 422, "file_malformed"),
    ("data.xlsx", b"", 422, "file_empty"),
])
def test_files_that_are_not_plain_xlsx_are_refused(org, staff0, filename, content, status, code):
    answer = upload(staff0, "buildings", content, filename, community_id=org.communities[0].id)
    assert (answer.status_code, answer.json["code"]) == (status, code)
    assert answer.json["message"]
    assert count(ImportBatch) == 0


def test_a_workbook_with_macros_inside_is_refused(org, staff0):
    buffer = io.BytesIO(xlsx(BUILDING_HEADERS, [["1号楼", "第1网格", None, None]]))
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\x00macro")
    answer = upload(staff0, "buildings", buffer.getvalue(), community_id=org.communities[0].id)
    assert answer.json["code"] == "file_macro_enabled"


def test_wrong_headers_and_empty_files_are_refused(org, staff0):
    c0 = org.communities[0].id
    wrong = upload(staff0, "buildings", xlsx(["名称", "网格"], [["1号楼", "第1网格"]]),
                   community_id=c0)
    assert wrong.json["code"] == "template_mismatch"
    assert wrong.json["details"]["expected"] == BUILDING_HEADERS
    empty = upload(staff0, "buildings", xlsx(BUILDING_HEADERS, []), community_id=c0)
    assert empty.json["code"] == "file_empty"
    assert count(ImportBatch) == 0


@pytest.mark.settings(IMPORTS_MAX_BYTES=2000)
def test_a_file_too_big_is_refused(org, staff0):
    content = xlsx(BUILDING_HEADERS, [[f"{n}号楼", "第1网格", None, None] for n in range(300)])
    answer = upload(staff0, "buildings", content, community_id=org.communities[0].id)
    assert (answer.status_code, answer.json["code"]) == (413, "file_too_large")


def test_another_communitys_staff_sees_none_of_its_imports(org, staff0, make_staff, login):
    c0 = org.communities[0]
    preview = upload(staff0, "buildings", xlsx(BUILDING_HEADERS, [["新楼", "第1网格", None, None]]),
                     community_id=c0.id).json
    make_staff("s1", Role.COMMUNITY_STAFF, community_id=org.communities[1].id)
    other = login("s1")
    assert other.get(IMPORTS).json == []
    assert other.get(f"{IMPORTS}/{preview['id']}").status_code == 404
    assert other.post(f"{IMPORTS}/{preview['id']}/confirm").status_code == 404
    assert other.get(f"{IMPORTS}/templates/buildings.xlsx?community_id={c0.id}").status_code == 404
    refused = upload(other, "buildings", xlsx(BUILDING_HEADERS, [["x", "第1网格", None, None]]),
                     community_id=c0.id)
    assert refused.status_code == 404
    assert [i["id"] for i in staff0.get(IMPORTS).json] == [preview["id"]]


def test_a_street_admin_imports_employer_units(org, make_staff, login):
    make_staff("admin", Role.STREET_ADMIN, street_id=org.street.id)
    admin = login("admin")
    content = xlsx(["单位名称", "党组织名称"], [["丁单位", "丁单位党委"], ["戊单位", ""]])
    preview = upload(admin, "units", content, street_id=org.street.id)
    assert preview.json["counts"] == {"create": 2, "update": 0, "unchanged": 0}
    admin.post(f"{IMPORTS}/{preview.json['id']}/confirm")
    names = set(db.session.scalars(sa.select(EmployerUnit.name)
                                   .filter_by(street_id=org.street.id)))
    assert names == {"丁单位", "戊单位"}


def test_a_unit_secretary_imports_the_units_roster_and_sees_who_reported(
        org, make_staff, make_member, login):
    unit = org.units[0]
    make_staff("usec", Role.UNIT_SECRETARY, unit_id=unit.id)
    usec = login("usec")
    reported = make_member("r1", org.buildings[0], unit=unit)
    reported.phone = "13600000001"
    db.session.commit()
    template = usec.get(f"{IMPORTS}/templates/roster.xlsx?unit_id={unit.id}")
    assert [c.value for c in load_workbook(io.BytesIO(template.data)).worksheets[0][1]] == \
        ROSTER_HEADERS
    content = xlsx(ROSTER_HEADERS, [
        ["甲一", "13600000001", unit.name, "在职党员", "社区1"],
        ["甲二", "13600000002", "", "在职党员", "测试街道/社区2"],
        ["甲三", "1360000", "乙单位", "党员", "没有的社区"],
    ])
    preview = upload(usec, "roster", content, unit_id=unit.id).json
    assert {(e["row"], e["column"]) for e in preview["errors"]} == {
        (4, "手机号"), (4, "工作单位"), (4, "党员类型"), (4, "居住社区")}
    good = [["甲一", "13600000001", unit.name, "在职党员", "社区1"],
            ["甲二", 13600000002, "", "在职党员", "测试街道/社区2"]]  # a phone typed as a number
    fixed = upload(usec, "roster", xlsx(ROSTER_HEADERS, good), unit_id=unit.id).json
    assert fixed["error_count"] == 0
    usec.post(f"{IMPORTS}/{fixed['id']}/confirm")
    listed = usec.get("/api/v1/roster-entries").json
    assert [(e["name"], e["reported"]) for e in listed] == [("甲一", True), ("甲二", False)]
    assert listed[1]["community"]["name"] == "社区2"
    # the residence community's staff see the entry living with them; another unit does not
    make_staff("s1", Role.COMMUNITY_STAFF, community_id=org.communities[1].id)
    assert [e["name"] for e in login("s1").get("/api/v1/roster-entries").json] == ["甲二"]
    make_staff("usec2", Role.UNIT_SECRETARY, unit_id=org.units[1].id)
    assert login("usec2").get("/api/v1/roster-entries").json == []
    assert upload(login("usec2"), "roster", content, unit_id=unit.id).status_code == 404


def test_ten_thousand_roster_rows_import(org, make_staff, login):
    unit = org.units[0]
    make_staff("usec", Role.UNIT_SECRETARY, unit_id=unit.id)
    usec = login("usec")
    rows = [[f"党员{n}", f"135{n:08d}", unit.name, "在职党员", "社区1"] for n in range(10_000)]
    content = xlsx(ROSTER_HEADERS, rows)
    preview = upload(usec, "roster", content, unit_id=unit.id).json
    assert preview["error_count"] == 0 and preview["counts"]["create"] == 10_000
    assert usec.post(f"{IMPORTS}/{preview['id']}/confirm").status_code == 200
    assert count(RosterEntry) == 10_000
    again = upload(usec, "roster", content, unit_id=unit.id).json
    assert again["counts"] == {"create": 0, "update": 0, "unchanged": 10_000}


def test_rows_after_a_long_blank_stretch_are_not_read(org, staff0):
    rows = [["1号新楼", "第1网格", None, None]] + [[None] * 4] * 1000 + [["远处的楼", "第1网格",
                                                                     None, None]]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(BUILDING_HEADERS)
    for index, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            sheet.cell(row=index, column=column, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    preview = upload(staff0, "buildings", buffer.getvalue(), community_id=org.communities[0].id)
    assert preview.json["row_count"] == 1
