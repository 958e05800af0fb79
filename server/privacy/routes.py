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
    """个人信息保护指引（公开）

    说明保存的每一类个人信息、用途和保存期限。
    """
    return guide()


@blp.route("/me/privacy", methods=["GET"])
@blp.response(200, SummarySchema)
def my_information():
    """我的个人信息

    列出保存的关于我的每一类个人信息及记录条数。
    """
    return service.summary(current_principal())


@blp.route("/me/privacy/export", methods=["GET"])
@blp.response(200, ZIP_BODY, content_type="application/zip")
def export_my_information():
    """导出我的个人信息

    把关于我的全部信息打包为一个 zip：data.json、data.xlsx 和我的图片。
    """
    content, filename = service.export_my_data(current_principal())
    return send_file(io.BytesIO(content), mimetype="application/zip", as_attachment=True,
                     download_name=filename)


@blp.route("/me/privacy/corrections", methods=["GET"])
@blp.response(200, CorrectionSchema(many=True))
def corrections():
    """更正我的个人信息

    说明哪些信息我可以自己更正，其余的如何申请更正。
    """
    return service.corrections(current_principal())


@blp.route("/me/privacy/consents", methods=["GET"])
@blp.response(200, ConsentSchema(many=True))
def consents():
    """我的授权同意

    列出我的各项同意，以及每项现在的作用和撤回后的影响。
    """
    return service.consents(current_principal())


@blp.route("/me/privacy/consents/<string:kind>", methods=["POST"])
@blp.arguments(ConsentInSchema)
@blp.response(200, ConsentSchema(many=True))
def set_consent(body, kind):
    """给予或撤回同意

    给予或撤回一项同意（`location` | `public_boards`），立即生效。
    """
    return service.set_consent(current_principal(), kind, body["granted"])


@blp.route("/me/account-deletion", methods=["GET"])
@blp.response(200, DeletionSchema)
def deletion_state():
    """注销账号：查看状态

    返回我的注销申请（如有），以及注销会删除和保留哪些信息。
    """
    return service.deletion_state(current_principal())


@blp.route("/me/account-deletion", methods=["POST"])
@blp.response(200, DeletionSchema)
def request_deletion():
    """注销账号第一步：申请

    申请注销账号；再次申请时返回同一申请。
    """
    return service.request_deletion(current_principal())


@blp.route("/me/account-deletion/confirm", methods=["POST"])
@blp.arguments(DeletionConfirmSchema)
@blp.response(200, DeletionSchema)
def confirm_deletion(body):
    """注销账号第二步：确认

    输入确认语句确认注销；冷静期过后删除数据。
    """
    return service.confirm_deletion(current_principal(), body["confirm"])


@blp.route("/me/account-deletion/cancel", methods=["POST"])
@blp.response(200, DeletionSchema)
def cancel_deletion():
    """撤销注销申请

    在注销执行之前随时可以撤销。
    """
    return service.cancel_deletion(current_principal())
