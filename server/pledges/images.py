"""Checking and storing the images members send: hand-drawn signatures and note photos.

Images arrive base64-encoded inside the JSON body (one transport for the whole API, so the
Idempotency-Key covers them too). Each is decoded, checked with Pillow to be a real image of
an allowed format within the configured byte and pixel limits, and stored once by sha256.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import warnings
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from PIL import Image, UnidentifiedImageError

from server.database import insert_or_ignore
from server.errors import invalid
from server.extensions import db
from server.pledges.models import PledgeImage
from server.timeutil import utcnow

CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}


@dataclass(frozen=True)
class ImageLimits:
    formats: tuple[str, ...]
    max_bytes: int
    max_pixels: int
    label: str  # what the member calls it: 签名 / 照片


def signature_limits() -> ImageLimits:
    config = current_app.config
    return ImageLimits(
        ("PNG",),
        config["PLEDGES_SIGNATURE_MAX_BYTES"],
        config["PLEDGES_SIGNATURE_MAX_PIXELS"],
        "签名",
    )


def photo_limits() -> ImageLimits:
    config = current_app.config
    return ImageLimits(
        ("JPEG", "PNG"),
        config["PLEDGES_PHOTO_MAX_BYTES"],
        config["PLEDGES_PHOTO_MAX_PIXELS"],
        "照片",
    )


def decode_base64(value: str, field: str, label: str) -> bytes:
    """Accepts plain base64 or a data URL (data:image/png;base64,...)."""
    if value.startswith("data:") and "," in value:
        value = value.split(",", 1)[1]
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        raise invalid(
            "image_not_base64",
            f"{label}数据格式有误，请重新上传",
            {"fields": {field: "不是有效的base64"}},
        ) from None


def check_image(data: bytes, limits: ImageLimits, field: str) -> tuple[str, int, int]:
    """(format, width, height) of a real image within `limits`; else a 422 the member can act on."""
    label = limits.label
    if not data:
        raise invalid("image_empty", f"{label}为空，请重新上传", {"fields": {field: "为空"}})
    if len(data) > limits.max_bytes:
        raise invalid(
            "image_too_large",
            f"{label}文件过大，请压缩后重试",
            {"fields": {field: "文件过大"}, "max_bytes": limits.max_bytes},
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                fmt, (width, height) = image.format, image.size
                if fmt not in limits.formats:
                    raise invalid(
                        "image_wrong_format",
                        f"{label}格式不支持，请上传 {'/'.join(limits.formats)} 图片",
                        {"fields": {field: "格式不支持"}, "allowed": list(limits.formats)},
                    )
                if width * height > limits.max_pixels:
                    raise invalid(
                        "image_too_many_pixels",
                        f"{label}尺寸过大，请缩小后重试",
                        {"fields": {field: "尺寸过大"}, "max_pixels": limits.max_pixels},
                    )
            # verify() checks the whole file (CRCs, truncation); it needs a fresh image
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise invalid(
            "image_invalid",
            f"{label}不是有效的图片，请重新上传",
            {"fields": {field: "不是有效的图片"}},
        ) from None
    return fmt, width, height


def store_image(data: bytes, fmt: str, width: int, height: int) -> str:
    """Store once by content hash (a concurrent duplicate is a no-op); returns the sha256."""
    digest = hashlib.sha256(data).hexdigest()
    if db.session.get(PledgeImage, digest) is not None:
        return digest
    values = {
        "sha256": digest,
        "content_type": CONTENT_TYPES[fmt],
        "size": len(data),
        "width": width,
        "height": height,
        "data": data,
    }
    values["created_at"] = utcnow()
    db.session.execute(insert_or_ignore(PledgeImage, values))
    return digest


def accept_image(value: str, limits: ImageLimits, field: str) -> str:
    data = decode_base64(value, field, limits.label)
    fmt, width, height = check_image(data, limits, field)
    return store_image(data, fmt, width, height)


def image_bytes(sha256: str) -> PledgeImage | None:
    return db.session.scalar(sa.select(PledgeImage).where(PledgeImage.sha256 == sha256))
