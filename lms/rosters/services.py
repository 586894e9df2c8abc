"""Class roster import: read a school's class list, preview it, create the pupils.

Three steps, so a teacher sees what will happen before anything is written:

1. ``roster_parse`` reads an uploaded CSV or XLSX file (``lms.rosters.files``). It
   keeps only the line number, the roster number (STT), the name and the class
   name; every other column (birth date, address, a parent's phone) is dropped
   while reading and only its heading is reported. A pupil account holds a display
   name and a class, nothing more.
2. ``roster_preview`` is a dry run against the class: each line will be created,
   is already enrolled (the same roster number and name in the class: unchanged,
   never a second account, and the preview names the pupil it matched), or has
   an error with its spreadsheet line number and the reason. Two children may
   share a name: they are two pupils with two usernames and the same exact name.
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

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from common.sheets import ascii_fold
from lms.errors import LmsError
from lms.models import Enrolment, SchoolClass, User
from lms.people.names import name_key
from lms.rosters.files import ParsedRoster, is_whole_number, roster_upload_read
from lms.rosters.pupil_accounts import (
    PupilCredentials,
    UsernameAllocator,
    ensure_manages_class,
    pupil_create,
)

NAME_MAX_LENGTH = User._meta.get_field("display_name").max_length
ROSTER_NUMBER_MAX = 99_999
# Characters a name may hold besides letters and spaces: apostrophes and hyphens
# of minority names (H'Hen Niê), dots of initials, brackets of a nickname.
NAME_PUNCTUATION = set("'’-.()")
FORMULA_STARTS = ("=", "+", "-", "@")


# --- Parsing -------------------------------------------------------------------------


def roster_parse(*, file: UploadedFile) -> ParsedRoster:
    """Read an uploaded class list (XLSX or CSV), keeping only names and classes.

    Raises ``LmsError`` with a message for the teacher for a file that is too
    large, not a spreadsheet, damaged, or has no list of names.
    """
    parsed = roster_upload_read(file)
    if not parsed.lines:
        raise LmsError(
            _("The list has a heading but no pupils under it."), code="no_pupils"
        )
    return parsed


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
class MatchedPupil:
    """The pupil already in the class that a line of the file is."""

    pupil_id: int
    roster_number: int | None
    display_name: str
    username: str

    @property
    def description(self) -> str:
        """Say who was matched: "Already in the class: No. 12 An (username ...)"."""
        values = {
            "number": self.roster_number,
            "name": self.display_name,
            "username": self.username,
        }
        if self.roster_number is None:
            return _("Already in the class: %(name)s (username %(username)s)") % values
        return (
            _("Already in the class: No. %(number)d %(name)s (username %(username)s)")
            % values
        )


@dataclass(frozen=True)
class PlanRow:
    line: int
    roster_number: int | None
    full_name: str
    action: RowAction
    problems: tuple[RowProblem, ...] = ()
    matched: MatchedPupil | None = None


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
            [
                row.line,
                row.roster_number,
                row.full_name,
                row.action,
                row.matched.pupil_id if row.matched else None,
            ]
            for row in self.rows
        ]
        return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class RosterResult:
    """The pupils an import created, with their first secrets for the login cards."""

    created: tuple[PupilCredentials, ...]
    unchanged: int = 0


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


@dataclass(frozen=True)
class _Enrolled:
    pupil_id: int
    roster_number: int | None
    display_name: str
    username: str


def _enrolled_pupils(school_class: SchoolClass) -> list[_Enrolled]:
    return [
        _Enrolled(*row)
        for row in Enrolment.objects.filter(
            school_class=school_class, left_on__isnull=True
        )
        .order_by("roster_number", "pk")
        .values_list(
            "pupil_id", "roster_number", "pupil__display_name", "pupil__username"
        )
    ]


def _matched(pupil: _Enrolled) -> MatchedPupil:
    return MatchedPupil(
        pupil_id=pupil.pupil_id,
        roster_number=pupil.roster_number,
        display_name=pupil.display_name,
        username=pupil.username,
    )


def _match_enrolled(
    lines: list[tuple[int | None, str]], enrolled: list[_Enrolled]
) -> tuple[dict[int, MatchedPupil], dict[int, _Enrolled]]:
    """Match the file's lines to the pupils already in the class.

    ``lines`` holds (roster number, name) by position. Returns the matches (line
    position -> pupil) and the conflicts (line position -> the pupil who holds
    that roster number under another name). Same names are common, so a name
    alone never matches a numbered pupil: a line matches a pupil with its number
    and its name; a pupil enrolled without a number (an import of a list without
    STT) is matched by name, each pupil once.
    """
    by_number = {p.roster_number: p for p in enrolled if p.roster_number is not None}
    unnumbered: dict[str, list[_Enrolled]] = defaultdict(list)
    for pupil in enrolled:
        if pupil.roster_number is None:
            unnumbered[name_key(pupil.display_name)].append(pupil)
    matches: dict[int, MatchedPupil] = {}
    conflicts: dict[int, _Enrolled] = {}
    for position, (number, name) in enumerate(lines):
        holder = by_number.get(number) if number is not None else None
        if holder is None:
            continue
        if name_key(holder.display_name) == name_key(name):
            matches[position] = _matched(holder)
        else:
            conflicts[position] = holder
    for position, (_number, name) in enumerate(lines):
        if position in matches or position in conflicts:
            continue
        waiting = unnumbered.get(name_key(name))
        if waiting:
            matches[position] = _matched(waiting.pop(0))
    return matches, conflicts


def roster_preview(*, school_class: SchoolClass, parsed: ParsedRoster) -> RosterPlan:
    """Return what importing ``parsed`` into ``school_class`` would do; write nothing.

    A line whose roster number (STT) and name (compared without case and extra
    spaces) are those of a pupil in the class is unchanged, so importing the same
    file twice creates nobody new. Two children may share a name: two equal names
    in the file are two pupils (each gets their own username, both keep the exact
    name), and a name equal to a pupil's in the class under another number is a
    new pupil. The same number under another name is an error the teacher
    resolves; so is a number given twice in the file.
    """
    enrolled = _enrolled_pupils(school_class)
    other_classes = {
        class_key(name): name
        for name in SchoolClass.objects.filter(
            school_id=school_class.school_id, school_year_id=school_class.school_year_id
        )
        .exclude(pk=school_class.pk)
        .values_list("name", flat=True)
    }
    chosen_key = class_key(school_class.name)
    any_numbered = any(line.number for line in parsed.lines)
    numbers = [_number_problems(line.number) for line in parsed.lines]
    lines_by_number: dict[int, list[int]] = defaultdict(list)
    for line, (number, _problems) in zip(parsed.lines, numbers, strict=True):
        if number is not None:
            lines_by_number[number].append(line.line)
    matches, conflicts = _match_enrolled(
        [
            (number, line.full_name)
            for line, (number, _problems) in zip(parsed.lines, numbers, strict=True)
        ],
        enrolled,
    )

    rows = []
    for position, line in enumerate(parsed.lines):
        problems = _name_problems(line.full_name)
        number, number_problems = numbers[position]
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
        same_number = lines_by_number.get(number, []) if number is not None else []
        if len(same_number) > 1:
            problems.append(
                RowProblem(
                    "duplicate_number",
                    _(
                        "The number (STT) %(number)d is in the file more than once "
                        "(lines %(lines)s). Give each pupil their own number."
                    )
                    % {
                        "number": number,
                        "lines": ", ".join(str(n) for n in same_number),
                    },
                )
            )
        elif position in conflicts:
            holder = conflicts[position]
            problems.append(
                RowProblem(
                    "number_taken",
                    _(
                        "In this class the number (STT) %(number)d is "
                        "%(name)s (username %(username)s), not “%(line_name)s”. "
                        "If this is another pupil, give the line a number not "
                        "used in the class; if it is the same child, write the "
                        "name as it is in the class."
                    )
                    % {
                        "number": number,
                        "name": holder.display_name,
                        "username": holder.username,
                        "line_name": line.full_name,
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
        matched = None
        if problems:
            action = RowAction.ERROR
        elif position in matches:
            action = RowAction.UNCHANGED
            matched = matches[position]
        else:
            action = RowAction.CREATE
        rows.append(
            PlanRow(
                line=line.line,
                roster_number=number,
                full_name=line.full_name,
                action=action,
                problems=tuple(problems),
                matched=matched,
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
