"""The certificate as a PDF: A4, Chinese text in an embedded subset of an open CJK font, the
hours table, the issuer, and a QR code of the verification address.

fpdf2 subsets OpenType fonts with CFF outlines (Noto Sans SC / Noto Serif SC are such fonts,
and reportlab embeds TrueType outlines only), and writes a ToUnicode map, so the text can be
searched and copied in any viewer.
"""

from __future__ import annotations

import io
import logging
from datetime import date
from pathlib import Path
from typing import Any

import segno
from flask import current_app
from fpdf import FPDF
from fpdf.fonts import FontFace
from pypdf import PdfReader, PdfWriter

# fontTools reports every table it subsets at INFO
logging.getLogger("fontTools").setLevel(logging.WARNING)

TITLE = "志愿服务记录证明"
NOTE = ("本证明依据民政部《志愿服务记录与证明出具办法》，根据志愿服务记录如实出具，"
        "不收取任何费用。")


def font_paths() -> tuple[Path, Path]:
    """(body font, title font): the configured files, else the packaged Noto Sans SC for both.
    A second font (e.g. Noto Serif SC for the title) costs about a second more per PDF: each
    font is parsed and subset on its own."""
    body = current_app.config["CERTIFICATES_FONT_PATH"]
    title = current_app.config["CERTIFICATES_TITLE_FONT_PATH"]
    if not body:
        import pylopdf_fonts_zh_cn as noto  # the OFL Noto SC fonts, a dependency from PyPI

        body = str(noto.sans_path())
    return Path(body), Path(title or body)


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def hours_text(centi: int) -> str:
    return f"{centi / 100:.2f}".rstrip("0").rstrip(".") if centi % 100 else str(centi // 100)


def _new_document() -> FPDF:
    body, title = font_paths()
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_font("body", fname=str(body))
    if title != body:
        pdf.add_font("title", fname=str(title))
    return pdf


def _title_font(pdf: FPDF) -> str:
    return "title" if "title" in pdf.fonts else "body"


def _draw_qr(pdf: FPDF, text: str, x: float, y: float, size: float) -> None:
    """The QR code as filled rectangles: sharp at any zoom, no image to embed."""
    qr = segno.make(text, error="m", micro=False)
    matrix = [list(row) for row in qr.matrix]
    border = 2
    module = size / (len(matrix) + 2 * border)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            run = c
            while run < len(row) and row[run]:
                run += 1
            pdf.rect(x + (border + c) * module, y + (border + r) * module,
                     (run - c) * module, module, style="F")
            c = run


def render_certificate(data: dict[str, Any], code: str, verify_url: str) -> bytes:
    """The PDF of one certificate from its snapshot `data` (see service.snapshot_of)."""
    pdf = _new_document()
    pdf.set_title(f"{TITLE} {data['number']}")
    pdf.set_creator("在职党员社区服务")
    pdf.set_creation_date(data["issued_at"])
    pdf.add_page()
    width = pdf.epw

    pdf.set_font(_title_font(pdf), size=22)
    pdf.cell(width, 14, TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("body", size=9.5)
    pdf.cell(width, 6, f"证明编号：{data['number']}", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    identity = data["holder_name"]
    if data.get("id_last4"):
        identity += f"（身份证件号码后四位：{data['id_last4']}）"
    pdf.set_font("body", size=11.5)
    pdf.multi_cell(
        width, 7.5,
        # no spaces: fpdf2 breaks lines at spaces first, and justifies what it broke
        f"兹证明{identity}同志于{data['period_text']}在{data['community_name']}参加志愿服务，"
        f"经审核的服务记录共{len(data['records'])}条，累计志愿服务时长"
        f"{data['total_hours']}小时。具体记录如下：",
        align="L", new_x="LMARGIN", new_y="NEXT",
    )
    pdf.ln(2)

    pdf.set_font("body", size=9)
    heading = FontFace(emphasis=None, fill_color=(235, 235, 235))
    with pdf.table(
        col_widths=(9, 22, 44, 40, 35, 20),
        text_align=("CENTER", "CENTER", "LEFT", "LEFT", "LEFT", "RIGHT"),
        headings_style=heading,
        line_height=5.5,
        padding=1.2,
    ) as table:
        table.row(("序号", "日期", "服务活动", "服务地点", "组织方", "时长(小时)"))
        for index, record in enumerate(data["records"], start=1):
            table.row((str(index), record["date"], record["activity"], record["place"] or "—",
                       record["organiser"] or "—", record["hours"]))
        table.row(("", "", "合计", "", "", data["total_hours"]))

    pdf.ln(6)
    pdf.set_font("body", size=11.5)
    if pdf.will_page_break(40):
        pdf.add_page()
    pdf.cell(width, 8, f"出具单位：{data['issuer_name']}（盖章）", align="R",
             new_x="LMARGIN", new_y="NEXT")
    pdf.cell(width, 8, f"出具日期：{chinese_date(date.fromisoformat(data['issued_on']))}",
             align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("body", size=8.5)
    pdf.multi_cell(width, 5, NOTE, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    qr_size = 32
    if pdf.will_page_break(qr_size + 4):
        pdf.add_page()
    top = pdf.get_y()
    pdf.set_draw_color(160, 160, 160)
    pdf.rect(pdf.l_margin, top, width, qr_size + 4)
    _draw_qr(pdf, verify_url, pdf.l_margin + 2, top + 2, qr_size)
    text_x = pdf.l_margin + qr_size + 6
    pdf.set_xy(text_x, top + 4)
    pdf.set_font("body", size=10)
    pdf.cell(0, 6, f"证明编号：{data['number']}", new_x="LEFT", new_y="NEXT")
    pdf.cell(0, 6, f"验证码：{code}", new_x="LEFT", new_y="NEXT")
    pdf.set_font("body", size=8)
    pdf.multi_cell(width - qr_size - 8, 4.2,
                   f"扫描左侧二维码，或访问{verify_url}，核验本证明的真伪与是否有效。",
                   align="L", new_x="LEFT", new_y="NEXT")
    return bytes(pdf.output())


def revoked_copy(original: bytes, revoked_on: date, reason: str) -> bytes:
    """The stored PDF with every page stamped 已作废 and the reason; the original stays as it
    was issued (the stamp is added on the way out, never stored)."""
    stamp = _new_document()
    stamp.add_page()
    stamp.set_text_color(200, 0, 0)
    stamp.set_font(_title_font(stamp), size=64)
    with stamp.rotation(30, x=105, y=150):
        stamp.set_xy(20, 135)
        stamp.cell(170, 30, "已作废", align="C")
    stamp.set_font("body", size=11)
    stamp.set_xy(20, 8)
    stamp.multi_cell(170, 5.5, f"本证明已于{chinese_date(revoked_on)}作废。原因：{reason}",
                     align="C")
    stamp_page = PdfReader(io.BytesIO(bytes(stamp.output()))).pages[0]
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(original)))
    for page in writer.pages:
        page.merge_page(stamp_page, over=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
