"""Excel downloads: one mimetype, one way to send a workbook."""

from __future__ import annotations

import io

from flask import Response, send_file
from openpyxl import Workbook

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# the OpenAPI description of an Excel body, for @blp.response(200, XLSX_BODY, content_type=…)
XLSX_BODY = {"format": "binary", "type": "string"}


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(content: bytes | io.BytesIO, filename: str) -> Response:
    data = content if isinstance(content, io.BytesIO) else io.BytesIO(content)
    return send_file(data, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=filename)


def set_up_for_printing(sheet, header_row: int) -> None:
    """A4 landscape, fitted to the page width, the header row repeated and page numbers."""
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
