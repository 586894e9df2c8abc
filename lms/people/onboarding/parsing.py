"""Reading an onboarding file: the headings each kind accepts and
``onboarding_parse``, which turns an uploaded XLSX or CSV file into a
``ParsedImport``, plain rows with their line numbers that can wait in the session.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.sheets import SheetError, table_read, upload_read
from lms.errors import LmsError
from lms.people.onboarding.plans import ImportKind

# Accepted headings (compared without diacritics, case or punctuation) -> field.
HEADINGS: dict[ImportKind, dict[str, str]] = {
    ImportKind.UNITS: {
        "mã": "code",
        "mã đơn vị": "code",
        "mã đơn vị hành chính": "code",
        "mã xã": "code",
        "code": "code",
        "tên": "name",
        "tên đơn vị": "name",
        "tên đơn vị hành chính": "name",
        "name": "name",
        "cấp": "level",
        "cấp đơn vị": "level",
        "cấp hành chính": "level",
        "level": "level",
        "mã cấp trên": "parent_code",
        "mã đơn vị cấp trên": "parent_code",
        "mã đơn vị cha": "parent_code",
        "đơn vị cấp trên": "parent_code",
        "parent code": "parent_code",
    },
    ImportKind.SCHOOLS: {
        "mã trường": "code",
        "mã cơ sở": "code",
        "mã": "code",
        "school code": "code",
        "code": "code",
        "tên trường": "name",
        "tên cơ sở": "name",
        "tên": "name",
        "name": "name",
        "loại hình": "type",
        "loại trường": "type",
        "cấp học": "type",
        "loại": "type",
        "type": "type",
        "mã xã": "unit_code",
        "mã đơn vị": "unit_code",
        "mã đơn vị hành chính": "unit_code",
        "mã xã phường": "unit_code",
        "unit code": "unit_code",
        "địa chỉ": "address",
        "address": "address",
    },
    ImportKind.STAFF: {
        "họ và tên": "full_name",
        "họ tên": "full_name",
        "full name": "full_name",
        "name": "full_name",
        "mã trường": "school_code",
        "mã cơ sở": "school_code",
        "school code": "school_code",
        "vai trò": "role",
        "chức vụ": "role",
        "role": "role",
        "tên đăng nhập": "username",
        "tài khoản": "username",
        "username": "username",
        "mã đơn vị": "unit_code",
        "mã xã": "unit_code",
        "mã tỉnh": "unit_code",
        "unit code": "unit_code",
    },
}
FIELDS: dict[ImportKind, tuple[str, ...]] = {
    ImportKind.UNITS: ("code", "name", "level", "parent_code"),
    ImportKind.SCHOOLS: ("code", "name", "type", "unit_code", "address"),
    ImportKind.STAFF: ("full_name", "school_code", "role", "username", "unit_code"),
}
REQUIRED = {
    ImportKind.UNITS: ("code", "name", "level"),
    ImportKind.SCHOOLS: ("code", "name", "type", "unit_code"),
    ImportKind.STAFF: ("full_name", "role"),
}
MISSING_HEADINGS = {
    ImportKind.UNITS: gettext_lazy(
        "No headings “Mã”, “Tên” and “Cấp” were found in the first 30 lines."
    ),
    ImportKind.SCHOOLS: gettext_lazy(
        "No headings “Mã trường”, “Tên trường”, “Loại hình” and “Mã xã” were "
        "found in the first 30 lines."
    ),
    ImportKind.STAFF: gettext_lazy(
        "No headings “Họ và tên” and “Vai trò” were found in the first 30 lines."
    ),
}


@dataclass(frozen=True)
class ParsedImport:
    """What a file says, as plain data that can wait in the session."""

    kind: str
    header_line: int
    ignored_columns: tuple[str, ...]
    rows: tuple[tuple, ...]  # (line, value of each of FIELDS[kind] ...)

    def to_data(self) -> dict:
        return {
            "kind": self.kind,
            "header_line": self.header_line,
            "ignored_columns": list(self.ignored_columns),
            "rows": [list(row) for row in self.rows],
        }

    @classmethod
    def from_data(cls, data: dict) -> ParsedImport:
        return cls(
            kind=data["kind"],
            header_line=data["header_line"],
            ignored_columns=tuple(data["ignored_columns"]),
            rows=tuple(tuple(row) for row in data["rows"]),
        )

    def records(self) -> list[dict]:
        names = FIELDS[ImportKind(self.kind)]
        return [
            {"line": row[0], **dict(zip(names, row[1:], strict=True))}
            for row in self.rows
        ]


def onboarding_parse(*, kind: str, file: UploadedFile) -> ParsedImport:
    """Read an uploaded XLSX or CSV file of units, schools or staff."""
    kind = ImportKind(kind)
    limit = settings.ONBOARDING_MAX_BYTES
    try:
        content = upload_read(file, max_bytes=limit)
    except SheetError as error:
        raise LmsError(error.message, code=error.code)
    try:
        table = table_read(
            content,
            headings=HEADINGS[kind],
            required=REQUIRED[kind],
            max_rows=settings.ONBOARDING_MAX_ROWS,
            max_unpacked_bytes=20 * limit,
            missing_message=str(MISSING_HEADINGS[kind]),
        )
    except SheetError as error:
        raise LmsError(error.message, code=error.code)
    if not table.rows:
        raise LmsError(_("The file has headings but no lines under them."), "no_rows")
    names = FIELDS[kind]
    rows = tuple(
        (row.line, *(row.values.get(name, "") for name in names)) for row in table.rows
    )
    return ParsedImport(
        kind=kind,
        header_line=table.header_line,
        ignored_columns=table.ignored_columns,
        rows=rows,
    )
