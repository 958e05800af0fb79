"""Certificates as the API accepts and shows them."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from server.certificates.pdf import hours_text
from server.schemas import Id, LocalDateTime, StrictSchema

ID_LAST4 = validate.Regexp(r"^[0-9]{3}[0-9Xx]$", error="请填写证件号码的后四位")


class PeriodSchema(StrictSchema):
    """Omit both dates for all of the member's service up to today."""

    period_start = fields.Date(load_default=None, allow_none=True)
    period_end = fields.Date(load_default=None, allow_none=True)
    community_id = Id(load_default=None, allow_none=True,
                      metadata={"description": "出具证明的社区；默认为报到社区"})


class CertificateRequestSchema(PeriodSchema):
    # only when the member chooses to show it, and says why (最小必要、单独同意)
    id_last4 = fields.String(load_default=None, allow_none=True, validate=ID_LAST4)
    id_reason = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(min=1, max=200))
    id_consent = fields.Boolean(load_default=False)


class CertificateRecordSchema(Schema):
    date = fields.String()
    activity = fields.String()
    place = fields.String()
    organiser = fields.String()
    hours = fields.String()


class CertificateSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    member_id = fields.Integer()
    community_id = fields.Integer()
    issuer_name = fields.String()
    # the name as the certificate states it (only its holder and the issuing staff see one)
    holder_name = fields.Function(lambda c: (c.snapshot or {}).get("holder_name"))
    period_start = fields.Date(allow_none=True)
    period_end = fields.Date()
    total_hours = fields.Function(lambda c: hours_text(c.total_hours_centi))
    record_count = fields.Integer()
    records = fields.Function(
        lambda c: CertificateRecordSchema(many=True).dump((c.snapshot or {}).get("records", []))
    )
    shows_id_last4 = fields.Function(lambda c: c.id_last4 is not None)
    issued_on = fields.Date()
    issued_at = LocalDateTime()
    status = fields.String()
    revoked_at = LocalDateTime(allow_none=True)
    revoke_reason = fields.String(allow_none=True)
    pdf_available = fields.Function(lambda c: c.pdf is not None)


class CertificateListQuerySchema(StrictSchema):
    member_id = Id()


class IssuerSchema(Schema):
    community_id = fields.Integer()
    party_org_name = fields.String()


class IssuerInSchema(StrictSchema):
    party_org_name = fields.String(required=True, validate=validate.Length(min=2, max=100))


class VerifyQuerySchema(StrictSchema):
    number = fields.String(required=True, validate=validate.Length(min=1, max=32))
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))


class VerificationSchema(Schema):
    genuine = fields.Boolean()
    number = fields.String()
    holder = fields.String(metadata={"description": "持证人姓名（部分隐去）"})
    total_hours = fields.String()
    issuer = fields.String()
    issued_on = fields.Date()
    revoked = fields.Boolean()
