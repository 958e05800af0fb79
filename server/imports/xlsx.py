"""Reading an uploaded .xlsx safely, and writing import templates with drop-down lists."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

from openpyxl import load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from server.errors import AppError, invalid
from server.excel import Workbook

# a template's example row starts with this; importing skips such rows
EXAMPLE_MARK = "（示例）"
# unpacked, a real workbook is at most a few dozen times its zipped size; more is a zip bomb
MAX_UNPACKED_RATIO = 100
TEMPLATE_ROWS = 20001
# this many empty rows in a row end the data (a sheet formatted to its last row is not read on)
MAX_BLANK_RUN = 1000


def check_upload(filename: str, content: bytes, max_bytes: int) -> None:
    """Refuse what is not a plain .xlsx workbook before openpyxl ever opens it."""
    name = (filename or "").lower()
    if name.endswith((".xlsm", ".xltm", ".xlsb")):
        raise invalid("file_macro_enabled", "不接受含宏的文件，请另存为 .xlsx 后再上传")
    if not name.endswith(".xlsx"):
        raise invalid("file_not_xlsx", "请上传 Excel 的 .xlsx 文件（可先下载模板填写）")
    if len(content) > max_bytes:
        raise AppError(413, "file_too_large",
                       f"文件超过 {max_bytes // (1024 * 1024)} MB，请拆分后分批导入",
                       {"max_bytes": max_bytes})
    if not content:
        raise invalid("file_empty", "文件是空的，请填写后再上传")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
            unpacked = sum(info.file_size for info in archive.infolist())
            types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise invalid("file_malformed", "文件已损坏或不是 Excel 文件，请用模板重新填写") from exc
    if any(n.lower().endswith("vbaproject.bin") for n in names) or b"macroEnabled" in types:
        raise invalid("file_macro_enabled", "不接受含宏的文件，请另存为 .xlsx 后再上传")
    if "xl/workbook.xml" not in names or unpacked > max(len(content), 1) * MAX_UNPACKED_RATIO:
        raise invalid("file_malformed", "文件已损坏或不是 Excel 文件，请用模板重新填写")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number typed into a number cell
    return str(value).strip()


def read_rows(content: bytes, headers: list[str], max_rows: int) -> list[tuple[int, list[Any]]]:
    """The data rows of the first sheet as (Excel row number, cells), after checking the header
    row against the template's; empty rows and the template's example row are skipped."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise invalid("file_malformed", "文件无法读取，请用模板重新填写") from exc
    try:
        sheet = workbook.worksheets[0]
        rows: Iterator[tuple] = sheet.iter_rows(values_only=True)
        found = [_text(v) for v in next(rows, ())][: len(headers)]
        if found != headers:
            raise invalid("template_mismatch", "表头与模板不一致，请下载最新模板填写",
                          {"expected": headers, "found": found})
        result: list[tuple[int, list[Any]]] = []
        blank_run = 0
        for number, values in enumerate(rows, start=2):
            cells = list(values[: len(headers)]) + [None] * (len(headers) - len(values))
            if all(_text(c) == "" for c in cells):
                blank_run += 1
                if blank_run >= MAX_BLANK_RUN:
                    break  # formatting carried down to row 1,048,576: nothing more to read
                continue
            blank_run = 0
            if _text(cells[0]).startswith(EXAMPLE_MARK):
                continue
            if len(result) >= max_rows:
                raise invalid("too_many_rows", f"一次最多导入 {max_rows} 行，请拆分后分批导入",
                              {"max_rows": max_rows})
            result.append((number, cells))
    finally:
        workbook.close()
    if not result:
        raise invalid("file_empty", "文件中没有数据行，请在模板的表头下方填写")
    return result


def cell_text(value: Any) -> str:
    return _text(value)


def template(title: str, headers: list[str], example: list[Any],
             choices: dict[int, list[str]], note: str) -> Workbook:
    """A template: the header row, one example row (skipped on import), drop-down lists for
    the columns in `choices` (column index → allowed values, kept on a hidden sheet)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(headers)
    sheet.append([f"{EXAMPLE_MARK}{example[0]}", *example[1:]])
    for index, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="C0392B")
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(header) * 4)
        sheet.cell(row=2, column=index).font = Font(italic=True, color="888888")
    sheet.freeze_panes = "A2"
    options = workbook.create_sheet("选项")
    options.sheet_state = "hidden"
    for column, values in choices.items():
        letter = get_column_letter(column + 1)
        for row, value in enumerate(values, start=1):
            options.cell(row=row, column=column + 1, value=value)
        count = max(len(values), 1)
        validation = DataValidation(type="list", formula1=f"'选项'!${letter}$1:${letter}${count}",
                                    allow_blank=True, showErrorMessage=True,
                                    errorTitle="请从下拉列表中选择",
                                    error="请从下拉列表中选择已有的值")
        validation.add(f"{letter}3:{letter}{TEMPLATE_ROWS}")
        validation.add(f"{letter}2")
        sheet.add_data_validation(validation)
    notes = workbook.create_sheet("填写说明")
    for line in note.splitlines():
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    return workbook
