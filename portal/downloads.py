"""The public base list as files: CSV (UTF-8 with a byte-order mark, so that Excel reads the
Chinese) and Excel (.xlsx, openpyxl). The columns are the public fields (bases.public_fields) with
their Chinese headings; choices as their labels, dates as dates."""

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bases.public_fields import PUBLIC_BASE_FIELDS

# Column widths in characters (a Chinese character counts two).
WIDTHS = {"name": 40, "document_number": 24, "base_type": 12, "industry": 12, "recognised_on": 12, "revoked_on": 12}


def csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([field.label for field in PUBLIC_BASE_FIELDS])
    for row in rows:
        cells = (field.cell(row) for field in PUBLIC_BASE_FIELDS)
        writer.writerow([cell.isoformat() if hasattr(cell, "isoformat") else cell for cell in cells])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "商业秘密保护基地"
    sheet.append([field.label for field in PUBLIC_BASE_FIELDS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([field.cell(row) for field in PUBLIC_BASE_FIELDS])
    for index, field in enumerate(PUBLIC_BASE_FIELDS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = WIDTHS.get(field.name, 10)
        if field.kind == "date":
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
