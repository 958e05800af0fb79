"""Excel downloads: one workbook type that never fails on stored text, one way to send it."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import openpyxl
from flask import Response, send_file
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# the OpenAPI description of an Excel body, for @blp.response(200, XLSX_BODY, content_type=…)
XLSX_BODY = {"format": "binary", "type": "string"}


def cell_value(value: Any) -> Any:
    """Text without the control characters a workbook cannot hold (openpyxl refuses them with
    IllegalCharacterError). Input refuses them today, but rows stored before may hold them,
    and an export must still download."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


class CleanWorksheet(Worksheet):
    """A worksheet whose `append` and `cell(value=…)` pass text through `cell_value`."""

    def append(self, iterable: Iterable | dict) -> None:
        if isinstance(iterable, dict):
            super().append({key: cell_value(value) for key, value in iterable.items()})
        else:
            super().append([cell_value(value) for value in iterable])

    def cell(self, row: int, column: int, value: Any = None):
        return super().cell(row, column, cell_value(value))


class CleanWriteOnlyWorksheet(WriteOnlyWorksheet):
    """A write-only worksheet whose `append` passes text through `cell_value`."""

    def append(self, row: Iterable) -> None:
        super().append([cell_value(value) for value in row])


class Workbook(openpyxl.Workbook):
    """The workbook every export builds: each of its sheets cleans the text it is given."""

    def __init__(self, write_only: bool = False) -> None:
        super().__init__(write_only=write_only)
        if not write_only:
            first = self._sheets.pop()
            self._add_sheet(CleanWorksheet(parent=self, title=first.title))

    def create_sheet(self, title: str | None = None, index: int | None = None):
        kind = CleanWriteOnlyWorksheet if self.write_only else CleanWorksheet
        sheet = kind(parent=self, title=title)
        self._add_sheet(sheet=sheet, index=index)
        return sheet


def workbook_bytes(workbook: openpyxl.Workbook) -> bytes:
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
