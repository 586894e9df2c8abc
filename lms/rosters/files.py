"""Reading class-list files: XLSX or CSV in, names and classes out.

What school management software exports: a few title rows, a heading row with
"STT", "Họ và tên", maybe "Lớp", and often private columns (birth date, gender,
address, a parent's phone). Only the line number, the roster number, the name and
the class are kept; the other columns are dropped as the rows are read, and only
their headings are reported, so the teacher knows they were left out.

The content decides the format, never the file name: a zip archive must be an Excel
workbook, anything else must decode as text. Whatever goes wrong becomes an
``LmsError`` with a message a teacher can act on.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from enum import StrEnum

from django.conf import settings
from django.utils.translation import gettext as _

from lms.errors import LmsError
from lms.rosters.pupil_accounts import ascii_fold

# The header is looked for in this many first lines of a sheet.
HEADER_SEARCH_LINES = 30
# This many empty lines in a row end the list (sheets formatted down to row 10000).
BLANK_LINES_END = 200


class Column(StrEnum):
    NUMBER = "number"
    FULL_NAME = "full_name"
    FAMILY_NAME = "family_name"
    GIVEN_NAME = "given_name"
    CLASS = "class"


# Headings as school software writes them, folded (no diacritics, lowercase).
HEADINGS = {
    "stt": Column.NUMBER,
    "so tt": Column.NUMBER,
    "so thu tu": Column.NUMBER,
    "tt": Column.NUMBER,
    "no": Column.NUMBER,
    "#": Column.NUMBER,
    "ho va ten": Column.FULL_NAME,
    "ho ten": Column.FULL_NAME,
    "ho va ten hoc sinh": Column.FULL_NAME,
    "ho ten hoc sinh": Column.FULL_NAME,
    "ten hoc sinh": Column.FULL_NAME,
    "full name": Column.FULL_NAME,
    "name": Column.FULL_NAME,
    "pupil name": Column.FULL_NAME,
    "student name": Column.FULL_NAME,
    "ho dem": Column.FAMILY_NAME,
    "ho va ten dem": Column.FAMILY_NAME,
    "ho va dem": Column.FAMILY_NAME,
    "ho va chu dem": Column.FAMILY_NAME,
    "ho lot": Column.FAMILY_NAME,
    "ho": Column.FAMILY_NAME,
    "ten": Column.GIVEN_NAME,
    "lop": Column.CLASS,
    "ten lop": Column.CLASS,
    "class": Column.CLASS,
}


@dataclass(frozen=True)
class RosterLine:
    """One line of the list that may be a pupil, as read: nothing private."""

    line: int
    number: str
    full_name: str
    class_name: str


@dataclass(frozen=True)
class ParsedRoster:
    """What a roster file says, reduced to what an account needs.

    Plain data only, so it can wait in the session between preview and confirm.
    """

    kind: str
    sheet_name: str
    header_line: int
    has_class_column: bool
    ignored_columns: tuple[str, ...]
    skipped_lines: tuple[int, ...]
    lines: tuple[RosterLine, ...]

    def to_data(self) -> dict:
        return asdict(self)

    @classmethod
    def from_data(cls, data: dict) -> ParsedRoster:
        return cls(
            kind=data["kind"],
            sheet_name=data["sheet_name"],
            header_line=data["header_line"],
            has_class_column=data["has_class_column"],
            ignored_columns=tuple(data["ignored_columns"]),
            skipped_lines=tuple(data["skipped_lines"]),
            lines=tuple(RosterLine(**line) for line in data["lines"]),
        )


def _error(message: str, code: str) -> LmsError:
    return LmsError(message, code=code)


def clean_text(value: object) -> str:
    """Return a cell as one line of NFC text: Vietnamese typed on any keyboard."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        value = value.isoformat()
    text = unicodedata.normalize("NFC", str(value))
    text = "".join(
        " " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in text
    )
    return " ".join(text.split())


def _fold_heading(text: str) -> str:
    folded = ascii_fold(text)
    return " ".join(re.sub(r"[^a-z0-9# ]", " ", folded).split())


def _decode_csv(content: bytes) -> str:
    """Decode a CSV export: UTF-8 (BOM or not), UTF-16, or Windows code pages."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" export.
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            raise _error(_("This file is not a spreadsheet."), "not_a_spreadsheet")
    if b"\x00" in content:
        raise _error(_("This file is not a spreadsheet."), "not_a_spreadsheet")
    for encoding in ("utf-8-sig", "cp1258", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _error(_("This file is not a spreadsheet."), "not_a_spreadsheet")
    controls = sum(
        1 for c in text if unicodedata.category(c) == "Cc" and c not in "\t\r\n"
    )
    if controls:
        raise _error(_("This file is not a spreadsheet."), "not_a_spreadsheet")
    return unicodedata.normalize("NFC", text)


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    text = _decode_csv(content)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return csv.reader(io.StringIO(text, newline=""), dialect)


def _xlsx_workbook(content: bytes):
    """Open an XLSX workbook read-only after checking it really is one."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = set(archive.namelist())
        unpacked = sum(info.file_size for info in archive.infolist())
        mimetype = archive.read("mimetype")[:60] if "mimetype" in names else b""
    except Exception:
        # Truncated, encrypted or otherwise broken archives: all the same to a teacher.
        raise _error(
            _("This Excel file is damaged. Open it in Excel and save it again."),
            "damaged_xlsx",
        )
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        raise _error(
            _("Save this file as Excel (.xlsx) or CSV, then upload it again."),
            "unsupported_format",
        )
    if "[Content_Types].xml" not in names or not any(
        name.startswith("xl/") for name in names
    ):
        raise _error(_("This file is not a spreadsheet."), "not_a_spreadsheet")
    limit = getattr(
        settings, "ROSTER_MAX_UNPACKED_BYTES", 20 * settings.ROSTER_MAX_BYTES
    )
    if unpacked > limit:
        raise _error(
            _("This file is too large. Keep only the class list and try again."),
            "too_large",
        )
    from openpyxl import load_workbook

    try:
        # Files from other software often trip openpyxl's warnings (unknown
        # extensions, missing styles); they say nothing about the names.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise _error(
            _("This Excel file is damaged. Open it in Excel and save it again."),
            "damaged_xlsx",
        )


def _sheet_rows(sheet) -> Iterator[Sequence[object]]:
    # Some software writes a wrong sheet size; read every row that is there.
    sheet.reset_dimensions()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield from sheet.iter_rows(min_row=1, values_only=True)


@dataclass
class _Header:
    line: int
    columns: dict[Column, int]
    ignored: list[str]


def _read_header(line: int, cells: Sequence[str]) -> _Header | None:
    columns: dict[Column, int] = {}
    for index, text in enumerate(cells):
        role = HEADINGS.get(_fold_heading(text)) if text else None
        if role is not None and role not in columns:
            columns[role] = index
    has_name = Column.FULL_NAME in columns or {
        Column.FAMILY_NAME,
        Column.GIVEN_NAME,
    } <= set(columns)
    if not has_name:
        return None
    if Column.FULL_NAME in columns:
        columns.pop(Column.FAMILY_NAME, None)
        columns.pop(Column.GIVEN_NAME, None)
    used = set(columns.values())
    ignored = [text for index, text in enumerate(cells) if text and index not in used]
    return _Header(line=line, columns=columns, ignored=ignored)


def is_whole_number(text: str) -> bool:
    return re.fullmatch(r"\d+(\.0+)?", text) is not None


def _extract(rows: Iterable[Sequence[object]], *, kind: str, sheet_name: str):
    """Find the header, then read the lines below it; None if there is no header."""
    max_rows = settings.ROSTER_MAX_ROWS
    # Lines that are not pupils (totals, signatures) are allowed, within reason.
    scan_limit = 3 * max_rows + HEADER_SEARCH_LINES + BLANK_LINES_END
    header: _Header | None = None
    candidates: list[RosterLine] = []
    skipped: list[int] = []
    blank_run = 0
    for line, raw in enumerate(rows, start=1):
        if header is None:
            if line > HEADER_SEARCH_LINES:
                return None
            header = _read_header(line, [clean_text(value) for value in raw])
            continue
        if line > scan_limit:
            raise _too_many_rows(max_rows)
        # Only the needed cells are kept; the private ones are never stored.
        wanted = [i for i in header.columns.values() if i < len(raw)]
        cells = {i: clean_text(raw[i]) for i in wanted}
        if not any(cells.values()):
            if any(clean_text(value) for value in raw):
                skipped.append(line)
            blank_run += 1
            if blank_run >= BLANK_LINES_END:
                break
            continue
        blank_run = 0
        columns = header.columns
        if Column.FULL_NAME in columns:
            name = cells.get(columns[Column.FULL_NAME], "")
        else:
            family = cells.get(columns[Column.FAMILY_NAME], "")
            given = cells.get(columns[Column.GIVEN_NAME], "")
            name = f"{family} {given}".strip()
        number = cells.get(columns.get(Column.NUMBER, -1), "")
        class_name = cells.get(columns.get(Column.CLASS, -1), "")
        if not name and not is_whole_number(number):
            # A title between sections, a total, a signature: not a pupil.
            skipped.append(line)
            continue
        if line == header.line + 1 and not any(c.isalpha() for c in name):
            # Official forms number their columns under the heading: (1) (2) (3).
            skipped.append(line)
            continue
        candidates.append(
            RosterLine(line=line, number=number, full_name=name, class_name=class_name)
        )
        if len(candidates) > max_rows:
            raise _too_many_rows(max_rows)
    if header is None:
        return None
    # A template numbered down to line 45 for a class of 35: the numbered empty
    # lines after the last name are not pupils.
    last_named = max((c.line for c in candidates if c.full_name), default=0)
    trailing = [c.line for c in candidates if c.line > last_named]
    candidates = [c for c in candidates if c.line <= last_named]
    return ParsedRoster(
        kind=kind,
        sheet_name=sheet_name,
        header_line=header.line,
        has_class_column=Column.CLASS in header.columns,
        ignored_columns=tuple(header.ignored),
        skipped_lines=tuple(sorted(skipped + trailing)),
        lines=tuple(candidates),
    )


def _too_many_rows(max_rows: int) -> LmsError:
    return _error(
        _("This list has more than %(count)d lines. Split it and try again.")
        % {"count": max_rows},
        "too_many_rows",
    )


def _no_header_error() -> LmsError:
    return _error(
        _(
            "No heading “Họ và tên” was found in the first %(count)d lines. "
            "The list needs a column of full names under that heading."
        )
        % {"count": HEADER_SEARCH_LINES},
        "no_header",
    )


def _parse_xlsx(content: bytes) -> ParsedRoster:
    workbook = _xlsx_workbook(content)
    try:
        sheets = [workbook.active, *workbook.worksheets]
        seen = set()
        for sheet in sheets:
            if sheet is None or id(sheet) in seen or not hasattr(sheet, "iter_rows"):
                continue
            seen.add(id(sheet))
            parsed = _extract(_sheet_rows(sheet), kind="xlsx", sheet_name=sheet.title)
            if parsed is not None:
                return parsed
        raise _no_header_error()
    except LmsError:
        raise
    except Exception:
        # Broken XML inside the archive shows only while the rows are read.
        raise _error(
            _("This Excel file is damaged. Open it in Excel and save it again."),
            "damaged_xlsx",
        )
    finally:
        workbook.close()


def _parse_csv(content: bytes) -> ParsedRoster:
    try:
        parsed = _extract(_csv_rows(content), kind="csv", sheet_name="")
    except csv.Error:
        raise _error(_("This file is not a spreadsheet."), "not_a_spreadsheet")
    if parsed is None:
        raise _no_header_error()
    return parsed


def roster_file_read(content: bytes) -> ParsedRoster:
    """Read the bytes of a class list, whatever its format; raise ``LmsError``."""
    if not content.strip():
        raise _error(_("The file is empty."), "empty_file")
    if content.startswith(b"PK\x03\x04"):
        return _parse_xlsx(content)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise _error(
            _(
                "This is an old Excel file (.xls) or a file locked with a password. "
                "Open it in Excel, save it as .xlsx without a password, then upload "
                "it again."
            ),
            "unsupported_format",
        )
    return _parse_csv(content)
