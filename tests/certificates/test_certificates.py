"""The volunteer-service certificate (志愿服务记录证明): requested by the member or issued by
staff, a PDF with every field, a snapshot that later corrections leave alone, revoked with a
reason, and verified on a public page that a forged code does not pass."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from server.audit.models import AuditEntry
from server.auth.models import Role
from server.certificates.models import Certificate
from server.certificates.service import code_hash
from server.extensions import db
from tests.certificates.helpers import activity, approve_hours, pdf_text

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CODE = re.compile(r"验证码：([0-9A-Z]{4}(?:-[0-9A-Z]{4}){4})")


@pytest.fixture
def holder(org, make_member, login):
    member = make_member("cert1", org.buildings[0], unit=org.units[0], name="张小明")
    caller = login("cert1")
    caller.member_id = member.id
    return caller


@pytest.fixture
def records(org, holder):
    """Three approved records in community 0 in the first half of 2026, one outside it."""
    community = org.communities[0].id
    acts = [
        activity(community, date(2026, 3, 15), "楼道环境清理", "幸福里3号楼", "幸福里社区党委"),
        activity(community, date(2026, 4, 20), "平安巡逻", "社区北门", "社区平安志愿队"),
        activity(community, date(2026, 6, 1), "助老送餐", "老年活动中心", "社区党群服务中心"),
        activity(community, date(2026, 8, 8), "政策宣传", "社区广场", "幸福里社区党委"),
    ]
    rows = [approve_hours(holder.member_id, act, hours)
            for act, hours in zip(acts, ("2.5", "3", "1.5", "2"), strict=True)]
    return acts, rows


@pytest.fixture
def staff(org, make_staff, login):
    make_staff("certstaff", Role.COMMUNITY_STAFF, community_id=org.communities[0].id)
    return login("certstaff")


FIRST_HALF = {"period_start": "2026-01-01", "period_end": "2026-06-30"}


def _request(holder, key=None, **body):
    return holder.post("/api/v1/me/certificates", json={**FIRST_HALF, **body}, key=key)


def _pdf(caller, certificate_id) -> bytes:
    response = caller.get(f"/api/v1/certificates/{certificate_id}/pdf")
    assert response.status_code == 200, response.data[:200]
    assert response.mimetype == "application/pdf"
    return response.data


def _verify(client, number, code):
    return client.get("/api/v1/certificates/verify", query_string={"number": number, "code": code})


def test_the_pdf_holds_every_field_and_its_code_verifies_publicly(holder, records, client):
    response = _request(holder, id_last4="123X", id_reason="单位评优需要", id_consent=True)
    assert response.status_code == 201, response.json
    certificate = response.json
    assert certificate["total_hours"] == "7"
    assert certificate["record_count"] == 3
    content = _pdf(holder, certificate["id"])
    text = pdf_text(content)

    assert "志愿服务记录证明" in text
    assert "张小明" in text
    assert "身份证件号码后四位：123X" in text
    for day, title, place, organiser, hours in (
        ("2026-03-15", "楼道环境清理", "幸福里3号楼", "幸福里社区党委", "2.5"),
        ("2026-04-20", "平安巡逻", "社区北门", "社区平安志愿队", "3"),
        ("2026-06-01", "助老送餐", "老年活动中心", "社区党群服务中心", "1.5"),
    ):
        assert re.search(f"{day}{title}{place}{organiser}{re.escape(hours)}", text), title
    assert "政策宣传" not in text  # outside the period
    assert "合计7" in text and "累计志愿服务时长7小时" in text
    assert "出具单位：中共社区1委员会（盖章）" in text
    assert f"出具日期：{date.today():%Y年%m月%d日}" in text or "出具日期：" in text
    assert f"证明编号：{certificate['number']}" in text
    code = CODE.search(text).group(1)
    assert len(code.replace("-", "")) * 5 >= 80  # base32: 5 bits a character

    verified = _verify(client, certificate["number"], code)
    assert verified.status_code == 200
    assert verified.json == {
        "genuine": True, "number": certificate["number"], "holder": "张*明",
        "total_hours": "7", "issuer": "中共社区1委员会",
        "issued_on": certificate["issued_on"], "revoked": False,
    }
    page = client.get("/verify", query_string={"number": certificate["number"], "code": code})
    assert page.status_code == 200
    assert "该证明真实有效" in page.text and "张*明" in page.text and "张小明" not in page.text


def test_chinese_is_embedded_as_a_font_subset_and_a_person_can_read_the_picture(
        holder, records):
    certificate = _request(holder).json
    content = _pdf(holder, certificate["id"])
    fonts = set()
    for page in PdfReader(__import__("io").BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            assert any(k in descriptor for k in ("/FontFile2", "/FontFile3")), "not embedded"
            fonts.add(str(font["/BaseFont"]))
    # a subset font's name starts with six capitals and a plus sign
    assert fonts and all(re.match(r"^/[A-Z]{6}\+", name) for name in fonts)
    assert len(content) < 200_000

    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "certificate.pdf").write_bytes(content)
    if shutil.which("pdftoppm"):  # poppler-utils; the picture is for a person to look at
        subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile",
                        str(ARTIFACTS / "certificate.pdf"), str(ARTIFACTS / "certificate")],
                       check=True, timeout=60)
        assert (ARTIFACTS / "certificate.png").stat().st_size > 10_000


def test_asking_twice_for_the_same_period_returns_the_same_certificate(holder, records):
    first = _request(holder, key="cert-request-0001")
    replay = _request(holder, key="cert-request-0001")
    again = _request(holder)
    assert first.status_code == 201
    assert replay.json == first.json
    assert again.status_code == 200 and again.json["id"] == first.json["id"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 1


def test_corrections_after_issuing_do_not_change_the_issued_certificate(
        holder, records, client):
    acts, _rows = records
    certificate = _request(holder).json
    before = _pdf(holder, certificate["id"])
    approve_hours(holder.member_id, acts[0], "0.5")  # corrected later
    after = _pdf(holder, certificate["id"])
    assert hashlib.sha256(after).digest() == hashlib.sha256(before).digest()
    assert holder.get(f"/api/v1/certificates/{certificate['id']}").json["total_hours"] == "7"


def test_staff_revoke_with_a_reason_then_issue_a_new_one(holder, records, staff, client):
    acts, _rows = records
    certificate = _request(holder).json
    code = CODE.search(pdf_text(_pdf(holder, certificate["id"]))).group(1)
    approve_hours(holder.member_id, acts[0], "0.5")

    refused = holder.post(f"/api/v1/certificates/{certificate['id']}/revoke",
                          json={"reason": "我不想要了"})
    assert refused.status_code == 404  # members cannot revoke
    revoked = staff.post(f"/api/v1/certificates/{certificate['id']}/revoke",
                         json={"reason": "时长已更正"}, key="revoke-cert-0001")
    assert revoked.status_code == 200 and revoked.json["status"] == "revoked"

    verified = _verify(client, certificate["number"], code).json
    assert verified["genuine"] is True and verified["revoked"] is True
    page = client.get("/verify", query_string={"number": certificate["number"], "code": code})
    assert "该证明已作废" in page.text
    stamped = _pdf(holder, certificate["id"])
    text = pdf_text(stamped)
    assert "已作废" in text and "时长已更正" in text and "张小明" in text
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "certificate-revoked.pdf").write_bytes(stamped)

    member_id = holder.member_id
    new = staff.post(f"/api/v1/members/{member_id}/certificates", json=FIRST_HALF)
    assert new.status_code == 201, new.json
    assert new.json["id"] != certificate["id"] and new.json["total_hours"] == "5"
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert {"certificate.issue", "certificate.revoke"} <= actions


def test_a_forged_or_guessed_code_does_not_verify(holder, records, client):
    certificate = _request(holder).json
    code = CODE.search(pdf_text(_pdf(holder, certificate["id"]))).group(1)
    forged = code[:-1] + ("A" if code[-1] != "A" else "B")
    for number, attempt in ((certificate["number"], forged), ("ZYFW2026010100000000", code),
                            (certificate["number"], "")):
        response = _verify(client, number, attempt)
        assert response.status_code in (404, 422)
        assert set(response.json) == {"code", "message", "details"}
        assert "张" not in response.text
    assert _verify(client, certificate["number"], forged).json["code"] == (
        "certificate_not_verified")
    page = client.get("/verify", query_string={"number": certificate["number"], "code": forged})
    assert page.status_code == 404 and "证明编号或验证码不正确" in page.text
    # a code is typed back as read: lower case and without dashes verify too
    assert _verify(client, certificate["number"], code.lower().replace("-", "")).status_code == 200
    stored = db.session.get(Certificate, certificate["id"])
    assert stored.code_sha256 == code_hash(code) and code not in str(stored.snapshot)


@pytest.mark.settings(RATELIMIT_ENABLED=True, CERTIFICATES_VERIFY_LIMIT="3 per minute")
def test_guessing_is_rate_limited(client):
    answers = [_verify(client, "ZYFW2026010100000000", f"AAAA-AAAA-AAAA-AAAA-AAA{i}")
               for i in range(4)]
    assert [a.status_code for a in answers] == [404, 404, 404, 429]
    assert answers[-1].json["code"] == "rate_limited"


def test_the_id_digits_need_a_reason_and_consent_and_nothing_is_written_without(
        holder, records):
    response = _request(holder, id_last4="1234")
    assert response.status_code == 422
    assert response.json["code"] == "id_consent_required"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 0
    bad = _request(holder, id_last4="12345", id_reason="x", id_consent=True)
    assert bad.status_code == 422 and "id_last4" in bad.json["details"]["fields"]


def test_a_period_without_approved_hours_gets_a_clear_refusal(holder, records):
    response = holder.post("/api/v1/me/certificates",
                           json={"period_start": "2025-01-01", "period_end": "2025-12-31"})
    assert response.status_code == 422 and response.json["code"] == "no_approved_hours"
    future = holder.post("/api/v1/me/certificates", json={"period_end": "2099-01-01"})
    assert future.status_code == 422 and future.json["code"] == "period_in_future"


def test_nobody_else_sees_a_certificate(holder, records, org, make_member, make_staff, login):
    certificate = _request(holder).json
    make_member("cert2", org.buildings[1], unit=org.units[0])
    other = login("cert2")
    make_staff("otherstaff", Role.COMMUNITY_STAFF, community_id=org.communities[1].id)
    elsewhere = login("otherstaff")
    for caller in (other, elsewhere):
        assert caller.get(f"/api/v1/certificates/{certificate['id']}").status_code == 404
        assert caller.get(f"/api/v1/certificates/{certificate['id']}/pdf").status_code == 404
    assert other.get("/api/v1/me/certificates").json == []
    assert elsewhere.post(f"/api/v1/members/{holder.member_id}/certificates",
                          json=FIRST_HALF).status_code == 404
    assert elsewhere.get(
        f"/api/v1/communities/{org.communities[0].id}/certificates").status_code == 404


def test_staff_name_the_issuing_party_organisation(holder, records, staff, org):
    community_id = org.communities[0].id
    response = staff.put(f"/api/v1/communities/{community_id}/certificate-issuer",
                         json={"party_org_name": "中共幸福里社区委员会"})
    assert response.status_code == 200
    certificate = staff.post(f"/api/v1/members/{holder.member_id}/certificates",
                             json=FIRST_HALF).json
    assert certificate["issuer_name"] == "中共幸福里社区委员会"
    assert "出具单位：中共幸福里社区委员会（盖章）" in pdf_text(_pdf(staff, certificate["id"]))
    listed = staff.get(f"/api/v1/communities/{community_id}/certificates").json
    assert [c["id"] for c in listed] == [certificate["id"]]
    assert holder.get("/api/v1/me/certificates").json[0]["id"] == certificate["id"]
