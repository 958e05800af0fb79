"""Rows the member-rights tests need: activities and approved hours records with the MCA
fields filled in, paid into the points ledger the way the activities area does it."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from pypdf import PdfReader

from server import events
from server.activities.models import Activity, HoursRecord
from server.extensions import db
from server.timeutil import LOCAL_TZ


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
    """A new approved record for (member, activity), superseding the previous one."""
    previous = db.session.scalar(sa.select(HoursRecord).filter_by(
        member_id=member_id, activity_id=act.id, status="approved"))
    if previous is not None:
        previous.status = "superseded"
        db.session.flush()
    record = HoursRecord(
        member_id=member_id, activity_id=act.id, community_id=act.community_id,
        category=act.category, hours=Decimal(str(hours)),
        service_date=act.starts_at.astimezone(LOCAL_TZ).date(),
        source="clockin" if previous is None else "corrected", status="approved",
        activity_name=act.title, place=act.address, organiser=act.organiser,
        leader=act.leader_name, supersedes_id=previous.id if previous else None,
    )
    db.session.add(record)
    db.session.flush()
    events.hours_record_finalised.send(
        record, previous_hours=previous.hours if previous is not None else None)
    if commit:
        db.session.commit()
    return record


def pdf_text(content: bytes) -> str:
    """The text a person could copy out of the PDF, without the spacing the extractor adds.

    fpdf2 maps codes to CIDs of a CID-keyed CFF font with an embedded encoding CMap; pypdf reads
    that CMap's two-byte codes as one-byte ones and puts a NUL before each character (poppler's
    pdftotext reads the same file exactly), so the NULs are dropped here.
    """
    reader = PdfReader(io.BytesIO(content))
    return "".join("".join(page.extract_text().replace("\x00", "").split())
                   for page in reader.pages)
