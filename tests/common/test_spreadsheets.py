"""The one spreadsheet writer: no text ever reaches Excel as a formula."""

import csv
import io

import pytest
from openpyxl import load_workbook

from common.spreadsheets import cell_safe, csv_bytes, xlsx_bytes
from quizzes.live.report import report_xlsx

DANGEROUS = [
    '=HYPERLINK("http://evil.example","Đội A")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", DANGEROUS)
def test_a_text_that_starts_like_a_formula_is_written_as_text(text):
    assert cell_safe(text) == "'" + text

    sheet = load_workbook(io.BytesIO(xlsx_bytes([("Tên", ["Đội"], [[text]])]))).active
    cell = sheet["A2"]
    assert cell.data_type == "s"
    # XML keeps no lone carriage return: the workbook reads it back as a newline.
    assert cell.value == "'" + text.replace("\r", "\n")

    rows = list(
        csv.reader(io.StringIO(csv_bytes(["Đội"], [[text]]).decode("utf-8-sig")))
    )
    assert rows[1] == ["'" + text]


@pytest.mark.parametrize("value", ["Đội A", "Nguyễn Minh An", -5, 0, 12.5, None, ""])
def test_ordinary_values_pass_unchanged(value):
    assert cell_safe(value) == value


def test_a_live_game_team_named_as_a_formula_is_text_in_the_report():
    report = {
        "questions": [
            {
                "number": 1,
                "prompt": "=1+1",
                "answered": 1,
                "correct": 1,
                "correct_percent": 100,
                "average_seconds": 2.5,
                "skipped": False,
            }
        ],
        "players": [
            {
                "nickname": "@Voi Tím",
                "team": '=HYPERLINK("http://evil.example","Đội A")',
                "score": 900,
                "correct_count": 1,
                "answered_count": 1,
                "is_removed": False,
            }
        ],
    }
    workbook = load_workbook(io.BytesIO(report_xlsx(report)))
    questions, players = workbook.worksheets
    assert questions["B2"].value == "'=1+1"
    assert players["B2"].value == "'@Voi Tím"
    assert players["C2"].value.startswith("'=HYPERLINK")
    assert players["C2"].data_type == "s"
    assert players["D2"].value == 900
