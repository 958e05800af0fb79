"""Boards for the console: any board of the caller's scope as Excel (full names), and the honour
board (荣誉榜) for the notice board as a PDF, with names as the public board shows them: masked,
and members who opted out of public boards left off."""

from __future__ import annotations

from typing import Any

from fpdf import FPDF
from openpyxl.styles import Font

from server.audit.service import record as audit
from server.auth.scope import Principal, sees_full_names_on_board
from server.certificates.pdf import font_paths
from server.errors import not_found
from server.excel import Workbook, set_up_for_printing, workbook_bytes
from server.points.leaderboard import SCOPE_LABELS, leaderboard
from server.replica import reading_from_replica
from server.statistics.service import period_label as stat_period_label
from server.timeutil import local_today


def board_period_label(period: str) -> str:
    return "累计" if period == "all" else stat_period_label(period)


def _require_scope(principal: Principal, scope: str, scope_id: int) -> None:
    """Boards of the caller's own scope only (else 404, as if there were none)."""
    if not sees_full_names_on_board(principal, scope, scope_id):
        raise not_found(SCOPE_LABELS.get(scope, "榜单"))


def board_workbook(principal: Principal, scope: str, scope_id: int, period: str,
                   member_type: str | None = None, limit: int = 200) -> tuple[bytes, str]:
    """The board with full names, ties sharing a rank, as a printable workbook."""
    _require_scope(principal, scope, scope_id)
    with reading_from_replica():
        board = leaderboard(scope=scope, scope_id=scope_id, period=period,
                            member_type=member_type, limit=limit, full_names=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "先锋榜"
    ws.append([f"{board['scope_name']} 党员先锋榜（{board_period_label(period)}）"])
    ws["A1"].font = Font(size=14, bold=True)
    ws.append(["名次", "姓名", "积分", "服务时长(小时)", "星级"])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for entry in board["entries"]:
        ws.append([entry["rank"], entry["name"], entry["points"], float(entry["hours"]),
                   "★" * entry["stars"] if entry["stars"] else "—"])
    for column, width in zip("ABCDE", (8, 14, 10, 16, 10), strict=True):
        ws.column_dimensions[column].width = width
    set_up_for_printing(ws, 2)
    audit(principal.user_id, "export.leaderboard", scope, scope_id,
          community_id=scope_id if scope == "community" else None,
          street_id=scope_id if scope == "street" else None,
          after={"period": period, "rows": len(board["entries"])})
    return workbook_bytes(wb), f"先锋榜-{board['scope_name']}-{period}.xlsx"


def honour_board_pdf(principal: Principal, scope: str, scope_id: int, period: str,
                     top: int = 10) -> tuple[bytes, str]:
    """荣誉榜: the top members of a period as the public board shows them, on one A4 page."""
    _require_scope(principal, scope, scope_id)
    with reading_from_replica():
        board = leaderboard(scope=scope, scope_id=scope_id, period=period, limit=top,
                            full_names=False)
    content = render_honour_board(board, board_period_label(period))
    return content, f"荣誉榜-{board['scope_name']}-{period}.pdf"


def render_honour_board(board: dict[str, Any], period_text: str) -> bytes:
    body, _title = font_paths()  # the certificates' CJK font (Noto Sans SC), subset
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(20, 20, 20)
    pdf.add_font("body", fname=str(body))
    pdf.set_title(f"{board['scope_name']} 党员先锋荣誉榜")
    pdf.set_creator("在职党员社区服务")
    pdf.add_page()
    width = pdf.epw
    pdf.set_fill_color(199, 0, 11)
    pdf.rect(0, 0, pdf.w, 12, style="F")
    pdf.ln(6)
    pdf.set_text_color(199, 0, 11)
    pdf.set_font("body", size=30)
    pdf.cell(width, 18, "党员先锋荣誉榜", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(60, 60, 60)
    pdf.set_font("body", size=13)
    pdf.cell(width, 9, f"{board['scope_name']} · {period_text}", align="C",
             new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    widths = (24, 50, 40, 28, 28)
    headers = ("名次", "姓名", "星级", "积分", "服务时长")
    pdf.set_font("body", size=12)
    pdf.set_fill_color(250, 236, 236)
    pdf.set_text_color(120, 0, 6)
    left = pdf.l_margin + (width - sum(widths)) / 2
    pdf.set_x(left)
    for w, text in zip(widths, headers, strict=True):
        pdf.cell(w, 11, text, border="B", align="C", fill=True)
    pdf.ln()
    pdf.set_text_color(30, 30, 30)
    for entry in board["entries"]:
        pdf.set_x(left)
        pdf.set_font("body", size=15 if entry["rank"] <= 3 else 13)
        stars = "★" * (entry["stars"] or 0) or "—"
        hours = f"{entry['hours']}".rstrip("0").rstrip(".") + " 小时"
        for w, text in zip(widths, (f"第{entry['rank']}名", entry["name"], stars,
                                    str(entry["points"]), hours), strict=True):
            pdf.cell(w, 12, text, border="B", align="C")
        pdf.ln()
    if not board["entries"]:
        pdf.set_font("body", size=13)
        pdf.cell(width, 14, "本期暂无上榜党员", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.set_font("body", size=11)
    pdf.set_text_color(90, 90, 90)
    pdf.multi_cell(width, 7, "向榜上的党员同志致敬！姓名按公开榜单规则显示，"
                   "选择不上公开榜的党员未列入。", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.cell(width, 8, f"{board['scope_name']}党组织  {local_today().isoformat()}", align="R")
    return bytes(pdf.output())
