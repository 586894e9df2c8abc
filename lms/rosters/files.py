"""Reading class-list files: XLSX or CSV in, names and classes out.

What school management software exports: a few title rows, a heading row with
"STT", "Họ và tên", maybe "Lớp", and often private columns (birth date, gender,
address, a parent's phone). Only the line number, the roster number, the name and
the class are kept; the other columns are dropped as the rows are read, and only
their headings are reported, so the teacher knows they were left out.

Opening the file (XLSX or CSV told apart by content, the Vietnamese code pages,
damaged or foreign files) is ``common.sheets``, shared with the organisation
imports of ``lms.people.onboarding``; the rules of a class list (name columns,
numbered empty lines, totals) are here. Whatever goes wrong becomes an
``LmsError`` with a message a teacher can act on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum

from django.conf import settings
from django.utils.translation import gettext as _

from common.sheets import (
    BLANK_LINES_END,
    HEADER_SEARCH_LINES,
    SheetError,
    clean_text,
    fold_heading,
    sheet_tables,
    upload_read,
)
from lms.errors import LmsError


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


def _fold_heading(text: str) -> str:
    return fold_heading(text)


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


def _unpacked_limit() -> int:
    return getattr(
        settings, "ROSTER_MAX_UNPACKED_BYTES", 20 * settings.ROSTER_MAX_BYTES
    )


def roster_upload_read(file) -> ParsedRoster:
    """Read an uploaded class list: size and file type first (``common.sheets``),
    then the names; raise ``LmsError``."""
    try:
        content = upload_read(file, max_bytes=settings.ROSTER_MAX_BYTES)
    except SheetError as error:
        raise _error(error.message, error.code)
    return roster_file_read(content)


def roster_file_read(content: bytes) -> ParsedRoster:
    """Read the bytes of a class list, whatever its format; raise ``LmsError``."""
    try:
        with sheet_tables(content, max_unpacked_bytes=_unpacked_limit()) as tables:
            for table in tables:
                parsed = _extract(
                    table.rows, kind=table.kind, sheet_name=table.sheet_name
                )
                if parsed is not None:
                    return parsed
    except SheetError as error:
        raise _error(error.message, error.code)
    raise _no_header_error()
