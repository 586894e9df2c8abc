"""Reading tables out of the spreadsheets Vietnamese offices send: XLSX or CSV in,
numbered lines of text out.

What the national school database and hand-typed lists look like: a few title rows
("SỞ GIÁO DỤC VÀ ĐÀO TẠO ..."), a heading row in Vietnamese (with or without
diacritics, any case), sometimes a second heading row under headings merged across
columns ("Thông tin trường" over "Mã trường | Tên trường"), a row of column numbers
"(1) (2) (3)", then the data, often followed by totals and signatures. CSV exports
come as UTF-8 with or without a byte-order mark, UTF-16 ("Unicode text"), or in the
Windows code page for Vietnamese (1258).

The content decides the format, never the file name: a zip archive must be an Excel
workbook, anything else must decode as text. Whatever goes wrong becomes a
``SheetError`` with a message the person who uploaded the file can act on; callers
turn it into their own app's error.

Two levels are offered: the building blocks (``sheet_tables`` yields each sheet's
raw rows, ``clean_text`` and ``fold_heading`` normalise cells; the class-list reader
in ``lms.rosters.files`` uses these with its own rules), and ``table_read``, which
finds the heading row by a table of accepted headings and returns the wanted
columns of every line with its spreadsheet line number.

django-import-export was considered and not used: it is built around Django's admin
(this product's back office is Wagtail's), expects the heading in the first row,
and its dry-run result differs from the preview contract of the imports here
(a line-numbered error for every bad line, nothing written, recomputed on apply).
Its table layer, tablib, only wraps openpyxl and ``csv`` as used here, without the
title rows, merged headings or Vietnamese code pages.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from common.errors import DomainError

# The heading row is looked for in this many first lines of a sheet.
HEADER_SEARCH_LINES = 30
# This many empty lines in a row end a table (sheets formatted down to row 10000).
BLANK_LINES_END = 200
# Magic numbers of files people upload by mistake.
NOT_SHEET_STARTS = (
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"RIFF",
    b"\x1f\x8b",
    b"Rar!",
    b"7z\xbc\xaf",
    b"{\\rtf",
)
# A PDF may carry a few bytes before its header (the format allows 1024).
PDF_HEADER_WITHIN = 1024
# How much of a text file's start is looked at for the signs of a web page.
TEXT_SNIFF_BYTES = 2048


class SheetError(DomainError):
    """The file is not a table that can be read; ``message`` says why."""


# --- Cells ----------------------------------------------------------------------------


def ascii_fold(text: str) -> str:
    """Return ``text`` lowercased without diacritics: "Đặng Ánh" -> "dang anh"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().split())


def fold_heading(text: str) -> str:
    """Return a heading as compared: no diacritics, no punctuation, lowercase."""
    return " ".join(re.sub(r"[^a-z0-9# ]", " ", ascii_fold(text)).split())


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


# --- Files ----------------------------------------------------------------------------


def not_a_sheet_error() -> SheetError:
    return SheetError(
        _("This is not an Excel or CSV file. Save it as .xlsx or .csv and try again."),
        code="not_a_spreadsheet",
    )


def damaged_error() -> SheetError:
    return SheetError(
        _("This Excel file is damaged. Open it in Excel and save it again."),
        code="damaged_xlsx",
    )


def decode_text(content: bytes) -> str:
    """Decode a CSV export: UTF-8 (BOM or not), UTF-16, or Windows code pages."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" export.
        try:
            return unicodedata.normalize("NFC", content.decode("utf-16"))
        except UnicodeDecodeError:
            raise not_a_sheet_error()
    if b"\x00" in content:
        raise not_a_sheet_error()
    for encoding in ("utf-8-sig", "cp1258", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise not_a_sheet_error()
    controls = sum(
        1 for c in text if unicodedata.category(c) == "Cc" and c not in "\t\r\n"
    )
    if controls:
        raise not_a_sheet_error()
    # Windows-1258 writes most Vietnamese letters decomposed (base + tone mark).
    return unicodedata.normalize("NFC", text)


def csv_rows(content: bytes) -> Iterator[list[str]]:
    text = decode_text(content)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return csv.reader(io.StringIO(text, newline=""), dialect)


def xlsx_workbook(content: bytes, *, max_unpacked_bytes: int):
    """Open an XLSX workbook read-only after checking it really is one."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = set(archive.namelist())
        unpacked = sum(info.file_size for info in archive.infolist())
        mimetype = archive.read("mimetype")[:60] if "mimetype" in names else b""
    except Exception:
        # Truncated, encrypted or otherwise broken archives: all the same to a person.
        raise damaged_error()
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        raise SheetError(
            _("Save this file as Excel (.xlsx) or CSV, then upload it again."),
            code="unsupported_format",
        )
    if "[Content_Types].xml" not in names or not any(
        name.startswith("xl/") for name in names
    ):
        raise not_a_sheet_error()
    if unpacked > max_unpacked_bytes:
        raise SheetError(
            _("This file is too large. Keep only the list and try again."),
            code="too_large",
        )
    from openpyxl import load_workbook

    try:
        # Files from other software often trip openpyxl's warnings (unknown
        # extensions, missing styles); they say nothing about the data.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise damaged_error()


def _sheet_rows(sheet) -> Iterator[Sequence[object]]:
    # Some software writes a wrong sheet size; read every row that is there.
    sheet.reset_dimensions()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield from sheet.iter_rows(min_row=1, values_only=True)


def _looks_like_markup(start: bytes) -> bytes:
    """Return the first tag of a web page or XML file, or b"" for other text."""
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if start.startswith(bom):
            start = start[len(bom) :]
            break
    text = start.replace(b"\x00", b"").lstrip().lower()
    if not text.startswith(b"<"):
        return b""
    return text[:TEXT_SNIFF_BYTES]


def sheet_kind(content: bytes) -> str:
    """Return "xlsx" or "csv" from the content, or raise ``SheetError``.

    Anything that is neither (a PDF, a picture, a Word document, a web page
    saved with an Excel name) is refused here with a message that says so,
    before any reader looks for headings in it.
    """
    if not content.strip():
        raise SheetError(_("The file is empty."), code="empty_file")
    if content.startswith(b"PK\x03\x04"):
        return "xlsx"
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise SheetError(
            _(
                "This is an old Excel file (.xls) or a file locked with a password. "
                "Open it in Excel, save it as .xlsx without a password, then upload "
                "it again."
            ),
            code="unsupported_format",
        )
    if content.startswith(NOT_SHEET_STARTS) or b"%PDF-" in content[:PDF_HEADER_WITHIN]:
        raise not_a_sheet_error()
    markup = _looks_like_markup(content[:TEXT_SNIFF_BYTES])
    if b"urn:schemas-microsoft-com:office:spreadsheet" in markup:
        # Excel 2003's XML spreadsheet: readable by Excel, not here.
        raise SheetError(
            _("Save this file as Excel (.xlsx) or CSV, then upload it again."),
            code="unsupported_format",
        )
    if markup:
        # School software often exports a web page named ".xls".
        raise SheetError(
            _(
                "This is not an Excel or CSV file but a web page with an Excel "
                "name. Open it in Excel, save it as .xlsx, then upload it again."
            ),
            code="not_a_spreadsheet",
        )
    return "csv"


def too_large_error(max_bytes: int) -> SheetError:
    return SheetError(
        _("The file is larger than %(size)s. Keep only the list and try again.")
        % {"size": filesizeformat(max_bytes)},
        code="too_large",
    )


def upload_read(file, *, max_bytes: int) -> bytes:
    """Return the bytes of an uploaded spreadsheet, after the checks every import
    makes before reading it: no larger than ``max_bytes`` (never reading more than
    one byte past it) and an Excel or CSV file by its content.

    Raises ``SheetError`` (``too_large``, ``empty_file``, ``not_a_spreadsheet``,
    ``unsupported_format``).
    """
    if file.size is not None and file.size > max_bytes:
        raise too_large_error(max_bytes)
    file.seek(0)
    content = file.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise too_large_error(max_bytes)
    sheet_kind(content)
    return content


@dataclass(frozen=True)
class RawTable:
    """One sheet of a file, as rows of raw cell values (line 1 first)."""

    kind: str
    sheet_name: str
    rows: Iterable[Sequence[object]]


@contextlib.contextmanager
def sheet_tables(content: bytes, *, max_unpacked_bytes: int) -> Iterator[list]:
    """Yield the file's tables: every sheet of a workbook (the active one first),
    or the one table of a CSV file. Reading a broken workbook's rows raises
    ``SheetError`` too."""
    kind = sheet_kind(content)
    if kind == "csv":
        try:
            yield [RawTable(kind="csv", sheet_name="", rows=csv_rows(content))]
        except csv.Error:
            raise not_a_sheet_error()
        return
    workbook = xlsx_workbook(content, max_unpacked_bytes=max_unpacked_bytes)
    try:
        tables, seen = [], set()
        for sheet in [workbook.active, *workbook.worksheets]:
            if sheet is None or id(sheet) in seen or not hasattr(sheet, "iter_rows"):
                continue
            seen.add(id(sheet))
            tables.append(
                RawTable(kind="xlsx", sheet_name=sheet.title, rows=_sheet_rows(sheet))
            )
        yield tables
    except DomainError:
        raise
    except Exception:
        # Broken XML inside the archive shows only while the rows are read.
        raise damaged_error()
    finally:
        workbook.close()


# --- Tables with a known set of headings ----------------------------------------------


@dataclass(frozen=True)
class TableRow:
    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class Table:
    """The wanted columns of a file's table, each line with its line number."""

    kind: str
    sheet_name: str
    header_line: int
    fields: tuple[str, ...]
    ignored_columns: tuple[str, ...]
    rows: tuple[TableRow, ...]


def _match_headings(
    cells: Sequence[str], headings: Mapping[str, str]
) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, text in enumerate(cells):
        field = headings.get(fold_heading(text)) if text else None
        if field is not None and field not in found:
            found[field] = index
    return found


def _merge_heading_rows(
    upper: Sequence[str], lower: Sequence[str], headings: Mapping[str, str]
) -> list[str]:
    """Return one heading row from two: a heading merged down over both rows keeps
    its text in the upper cell; headings under a merged group are in the lower."""
    width = max(len(upper), len(lower))
    merged = []
    for index in range(width):
        top = upper[index] if index < len(upper) else ""
        bottom = lower[index] if index < len(lower) else ""
        if bottom and fold_heading(bottom) in headings:
            merged.append(bottom)
        elif top and fold_heading(top) in headings:
            merged.append(top)
        else:
            merged.append(bottom or top)
    return merged


def _is_column_numbers(cells: Iterable[str]) -> bool:
    texts = [c for c in cells if c]
    return bool(texts) and all(re.fullmatch(r"\(\s*\d+\s*\)", c) for c in texts)


def table_read(
    content: bytes,
    *,
    headings: Mapping[str, str],
    required: Iterable[str],
    max_rows: int,
    max_unpacked_bytes: int,
    missing_message: str,
) -> Table:
    """Read the first table of the file whose heading row names every ``required``
    field; ``headings`` maps folded heading spellings to field names.

    The heading row is looked for in the first ``HEADER_SEARCH_LINES`` lines, and
    may span two rows (a merged group heading above, a heading merged down). Lines
    with none of the wanted cells filled are left out; their numbers still count.
    Raises ``SheetError`` (``missing_message`` when no sheet has the headings).
    """
    headings = {fold_heading(k): v for k, v in headings.items()}
    required = set(required)
    with sheet_tables(content, max_unpacked_bytes=max_unpacked_bytes) as tables:
        for raw in tables:
            table = _table_from_rows(
                raw, headings=headings, required=required, max_rows=max_rows
            )
            if table is not None:
                return table
    raise SheetError(missing_message, code="no_header")


def _table_from_rows(
    raw: RawTable, *, headings: Mapping[str, str], required: set[str], max_rows: int
) -> Table | None:
    rows = iter(raw.rows)
    previous: list[str] = []
    header_line = 0
    columns: dict[str, int] = {}
    heading_cells: list[str] = []
    line = 0
    pending: tuple[int, Sequence[object]] | None = None
    for line, values in enumerate(rows, start=1):
        if line > HEADER_SEARCH_LINES:
            return None
        cells = [clean_text(v) for v in values]
        found = _match_headings(cells, headings)
        if required <= set(found):
            # A heading merged down over two rows keeps its text in the row above.
            merged = _merge_heading_rows(previous, cells, headings)
            heading_cells, header_line = merged, line
            columns = _match_headings(merged, headings)
            break
        combined = _merge_heading_rows(previous, cells, headings)
        found = _match_headings(combined, headings)
        if previous and required <= set(found):
            heading_cells, header_line, columns = combined, line, found
            break
        previous = cells
    else:
        return None
    # A second heading row under a merged group heading: "Mã trường | Tên trường".
    following = next(rows, None)
    if following is not None:
        cells = [clean_text(v) for v in following]
        extra = _match_headings(cells, headings)
        if set(extra) - set(columns):
            merged = _merge_heading_rows(heading_cells, cells, headings)
            heading_cells, header_line = merged, line + 1
            columns = _match_headings(merged, headings)
        elif extra and all(not c or fold_heading(c) in headings for c in cells):
            # The same headings repeated (a printed form's second page).
            header_line = line + 1
        else:
            pending = (line + 1, following)
    used = set(columns.values())
    ignored = tuple(
        text for index, text in enumerate(heading_cells) if text and index not in used
    )
    result: list[TableRow] = []
    blank_run = 0

    def remaining() -> Iterator[tuple[int, Sequence[object]]]:
        if pending is not None:
            yield pending
        yield from enumerate(rows, start=header_line + 1 + (pending is not None))

    for number, values in remaining():
        cells = {
            field: clean_text(values[index]) if index < len(values) else ""
            for field, index in columns.items()
        }
        if not any(cells.values()):
            blank_run += 1
            if blank_run >= BLANK_LINES_END:
                break
            continue
        blank_run = 0
        if number == header_line + 1 and _is_column_numbers(cells.values()):
            continue
        result.append(TableRow(line=number, values=cells))
        if len(result) > max_rows:
            raise SheetError(
                _("This list has more than %(count)d lines. Split it and try again.")
                % {"count": max_rows},
                code="too_many_rows",
            )
    return Table(
        kind=raw.kind,
        sheet_name=raw.sheet_name,
        header_line=header_line,
        fields=tuple(columns),
        ignored_columns=ignored,
        rows=tuple(result),
    )
