"""Shared bits for the pledges tests: tiny generated images, counting rows."""

from __future__ import annotations

import base64
import io

import sqlalchemy as sa
from PIL import Image

from server.extensions import db


def image_b64(fmt: str = "PNG", size: tuple[int, int] = (40, 20), color: str = "black") -> str:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return base64.b64encode(buffer.getvalue()).decode()


def count(model, **where) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(model).filter_by(**where)
    )
