"""Demo data for pledges: this year's template per demo community and some signed pledges."""

from __future__ import annotations

import io
from collections.abc import Callable

import sqlalchemy as sa
from PIL import Image, ImageDraw

from server.extensions import db
from server.members.models import Community, Member
from server.pledges import images
from server.pledges.models import STANDARD_ITEMS, Pledge, PledgeTemplate
from server.pledges.registered import current_year
from server.timeutil import utcnow


def _signature_png() -> bytes:
    """A tiny generated 'hand-drawn' stroke."""
    image = Image.new("L", (120, 40), 255)
    ImageDraw.Draw(image).line([(5, 30), (30, 8), (60, 32), (90, 10), (115, 28)], fill=0, width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def seed(log: Callable[[str], None] = print) -> None:
    year = current_year()
    data = _signature_png()
    fmt, width, height = images.check_image(data, images.signature_limits(), "signature")
    signature = images.store_image(data, fmt, width, height)
    for community in db.session.scalars(sa.select(Community).order_by(Community.id)):
        template = db.session.scalar(
            sa.select(PledgeTemplate).filter_by(
                community_id=community.id, year=year, title="在职党员包楼栋承诺书"
            )
        )
        if template is None:
            template = PledgeTemplate(
                community_id=community.id,
                year=year,
                title="在职党员包楼栋承诺书",
                items=[*STANDARD_ITEMS, "垃圾分类督导"],
            )
            db.session.add(template)
            db.session.flush()
        members = db.session.scalars(
            sa.select(Member)
            .where(Member.community_id == community.id, Member.building_id.is_not(None))
            .order_by(Member.id)
            .limit(15)
        )
        signed = 0
        for index, member in enumerate(members):
            exists = db.session.scalar(
                sa.select(Pledge.id).filter_by(
                    member_id=member.id, building_id=member.building_id, year=year
                )
            )
            if exists is not None:
                continue
            db.session.add(
                Pledge(
                    member_id=member.id,
                    community_id=community.id,
                    building_id=member.building_id,
                    template_id=template.id,
                    year=year,
                    items=template.items[index % 4 : index % 4 + 2],
                    own_words="发挥党员先锋作用，守护楼栋平安整洁",
                    signature_sha256=signature,
                    signed_at=utcnow(),
                )
            )
            signed += 1
        db.session.flush()
        log(f"承诺书 {community.name}: 新签署 {signed} 份")
