"""Building-contract pledges (包楼栋承诺): templates, signing, building heads, the public board,
fulfilment notes (践诺记录) and coverage. The fixed party day lives in `party_day.py`."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from server import events
from server.audit.service import record as audit
from server.auth.scope import (
    COMMUNITY_MANAGERS,
    Principal,
    can_manage_building,
    require_community,
    require_community_reader,
    staff_grid_scope,
)
from server.database import lock_row
from server.errors import AppError, conflict, invalid, not_found
from server.extensions import db
from server.members.models import Building, Community, Grid, Member, Registration
from server.members.models import RegistrationStatus as RS
from server.pledges import images
from server.pledges.models import (
    STANDARD_ITEMS,
    BuildingHead,
    NoteStatus,
    Pledge,
    PledgeNote,
    PledgeNotePhoto,
    PledgeStatus,
    PledgeTemplate,
    ResponsibilityArea,
)
from server.timeutil import local_today, utcnow

MAX_PHOTOS = 3


def current_year() -> int:
    return local_today().year


def approved_members_clause(community_id: int) -> sa.ColumnElement[bool]:
    """Members whose approved registration (报到) is with this community."""
    return Member.id.in_(
        sa.select(Registration.member_id).where(
            Registration.community_id == community_id, Registration.status == RS.APPROVED
        )
    )


def require_registered_member(principal: Principal) -> Member:
    """The caller as a member with an approved registration; else 403 telling them to report."""
    member = principal.member
    if (
        member is None
        or member.community_id is None
        or db.session.scalar(
            sa.select(Registration.id).where(
                Registration.member_id == member.id,
                Registration.community_id == member.community_id,
                Registration.status == RS.APPROVED,
            )
        )
        is None
    ):
        raise AppError(403, "registration_required", "请先到社区报到并通过审核后再操作")
    return member


# --- templates (承诺书) ----------------------------------------------------------------


def _clean_items(items: list[str]) -> list[str]:
    seen: list[str] = []
    for item in items:
        item = item.strip()
        if item and item not in seen:
            seen.append(item)
    return seen


def create_template(
    principal: Principal, community_id: int, data: dict[str, Any]
) -> tuple[PledgeTemplate, bool]:
    """A community's pledge template for a year; the same title and year again returns it."""
    require_community(principal, community_id)
    lock_row(Community, community_id)
    existing = db.session.scalar(
        sa.select(PledgeTemplate).filter_by(
            community_id=community_id, year=data["year"], title=data["title"]
        )
    )
    items = _clean_items(data.get("items") or STANDARD_ITEMS)
    if existing is not None:
        if existing.items != items:
            raise conflict(
                "template_exists",
                "该年度已有同名承诺书，如需修改事项请编辑原承诺书",
                {"template_id": existing.id},
            )
        return existing, False
    template = PledgeTemplate(
        community_id=community_id,
        year=data["year"],
        title=data["title"],
        items=items,
        created_by_user_id=principal.user_id,
    )
    db.session.add(template)
    db.session.flush()
    audit(
        principal.user_id,
        "pledge_template.create",
        "pledge_template",
        template.id,
        community_id=community_id,
        after={"year": template.year, "title": template.title, "items": items},
    )
    return template, True


def update_template(principal: Principal, template_id: int, data: dict[str, Any]) -> PledgeTemplate:
    template = db.session.get(PledgeTemplate, template_id)
    if template is None or template.community_id not in principal.community_ids(COMMUNITY_MANAGERS):
        raise not_found("承诺书")
    before = {"title": template.title, "items": list(template.items)}
    if "title" in data:
        template.title = data["title"]
    if "items" in data:
        template.items = _clean_items(data["items"])
    audit(
        principal.user_id,
        "pledge_template.update",
        "pledge_template",
        template.id,
        community_id=template.community_id,
        before=before,
        after={"title": template.title, "items": list(template.items)},
    )
    db.session.flush()
    return template


def list_templates(principal: Principal, community_id: int, year: int | None) -> list:
    require_community_reader(principal, community_id)
    statement = sa.select(PledgeTemplate).filter_by(community_id=community_id)
    if year is not None:
        statement = statement.filter_by(year=year)
    return list(
        db.session.scalars(statement.order_by(PledgeTemplate.year.desc(), PledgeTemplate.id))
    )


# --- responsibility areas (责任区) -------------------------------------------------------


def assign_area(
    principal: Principal, community_id: int, member_id: int, building_id: int
) -> tuple[ResponsibilityArea, bool]:
    require_community(principal, community_id)
    building = db.session.get(Building, building_id)
    if building is None or building.community_id != community_id:
        raise invalid(
            "building_not_in_community",
            "所选楼栋不属于该社区",
            {"fields": {"building_id": "不属于该社区"}},
        )
    member = db.session.scalar(
        sa.select(Member).where(Member.id == member_id, approved_members_clause(community_id))
    )
    if member is None:
        raise invalid(
            "member_not_in_community",
            "该党员未在本社区报到",
            {"fields": {"member_id": "未在本社区报到"}},
        )
    lock_row(Member, member_id)
    existing = db.session.scalar(
        sa.select(ResponsibilityArea).filter_by(member_id=member_id, building_id=building_id)
    )
    if existing is not None:
        return existing, False
    area = ResponsibilityArea(
        community_id=community_id,
        building_id=building_id,
        member_id=member_id,
        assigned_by_user_id=principal.user_id,
    )
    db.session.add(area)
    db.session.flush()
    audit(
        principal.user_id,
        "responsibility_area.assign",
        "responsibility_area",
        area.id,
        community_id=community_id,
        after={"member_id": member_id, "building_id": building_id},
    )
    return area, True


def remove_area(principal: Principal, area_id: int) -> None:
    area = db.session.get(ResponsibilityArea, area_id)
    if area is None or area.community_id not in principal.community_ids(COMMUNITY_MANAGERS):
        raise not_found("责任区")
    audit(
        principal.user_id,
        "responsibility_area.remove",
        "responsibility_area",
        area.id,
        community_id=area.community_id,
        before={"member_id": area.member_id, "building_id": area.building_id},
    )
    db.session.delete(area)
    db.session.flush()


def list_areas(principal: Principal, community_id: int) -> list[ResponsibilityArea]:
    require_community(principal, community_id)
    return list(
        db.session.scalars(
            sa.select(ResponsibilityArea)
            .filter_by(community_id=community_id)
            .order_by(ResponsibilityArea.id)
        )
    )


def my_buildings(member: Member) -> list[Building]:
    """The buildings a member may pledge for: their own and their responsibility areas."""
    ids = [member.building_id] if member.building_id else []
    ids += list(
        db.session.scalars(
            sa.select(ResponsibilityArea.building_id).where(
                ResponsibilityArea.member_id == member.id,
                ResponsibilityArea.community_id == member.community_id,
            )
        )
    )
    buildings = db.session.scalars(sa.select(Building).where(Building.id.in_(ids)))
    return sorted(buildings, key=lambda b: ids.index(b.id))


# --- pledges ----------------------------------------------------------------------------


def sign_pledge(principal: Principal, data: dict[str, Any]) -> tuple[Pledge, bool]:
    """Sign (or re-sign after withdrawing) this year's pledge for a building.

    Returns (pledge, created). The same signature again returns the pledge unchanged."""
    member = require_registered_member(principal)
    template = db.session.get(PledgeTemplate, data["template_id"])
    if template is None or template.community_id != member.community_id:
        raise not_found("承诺书")
    year = current_year()
    if template.year != year:
        raise invalid(
            "template_not_current",
            f"请使用{year}年度的承诺书签署",
            {"fields": {"template_id": "不是本年度的承诺书"}},
        )
    building_id = data.get("building_id") or member.building_id
    if building_id not in {b.id for b in my_buildings(member)}:
        raise invalid(
            "building_not_assigned",
            "只能为自己居住的楼栋或社区分配的责任区楼栋签署承诺",
            {"fields": {"building_id": "不是您的楼栋或责任区"}},
        )
    items = _clean_items(data["items"])
    unknown = [item for item in items if item not in template.items]
    if unknown or not items:
        raise invalid(
            "pledge_items_invalid",
            "请从承诺书的事项中选择承诺内容",
            {
                "fields": {"items": "包含承诺书以外的事项" if unknown else "至少选择一项"},
                "unknown": unknown,
            },
        )
    items = [item for item in template.items if item in items]
    own_words = data.get("own_words", "").strip()
    signature = images.accept_image(
        data["signature_png_base64"], images.signature_limits(), "signature_png_base64"
    )

    lock_row(Member, member.id)
    pledge = db.session.scalar(
        sa.select(Pledge).filter_by(member_id=member.id, building_id=building_id, year=year)
    )
    content = (template.id, items, own_words, signature)
    if pledge is not None and pledge.status == PledgeStatus.ACTIVE:
        if (pledge.template_id, pledge.items, pledge.own_words, pledge.signature_sha256) == content:
            return pledge, False
        raise conflict(
            "pledge_already_signed",
            "您今年已为该楼栋签署承诺；如需修改，请先撤回后重新签署",
            {"pledge_id": pledge.id},
        )
    if pledge is None:
        pledge = Pledge(member_id=member.id, building_id=building_id, year=year)
        db.session.add(pledge)
    pledge.community_id = member.community_id
    pledge.template_id, pledge.items, pledge.own_words, pledge.signature_sha256 = content
    pledge.status = PledgeStatus.ACTIVE
    pledge.signed_at = utcnow()
    pledge.withdrawn_at = None
    db.session.flush()
    return pledge, True


def withdraw_pledge(principal: Principal, pledge_id: int) -> Pledge:
    pledge = db.session.get(Pledge, pledge_id)
    if pledge is None or principal.member_id != pledge.member_id:
        raise not_found("承诺")
    if pledge.status == PledgeStatus.WITHDRAWN:
        return pledge
    pledge.status = PledgeStatus.WITHDRAWN
    pledge.withdrawn_at = utcnow()
    head = db.session.scalar(
        sa.select(BuildingHead).filter_by(
            building_id=pledge.building_id, member_id=pledge.member_id
        )
    )
    if head is not None:  # a building head is one of the building's pledged members
        audit(
            principal.user_id,
            "building_head.end_by_withdrawal",
            "building_head",
            head.id,
            community_id=head.community_id,
            before={"member_id": head.member_id},
        )
        db.session.delete(head)
    db.session.flush()
    return pledge


def my_pledges(principal: Principal) -> list[Pledge]:
    if principal.member is None:
        return []
    return list(
        db.session.scalars(
            sa.select(Pledge)
            .filter_by(member_id=principal.member.id)
            .order_by(Pledge.year.desc(), Pledge.id.desc())
        )
    )


def get_pledge(principal: Principal, pledge_id: int) -> Pledge:
    """The owner, and staff looking after the building, may read a pledge."""
    pledge = db.session.get(Pledge, pledge_id)
    if pledge is None or not (
        principal.member_id == pledge.member_id or can_manage_building(principal, pledge.building)
    ):
        raise not_found("承诺")
    return pledge


def community_pledges_query(
    principal: Principal,
    community_id: int,
    year: int | None,
    building_id: int | None,
    status: str | None,
) -> sa.Select:
    grids = staff_grid_scope(principal, community_id)
    statement = sa.select(Pledge).where(
        Pledge.community_id == community_id, Pledge.year == (year or current_year())
    )
    if grids is not None:
        statement = statement.where(
            Pledge.building_id.in_(sa.select(Building.id).where(Building.grid_id.in_(grids)))
        )
    if building_id is not None:
        statement = statement.where(Pledge.building_id == building_id)
    if status is not None:
        statement = statement.where(Pledge.status == status)
    return statement.order_by(Pledge.building_id, Pledge.id)


def signature_of(principal: Principal, pledge_id: int):
    pledge = get_pledge(principal, pledge_id)
    return images.image_bytes(pledge.signature_sha256)


# --- building heads (楼栋长) and the public board -------------------------------------------


def _managed_building(principal: Principal, building_id: int) -> Building:
    building = db.session.get(Building, building_id)
    if building is None or building.community_id not in principal.community_ids(COMMUNITY_MANAGERS):
        raise not_found("楼栋")
    return building


def _active_pledge(member_id: int, building_id: int, year: int) -> Pledge | None:
    return db.session.scalar(
        sa.select(Pledge).filter_by(
            member_id=member_id, building_id=building_id, year=year, status=PledgeStatus.ACTIVE
        )
    )


def appoint_head(principal: Principal, building_id: int, member_id: int) -> BuildingHead:
    building = _managed_building(principal, building_id)
    lock_row(Building, building_id)
    if _active_pledge(member_id, building_id, current_year()) is None:
        raise invalid(
            "head_must_pledge",
            "楼栋长须从本年度为该楼栋签署承诺的党员中选任",
            {"fields": {"member_id": "未为该楼栋签署本年度承诺"}},
        )
    head = db.session.scalar(sa.select(BuildingHead).filter_by(building_id=building_id))
    if head is not None and head.member_id == member_id:
        return head
    before = {"member_id": head.member_id} if head else None
    if head is None:
        head = BuildingHead(building_id=building_id, community_id=building.community_id)
        db.session.add(head)
    head.member_id = member_id
    head.appointed_by_user_id = principal.user_id
    head.appointed_at = utcnow()
    db.session.flush()
    audit(
        principal.user_id,
        "building_head.appoint",
        "building",
        building_id,
        community_id=building.community_id,
        before=before,
        after={"member_id": member_id},
    )
    return head


def remove_head(principal: Principal, building_id: int) -> None:
    building = _managed_building(principal, building_id)
    head = db.session.scalar(sa.select(BuildingHead).filter_by(building_id=building_id))
    if head is None:
        return
    audit(
        principal.user_id,
        "building_head.remove",
        "building",
        building_id,
        community_id=building.community_id,
        before={"member_id": head.member_id},
    )
    db.session.delete(head)
    db.session.flush()


def public_board(building_id: int) -> dict[str, Any]:
    """亮身份、亮职责、亮承诺: masked names, items and own words, the head. No phone, no room."""
    from server.masking import mask_name

    building = db.session.get(Building, building_id)
    if building is None:
        raise not_found("楼栋")
    year = current_year()
    head = db.session.scalar(sa.select(BuildingHead).filter_by(building_id=building_id))
    rows = db.session.execute(
        sa.select(Pledge, Member)
        .join(Member, Member.id == Pledge.member_id)
        .where(
            Pledge.building_id == building_id,
            Pledge.year == year,
            Pledge.status == PledgeStatus.ACTIVE,
            Member.hide_from_public_boards.is_(False),
        )
        .order_by(Pledge.signed_at, Pledge.id)
    ).all()
    head_member = head.member if head else None
    return {
        "building": {
            "id": building.id,
            "name": building.name,
            "community_id": building.community_id,
        },
        "year": year,
        "head": {"name": mask_name(head_member.name)}
        if head_member and not head_member.hide_from_public_boards
        else None,
        "members": [
            {
                "name": mask_name(member.name),
                "is_head": head is not None and head.member_id == member.id,
                "items": pledge.items,
                "own_words": pledge.own_words,
                "signed_at": pledge.signed_at,
            }
            for pledge, member in rows
        ],
    }


# --- fulfilment notes (践诺记录) -----------------------------------------------------------


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
    if pledge.status != PledgeStatus.ACTIVE:
        raise conflict("pledge_withdrawn", "该承诺已撤回，请重新签署后再记录践诺情况")
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


def resubmit_note(principal: Principal, note_id: int, data: dict[str, Any]) -> PledgeNote:
    """A returned note, corrected by its member, goes back for review."""
    note = db.session.get(PledgeNote, note_id)
    if note is None or principal.member_id != note.member_id:
        raise not_found("践诺记录")
    if note.status == NoteStatus.VERIFIED:
        raise conflict("note_already_verified", "该践诺记录已核实，不能再修改")
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


def my_notes_query(principal: Principal) -> sa.Select:
    member_id = principal.member_id or -1
    return (
        sa.select(PledgeNote)
        .where(PledgeNote.member_id == member_id)
        .order_by(PledgeNote.id.desc())
    )


def community_notes_query(principal: Principal, community_id: int, status: str | None) -> sa.Select:
    grids = staff_grid_scope(principal, community_id)
    statement = sa.select(PledgeNote).where(PledgeNote.community_id == community_id)
    if grids is not None:
        statement = statement.where(
            PledgeNote.building_id.in_(sa.select(Building.id).where(Building.grid_id.in_(grids)))
        )
    if status is not None:
        statement = statement.where(PledgeNote.status == status)
    return statement.order_by(PledgeNote.id)


def _staff_note(principal: Principal, note_id: int) -> PledgeNote:
    note = db.session.get(PledgeNote, note_id)
    if note is None or not can_manage_building(
        principal, db.session.get(Building, note.building_id)
    ):
        raise not_found("践诺记录")
    return lock_row(PledgeNote, note.id)


def verify_note(principal: Principal, note_id: int) -> PledgeNote:
    """Staff confirm the member did it; the points area awards from the signal, once."""
    note = _staff_note(principal, note_id)
    if note.status == NoteStatus.VERIFIED:
        return note
    if note.status == NoteStatus.RETURNED:
        raise conflict("note_returned", "该践诺记录已退回，待党员修改后再审核")
    note.status = NoteStatus.VERIFIED
    note.reviewed_at = utcnow()
    note.reviewed_by_user_id = principal.user_id
    db.session.flush()
    audit(
        principal.user_id,
        "pledge_note.verify",
        "pledge_note",
        note.id,
        community_id=note.community_id,
        before={"status": NoteStatus.SUBMITTED},
        after={"status": NoteStatus.VERIFIED},
    )
    events.pledge_note_verified.send(note)
    return note


def return_note(principal: Principal, note_id: int, reason: str) -> PledgeNote:
    note = _staff_note(principal, note_id)
    if note.status == NoteStatus.RETURNED and note.return_reason == reason:
        return note
    if note.status == NoteStatus.VERIFIED:
        raise conflict("note_already_verified", "该践诺记录已核实，不能退回")
    if note.status == NoteStatus.RETURNED:
        raise conflict("note_returned", "该践诺记录已退回，待党员修改后再审核")
    note.status = NoteStatus.RETURNED
    note.return_reason = reason
    note.reviewed_at = utcnow()
    note.reviewed_by_user_id = principal.user_id
    db.session.flush()
    audit(
        principal.user_id,
        "pledge_note.return",
        "pledge_note",
        note.id,
        community_id=note.community_id,
        before={"status": NoteStatus.SUBMITTED},
        after={"status": NoteStatus.RETURNED},
        reason=reason,
    )
    return note


# --- coverage -----------------------------------------------------------------------------


def coverage(principal: Principal, community_id: int, year: int | None) -> dict[str, Any]:
    """Per grid and for the community: buildings with ≥1 pledged member, the ones with none,
    and members reported (报到) but not pledged."""
    grids_in_scope = staff_grid_scope(principal, community_id)
    year = year or current_year()
    grid_statement = sa.select(Grid).filter_by(community_id=community_id).order_by(Grid.id)
    if grids_in_scope is not None:
        grid_statement = grid_statement.where(Grid.id.in_(grids_in_scope))
    grids = list(db.session.scalars(grid_statement))
    grid_ids = [g.id for g in grids]
    buildings = list(
        db.session.scalars(
            sa.select(Building).where(Building.grid_id.in_(grid_ids)).order_by(Building.id)
        )
    )
    pledged_counts = dict(
        db.session.execute(
            sa.select(Pledge.building_id, sa.func.count(sa.distinct(Pledge.member_id)))
            .where(
                Pledge.community_id == community_id,
                Pledge.year == year,
                Pledge.status == PledgeStatus.ACTIVE,
            )
            .group_by(Pledge.building_id)
        ).all()
    )

    def summary(blds: list[Building]) -> dict[str, Any]:
        uncovered = [b for b in blds if not pledged_counts.get(b.id)]
        return {
            "buildings_total": len(blds),
            "buildings_covered": len(blds) - len(uncovered),
            "uncovered_buildings": [{"id": b.id, "name": b.name} for b in uncovered],
        }

    pledged_members = sa.select(Pledge.member_id).where(
        Pledge.year == year, Pledge.status == PledgeStatus.ACTIVE
    )
    not_pledged = db.session.execute(
        sa.select(Member, Building)
        .join(Building, Building.id == Member.building_id)
        .where(
            approved_members_clause(community_id),
            Member.community_id == community_id,
            Building.grid_id.in_(grid_ids),
            Member.id.not_in(pledged_members),
        )
        .order_by(Member.id)
    ).all()
    return {
        "community_id": community_id,
        "year": year,
        **summary(buildings),
        "grids": [
            {
                "grid_id": g.id,
                "grid_name": g.name,
                **summary([b for b in buildings if b.grid_id == g.id]),
            }
            for g in grids
        ],
        "members_not_pledged": [
            {
                "id": m.id,
                "name": m.name,
                "member_type": m.member_type,
                "building_id": b.id,
                "building_name": b.name,
                "grid_id": b.grid_id,
            }
            for m, b in not_pledged
        ],
    }
