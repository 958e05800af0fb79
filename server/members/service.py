"""Reporting to the community (到社区报到), the registration card, consents."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_smorest.pagination import PaginationParameters
from sqlalchemy.orm import joinedload

from server.audit import service as audit
from server.auth.scope import (
    COMMUNITY_MANAGERS,
    Principal,
    can_manage_building,
    get_visible_member,
    require_member,
    staff_members_clause,
)
from server.errors import conflict, forbidden, invalid, not_found
from server.extensions import db
from server.members.models import (
    ACTIVE_REGISTRATION,
    Building,
    Community,
    EmployerUnit,
    Member,
    MemberType,
    Registration,
    RegistrationStatus,
)
from server.pagination import paginate
from server.timeutil import utcnow


def member_of(user) -> Member | None:
    return db.session.scalar(sa.select(Member).filter_by(user_id=user.id))


def active_registration(member_id: int) -> Registration | None:
    return db.session.scalar(
        sa.select(Registration).where(
            Registration.member_id == member_id, Registration.status.in_(ACTIVE_REGISTRATION)
        )
    )


def _check_place(community_id: int, building_id: int) -> Building:
    building = db.session.get(Building, building_id)
    if db.session.get(Community, community_id) is None:
        raise invalid(
            "community_not_found", "所选社区不存在", {"fields": {"community_id": "不存在"}}
        )
    if building is None or building.community_id != community_id:
        raise invalid(
            "building_not_in_community",
            "所选楼栋不属于该社区，请重新选择",
            {"fields": {"building_id": "不属于所选社区"}},
        )
    return building


def submit_registration(principal: Principal, data: dict[str, Any]) -> Registration:
    """A member reports to the community where they live. Moving house ends the old card."""
    if not data["privacy_agreed"]:
        raise invalid("privacy_consent_required", "请阅读并同意隐私政策后再报到")
    if data["privacy_version"] != current_app.config["APP_PRIVACY_NOTICE_VERSION"]:
        raise invalid(
            "privacy_version_outdated",
            "隐私政策已更新，请阅读最新版本后重新同意",
            {"current_version": current_app.config["APP_PRIVACY_NOTICE_VERSION"]},
        )
    _check_place(data["community_id"], data["building_id"])
    unit_id = data.get("employer_unit_id")
    if unit_id is not None and db.session.get(EmployerUnit, unit_id) is None:
        raise invalid(
            "unit_not_found", "所选工作单位不存在", {"fields": {"employer_unit_id": "不存在"}}
        )
    if data["member_type"] == MemberType.IN_SERVICE and unit_id is None:
        raise invalid(
            "unit_required", "在职党员请选择工作单位", {"fields": {"employer_unit_id": "必填"}}
        )

    member = principal.member
    if member is None:
        member = Member(user_id=principal.user_id, name=data["name"])
        db.session.add(member)
        principal.member = member
    member.name = data["name"]
    member.phone = data["phone"]
    member.member_type = data["member_type"]
    member.employer_unit_id = unit_id
    member.privacy_version = data["privacy_version"]
    member.privacy_agreed_at = utcnow()
    db.session.flush()

    current = active_registration(member.id)
    same_place = current is not None and (
        current.community_id,
        current.building_id,
        current.room,
    ) == (data["community_id"], data["building_id"], data["room"])
    if current is not None and current.status == RegistrationStatus.SUBMITTED:
        if same_place:
            return current
        raise conflict(
            "registration_pending", "您已有待审核的报到申请，请等待审核或撤回后重新提交"
        )
    if current is not None and same_place:
        raise conflict("already_registered", "您已在该社区报到，无需重复提交")
    if current is not None:
        current.status = RegistrationStatus.ENDED
        current.ended_at = utcnow()
        db.session.flush()

    registration = Registration(
        member_id=member.id,
        community_id=data["community_id"],
        building_id=data["building_id"],
        room=data["room"],
        status=RegistrationStatus.SUBMITTED,
    )
    db.session.add(registration)
    db.session.flush()
    return registration


# Registrations and members are shown with their places (RegistrationSchema, MemberSchema):
# each a single row joined to the page's statement (LEFT OUTER JOIN), so the page and its
# places come in one statement however many rows there are.
_MEMBER_PLACES = (
    joinedload(Member.employer_unit),
    joinedload(Member.community),
    joinedload(Member.building),
)
_REGISTRATION_SHOWN = (
    joinedload(Registration.community),
    joinedload(Registration.building),
    joinedload(Registration.member).options(*_MEMBER_PLACES),
)


def my_registrations(principal: Principal) -> list[Registration]:
    """The caller's registrations, the current one first, history kept."""
    if principal.member is None:
        return []
    return list(
        db.session.scalars(
            sa.select(Registration)
            .filter_by(member_id=principal.member.id)
            .order_by(Registration.submitted_at.desc(), Registration.id.desc())
            .options(*_REGISTRATION_SHOWN)
        )
    )


def withdraw_registration(principal: Principal, registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None or principal.member_id != registration.member_id:
        raise not_found("报到申请")
    if registration.status != RegistrationStatus.SUBMITTED:
        raise conflict("registration_not_pending", "只有待审核的报到申请可以撤回")
    registration.status = RegistrationStatus.WITHDRAWN
    registration.decided_at = utcnow()
    return registration


def staff_registrations(
    principal: Principal, query: dict[str, Any], pages: PaginationParameters
) -> list[Registration]:
    """Registrations in the caller's communities or grids, newest first (staff)."""
    status, community_id = query.get("status"), query.get("community_id")
    communities = principal.community_ids(COMMUNITY_MANAGERS)
    grids = principal.grid_ids()
    scope = sa.or_(
        Registration.community_id.in_(communities),
        Registration.building_id.in_(sa.select(Building.id).where(Building.grid_id.in_(grids))),
    )
    statement = sa.select(Registration).where(scope)
    if status:
        statement = statement.where(Registration.status == status)
    if community_id:
        statement = statement.where(Registration.community_id == community_id)
    statement = statement.order_by(Registration.submitted_at.desc(), Registration.id.desc())
    return paginate(statement.options(*_REGISTRATION_SHOWN), pages)


def staff_members(
    principal: Principal, query: dict[str, Any], pages: PaginationParameters
) -> list[Member]:
    """Members the caller looks after (staff, grid workers, unit secretaries), filtered as
    staff ask for them."""
    community_id, grid_id = query.get("community_id"), query.get("grid_id")
    member_type, name = query.get("member_type"), query.get("name")
    statement = sa.select(Member).where(staff_members_clause(principal))
    if community_id:
        statement = statement.where(Member.community_id == community_id)
    if grid_id:
        statement = statement.where(
            Member.building_id.in_(sa.select(Building.id).filter_by(grid_id=grid_id))
        )
    if member_type:
        statement = statement.where(Member.member_type == member_type)
    if name:
        statement = statement.where(Member.name.contains(name, autoescape=True))
    return paginate(statement.order_by(Member.id).options(*_MEMBER_PLACES), pages)


def get_member(principal: Principal, member_id: int) -> Member:
    """One member the caller may see."""
    return get_visible_member(principal, member_id)


def _staff_registration(principal: Principal, registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None or not can_manage_building(principal, registration.building):
        raise not_found("报到申请")
    return registration


def _registration_state(registration: Registration) -> dict[str, Any]:
    return {"status": registration.status, "reject_reason": registration.reject_reason}


def approve_registration(principal: Principal, registration_id: int) -> Registration:
    registration = _staff_registration(principal, registration_id)
    if registration.status == RegistrationStatus.APPROVED:
        return registration
    if registration.status != RegistrationStatus.SUBMITTED:
        raise conflict("registration_not_pending", "该报到申请已处理，请刷新后查看")
    before = _registration_state(registration)
    registration.status = RegistrationStatus.APPROVED
    registration.decided_at = utcnow()
    registration.decided_by_user_id = principal.user_id
    member = registration.member
    member.community_id = registration.community_id
    member.building_id = registration.building_id
    member.room = registration.room
    audit.record(
        principal.user_id,
        "registration.approve",
        "registration",
        registration.id,
        community_id=registration.community_id,
        before=before,
        after=_registration_state(registration),
    )
    return registration


def reject_registration(principal: Principal, registration_id: int, reason: str) -> Registration:
    registration = _staff_registration(principal, registration_id)
    if registration.status != RegistrationStatus.SUBMITTED:
        raise conflict("registration_not_pending", "该报到申请已处理，请刷新后查看")
    before = _registration_state(registration)
    registration.status = RegistrationStatus.REJECTED
    registration.reject_reason = reason
    registration.decided_at = utcnow()
    registration.decided_by_user_id = principal.user_id
    audit.record(
        principal.user_id,
        "registration.reject",
        "registration",
        registration.id,
        community_id=registration.community_id,
        before=before,
        after=_registration_state(registration),
        reason=reason,
    )
    return registration


def update_my_details(principal: Principal, data: dict[str, Any]) -> Member:
    """The member changes their own details: board visibility, employer unit (换工作单位)."""
    member = principal.member
    if member is None:
        raise forbidden("请先完成党员信息登记（到社区报到）")
    if "employer_unit_id" in data:
        unit_id = data["employer_unit_id"]
        if unit_id is not None and db.session.get(EmployerUnit, unit_id) is None:
            raise invalid("unit_not_found", "所选工作单位不存在",
                          {"fields": {"employer_unit_id": "不存在"}})
        if unit_id is None and member.member_type == MemberType.IN_SERVICE:
            raise invalid("unit_required", "在职党员请选择工作单位",
                          {"fields": {"employer_unit_id": "必填"}})
    before = {name: getattr(member, name) for name in data}
    for name, value in data.items():
        setattr(member, name, value)
    if before != data:
        audit.record(principal.user_id, "member.update_self", "member", member.id,
              community_id=member.community_id, before=before, after=dict(data))
    return member


def save_verified_phone(principal: Principal, phone: str) -> str:
    """手机号快速验证: the number WeChat confirmed for the caller becomes their member phone."""
    member = principal.member
    if member is not None and member.phone != phone:
        member.phone = phone
        audit.record(principal.user_id, "member.phone_verified", "member", member.id,
              community_id=member.community_id)
    return phone


def set_location_consent(principal: Principal, granted: bool) -> Member:
    """Location for clock-in is a consent of its own, given or withdrawn at any time."""
    member = require_member(principal)
    if member.location_consent != granted:
        member.location_consent = granted
        member.location_consent_at = utcnow()
    return member
