"""Issuing, reading, revoking and verifying certificates (谁记录谁证明: the community that
recorded the hours certifies them, free, on request)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import current_app

from server.activities.models import HoursRecord, HoursStatus
from server.audit.service import record as audit
from server.auth.scope import Principal, get_visible_member, require_community
from server.certificates import pdf
from server.certificates.models import Certificate, CertificateIssuer, CertificateStatus
from server.errors import AppError, conflict, invalid, not_found
from server.extensions import db
from server.masking import mask_name
from server.members.models import Community, Member
from server.timeutil import local_today, utcnow

# Crockford's base32: no I, L, O, U, so a code read aloud or retyped survives
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 20  # 100 bits
_TYPOS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper().translate(_TYPOS) if ch in CODE_ALPHABET)


def code_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def verify_url(number: str, code: str) -> str:
    base = current_app.config["CERTIFICATES_VERIFY_BASE_URL"]
    return f"{base}?number={number}&code={code}"


def issuer_name(community: Community) -> str:
    issuer = db.session.scalar(sa.select(CertificateIssuer).filter_by(community_id=community.id))
    return issuer.party_org_name if issuer else f"中共{community.name}委员会"


def _period(data: dict[str, Any], today: date) -> tuple[date | None, date]:
    start, end = data.get("period_start"), data.get("period_end") or today
    if end > today:
        raise invalid("period_in_future", "证明的截止日期不能晚于今天",
                      {"fields": {"period_end": "不能晚于今天"}})
    if start is not None and start > end:
        raise invalid("period_invalid", "开始日期不能晚于截止日期",
                      {"fields": {"period_start": "不能晚于截止日期"}})
    return start, end


def _approved_records(member_id: int, community_id: int, start: date | None,
                      end: date) -> list[HoursRecord]:
    statement = sa.select(HoursRecord).where(
        HoursRecord.member_id == member_id,
        HoursRecord.community_id == community_id,
        HoursRecord.status == HoursStatus.APPROVED.value,
        HoursRecord.service_date <= end,
    )
    if start is not None:
        statement = statement.where(HoursRecord.service_date >= start)
    return list(db.session.scalars(
        statement.order_by(HoursRecord.service_date, HoursRecord.id)))


def _existing(member_id: int, community_id: int, period_key: str) -> Certificate | None:
    return db.session.scalar(sa.select(Certificate).filter_by(
        member_id=member_id, community_id=community_id, period_key=period_key,
        status=CertificateStatus.ISSUED.value))


def _issue(actor: Principal, member: Member, community: Community, data: dict[str, Any],
           id_fields: dict[str, Any]) -> tuple[Certificate, bool]:
    """The certificate for (member, community, period): the one already issued, or a new one."""
    now = utcnow()
    today = local_today(now)
    start, end = _period(data, today)
    period_key = f"{start.isoformat() if start else ''}..{end.isoformat()}"
    existing = _existing(member.id, community.id, period_key)
    if existing is not None:
        return existing, False
    records = _approved_records(member.id, community.id, start, end)
    if not records:
        raise invalid("no_approved_hours",
                      "该时间段内没有已审核的志愿服务时长，暂不能出具证明，请调整时间段")
    total_centi = sum(int(record.hours * 100) for record in records)
    number = f"ZYFW{today:%Y%m%d}{secrets.randbelow(10**8):08d}"
    code = new_code()
    first = start or records[0].service_date
    snapshot = {
        "number": number,
        "holder_name": member.name,
        "id_last4": id_fields.get("id_last4"),
        "community_name": community.name,
        "issuer_name": issuer_name(community),
        "period_text": f"{pdf.chinese_date(first)}至{pdf.chinese_date(end)}",
        "issued_on": today.isoformat(),
        "issued_at": now,
        "total_hours": pdf.hours_text(total_centi),
        "records": [
            {"hours_record_id": r.id, "date": r.service_date.isoformat(),
             "activity": r.activity_name, "place": r.place, "organiser": r.organiser,
             "hours": pdf.hours_text(int(r.hours * 100))}
            for r in records
        ],
    }
    content = pdf.render_certificate(snapshot, code, verify_url(number, code))
    snapshot["issued_at"] = now.isoformat()
    certificate = Certificate(
        number=number, code_sha256=code_hash(code), member_id=member.id,
        community_id=community.id, period_key=period_key, period_start=start, period_end=end,
        holder_masked=mask_name(member.name), issuer_name=snapshot["issuer_name"],
        total_hours_centi=total_centi, record_count=len(records), issued_on=today,
        snapshot=snapshot, pdf=content, pdf_sha256=hashlib.sha256(content).hexdigest(),
        status=CertificateStatus.ISSUED.value, issued_by_user_id=actor.user_id, issued_at=now,
        **id_fields,
    )
    db.session.add(certificate)
    db.session.flush()
    audit(actor.user_id, "certificate.issue", "certificate", certificate.id,
          community_id=community.id,
          after={"number": number, "member_id": member.id, "period": period_key,
                 "records": len(records), "hours_centi": total_centi})
    return certificate, True


def request_certificate(principal: Principal, data: dict[str, Any]) -> tuple[Certificate, bool]:
    """A member asks for their own certificate; the community they report to issues it unless
    they name another community that recorded their hours."""
    member = principal.member
    if member is None:
        raise AppError(403, "not_a_member", "请先完成党员信息登记（到社区报到）")
    community_id = data.get("community_id") or member.community_id
    if community_id is None:
        raise invalid("community_required", "请选择出具证明的社区",
                      {"fields": {"community_id": "必填"}})
    community = db.session.get(Community, community_id)
    if community is None:
        raise not_found("社区")
    id_fields: dict[str, Any] = {}
    if data.get("id_last4"):
        if not data.get("id_consent") or not data.get("id_reason"):
            raise invalid(
                "id_consent_required",
                "如需在证明上显示证件号码后四位，请说明用途并勾选同意",
                {"fields": {"id_consent": "须同意", "id_reason": "请说明用途"}},
            )
        id_fields = {"id_last4": data["id_last4"].upper(), "id_reason": data["id_reason"],
                     "id_consent_at": utcnow()}
    return _issue(principal, member, community, data, id_fields)


def issue_for_member(principal: Principal, member_id: int,
                     data: dict[str, Any]) -> tuple[Certificate, bool]:
    """Staff issue a certificate from the console for a member they look after, in the name
    of a community they manage (by default the member's)."""
    member = get_visible_member(principal, member_id)
    community_id = data.get("community_id") or member.community_id
    if community_id is None:
        raise invalid("community_required", "请选择出具证明的社区",
                      {"fields": {"community_id": "必填"}})
    community = require_community(principal, community_id)
    return _issue(principal, member, community, data, {})


def _visible_certificate(principal: Principal, certificate_id: int) -> Certificate:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        raise not_found("证明")
    if principal.member_id == certificate.member_id:
        return certificate
    if certificate.community_id in principal.community_ids():
        return certificate
    raise not_found("证明")


def get_certificate(principal: Principal, certificate_id: int) -> Certificate:
    return _visible_certificate(principal, certificate_id)


def my_certificates(principal: Principal) -> list[Certificate]:
    if principal.member is None:
        return []
    return list(db.session.scalars(
        sa.select(Certificate).where(Certificate.member_id == principal.member.id)
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())))


def community_certificates(principal: Principal, community_id: int,
                           member_id: int | None = None) -> list[Certificate]:
    require_community(principal, community_id)
    statement = sa.select(Certificate).where(Certificate.community_id == community_id)
    if member_id is not None:
        statement = statement.where(Certificate.member_id == member_id)
    return list(db.session.scalars(
        statement.order_by(Certificate.issued_at.desc(), Certificate.id.desc())))


def certificate_pdf(principal: Principal, certificate_id: int) -> tuple[bytes, str]:
    """The PDF as issued; a revoked one comes stamped 已作废 with the reason."""
    certificate = _visible_certificate(principal, certificate_id)
    if certificate.pdf is None:
        raise AppError(410, "certificate_pdf_removed", "该证明的文件已随账号注销删除，仍可在线核验")
    content = certificate.pdf
    if certificate.status == CertificateStatus.REVOKED:
        content = pdf.revoked_copy(content, local_today(certificate.revoked_at),
                                   certificate.revoke_reason or "")
    return content, f"certificate-{certificate.number}.pdf"


def revoke_certificate(principal: Principal, certificate_id: int, reason: str) -> Certificate:
    """Staff of the issuing community revoke it with a reason; it then verifies as revoked and
    a new one may be issued for the same period."""
    certificate = _visible_certificate(principal, certificate_id)
    if certificate.community_id not in principal.community_ids():
        raise not_found("证明")
    if certificate.status == CertificateStatus.REVOKED:
        if certificate.revoke_reason == reason:
            return certificate
        raise conflict("certificate_already_revoked", "该证明已作废")
    certificate.status = CertificateStatus.REVOKED.value
    certificate.revoked_at = utcnow()
    certificate.revoked_by_user_id = principal.user_id
    certificate.revoke_reason = reason
    audit(principal.user_id, "certificate.revoke", "certificate", certificate.id,
          community_id=certificate.community_id, before={"status": "issued"},
          after={"status": "revoked"}, reason=reason)
    return certificate


def set_issuer_name(principal: Principal, community_id: int, name: str) -> dict[str, Any]:
    community = require_community(principal, community_id)
    issuer = db.session.scalar(sa.select(CertificateIssuer).filter_by(community_id=community_id))
    before = issuer.party_org_name if issuer else None
    if issuer is None:
        issuer = CertificateIssuer(community_id=community_id, party_org_name=name)
        db.session.add(issuer)
    issuer.party_org_name = name
    issuer.updated_by_user_id = principal.user_id
    issuer.updated_at = utcnow()
    audit(principal.user_id, "certificate.issuer", "community", community_id,
          community_id=community_id, before={"party_org_name": before},
          after={"party_org_name": name})
    return {"community_id": community.id, "party_org_name": name}


def get_issuer_name(principal: Principal, community_id: int) -> dict[str, Any]:
    community = require_community(principal, community_id)
    return {"community_id": community.id, "party_org_name": issuer_name(community)}


def verify(number: str, code: str) -> dict[str, Any]:
    """The public check (no login): genuine or not, and then only what the page may show.
    A wrong code and an unknown number get the same answer, so neither can be probed."""
    certificate = db.session.scalar(sa.select(Certificate).filter_by(number=number.strip()))
    if certificate is None or not hmac.compare_digest(certificate.code_sha256, code_hash(code)):
        raise AppError(404, "certificate_not_verified",
                       "未能核验：证明编号或验证码不正确，请核对后重试")
    return {
        "genuine": True,
        "number": certificate.number,
        "holder": certificate.holder_masked,
        "total_hours": pdf.hours_text(certificate.total_hours_centi),
        "issuer": certificate.issuer_name,
        "issued_on": certificate.issued_on,
        "revoked": certificate.status == CertificateStatus.REVOKED,
    }
