"""Rows the member-rights tests need: activities and approved hours records with the MCA
fields filled in, paid into the points ledger the way the activities area does it."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

from pypdf import PdfReader

from server.activities.models import Activity, HoursRecord
from server.extensions import db
from server.timeutil import LOCAL_TZ
from tests.points import helpers as points_helpers


def activity(community_id: int, day: date, title: str = "楼道环境清理",
             place: str = "幸福里3号楼", organiser: str = "幸福里社区党委", **fields) -> Activity:
    starts = datetime.combine(day, time(9), tzinfo=LOCAL_TZ)
    row = Activity(community_id=community_id, title=title, category="environment",
                   address=place, organiser=organiser, starts_at=starts,
                   ends_at=starts + timedelta(hours=3), status="ended", **fields)
    db.session.add(row)
    db.session.commit()
    return row


def approve_hours(member_id: int, act: Activity, hours, commit: bool = True) -> HoursRecord:
    """An approved record as a clock-out makes it (superseding the previous one)."""
    return points_helpers.approve_hours(member_id, act, hours, commit, source="clockin")


def pdf_text(content: bytes) -> str:
    """The text a person could copy out of the PDF, without the spacing the extractor adds.

    fpdf2 maps codes to CIDs of a CID-keyed CFF font with an embedded encoding CMap; pypdf reads
    that CMap's two-byte codes as one-byte ones and puts a NUL before each character (poppler's
    pdftotext reads the same file exactly), so the NULs are dropped here.
    """
    reader = PdfReader(io.BytesIO(content))
    return "".join("".join(page.extract_text().replace("\x00", "").split())
                   for page in reader.pages)
