"""Class-list files as schools send them, built in memory for the roster tests."""

import io
import unicodedata
import zipfile

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What a Vietnamese school's software exports: title rows, then a heading row with
# private columns the import must drop.
TITLE_ROWS = [
    ["PHÒNG GIÁO DỤC VÀ ĐÀO TẠO"],
    ["DANH SÁCH HỌC SINH LỚP 5A1 - NĂM HỌC 2026-2027"],
    [],
]
HEADING = [
    "STT",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Lớp",
    "Địa chỉ",
    "SĐT phụ huynh",
]
PUPILS = [
    [1, "Nguyễn Thị Ánh Tuyết", "12/03/2016", "Nữ", "5A1", "12 Lê Lợi", "0912345678"],
    [2, "Trần Văn Bình", "05/07/2016", "Nam", "5A1", "4 Hùng Vương", "0987654321"],
    [3, "Lê Hoàng Minh Khôi", "21/11/2016", "Nam", "5A1", "8 Trần Phú", "0901122334"],
]
PRIVATE_VALUES = ["12/03/2016", "12 Lê Lợi", "0912345678", "Nữ", "0987654321"]


def csv_text(rows) -> str:
    return "\n".join(",".join(str(cell) for cell in row) for row in rows) + "\n"


def csv_upload(rows, *, name="danh-sach.csv", encoding="utf-8", bom=False):
    content = csv_text(rows).encode(encoding)
    if bom:
        content = b"\xef\xbb\xbf" + content
    return SimpleUploadedFile(name, content, content_type="text/csv")


def xlsx_bytes(rows, *, sheet_title="5A1") -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_upload(rows, *, name="danh-sach.xlsx"):
    return SimpleUploadedFile(name, xlsx_bytes(rows), content_type=XLSX_TYPE)


def school_export_rows():
    return [*TITLE_ROWS, HEADING, *PUPILS]


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 40), "white").save(out, format="PNG")
    return out.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def to_cp1258(text: str) -> bytes:
    """Encode Vietnamese as Windows-1258 does: base letters plus combining tones."""
    out = b""
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", char)
        composed = unicodedata.normalize("NFC", base + marks[0])
        if len(composed) == 1 and marks[1:]:
            out += composed.encode("cp1258") + "".join(marks[1:]).encode("cp1258")
        else:
            out += (base + "".join(marks)).encode("cp1258")
    return out
