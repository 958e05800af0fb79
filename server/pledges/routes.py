"""/api/v1 pledges (包楼栋承诺) and the fixed party day (固定党员活动日 + 预约补课)."""

from __future__ import annotations

import io

from flask import send_file
from flask_smorest import Blueprint

from server.auth.scope import current_principal
from server.errors import not_found
from server.pagination import paginate
from server.pledges import party_day, service
from server.pledges.schemas import (
    AreaInSchema,
    AreaSchema,
    AttendanceReportSchema,
    BookingSchema,
    BuildingOptionSchema,
    CoverageSchema,
    DedicationInSchema,
    DedicationSchema,
    HeadInSchema,
    HeadSchema,
    MakeupInSchema,
    MakeupSchema,
    MonthQuerySchema,
    MyPartyDaySchema,
    NoteInSchema,
    NoteQuerySchema,
    NoteSchema,
    OptionalMonthQuerySchema,
    PartyDaySchema,
    PartyDaySettingsInSchema,
    PartyDaySettingsSchema,
    PledgeBoardSchema,
    PledgeInSchema,
    PledgeQuerySchema,
    PledgeSchema,
    StaffBookingSchema,
    StaffNoteSchema,
    StaffPledgeSchema,
    TemplateInSchema,
    TemplatePatchSchema,
    TemplateSchema,
    YearQuerySchema,
)
from server.schemas import ReasonSchema

blp = Blueprint("pledges", __name__, url_prefix="/api/v1", description="包楼栋承诺与固定党员活动日")

IMAGE = {"type": "string", "format": "binary"}


def _created(result):
    """(row, created) → 201 for a new row, 200 for the repeat that returns it."""
    row, created = result
    return row, 201 if created else 200


def _image(image):
    if image is None:
        raise not_found("图片")
    response = send_file(io.BytesIO(image.data), mimetype=image.content_type)
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


# --- templates, responsibility areas -------------------------------------------------------


@blp.route("/communities/<int:community_id>/pledge-templates", methods=["GET"])
@blp.arguments(YearQuerySchema, location="query")
@blp.response(200, TemplateSchema(many=True))
def templates(query, community_id):
    """The community's pledge templates (承诺书), newest year first (its members and staff)."""
    return service.list_templates(current_principal(), community_id, query.get("year"))


@blp.route("/communities/<int:community_id>/pledge-templates", methods=["POST"])
@blp.arguments(TemplateInSchema)
@blp.response(201, TemplateSchema)
@blp.alt_response(200, schema=TemplateSchema, description="同名同年度的承诺书已存在")
def create_template(body, community_id):
    return _created(service.create_template(current_principal(), community_id, body))


@blp.route("/pledge-templates/<int:template_id>", methods=["PATCH"])
@blp.arguments(TemplatePatchSchema)
@blp.response(200, TemplateSchema)
def update_template(body, template_id):
    return service.update_template(current_principal(), template_id, body)


@blp.route("/communities/<int:community_id>/responsibility-areas", methods=["GET"])
@blp.response(200, AreaSchema(many=True))
def areas(community_id):
    """责任区: buildings assigned to members besides their own (staff)."""
    return service.list_areas(current_principal(), community_id)


@blp.route("/communities/<int:community_id>/responsibility-areas", methods=["POST"])
@blp.arguments(AreaInSchema)
@blp.response(201, AreaSchema)
@blp.alt_response(200, schema=AreaSchema, description="已分配")
def assign_area(body, community_id):
    return _created(
        service.assign_area(
            current_principal(), community_id, body["member_id"], body["building_id"]
        )
    )


@blp.route("/responsibility-areas/<int:area_id>", methods=["DELETE"])
@blp.response(204)
def remove_area(area_id):
    service.remove_area(current_principal(), area_id)


# --- pledges --------------------------------------------------------------------------------


@blp.route("/pledges", methods=["POST"])
@blp.arguments(PledgeInSchema)
@blp.response(201, PledgeSchema)
@blp.alt_response(200, schema=PledgeSchema, description="同一承诺已签署（重复提交）")
def sign(body):
    """Sign this year's pledge for my building or a responsibility area; the hand-drawn
    signature is a PNG, base64 in `signature_png_base64`."""
    return _created(service.sign_pledge(current_principal(), body))


@blp.route("/pledges/mine")
@blp.response(200, PledgeSchema(many=True))
def my_pledges():
    return service.my_pledges(current_principal())


@blp.route("/pledges/buildings")
@blp.response(200, BuildingOptionSchema(many=True))
def my_pledge_buildings():
    """The buildings I may pledge for: where I live, and my responsibility areas (责任区)."""
    return service.my_buildings(service.require_registered_member(current_principal()))


@blp.route("/pledges/<int:pledge_id>")
@blp.response(200, StaffPledgeSchema)
def pledge(pledge_id):
    return service.get_pledge(current_principal(), pledge_id)


@blp.route("/pledges/<int:pledge_id>/signature.png")
@blp.response(200, IMAGE, content_type="image/png")
def signature(pledge_id):
    return _image(service.signature_of(current_principal(), pledge_id))


@blp.route("/pledges/<int:pledge_id>/withdraw", methods=["POST"])
@blp.response(200, PledgeSchema)
def withdraw(pledge_id):
    return service.withdraw_pledge(current_principal(), pledge_id)


@blp.route("/communities/<int:community_id>/pledges")
@blp.arguments(PledgeQuerySchema, location="query")
@blp.response(200, StaffPledgeSchema(many=True))
@blp.paginate()
def community_pledges(query, community_id, pagination_parameters):
    """Pledges in the community (grid workers: their grid), for staff."""
    statement = service.community_pledges_query(
        current_principal(),
        community_id,
        query.get("year"),
        query.get("building_id"),
        query.get("status"),
    )
    return paginate(statement, pagination_parameters)


@blp.route("/communities/<int:community_id>/pledge-coverage")
@blp.arguments(YearQuerySchema, location="query")
@blp.response(200, CoverageSchema)
def coverage(query, community_id):
    """Buildings with and without a pledged member, per grid; members not yet pledged."""
    return service.coverage(current_principal(), community_id, query.get("year"))


# --- building heads, public board -------------------------------------------------------------


@blp.route("/buildings/<int:building_id>/head", methods=["PUT"])
@blp.arguments(HeadInSchema)
@blp.response(200, HeadSchema)
def appoint_head(body, building_id):
    """Appoint the building head (楼栋长) among the building's pledged members (staff)."""
    return service.appoint_head(current_principal(), building_id, body["member_id"])


@blp.route("/buildings/<int:building_id>/head", methods=["DELETE"])
@blp.response(204)
def remove_head(building_id):
    service.remove_head(current_principal(), building_id)


@blp.route("/buildings/<int:building_id>/pledge-board")
@blp.response(200, PledgeBoardSchema)
def board(building_id):
    """亮身份、亮职责、亮承诺: pledged members (masked names), items, the building head."""
    current_principal()
    return service.public_board(building_id)


# --- fulfilment notes (践诺记录) -----------------------------------------------------------------


@blp.route("/pledges/<int:pledge_id>/notes", methods=["POST"])
@blp.arguments(NoteInSchema)
@blp.response(201, NoteSchema)
@blp.alt_response(200, schema=NoteSchema, description="相同内容的记录已提交（重复提交）")
def create_note(body, pledge_id):
    """Record what I did for my pledge: text and up to 3 photos (JPEG/PNG, base64)."""
    return _created(service.create_note(current_principal(), pledge_id, body))


@blp.route("/pledge-notes/mine")
@blp.response(200, NoteSchema(many=True))
@blp.paginate()
def my_notes(pagination_parameters):
    return paginate(service.my_notes_query(current_principal()), pagination_parameters)


@blp.route("/communities/<int:community_id>/pledge-notes")
@blp.arguments(NoteQuerySchema, location="query")
@blp.response(200, StaffNoteSchema(many=True))
@blp.paginate()
def community_notes(query, community_id, pagination_parameters):
    statement = service.community_notes_query(
        current_principal(), community_id, query.get("status")
    )
    return paginate(statement, pagination_parameters)


@blp.route("/pledge-notes/<int:note_id>", methods=["GET"])
@blp.response(200, StaffNoteSchema)
def note(note_id):
    return service.get_note(current_principal(), note_id)


@blp.route("/pledge-notes/<int:note_id>", methods=["PUT"])
@blp.arguments(NoteInSchema)
@blp.response(200, NoteSchema)
def resubmit_note(body, note_id):
    """Correct a returned note and send it back for review."""
    return service.resubmit_note(current_principal(), note_id, body)


@blp.route("/pledge-notes/<int:note_id>/photos/<int:position>")
@blp.response(200, IMAGE, content_type="image/jpeg")
def note_photo(note_id, position):
    return _image(service.note_photo(current_principal(), note_id, position))


@blp.route("/pledge-notes/<int:note_id>/verify", methods=["POST"])
@blp.response(200, StaffNoteSchema)
def verify_note(note_id):
    return service.verify_note(current_principal(), note_id)


@blp.route("/pledge-notes/<int:note_id>/return", methods=["POST"])
@blp.arguments(ReasonSchema)
@blp.response(200, StaffNoteSchema)
def return_note(body, note_id):
    return service.return_note(current_principal(), note_id, body["reason"])


# --- the fixed party day ---------------------------------------------------------------------


@blp.route("/communities/<int:community_id>/party-day-settings", methods=["GET"])
@blp.response(200, PartyDaySettingsSchema)
def party_day_settings(community_id):
    return party_day.get_settings(current_principal(), community_id)


@blp.route("/communities/<int:community_id>/party-day-settings", methods=["PUT"])
@blp.arguments(PartyDaySettingsInSchema)
@blp.response(200, PartyDaySettingsSchema)
def update_party_day_settings(body, community_id):
    """Day of month (1–28, default 15), window ± days (1–2), hours and place (staff)."""
    return party_day.update_settings(current_principal(), community_id, body)


@blp.route("/communities/<int:community_id>/party-days")
@blp.arguments(YearQuerySchema, location="query")
@blp.response(200, PartyDaySchema(many=True))
def party_days(query, community_id):
    return party_day.list_party_days(current_principal(), community_id, query.get("year"))


@blp.route("/communities/<int:community_id>/party-day-attendance")
@blp.arguments(MonthQuerySchema, location="query")
@blp.response(200, AttendanceReportSchema)
def attendance(query, community_id):
    """The month: who attended (or made up), who booked a make-up, who neither (staff)."""
    return party_day.attendance_report(current_principal(), community_id, query["month"])


@blp.route("/party-day/mine")
@blp.arguments(MonthQuerySchema, location="query")
@blp.response(200, MyPartyDaySchema)
def my_party_day(query):
    return party_day.my_status(current_principal(), query["month"])


@blp.route("/communities/<int:community_id>/makeup-sessions", methods=["GET"])
@blp.arguments(OptionalMonthQuerySchema, location="query")
@blp.response(200, MakeupSchema(many=True))
def makeup_sessions(query, community_id):
    return party_day.list_makeup_sessions(current_principal(), community_id, query.get("month"))


@blp.route("/communities/<int:community_id>/makeup-sessions", methods=["POST"])
@blp.arguments(MakeupInSchema)
@blp.response(201, MakeupSchema)
def open_makeup_session(body, community_id):
    """Open a make-up session (预约补课) with a capacity (staff)."""
    return party_day.create_makeup_session(current_principal(), community_id, body)


@blp.route("/makeup-sessions/<int:session_id>/booking", methods=["POST"])
@blp.response(201, BookingSchema)
@blp.alt_response(200, schema=BookingSchema, description="已预约（重复提交）")
def book(session_id):
    return _created(party_day.book_makeup(current_principal(), session_id))


@blp.route("/makeup-sessions/<int:session_id>/booking", methods=["DELETE"])
@blp.response(200, BookingSchema)
def cancel_booking(session_id):
    return party_day.cancel_makeup(current_principal(), session_id)


@blp.route("/makeup-sessions/<int:session_id>/bookings")
@blp.response(200, StaffBookingSchema(many=True))
def bookings(session_id):
    return party_day.session_bookings(current_principal(), session_id)


@blp.route("/streets/<int:street_id>/dedication-days", methods=["GET"])
@blp.response(200, DedicationSchema(many=True))
def dedication_days(street_id):
    return party_day.list_dedication_days(current_principal(), street_id)


@blp.route("/streets/<int:street_id>/dedication-days", methods=["POST"])
@blp.arguments(DedicationInSchema)
@blp.response(201, DedicationSchema)
@blp.alt_response(200, schema=DedicationSchema, description="当天已设立")
def declare_dedication_day(body, street_id):
    """党员奉献日: a street-wide activity every member of the street may sign up for."""
    return _created(party_day.declare_dedication_day(current_principal(), street_id, body))
