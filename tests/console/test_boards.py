"""先锋榜 as Excel and the honour board (荣誉榜) PDF: full names for the board's own staff, the
public board's masking and opt-outs on the printed honour board, nothing outside one's scope."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

from openpyxl import load_workbook

from server.auth.models import Role
from server.extensions import db
from server.points.models import PointBalance
from tests.certificates.helpers import pdf_text

BOARDS = "/api/v1/boards"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "console"


def keep_as_picture(pdf: bytes, name: str) -> None:
    """The PDF and its first page as PNG (pdftoppm, when installed), beside the screenshots."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.pdf"
    path.write_bytes(pdf)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(path),
                        str(ARTIFACTS / name)], check=True)


def _board(org, make_staff, make_member):
    """Community 1, 2026: 欧阳小明 20 (opted out of public boards), 张三 10, 李四 10, 王五 5."""
    c1 = org.communities[0]
    make_staff("secA", Role.COMMUNITY_SECRETARY, community_id=c1.id)
    make_staff("secB", Role.COMMUNITY_SECRETARY, community_id=org.communities[1].id)
    for login_name, name, points, hidden in (
            ("m1", "欧阳小明", 20, True), ("m2", "张三", 10, False), ("m3", "李四", 10, False),
            ("m4", "王五", 5, False)):
        member = make_member(login_name, org.buildings[0], name=name,
                             hide_from_public_boards=hidden)
        db.session.add(PointBalance(member_id=member.id, period="2026", points=points,
                                    hours_centi=points * 50, stars=1, community_id=c1.id,
                                    hidden=hidden))
    db.session.commit()
    return c1


def test_the_board_excel_has_full_names_and_shared_ranks(org, make_staff, make_member,
                                                         console_login):
    c1 = _board(org, make_staff, make_member)
    answer = console_login("secA").get(
        f"{BOARDS}/leaderboard.xlsx?scope=community&scope_id={c1.id}&period=2026")
    assert answer.status_code == 200
    rows = list(load_workbook(io.BytesIO(answer.data)).worksheets[0].iter_rows(
        min_row=3, values_only=True))
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (1, "欧阳小明", 20), (2, "张三", 10), (2, "李四", 10), (4, "王五", 5)]


def test_the_honour_board_pdf_shows_names_as_the_public_board(org, make_staff, make_member,
                                                             console_login):
    c1 = _board(org, make_staff, make_member)
    answer = console_login("secA").get(
        f"{BOARDS}/honour-board.pdf?scope=community&scope_id={c1.id}&period=2026&top=3")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    keep_as_picture(answer.data, "honour-board")
    text = pdf_text(answer.data)
    assert "党员先锋荣誉榜" in text and "社区1" in text and "2026年" in text
    assert "张*" in text and "李*" in text and "王*" in text
    assert "张三" not in text and "欧阳" not in text and "欧**明" not in text


def test_boards_of_another_community_answer_404(org, make_staff, make_member, console_login):
    c1 = _board(org, make_staff, make_member)
    sec_b = console_login("secB")
    for path in (f"{BOARDS}/leaderboard.xlsx?scope=community&scope_id={c1.id}&period=2026",
                 f"{BOARDS}/honour-board.pdf?scope=community&scope_id={c1.id}&period=2026"):
        answer = sec_b.get(path)
        assert answer.status_code == 404 and answer.json["code"] == "not_found"
