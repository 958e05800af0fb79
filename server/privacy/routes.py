"""/api/v1/privacy/guide and /api/v1/me/privacy…: 查阅、复制、更正、撤回同意、注销账号."""

from __future__ import annotations

import io

from flask import send_file
from flask_smorest import Blueprint

from server.auth.scope import current_principal
from server.privacy import service
from server.privacy.guide import guide
from server.privacy.schemas import (
    ConsentInSchema,
    ConsentSchema,
    CorrectionSchema,
    DeletionConfirmSchema,
    DeletionSchema,
    GuideSchema,
    SummarySchema,
)

blp = Blueprint("privacy", __name__, url_prefix="/api/v1",
                description="个人信息：查阅、复制、更正、撤回同意、注销账号")

PUBLIC = [{}]
ZIP_BODY = {"format": "binary", "type": "string"}


@blp.route("/privacy/guide", methods=["GET"])
@blp.doc(security=PUBLIC)
@blp.response(200, GuideSchema)
def privacy_guide():
    """The privacy guide: every kind of personal information held, why, and for how long."""
    return guide()


@blp.route("/me/privacy", methods=["GET"])
@blp.response(200, SummarySchema)
def my_information():
    """「我的个人信息」: each kind held about me, with how many records."""
    return service.summary(current_principal())


@blp.route("/me/privacy/export", methods=["GET"])
@blp.response(200, ZIP_BODY, content_type="application/zip")
def export_my_information():
    """Everything held about me as one zip: data.json, data.xlsx and my images."""
    content, filename = service.export_my_data(current_principal())
    return send_file(io.BytesIO(content), mimetype="application/zip", as_attachment=True,
                     download_name=filename)


@blp.route("/me/privacy/corrections", methods=["GET"])
@blp.response(200, CorrectionSchema(many=True))
def corrections():
    """What I may correct myself, and how to ask for the rest."""
    return service.corrections(current_principal())


@blp.route("/me/privacy/consents", methods=["GET"])
@blp.response(200, ConsentSchema(many=True))
def consents():
    """My consents, and what each does now and would do withdrawn."""
    return service.consents(current_principal())


@blp.route("/me/privacy/consents/<string:kind>", methods=["POST"])
@blp.arguments(ConsentInSchema)
@blp.response(200, ConsentSchema(many=True))
def set_consent(body, kind):
    """Give or withdraw a consent (location | public_boards), effective at once."""
    return service.set_consent(current_principal(), kind, body["granted"])


@blp.route("/me/account-deletion", methods=["GET"])
@blp.response(200, DeletionSchema)
def deletion_state():
    """My deletion request, if any, and what deleting the account removes and keeps."""
    return service.deletion_state(current_principal())


@blp.route("/me/account-deletion", methods=["POST"])
@blp.response(200, DeletionSchema)
def request_deletion():
    """Step 1 of 注销: ask (asking again returns the same request)."""
    return service.request_deletion(current_principal())


@blp.route("/me/account-deletion/confirm", methods=["POST"])
@blp.arguments(DeletionConfirmSchema)
@blp.response(200, DeletionSchema)
def confirm_deletion(body):
    """Step 2: confirm with the phrase; removal follows after the cooling-off period."""
    return service.confirm_deletion(current_principal(), body["confirm"])


@blp.route("/me/account-deletion/cancel", methods=["POST"])
@blp.response(200, DeletionSchema)
def cancel_deletion():
    """Cancel the deletion at any time before it is carried out."""
    return service.cancel_deletion(current_principal())
