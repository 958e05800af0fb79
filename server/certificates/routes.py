"""/api/v1 certificates (志愿服务记录证明), and the public verification page /verify."""

from __future__ import annotations

import io

from flask import Blueprint as PageBlueprint
from flask import current_app, render_template_string, request, send_file
from flask_smorest import Blueprint

from server.auth.scope import current_principal
from server.certificates import service
from server.certificates.schemas import (
    CertificateListQuerySchema,
    CertificateRequestSchema,
    CertificateSchema,
    IssuerInSchema,
    IssuerSchema,
    PeriodSchema,
    VerificationSchema,
    VerifyQuerySchema,
)
from server.errors import AppError
from server.extensions import limiter
from server.schemas import ReasonSchema

blp = Blueprint("certificates", __name__, url_prefix="/api/v1",
                description="志愿服务记录证明：申请、出具、作废与核验")
# a plain page, outside the API document: what the QR code on a certificate opens
page = PageBlueprint("certificate_page", __name__)

PUBLIC = [{}]
PDF_BODY = {"format": "binary", "type": "string"}


def _verify_limit() -> str:
    return current_app.config["CERTIFICATES_VERIFY_LIMIT"]


def _created(result):
    certificate, created = result
    return certificate, 201 if created else 200


@blp.route("/me/certificates", methods=["GET"])
@blp.response(200, CertificateSchema(many=True))
def my_certificates():
    """我的志愿服务记录证明

    列出我的志愿服务记录证明，最新的在前。
    """
    return service.my_certificates(current_principal())


@blp.route("/me/certificates", methods=["POST"])
@blp.arguments(CertificateRequestSchema)
@blp.response(201, CertificateSchema)
@blp.alt_response(200, schema=CertificateSchema, description="同一期间的证明已开具（重复申请）")
def request_certificate(body):
    """申请志愿服务记录证明（党员）

    申请开具某一时段内已审核服务时长的证明；起止日期都不填即为全部时长。同一时段再次申请时返回已
    开具的证明（200）。
    """
    return _created(service.request_certificate(current_principal(), body))


@blp.route("/members/<int:member_id>/certificates", methods=["POST"])
@blp.arguments(PeriodSchema)
@blp.response(201, CertificateSchema)
@blp.alt_response(200, schema=CertificateSchema, description="同一期间的证明已开具（重复开具）")
def issue_certificate(body, member_id):
    """为党员开具证明（工作人员）

    社区工作人员为本社区的党员开具志愿服务记录证明。
    """
    return _created(service.issue_for_member(current_principal(), member_id, body))


@blp.route("/communities/<int:community_id>/certificates", methods=["GET"])
@blp.arguments(CertificateListQuerySchema, location="query")
@blp.response(200, CertificateSchema(many=True))
def community_certificates(query, community_id):
    """社区已开具的证明（工作人员）

    列出社区已开具的志愿服务记录证明；可只看某一名党员的。
    """
    return service.community_certificates(current_principal(), community_id,
                                          query.get("member_id"))


@blp.route("/communities/<int:community_id>/certificate-issuer", methods=["GET"])
@blp.response(200, IssuerSchema)
def get_issuer(community_id):
    """查看出具单位（工作人员）

    返回证明上署名的党组织名称（出具单位）。
    """
    return service.get_issuer_name(current_principal(), community_id)


@blp.route("/communities/<int:community_id>/certificate-issuer", methods=["PUT"])
@blp.arguments(IssuerInSchema)
@blp.response(200, IssuerSchema)
def set_issuer(body, community_id):
    """设置出具单位（工作人员）

    设置新开具证明上署名的党组织名称（出具单位）。
    """
    return service.set_issuer_name(current_principal(), community_id, body["party_org_name"])


@blp.route("/certificates/<int:certificate_id>", methods=["GET"])
@blp.response(200, CertificateSchema)
def get_certificate(certificate_id):
    """查看一份证明

    返回一份志愿服务记录证明；仅证明持有人或出具社区的工作人员可查看。
    """
    return service.get_certificate(current_principal(), certificate_id)


@blp.route("/certificates/<int:certificate_id>/pdf", methods=["GET"])
@blp.response(200, PDF_BODY, content_type="application/pdf")
def certificate_pdf(certificate_id):
    """下载证明 PDF

    返回证明的 PDF（供 wx.downloadFile + wx.openDocument 使用）；已作废的证明加盖「已作废」字样。
    """
    content, filename = service.certificate_pdf(current_principal(), certificate_id)
    return send_file(io.BytesIO(content), mimetype="application/pdf",
                     download_name=filename)


@blp.route("/certificates/<int:certificate_id>/revoke", methods=["POST"])
@blp.arguments(ReasonSchema)
@blp.response(200, CertificateSchema)
def revoke_certificate(body, certificate_id):
    """作废证明（工作人员）

    工作人员填写理由后作废一份证明；作废后可重新开具。
    """
    return service.revoke_certificate(current_principal(), certificate_id, body["reason"])


@blp.route("/certificates/verify", methods=["GET"])
@blp.doc(security=PUBLIC)
@blp.arguments(VerifyQuerySchema, location="query")
@blp.response(200, VerificationSchema)
@limiter.limit(_verify_limit)
def verify_certificate(query):
    """核验证明真伪（公开）

    无需登录：核验证明是否真实、是否已作废。
    """
    return service.verify(query["number"], query["code"])


VERIFY_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>志愿服务记录证明核验</title>
<style>body{font-family:sans-serif;max-width:36em;margin:2em auto;padding:0 1em}
.ok{color:#0a7a2f}.bad{color:#b00}dt{color:#666}dd{margin:0 0 .6em}</style></head><body>
<h1>志愿服务记录证明核验</h1>
{% if result %}
  {% if result.revoked %}<p class="bad"><strong>该证明已作废。</strong></p>
  {% else %}<p class="ok"><strong>该证明真实有效。</strong></p>{% endif %}
  <dl><dt>证明编号</dt><dd>{{ result.number }}</dd>
  <dt>持证人</dt><dd>{{ result.holder }}</dd>
  <dt>累计志愿服务时长</dt><dd>{{ result.total_hours }} 小时</dd>
  <dt>出具单位</dt><dd>{{ result.issuer }}</dd>
  <dt>出具日期</dt><dd>{{ result.issued_on }}</dd></dl>
{% elif error %}<p class="bad">{{ error }}</p>{% endif %}
<form method="get"><p><label>证明编号 <input name="number" value="{{ number }}"></label></p>
<p><label>验证码 <input name="code" value="{{ code }}"></label></p>
<p><button type="submit">核验</button></p></form></body></html>"""


@page.route("/verify", methods=["GET"])
@limiter.limit(_verify_limit)
def verify_page():
    """The page the QR code opens: the same check as /api/v1/certificates/verify, as HTML."""
    number = request.args.get("number", "")[:32]
    code = request.args.get("code", "")[:40]
    result = error = None
    status = 200
    if number and code:
        try:
            result = VerificationSchema().dump(service.verify(number, code))
        except AppError as refusal:
            error, status = refusal.message, refusal.status
    return render_template_string(VERIFY_PAGE, result=result, error=error, number=number,
                                  code=code), status
