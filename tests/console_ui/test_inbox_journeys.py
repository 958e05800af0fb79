"""Journey: a secretary works through the approvals inbox (待办): six kinds waiting, one batch
approval, and the maker-checker rule refusing the entries they made themselves."""

from __future__ import annotations

import hashlib
import io
import re

from PIL import Image, ImageDraw
from playwright.sync_api import expect

from server.auth.models import Role
from server.extensions import db
from server.pledges.models import PledgeImage, PledgeNotePhoto
from tests.console_ui.ui import row, settled
from tests.desk.factories import waiting_items


def test_a_secretary_approves_a_batch_and_the_inbox_refuses_their_own_entries(
    page, org, make_staff, make_member, console_as, shot
):
    community = org.communities[0]
    secretary = make_staff("secA", Role.COMMUNITY_SECRETARY, community_id=community.id)
    members = [make_member("m1", org.buildings[0], unit=org.units[0], name="李志愿"),
               make_member("m2", org.buildings[1], unit=org.units[0], name="张报到")]
    # secA entered the 补录 and proposed the point award: those two wait for someone else
    waiting_items(community, org.buildings[0], members, secretary.id)
    console_as(page, "secA", "/console/inbox")
    expect(page.get_by_test_id("inbox-count")).to_contain_text("6")
    tabs = page.get_by_test_id("inbox-tabs")
    for label in ("报到审核 1", "补录与更正 1", "人工加减分 1", "申诉 1", "未签退 1", "践诺核实 1"):
        expect(tabs).to_contain_text(label)
    table = page.get_by_test_id("inbox-table")
    expect(table.locator("tbody tr")).to_have_count(6)
    expect(row(table, "人工加减分")).to_contain_text("我提交的")
    shot(page, "inbox")

    page.get_by_test_id("select-all").click()
    page.get_by_test_id("approve-selected").click()
    expect(page.locator(".t-message", has_text="已批准 4 项")).to_be_visible()
    refusals = page.get_by_test_id("inbox-refusals")
    expect(refusals).to_contain_text("补录与更正")
    expect(refusals).to_contain_text("不能审批自己提交或录入的事项")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(page.get_by_test_id("inbox-count")).to_contain_text("2")
    shot(page, "inbox-after-batch")


def _photo_of_a_cleaned_stairwell() -> PledgeImage:
    """A small real JPEG, as a member's pledge note carries it."""
    picture = Image.new("RGB", (320, 240), (200, 40, 40))
    ImageDraw.Draw(picture).rectangle((80, 60, 240, 180), fill=(250, 220, 60))
    out = io.BytesIO()
    picture.save(out, "JPEG")
    data = out.getvalue()
    return PledgeImage(sha256=hashlib.sha256(data).hexdigest(), content_type="image/jpeg",
                       size=len(data), width=320, height=240, data=data)


def test_staff_see_a_pledge_notes_photo_in_the_inbox_and_enlarge_it(
    page, org, make_staff, make_member, console_as, shot
):
    community = org.communities[0]
    make_staff("staffA", Role.COMMUNITY_STAFF, community_id=community.id)
    secretary = make_staff("secA", Role.COMMUNITY_SECRETARY, community_id=community.id)
    members = [make_member("m1", org.buildings[0], name="李志愿"),
               make_member("m2", org.buildings[1], name="张报到")]
    waiting = waiting_items(community, org.buildings[0], members, secretary.id)
    photo = _photo_of_a_cleaned_stairwell()
    db.session.add(photo)
    db.session.flush()
    db.session.add(PledgeNotePhoto(note_id=waiting.pledge_note, position=0,
                                   image_sha256=photo.sha256))
    db.session.commit()

    console_as(page, "staffA", "/console/inbox")
    note = row(page.get_by_test_id("inbox-table"), "践诺记录待核实")
    thumb = note.get_by_test_id("note-photos").locator("img")
    expect(thumb).to_have_count(1)
    page.wait_for_function(
        "() => { const i = document.querySelector('[data-testid=note-photos] img');"
        " return i && i.complete && i.naturalWidth === 320; }")
    shot(page, "pledge-note-photo")
    thumb.click()
    expect(page.locator("img.t-image-viewer__modal-image:visible")).to_have_count(1)
    settled(page)
    shot(page, "pledge-note-photo-enlarged")


def test_the_daily_digest_shows_in_the_bell_and_leads_to_the_inbox(
    page, org, make_staff, make_member, console_as, shot
):
    from server.jobs import job_by_name
    from server.scheduler import run_job

    community = org.communities[0]
    staff = make_staff("staffA", Role.COMMUNITY_STAFF, community_id=community.id)
    make_staff("secA", Role.COMMUNITY_SECRETARY, community_id=community.id)
    members = [make_member("m1", org.buildings[0], name="李志愿"),
               make_member("m2", org.buildings[1], name="张报到")]
    waiting_items(community, org.buildings[0], members, staff.id)
    run_job(job_by_name("desk_daily_digest"))
    db.session.commit()

    console_as(page, "secA", "/console/notices")
    expect(page.get_by_test_id("bell-count")).to_contain_text("1")
    page.get_by_test_id("bell").click()
    panel = page.get_by_test_id("bell-panel")
    expect(panel).to_contain_text("您有 6 项待办")
    expect(panel).to_contain_text("补录与更正 1 项")
    settled(page)
    shot(page, "bell")
    panel.get_by_text("您有 6 项待办").click()
    expect(page).to_have_url(re.compile(r"/console/inbox$"))
    expect(page.get_by_test_id("inbox-table").locator("tbody tr")).to_have_count(6)
