"""The spreadsheets (.xlsx) the bureaus download, written one way: a header row of Chinese column
names, in bold and frozen, under which the rows scroll; each column as wide as declared; a filter on
the header; dates and numbers as Excel's own dates and numbers (never text), percentages as ratios
shown as "140%"; the totals (合计) after the rows, in bold.

openpyxl's write-only mode streams each row into the file as it comes, so a sheet of 10,000 rows
costs what openpyxl's writing of its cells costs (scripts/bench.py measures the difference). Only the
header, the totals and the columns that declare a number format are styled cells; the rows' values
go in as they are. Imports nothing from the app: the callers declare the columns and give the rows.
"""

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from openpyxl import Workbook as OpenpyxlWorkbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERCENT = "0%"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E4E7EB")
TOTAL_FONT = Font(bold=True)
_TITLE_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))


@dataclass(frozen=True)
class Column:
    """One column: its Chinese header, its width (in characters, a Chinese character counting about
    two), a number format for its cells ("" leaves Excel's own: dates as dates, numbers as numbers),
    and whether it holds personal data (个人信息: a name or a phone number of a person), which makes
    a download of the sheet a recorded event."""

    header: str
    width: float = 12
    number_format: str = ""
    personal: bool = False


@dataclass
class Sheet:
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence]
    totals: Sequence[Sequence] = ()  # written after the rows, in bold (合计)

    @property
    def personal(self) -> bool:
        return any(column.personal for column in self.columns)


@dataclass(frozen=True)
class Workbook:
    content: bytes
    rows: int  # the data rows of all sheets (headers and totals aside)
    personal: bool  # some sheet holds personal data


def xlsx(*sheets: Sheet, title: str = "") -> Workbook:
    """Write the sheets into one workbook (write-only: the rows may be a generator of any length)."""
    workbook = OpenpyxlWorkbook(write_only=True)
    if title:
        workbook.properties.title = title
    rows = 0
    for sheet in sheets:
        rows += _write(workbook.create_sheet(sheet_title(sheet.title)), sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return Workbook(content=buffer.getvalue(), rows=rows, personal=any(sheet.personal for sheet in sheets))


def sheet_title(text: str) -> str:
    """Excel's rules for a sheet's name: at most 31 characters, none of []:*?/\\."""
    return text.translate(_TITLE_FORBIDDEN)[:31] or "Sheet"


def _write(worksheet, sheet: Sheet) -> int:
    columns = list(sheet.columns)
    for index, column in enumerate(columns, 1):
        worksheet.column_dimensions[get_column_letter(index)].width = column.width
    worksheet.freeze_panes = "A2"
    worksheet.append([_styled(worksheet, column.header, font=HEADER_FONT, fill=HEADER_FILL) for column in columns])
    formatted = [(index, column.number_format) for index, column in enumerate(columns) if column.number_format]
    count = 0
    for row in sheet.rows:
        if formatted:
            row = list(row)
            for index, number_format in formatted:
                row[index] = _styled(worksheet, row[index], number_format=number_format)
        worksheet.append(row)
        count += 1
    for total in sheet.totals:
        worksheet.append(
            [
                _styled(worksheet, value, font=TOTAL_FONT, number_format=column.number_format)
                for value, column in zip(total, columns, strict=True)
            ]
        )
    last = get_column_letter(len(columns))
    worksheet.auto_filter.ref = f"A1:{last}{count + 1}"
    return count


def _styled(worksheet, value, *, font=None, fill=None, number_format=""):
    cell = WriteOnlyCell(worksheet, value=value)
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if number_format:
        cell.number_format = number_format
    return cell
