"""The shared spreadsheet reader: Vietnamese headings, title rows, merged headings,
code pages, and clear refusals of files that are not tables."""

import io
import unicodedata

import openpyxl
import pytest
from django.utils import translation

from common.sheets import SheetError, table_read, upload_read
from tests.lms.roster_helpers import png_bytes, to_cp1258, zip_bytes

HEADINGS = {
    "Mã trường": "code",
    "Ma truong": "code",
    "Tên trường": "name",
    "Loại hình": "type",
    "Mã xã": "unit_code",
}
REQUIRED = {"code", "name"}


def read(content: bytes):
    return table_read(
        content,
        headings=HEADINGS,
        required=REQUIRED,
        max_rows=100,
        max_unpacked_bytes=10_000_000,
        missing_message="no heading",
    )


def xlsx(rows, merges=()) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def error_code(content: bytes) -> str:
    with pytest.raises(SheetError) as caught:
        read(content)
    return caught.value.code


def test_title_rows_and_a_two_row_heading_under_merged_cells():
    rows = [
        ["SỞ GIÁO DỤC VÀ ĐÀO TẠO TÂY NINH"],
        ["DANH SÁCH TRƯỜNG HỌC NĂM 2026"],
        [],
        ["STT", "Thông tin trường", None, "Mã xã"],  # B4:C4 merged, D4:D5 merged
        [None, "Mã trường", "Tên trường", None],
        ["(1)", "(2)", "(3)", "(4)"],
        [1, "80001", "Trường Tiểu học Long Hoa", "25480"],
        [],
        [2, "80002", "Trường THCS Hòa Thành", "25481"],
    ]
    table = read(xlsx(rows, merges=["B4:C4", "D4:D5", "A4:A5"]))
    assert table.kind == "xlsx"
    assert table.header_line == 5
    assert set(table.fields) == {"code", "name", "unit_code"}
    assert [(row.line, row.values["code"]) for row in table.rows] == [
        (7, "80001"),
        (9, "80002"),
    ]
    assert table.rows[0].values["unit_code"] == "25480"
    assert "STT" in table.ignored_columns


def test_headings_without_diacritics_and_in_capitals():
    rows = [["MA TRUONG", "TÊN TRƯỜNG"], ["80001", "Trường A"]]
    assert read(xlsx(rows)).rows[0].values == {"code": "80001", "name": "Trường A"}


def test_csv_with_a_bom_and_semicolons():
    text = "DANH SÁCH;;\nMã trường;Tên trường;Ghi chú\n80001;Trường Ánh Sáng;x\n"
    table = read(b"\xef\xbb\xbf" + text.encode())
    assert table.kind == "csv"
    assert table.header_line == 2
    assert table.rows[0].values["name"] == "Trường Ánh Sáng"
    assert table.ignored_columns == ("Ghi chú",)


def test_windows_1258_csv_is_read_as_vietnamese():
    text = "Mã trường,Tên trường\n80001,Trường Tiểu học Đồng Khởi\n"
    content = to_cp1258(text)  # tones as combining marks after the base letter
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    table = read(content)
    assert table.rows[0].values["name"] == "Trường Tiểu học Đồng Khởi"
    assert unicodedata.is_normalized("NFC", table.rows[0].values["name"])


def test_utf16_csv_from_excel_unicode_text():
    content = "Mã trường\tTên trường\n80001\tTrường B\n".encode("utf-16")
    assert read(content).rows[0].values["name"] == "Trường B"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "not_a_spreadsheet"),
        (png_bytes(), "not_a_spreadsheet"),
        (b"", "empty_file"),
        (b"\xd0\xcf\x11\xe0" + b"\0" * 600, "unsupported_format"),
        (zip_bytes({"word/document.xml": b"<w/>"}), "not_a_spreadsheet"),
        ("Ngày,Lớp\n1,5A1\n".encode(), "no_header"),
    ],
    ids=["pdf", "png", "empty", "xls", "docx", "no-heading"],
)
def test_files_that_are_not_tables_are_refused_with_a_reason(content, code):
    assert error_code(content) == code


def test_a_pdf_is_told_it_is_not_an_excel_or_csv_file():
    with pytest.raises(SheetError) as caught:
        read(b"%PDF-1.4\n1 0 obj\n")
    assert "không phải tệp Excel hoặc CSV" in str(caught.value)


def test_too_many_lines_are_refused():
    rows = [["Mã trường", "Tên trường"], *[[str(n), f"T {n}"] for n in range(101)]]
    assert error_code(xlsx(rows)) == "too_many_rows"


# --- The upload read every import shares ----------------------------------------------


class CountingUpload(io.BytesIO):
    """An upload that does not know its size and records how much was read."""

    size = None
    read_bytes = 0

    def read(self, size=-1):
        data = super().read(size)
        self.read_bytes += len(data)
        return data


def upload_error(content: bytes, max_bytes: int = 10_000) -> SheetError:
    with pytest.raises(SheetError) as caught:
        upload_read(CountingUpload(content), max_bytes=max_bytes)
    return caught.value


def test_the_upload_read_stops_one_byte_past_the_limit():
    upload = CountingUpload(b"STT,Ho va ten\n" * 1000)
    with pytest.raises(SheetError) as caught:
        upload_read(upload, max_bytes=100)
    assert caught.value.code == "too_large"
    assert upload.read_bytes == 101
    assert "100" in caught.value.message  # the limit, in words the person can act on


def test_the_upload_read_returns_a_sheet_as_it_came():
    content = "Mã trường,Tên trường\n80001,Long Hoa\n".encode()
    assert upload_read(CountingUpload(content), max_bytes=1000) == content


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n", "not_a_spreadsheet"),
        (b"\xef\xbb\xbf  \n%PDF-1.5\n1 0 obj\n", "not_a_spreadsheet"),
        (
            b"<!DOCTYPE html><html><table><tr><td>STT</td></tr></table>",
            "not_a_spreadsheet",
        ),
        (
            b'<?xml version="1.0"?><Workbook '
            b'xmlns="urn:schemas-microsoft-com:office:spreadsheet">',
            "unsupported_format",
        ),
        (b"", "empty_file"),
    ],
    ids=["pdf", "pdf-after-bom", "web-page-as-xls", "excel-2003-xml", "empty"],
)
def test_the_upload_read_refuses_what_is_not_a_spreadsheet(content, code):
    error = upload_error(content)
    assert error.code == code


def test_a_web_page_named_xls_is_told_apart_from_a_missing_heading():
    with translation.override("vi"):
        error = upload_error("<html><td>Họ và tên</td></html>".encode())
    assert "không phải tệp Excel hoặc CSV" in error.message
