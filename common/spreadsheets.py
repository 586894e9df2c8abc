"""The one spreadsheet writer: XLSX and CSV files for people to open in Excel.

Every export of the product (class results, evidence reports, live-game reports)
writes through here, so every cell passes ``cell_safe``: a text that a spreadsheet
program would run as a formula (``=HYPERLINK(...)`` as a team name, say) is written
as plain text. No caller can forget it.
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

# A byte-order mark, so Excel opens UTF-8 CSV files with Vietnamese letters intact.
CSV_BOM = "\ufeff"
# Starts that make a spreadsheet program read a cell as a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SHEET_TITLE_MAX = 31

Sheet = tuple[str, list[str], list[list]]


def cell_safe(value):
    """Return ``value`` as a spreadsheet may hold it without running it.

    Texts that start like a formula get a leading apostrophe, the spreadsheet
    programs' own mark for "this is text"; numbers, dates and empty cells pass.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _safe_row(row) -> list:
    return [cell_safe(value) for value in row]


def xlsx_bytes(sheets: list[Sheet]) -> bytes:
    """Return a workbook with one sheet per ``(title, headers, rows)``.

    Headings are bold and stay in view; columns are as wide as their first 200
    rows need, within reason.
    """
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title=title[:SHEET_TITLE_MAX])
        sheet.append(_safe_row(headers))
        for cell in sheet[1]:
            cell.font = bold
        for row in rows:
            sheet.append(_safe_row(row))
        sheet.freeze_panes = "B2"
        for index, header in enumerate(headers, start=1):
            width = max(
                [len(str(header))] + [len(str(r[index - 1])) for r in rows[:200]]
            )
            sheet.column_dimensions[
                sheet.cell(row=1, column=index).column_letter
            ].width = min(max(width + 2, 8), 60)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(headers: list[str], rows: list[list], preamble: list[list] = ()) -> bytes:
    """Return UTF-8 CSV (with a byte-order mark): preamble lines, headings, rows."""
    buffer = io.StringIO()
    buffer.write(CSV_BOM)
    writer = csv.writer(buffer)
    for line in preamble:
        writer.writerow(_safe_row(line))
    writer.writerow(_safe_row(headers))
    writer.writerows(_safe_row(row) for row in rows)
    return buffer.getvalue().encode("utf-8")
