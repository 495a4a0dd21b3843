"""附件1 as the notice prints it, read from and written to a workbook.

    2021年各区、县（市）商业秘密保护基地建设任务
    单位：个
    各区、县（市） | 省级商业秘密保护基地 | 市级商业秘密保护基地 | 县级商业秘密保护基地 | 各地贯标企业数
    越城区         | 1 | 5 | 10 | 20
    …
    合计           | 6 | 30 | 60 | 120
    备注：……

Reading finds the heading row (its first cell names the counties), the columns by what their headings
say (the order may differ, line breaks and spaces inside a heading do not matter), the year in the
title above, and the rows below down to the 备注, 合计 apart. It only reads: whether a row names a
county and holds whole numbers is for the form to judge (forms.TargetImportForm), each row with its
own message. Imports nothing from the app but its choices.
"""

import io
import re
from dataclasses import dataclass, field

import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .choices import KINDS, TargetKind

TITLE = "{year}年各区、县（市）商业秘密保护基地建设任务"
UNIT = "单位：个"
FIRST_HEADING = "各区、县（市）"
TOTAL = "合计"
NOTE = (
    "备注：各地贯标企业数是指通过培训、指导，企业实施或探索开展商业秘密保护省级地方标准的数量"
    "（含自行开展保护工作的企业数）；倡导各地突破建设任务，主动创建。"
)
# How far a sheet is read: 附件1 has a dozen rows; a file of thousands is not 附件1 (nor read whole).
MAX_ROWS = 100
MAX_COLUMNS = 20
_SPACE = re.compile(r"\s+")
_YEAR = re.compile(r"((?:19|20|21)\d{2})\s*年")
# What a heading must contain to be the column of a kind.
_HEADING_KEYS = {
    TargetKind.PROVINCIAL: "省级",
    TargetKind.CITY: "市级",
    TargetKind.COUNTY: "县级",
    TargetKind.ENTERPRISES: "贯标",
}


class AnnexError(Exception):
    """The file is not a readable 附件1 table; the message says why."""


@dataclass
class AnnexRow:
    number: int  # the row's number in the sheet, as Excel shows it
    label: str  # its first cell, spaces removed
    values: dict = field(default_factory=dict)  # kind -> the cell's value as read


@dataclass
class Annex:
    year: int | None  # the year its title names
    rows: list[AnnexRow]
    total: AnnexRow | None


def compact(value) -> str:
    """A cell's text without spaces and line breaks (附件1's headings break inside words: “省级商业秘 密保护基地”)."""
    return _SPACE.sub("", str(value)) if value is not None else ""


def read(upload) -> Annex:
    try:
        upload.seek(0)
        workbook = openpyxl.load_workbook(io.BytesIO(upload.read()), read_only=True, data_only=True)
    except Exception as exc:  # whatever the file is, it is not a workbook openpyxl can open
        raise AnnexError("无法读取该文件：请上传按附件1格式填写的 Excel 工作簿（.xlsx）。") from exc
    try:
        if not workbook.worksheets:
            raise AnnexError("工作簿中没有工作表。")
        cells = list(workbook.worksheets[0].iter_rows(max_row=MAX_ROWS, max_col=MAX_COLUMNS, values_only=True))
    except AnnexError:
        raise
    except Exception as exc:
        raise AnnexError("无法读取该文件的第一个工作表：请按附件1格式填写后重新上传。") from exc
    finally:
        workbook.close()
    return _parse(cells)


def _is_heading(row: tuple) -> bool:
    """The heading row: its first cell names the counties, another cell a kind of target (the title
    above names the counties too, but nothing else)."""
    if not row or "县（市）" not in compact(row[0]).replace("(", "（").replace(")", "）"):
        return False
    return any(key in compact(value) for value in row[1:] for key in _HEADING_KEYS.values())


def _parse(cells: list[tuple]) -> Annex:
    heading_at = next((i for i, row in enumerate(cells) if _is_heading(row)), None)
    if heading_at is None:
        raise AnnexError(f"未找到表头：附件1第一列的表头应为“{FIRST_HEADING}”，其后为各项任务。")
    headings = [compact(value) for value in cells[heading_at]]
    columns = {}
    for kind, key in _HEADING_KEYS.items():
        found = [index for index, heading in enumerate(headings) if index and key in heading]
        if len(found) != 1:
            problem = "缺少" if not found else "有多个"
            raise AnnexError(f"表头{problem}“{KINDS[kind].annex_header}”列。")
        columns[kind] = found[0]
    year = None
    for row in cells[:heading_at]:
        for value in row:
            match = _YEAR.search(compact(value))
            if match and year is None:
                year = int(match.group(1))
    rows, total = [], None
    for offset, row in enumerate(cells[heading_at + 1 :], start=heading_at + 2):
        label = compact(row[0]) if row else ""
        if label.startswith(("备注", "注：", "说明")):
            break
        values = {kind: (row[index] if index < len(row) else None) for kind, index in columns.items()}
        if not label and all(value in (None, "") for value in values.values()):
            continue  # an empty row
        entry = AnnexRow(number=offset, label=label, values=values)
        if label == TOTAL:
            total = entry
        else:
            rows.append(entry)
    return Annex(year=year, rows=rows, total=total)


def write(year: int, figures: list[tuple[str, dict]]) -> bytes:
    """附件1 of a year as the notice lays it out, with these figures: (county name, {kind: count or
    None}) in order; the 合计 row sums each column. The form to fill in and import back."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = f"{year}年建设任务"
    kinds = list(TargetKind)
    last = get_column_letter(len(kinds) + 1)
    sheet.append([TITLE.format(year=year)])
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append([UNIT])
    sheet.append([FIRST_HEADING, *(KINDS[kind].annex_header for kind in kinds)])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for name, counts in figures:
        sheet.append([name, *(counts.get(kind) for kind in kinds)])
    sums = [sum(counts.get(kind) or 0 for _, counts in figures) for kind in kinds]
    sheet.append([TOTAL, *sums])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.append([NOTE])
    sheet.merge_cells(f"A{sheet.max_row}:{last}{sheet.max_row}")
    sheet[f"A{sheet.max_row}"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[sheet.max_row].height = 48
    sheet.column_dimensions["A"].width = 16
    for index in range(2, len(kinds) + 2):
        sheet.column_dimensions[get_column_letter(index)].width = 16
    sheet.freeze_panes = "B4"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
