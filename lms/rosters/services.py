"""Class roster import: read a school's class list, preview it, create the pupils.

Three steps, so a teacher sees what will happen before anything is written:

1. ``roster_parse`` reads an uploaded CSV or XLSX file (``lms.rosters.files``). It
   keeps only the line number, the roster number (STT), the name and the class
   name; every other column (birth date, address, a parent's phone) is dropped
   while reading and only its heading is reported. A pupil account holds a display
   name and a class, nothing more.
2. ``roster_preview`` is a dry run against the class: each line will be created,
   is already enrolled (same name in the class: unchanged, never a second
   account), or has an error with its spreadsheet line number and the reason.
3. ``roster_apply`` creates the new pupils, all or nothing. It never trusts a plan
   sent back by a browser: it recomputes the plan from the parsed roster (kept on
   the server, in the session, between preview and confirmation) inside the
   transaction, with the class row locked, and refuses when any line has an error.

The uploaded file itself is not kept anywhere: it may carry birth dates, addresses
and parents' phone numbers, and the parsed roster is all the next step needs.

How the new passwords reach the login cards: ``roster_apply`` returns each new
pupil's username, password and card key (``PupilCredentials``), which exist in plain
nowhere else (the database keeps a password hash and a hash of the card key). The
view that confirmed the import keeps them in the teacher's session for one download
of the login-card PDF, for a few minutes; the download removes them (see
``lms.rosters.views``). A lost download is recovered by printing new cards for the
class, which sets new passwords, and the page says so before it does.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lms.errors import LmsError
from lms.models import SchoolClass, User
from lms.rosters.files import ParsedRoster, is_whole_number, roster_file_read
from lms.rosters.pupil_accounts import (
    PupilCredentials,
    UsernameAllocator,
    ascii_fold,
    ensure_manages_class,
    pupil_create,
)

NAME_MAX_LENGTH = User._meta.get_field("display_name").max_length
ROSTER_NUMBER_MAX = 99_999
# Characters a name may hold besides letters and spaces: apostrophes and hyphens
# of minority names (H'Hen Niê), dots of initials, brackets of "(B)".
NAME_PUNCTUATION = set("'’-.()")
FORMULA_STARTS = ("=", "+", "-", "@")


# --- Parsing -------------------------------------------------------------------------


def roster_parse(*, file: UploadedFile) -> ParsedRoster:
    """Read an uploaded class list (XLSX or CSV), keeping only names and classes.

    Raises ``LmsError`` with a message for the teacher for a file that is too
    large, not a spreadsheet, damaged, or has no list of names.
    """
    limit = settings.ROSTER_MAX_BYTES
    if file.size is not None and file.size > limit:
        raise _too_large(limit)
    file.seek(0)
    content = file.read(limit + 1)
    if len(content) > limit:
        raise _too_large(limit)
    parsed = roster_file_read(content)
    if not parsed.lines:
        raise LmsError(
            _("The list has a heading but no pupils under it."), code="no_pupils"
        )
    return parsed


def _too_large(limit: int) -> LmsError:
    return LmsError(
        _("The file is larger than %(size)d KB. Keep only the class list.")
        % {"size": limit // 1024},
        code="too_large",
    )


# --- Preview -------------------------------------------------------------------------


class RowAction(StrEnum):
    CREATE = "create"
    UNCHANGED = "unchanged"
    ERROR = "error"


@dataclass(frozen=True)
class RowProblem:
    code: str
    message: str


@dataclass(frozen=True)
class PlanRow:
    line: int
    roster_number: int | None
    full_name: str
    action: RowAction
    problems: tuple[RowProblem, ...] = ()


@dataclass(frozen=True)
class RosterPlan:
    """What importing a parsed roster into a class would do, line by line."""

    school_class: SchoolClass
    parsed: ParsedRoster
    rows: tuple[PlanRow, ...]

    def _with(self, action: RowAction) -> list[PlanRow]:
        return [row for row in self.rows if row.action == action]

    @property
    def to_create(self) -> list[PlanRow]:
        return self._with(RowAction.CREATE)

    @property
    def unchanged(self) -> list[PlanRow]:
        return self._with(RowAction.UNCHANGED)

    @property
    def errors(self) -> list[PlanRow]:
        return self._with(RowAction.ERROR)

    @property
    def has_errors(self) -> bool:
        return any(row.action == RowAction.ERROR for row in self.rows)

    @property
    def fingerprint(self) -> str:
        """Return a digest of the plan, to tell whether a confirmed preview is stale."""
        data = [self.school_class.pk] + [
            [row.line, row.roster_number, row.full_name, row.action]
            for row in self.rows
        ]
        return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class RosterResult:
    """The pupils an import created, with their first secrets for the login cards."""

    created: tuple[PupilCredentials, ...]
    unchanged: int = 0


def name_key(name: str) -> str:
    """Return the form two names are compared in: case and spacing do not count."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def class_key(name: str) -> str:
    """Return the form class names are compared in: "Lớp 5 A1" matches "5a1"."""
    folded = re.sub(r"[\s\-_.]", "", ascii_fold(name))
    return folded.removeprefix("lop")


def _name_problems(name: str) -> list[RowProblem]:
    if not name:
        return [RowProblem("empty_name", _("The name is empty."))]
    if len(name) > NAME_MAX_LENGTH:
        return [
            RowProblem(
                "name_too_long",
                _("The name is longer than %(count)d characters.")
                % {"count": NAME_MAX_LENGTH},
            )
        ]
    bad = sorted(
        {
            c
            for c in name
            if not (
                c.isalpha()
                or c == " "
                or c in NAME_PUNCTUATION
                or unicodedata.category(c).startswith("M")
            )
        }
    )
    if bad or name.startswith(FORMULA_STARTS) or not name[0].isalpha():
        shown = " ".join(bad) or name[0]
        return [
            RowProblem(
                "name_characters",
                _("A name holds letters only; this one has: %(chars)s")
                % {"chars": shown},
            )
        ]
    return []


def _number_problems(number: str) -> tuple[int | None, list[RowProblem]]:
    if not number:
        return None, []
    if is_whole_number(number):
        value = int(float(number))
        if 0 < value <= ROSTER_NUMBER_MAX:
            return value, []
    return None, [
        RowProblem(
            "bad_number",
            _("The number (STT) “%(number)s” is not a whole number.")
            % {"number": number},
        )
    ]


def roster_preview(*, school_class: SchoolClass, parsed: ParsedRoster) -> RosterPlan:
    """Return what importing ``parsed`` into ``school_class`` would do; write nothing.

    A name already enrolled in the class (compared without case and extra spaces)
    is unchanged, so importing the same file twice creates nobody new. Two equal
    names in the file are both errors: a teacher tells them apart ("Nguyễn Văn An
    (B)") rather than the import guessing.
    """
    enrolled = {
        name_key(name)
        for name in User.objects.filter(
            enrolments__school_class=school_class, enrolments__left_on__isnull=True
        ).values_list("display_name", flat=True)
    }
    other_classes = {
        class_key(name): name
        for name in SchoolClass.objects.filter(
            school_id=school_class.school_id, school_year_id=school_class.school_year_id
        )
        .exclude(pk=school_class.pk)
        .values_list("name", flat=True)
    }
    chosen_key = class_key(school_class.name)
    lines_by_name: dict[str, list[int]] = defaultdict(list)
    for line in parsed.lines:
        if line.full_name:
            lines_by_name[name_key(line.full_name)].append(line.line)
    any_numbered = any(line.number for line in parsed.lines)

    rows = []
    for line in parsed.lines:
        problems = _name_problems(line.full_name)
        number, number_problems = _number_problems(line.number)
        problems += number_problems
        if any_numbered and not line.number and line.full_name:
            problems.append(
                RowProblem(
                    "missing_number",
                    _(
                        "This line has no number (STT) while the others do. If it "
                        "is a pupil, give it a number; if not, delete the line."
                    ),
                )
            )
        same_name = lines_by_name.get(name_key(line.full_name), [])
        if len(same_name) > 1:
            problems.append(
                RowProblem(
                    "duplicate_in_file",
                    _(
                        "“%(name)s” is in the file more than once (lines %(lines)s). "
                        "If they are two pupils, tell them apart, for example "
                        "“%(name)s (B)”."
                    )
                    % {
                        "name": line.full_name,
                        "lines": ", ".join(str(n) for n in same_name),
                    },
                )
            )
        if line.class_name and class_key(line.class_name) != chosen_key:
            other = other_classes.get(class_key(line.class_name))
            if other:
                message = _(
                    "This pupil is in class %(other)s, not %(chosen)s. Import "
                    "them into class %(other)s."
                ) % {"other": other, "chosen": school_class.name}
                problems.append(RowProblem("other_class", message))
            else:
                problems.append(
                    RowProblem(
                        "unknown_class",
                        _("There is no class “%(name)s” in this school.")
                        % {"name": line.class_name},
                    )
                )
        if problems:
            action = RowAction.ERROR
        elif name_key(line.full_name) in enrolled:
            action = RowAction.UNCHANGED
        else:
            action = RowAction.CREATE
        rows.append(
            PlanRow(
                line=line.line,
                roster_number=number,
                full_name=line.full_name,
                action=action,
                problems=tuple(problems),
            )
        )
    return RosterPlan(school_class=school_class, parsed=parsed, rows=tuple(rows))


# --- Apply ---------------------------------------------------------------------------


def roster_apply(
    *, school_class: SchoolClass, plan: RosterPlan, actor: User
) -> RosterResult:
    """Create the pupils of a previewed roster, all or nothing; return their secrets.

    The plan is recomputed from ``plan.parsed`` inside the transaction with the
    class row locked, so two confirmations of the same preview (a double click, two
    teachers) create each pupil once. Any error line refuses the whole import.
    (An ``atomic`` block rather than the decorator, so that a clash of generated
    usernames with a concurrent import becomes a message, not a 500.)
    """
    ensure_manages_class(actor, school_class)
    try:
        with transaction.atomic():
            SchoolClass.objects.select_for_update().filter(pk=school_class.pk).first()
            fresh = roster_preview(school_class=school_class, parsed=plan.parsed)
            if fresh.has_errors:
                raise LmsError(
                    _(
                        "The list has lines with errors. Correct them in the file "
                        "and upload it again; nothing was imported."
                    ),
                    code="roster_has_errors",
                )
            allocator = UsernameAllocator()
            created = tuple(
                pupil_create(
                    display_name=row.full_name,
                    school_class=school_class,
                    roster_number=row.roster_number,
                    allocator=allocator,
                )
                for row in fresh.to_create
            )
    except IntegrityError:
        # Another import took a generated username at the same moment.
        raise LmsError(
            _("Someone else changed this class just now. Please try again."),
            code="conflict",
        )
    return RosterResult(created=created, unchanged=len(fresh.unchanged))
