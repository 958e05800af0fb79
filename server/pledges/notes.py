"""Fulfilment notes (践诺记录): a member records what they did for a pledge; staff verify
(and the points area awards, once) or return it for correction."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_smorest.pagination import PaginationParameters
from sqlalchemy.orm import selectinload

from server import events
from server.audit import service as audit
from server.auth.scope import Principal, can_manage_building, staff_grid_scope
from server.database import lock_row
from server.errors import conflict, invalid, not_found
from server.extensions import db
from server.members.models import Building
from server.pagination import paginate
from server.pledges import images
from server.pledges.models import NoteStatus, Pledge, PledgeNote, PledgeNotePhoto, PledgeStatus
from server.timeutil import utcnow

MAX_PHOTOS = 3


def _accept_photos(photos: list[str]) -> list[str]:
    if len(photos) > MAX_PHOTOS:
        raise invalid(
            "too_many_photos",
            f"每条践诺记录最多上传{MAX_PHOTOS}张照片",
            {"fields": {"photos": f"最多{MAX_PHOTOS}张"}},
        )
    limits = images.photo_limits()
    return [images.accept_image(photo, limits, f"photos.{i}") for i, photo in enumerate(photos)]


def _set_photos(note: PledgeNote, hashes: list[str]) -> None:
    note.photos.clear()
    db.session.flush()
    for position, sha in enumerate(hashes):
        note.photos.append(PledgeNotePhoto(position=position, image_sha256=sha))


def create_note(
    principal: Principal, pledge_id: int, data: dict[str, Any]
) -> tuple[PledgeNote, bool]:
    pledge = db.session.get(Pledge, pledge_id)
    if pledge is None or principal.member_id != pledge.member_id:
        raise not_found("承诺")
    _require_active(pledge)
    content = data["content"].strip()
    if not content:
        raise invalid("note_empty", "请填写践诺内容", {"fields": {"content": "不能为空"}})
    hashes = _accept_photos(data.get("photos", []))
    lock_row(Pledge, pledge.id)
    # a retry without an Idempotency-Key: the same words and photos are the same note
    for note in db.session.scalars(
        sa.select(PledgeNote).filter_by(
            pledge_id=pledge.id, status=NoteStatus.SUBMITTED, content=content
        )
    ):
        if [p.image_sha256 for p in note.photos] == hashes:
            return note, False
    note = PledgeNote(
        pledge_id=pledge.id,
        member_id=pledge.member_id,
        community_id=pledge.community_id,
        building_id=pledge.building_id,
        content=content,
        status=NoteStatus.SUBMITTED,
    )
    db.session.add(note)
    _set_photos(note, hashes)
    db.session.flush()
    return note, True


def _require_active(pledge: Pledge) -> None:
    """Every step of a note needs its pledge in force: a withdrawn pledge earns nothing."""
    if pledge.status != PledgeStatus.ACTIVE:
        raise conflict("pledge_withdrawn", "该承诺已撤回，请重新签署后再记录践诺情况")


def resubmit_note(principal: Principal, note_id: int, data: dict[str, Any]) -> PledgeNote:
    """A returned note, corrected by its member, goes back for review (only a returned note,
    and only while its pledge is in force)."""
    note = db.session.get(PledgeNote, note_id)
    if note is None or principal.member_id != note.member_id:
        raise not_found("践诺记录")
    if note.status == NoteStatus.VERIFIED:
        raise conflict("note_already_verified", "该践诺记录已核实，不能再修改")
    if note.status != NoteStatus.RETURNED:
        raise conflict("note_not_returned", "该践诺记录正在审核中，只有被退回的记录可以修改")
    _require_active(lock_row(Pledge, note.pledge_id))  # a withdrawal waits for this step
    content = data["content"].strip()
    if not content:
        raise invalid("note_empty", "请填写践诺内容", {"fields": {"content": "不能为空"}})
    hashes = _accept_photos(data.get("photos", []))
    note.content = content
    _set_photos(note, hashes)
    note.status = NoteStatus.SUBMITTED
    note.return_reason = None
    db.session.flush()
    return note


def get_note(principal: Principal, note_id: int) -> PledgeNote:
    """The member who wrote it, and staff looking after its building."""
    note = db.session.get(PledgeNote, note_id)
    if note is None:
        raise not_found("践诺记录")
    if principal.member_id == note.member_id:
        return note
    building = db.session.get(Building, note.building_id)
    if not can_manage_building(principal, building):
        raise not_found("践诺记录")
    return note


def note_photo(principal: Principal, note_id: int, position: int):
    note = get_note(principal, note_id)
    for photo in note.photos:
        if photo.position == position:
            return images.image_bytes(photo.image_sha256)
    raise not_found("照片")


# what NoteSchema and StaffNoteSchema show beside the row, loaded for a whole page at once
_NOTE_SHOWN = (selectinload(PledgeNote.member), selectinload(PledgeNote.photos))


def my_notes(principal: Principal, pages: PaginationParameters) -> list[PledgeNote]:
    """The caller's notes, newest first."""
    member_id = principal.member_id or -1
    statement = (
        sa.select(PledgeNote)
        .where(PledgeNote.member_id == member_id)
        .order_by(PledgeNote.id.desc())
    )
    return paginate(statement.options(*_NOTE_SHOWN), pages)


def community_notes(
    principal: Principal, community_id: int, query: dict[str, Any], pages: PaginationParameters
) -> list[PledgeNote]:
    """The community's notes (a grid worker: their grids), for review by staff."""
    status = query.get("status")
    grids = staff_grid_scope(principal, community_id)
    statement = sa.select(PledgeNote).where(PledgeNote.community_id == community_id)
    if grids is not None:
        statement = statement.where(
            PledgeNote.building_id.in_(sa.select(Building.id).where(Building.grid_id.in_(grids)))
        )
    if status is not None:
        statement = statement.where(PledgeNote.status == status)
    return paginate(statement.order_by(PledgeNote.id).options(*_NOTE_SHOWN), pages)


def _staff_note(principal: Principal, note_id: int) -> PledgeNote:
    note = db.session.get(PledgeNote, note_id)
    if note is None or not can_manage_building(
        principal, db.session.get(Building, note.building_id)
    ):
        raise not_found("践诺记录")
    return lock_row(PledgeNote, note.id)


# what staff may not do to a note in each state: (state, outcome) → the refusal
_NOT_REVIEWABLE = {
    (NoteStatus.RETURNED, NoteStatus.VERIFIED):
        ("note_returned", "该践诺记录已退回，待党员修改后再审核"),
    (NoteStatus.VERIFIED, NoteStatus.RETURNED):
        ("note_already_verified", "该践诺记录已核实，不能退回"),
    (NoteStatus.RETURNED, NoteStatus.RETURNED):
        ("note_returned", "该践诺记录已退回，待党员修改后再审核"),
}


def _review(
    principal: Principal, note_id: int, outcome: str, reason: str | None
) -> tuple[PledgeNote, bool]:
    """Staff verify (核实) or return (退回, with a reason) a submitted note; the same decision
    sent again returns the note unchanged (and False: nothing changed)."""
    note = _staff_note(principal, note_id)
    if note.status == outcome and (outcome == NoteStatus.VERIFIED or note.return_reason == reason):
        return note, False  # a repeat
    if note.status != NoteStatus.SUBMITTED:
        raise conflict(*_NOT_REVIEWABLE[(note.status, outcome)])
    _require_active(lock_row(Pledge, note.pledge_id))  # a withdrawal waits for this step
    note.status = outcome
    if outcome == NoteStatus.RETURNED:
        note.return_reason = reason
    note.reviewed_at = utcnow()
    note.reviewed_by_user_id = principal.user_id
    db.session.flush()
    action = "verify" if outcome == NoteStatus.VERIFIED else "return"
    audit.record(
        principal.user_id,
        f"pledge_note.{action}",
        "pledge_note",
        note.id,
        community_id=note.community_id,
        before={"status": NoteStatus.SUBMITTED},
        after={"status": outcome},
        reason=reason,
    )
    return note, True


def verify_note(principal: Principal, note_id: int) -> PledgeNote:
    """Staff confirm the member did it; the points area awards from the signal, once."""
    note, changed = _review(principal, note_id, NoteStatus.VERIFIED, None)
    if changed:
        events.pledge_note_verified.send(note)
    return note


def return_note(principal: Principal, note_id: int, reason: str) -> PledgeNote:
    """Staff send a note back to its member with a reason, to correct and resubmit."""
    return _review(principal, note_id, NoteStatus.RETURNED, reason)[0]
