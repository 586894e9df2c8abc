"""The school-year rollover: every class moves up a grade, the last grade leaves.

Each August a school's classes of school year A become the classes of year B:

* a class of grade g below the school's last grade becomes a class of B with grade
  g + 1, its name advanced ("5A" -> "6A", "10A1" -> "11A1", "Lớp 3B" -> "Lớp 4B";
  a name without its grade number keeps its name) and ``previous_class`` pointing
  back at the old class; teachers are not carried over (the school administrator
  chooses them again; a plan may name a homeroom teacher per class);
* every active pupil of that class is enrolled in the new class with the same
  roster number;
* pupils of the last grade (5 in a primary school, 9 in a lower secondary, 12 in
  an upper secondary, the highest grade present in a multi-level school) leave:
  their enrolment ends with A (``left_on`` the day after A's last day, the first
  day they are no longer in the class); their accounts are not touched;
* a care facility's groups keep their grade and name, and all their children;
* if B has no reporting periods yet, A's periods (and the programme rule of each)
  are copied, shifted by one year: periods and rules are the province's, so they
  are created once, by whichever school (or the province command) goes first.

Why here (``lms.rosters``) and not in ``lms.people``: the rollover's work is
enrolments, which are the rosters area's (pupil accounts, imports, class
membership); it reads classes, years and scopes through ``lms.people`` below it,
and must not reach ``lms.reports`` (above it), so it copies periods and their rules
through the models directly.

Past years are never rewritten: old classes, their enrolments (except a leaver's
``left_on``), progress, rollups and exports stay as they were, so the old class
still shows its pupils and its evidence for the old year. A carried pupil keeps
their enrolment in the old class as it was; the new enrolment in the later year is
the current one (``lms.people.selectors.pupil_current_enrolment`` and the rollups
take the latest school year).

Running it twice changes nothing: a class of B whose ``previous_class`` is the old
class (or that already has the advanced name and grade, made by hand) is used, not
created again, and a pupil already enrolled in a class of B is skipped; leavers
have no active enrolment left. A name of B taken by a different class is reported
in the plan and that class is skipped, never a 500.

Queries are bounded per school whatever its size: ``rollover_plan`` reads in five
queries, ``rollover_apply`` writes the classes and the enrolments with
``bulk_create`` and the leavers with one ``UPDATE``. These are ordinary ORM writes,
so the PostgreSQL triggers of ``lms/migrations/0005_report_pupil_counts.py`` give
the school a new roster version in the same transaction.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext as _

from lms.errors import LmsError
from lms.models import (
    Enrolment,
    ReportingPeriod,
    Role,
    RoleAssignment,
    School,
    SchoolClass,
    SchoolType,
    SchoolYear,
)

# The last grade of each kind of school: its pupils leave at the end of the year.
# A multi-level school's is its highest grade present; a care facility has none.
LAST_GRADE_BY_TYPE = {
    SchoolType.PRIMARY: 5,
    SchoolType.LOWER_SECONDARY: 9,
    SchoolType.UPPER_SECONDARY: 12,
}
ENROLMENT_BATCH_SIZE = 2000
NAME_MAX_LENGTH = SchoolClass._meta.get_field("name").max_length


class ClassAction(StrEnum):
    CREATE = "create"  # a new class of B
    EXISTING = "existing"  # B has it already (an earlier rollover, or made by hand)
    CONFLICT = "conflict"  # B's class of that name is another class: skipped
    LEAVE = "leave"  # the last grade: its pupils leave


@dataclass(frozen=True)
class ClassStep:
    """What happens to one class of year A."""

    old_id: int
    old_name: str
    old_grade: int
    action: ClassAction
    new_name: str = ""
    new_grade: int | None = None
    target_id: int | None = None  # the class of B, when it exists already
    adopt: bool = False  # a hand-made class of B to link to the old class
    homeroom_teacher_id: int | None = None
    pupils: tuple[int, ...] = ()  # pupils to enrol (CREATE/EXISTING) or ending
    problem: str = ""

    @property
    def pupil_count(self) -> int:
        return len(self.pupils)


@dataclass(frozen=True)
class PeriodStep:
    """A reporting period of B, copied from one of A's."""

    source_id: int
    name: str
    starts_on: datetime.date
    ends_on: datetime.date


@dataclass(frozen=True)
class RolloverPlan:
    """What ``rollover_apply`` would write for one school; nothing is written yet."""

    school: School
    from_year: SchoolYear
    to_year: SchoolYear
    last_grade: int | None
    classes: tuple[ClassStep, ...]
    periods: tuple[PeriodStep, ...]
    # Active enrolment of a carried pupil in A: pupil id -> roster number.
    roster_numbers: dict[int, int | None] = field(default_factory=dict)
    pupil_names: dict[int, str] = field(default_factory=dict)

    @property
    def to_create(self) -> list[ClassStep]:
        return [step for step in self.classes if step.action == ClassAction.CREATE]

    @property
    def to_fill(self) -> list[ClassStep]:
        """Classes of B that will receive pupils or be created."""
        return [
            step
            for step in self.classes
            if step.action == ClassAction.CREATE
            or (step.action == ClassAction.EXISTING and (step.pupils or step.adopt))
        ]

    @property
    def leaving(self) -> list[ClassStep]:
        return [
            step
            for step in self.classes
            if step.action == ClassAction.LEAVE and step.pupils
        ]

    @property
    def conflicts(self) -> list[ClassStep]:
        return [step for step in self.classes if step.action == ClassAction.CONFLICT]

    @property
    def carried_count(self) -> int:
        return sum(
            step.pupil_count
            for step in self.classes
            if step.action in (ClassAction.CREATE, ClassAction.EXISTING)
        )

    @property
    def leaver_count(self) -> int:
        return sum(step.pupil_count for step in self.leaving)

    @property
    def is_empty(self) -> bool:
        """Return whether applying would write nothing (nothing left to roll over)."""
        return not (self.to_fill or self.leaving or self.periods)

    @property
    def fingerprint(self) -> str:
        """Return a digest of the plan, so a confirmation applies what was shown.

        The periods are left out: they are the province's, and another school's
        rollover may create them between this school's preview and confirmation.
        """
        data = {
            "school": self.school.pk,
            "years": [self.from_year.pk, self.to_year.pk],
            "classes": [
                [
                    step.old_id,
                    step.action,
                    step.new_name,
                    step.new_grade,
                    step.target_id,
                    sorted(step.pupils),
                ]
                for step in self.classes
            ],
        }
        raw = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(raw.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class RolloverResult:
    plan: RolloverPlan  # as recomputed inside the transaction
    classes_created: int
    pupils_carried: int
    pupils_left: int
    periods_created: int


# --- Names and grades ---------------------------------------------------------------


def advanced_class_name(name: str, grade: int) -> str:
    """Return the class's name in the next grade: its grade number goes up by one.

    Only a number equal to the grade, standing on its own (not part of a longer
    number), changes, and only the first: "10A1" (grade 10) -> "11A1", "1A1"
    (grade 1) -> "2A1", "Lớp 3B" -> "Lớp 4B". A name without the grade ("Hoa Mai")
    stays as it is.
    """
    return re.sub(rf"(?<!\d){grade}(?!\d)", str(grade + 1), name, count=1)


def school_last_grade(school: School, grades: list[int]) -> int | None:
    """Return the grade whose pupils leave the school; None for a care facility."""
    if school.school_type == SchoolType.CARE_FACILITY:
        return None
    if school.school_type in LAST_GRADE_BY_TYPE:
        return LAST_GRADE_BY_TYPE[school.school_type]
    return max(grades, default=12)


def rollover_years_check(from_year: SchoolYear, to_year: SchoolYear) -> None:
    if from_year.pk == to_year.pk or to_year.starts_on <= from_year.ends_on:
        raise LmsError(
            _(
                "The new school year (%(to)s) must start after the old one "
                "(%(from)s) ends."
            )
            % {"to": to_year.name, "from": from_year.name},
            code="years_overlap",
        )


def leaving_day(year: SchoolYear) -> datetime.date:
    """Return the ``left_on`` of a pupil who leaves with the end of ``year``.

    ``left_on`` is the first day a pupil is no longer in the class
    (``lms.learning.rollups.enrolment_on``; ``lms.reports.figures``): the day after
    the year's last day, so a module completed on the last day of the year still
    counts for the class, live and when the rollups are rebuilt.
    """
    return year.ends_on + datetime.timedelta(days=1)


def _one_year_later(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


# --- Plan ----------------------------------------------------------------------------


def rollover_periods_plan(
    *, from_year: SchoolYear, to_year: SchoolYear
) -> tuple[PeriodStep, ...]:
    """Return the periods B needs: A's, a year later, when B has none (two queries).

    A copied period is kept inside B's dates; one that falls outside them is dropped.
    """
    if ReportingPeriod.objects.filter(school_year=to_year).exists():
        return ()
    steps = []
    for period in ReportingPeriod.objects.filter(school_year=from_year).order_by(
        "starts_on", "pk"
    ):
        starts_on = max(_one_year_later(period.starts_on), to_year.starts_on)
        ends_on = min(_one_year_later(period.ends_on), to_year.ends_on)
        if starts_on < ends_on:
            steps.append(
                PeriodStep(
                    source_id=period.pk,
                    name=period.name,
                    starts_on=starts_on,
                    ends_on=ends_on,
                )
            )
    return tuple(steps)


def rollover_plan(
    *,
    school: School,
    from_year: SchoolYear,
    to_year: SchoolYear,
    homeroom_teachers: dict[int, int | None] | None = None,
    periods: tuple[PeriodStep, ...] | None = None,
    with_names: bool = False,
) -> RolloverPlan:
    """Return what rolling ``school`` over from ``from_year`` to ``to_year`` would do.

    Writes nothing. ``homeroom_teachers`` maps an old class's id to the teacher who
    leads its new class (a teacher of the school; anyone else is refused).
    ``periods`` lets a caller planning many schools compute the periods once.
    ``with_names`` also reads the pupils' names, for the preview page. Raises
    ``LmsError`` when B does not start after A ends.
    """
    rollover_years_check(from_year, to_year)
    homeroom_teachers = {k: v for k, v in (homeroom_teachers or {}).items() if v}
    _teachers_check(school, homeroom_teachers)
    old_classes = list(
        SchoolClass.objects.filter(school=school, school_year=from_year)
        .order_by("grade", "name", "pk")
        .values_list("pk", "name", "grade")
    )
    new_classes = list(
        SchoolClass.objects.filter(school=school, school_year=to_year).values_list(
            "pk", "name", "grade", "previous_class_id"
        )
    )
    by_previous = {prev: pk for pk, _n, _g, prev in new_classes if prev is not None}
    by_name = {name: (pk, grade, prev) for pk, name, grade, prev in new_classes}

    enrolment_fields = ["pupil_id", "school_class_id", "roster_number"]
    if with_names:
        enrolment_fields.append("pupil__display_name")
    pupils_by_class: dict[int, list[int]] = {pk: [] for pk, _n, _g in old_classes}
    roster_numbers: dict[int, int | None] = {}
    names: dict[int, str] = {}
    for row in (
        Enrolment.objects.filter(
            school_class__school=school,
            school_class__school_year=from_year,
            left_on__isnull=True,
        )
        .order_by("school_class_id", "roster_number", "pk")
        .values_list(*enrolment_fields)
    ):
        pupils_by_class[row[1]].append(row[0])
        roster_numbers[row[0]] = row[2]
        if with_names:
            names[row[0]] = row[3]
    # A pupil placed in a class of B already (even one who has left it since) is
    # the school's decision: skipped.
    enrolled_in_new_year = set(
        Enrolment.objects.filter(
            school_class__school=school, school_class__school_year=to_year
        ).values_list("pupil_id", flat=True)
    )

    last_grade = school_last_grade(school, [grade for _pk, _n, grade in old_classes])
    steps: list[ClassStep] = []
    names_taken: dict[str, int] = {}  # new name -> old class id planning it
    for pk, name, grade in old_classes:
        pupils = pupils_by_class[pk]
        if last_grade is not None and grade >= last_grade:
            steps.append(
                ClassStep(
                    old_id=pk,
                    old_name=name,
                    old_grade=grade,
                    action=ClassAction.LEAVE,
                    pupils=tuple(pupils),
                )
            )
            continue
        if last_grade is None:
            new_name, new_grade = name, grade
        else:
            new_name, new_grade = advanced_class_name(name, grade), grade + 1
        common = {
            "old_id": pk,
            "old_name": name,
            "old_grade": grade,
            "new_name": new_name,
            "new_grade": new_grade,
            "homeroom_teacher_id": homeroom_teachers.get(pk),
        }
        to_carry = tuple(p for p in pupils if p not in enrolled_in_new_year)
        target = by_previous.get(pk)
        if target is not None:
            steps.append(
                ClassStep(
                    **common,
                    action=ClassAction.EXISTING,
                    target_id=target,
                    pupils=to_carry,
                )
            )
            names_taken[new_name] = pk
            continue
        same_name = by_name.get(new_name)
        problem = ""
        if new_name in names_taken:
            problem = _(
                "Class %(other)s also becomes %(name)s; rename one of them in "
                "%(year)s first."
            ) % {
                "other": _old_name(old_classes, names_taken[new_name]),
                "name": new_name,
                "year": from_year.name,
            }
        elif len(new_name) > NAME_MAX_LENGTH:
            problem = _(
                "The new name of class %(old)s would be longer than %(max)d "
                "characters; shorten it first."
            ) % {"old": name, "max": NAME_MAX_LENGTH}
        elif same_name is not None and (
            same_name[2] is not None or same_name[1] != new_grade
        ):
            problem = _(
                "%(year)s already has a class %(name)s that is not the next year "
                "of %(old)s; rename one of them, then roll over again."
            ) % {"year": to_year.name, "name": new_name, "old": name}
        if problem:
            steps.append(
                ClassStep(
                    **common,
                    action=ClassAction.CONFLICT,
                    pupils=tuple(pupils),
                    problem=problem,
                )
            )
            continue
        names_taken[new_name] = pk
        if same_name is not None:
            # Made by hand with the right name and grade: fill it and link it.
            steps.append(
                ClassStep(
                    **common,
                    action=ClassAction.EXISTING,
                    target_id=same_name[0],
                    adopt=True,
                    pupils=to_carry,
                )
            )
        else:
            steps.append(
                ClassStep(**common, action=ClassAction.CREATE, pupils=to_carry)
            )
    if periods is None:
        periods = rollover_periods_plan(from_year=from_year, to_year=to_year)
    return RolloverPlan(
        school=school,
        from_year=from_year,
        to_year=to_year,
        last_grade=last_grade,
        classes=tuple(steps),
        periods=periods,
        roster_numbers=roster_numbers,
        pupil_names=names,
    )


def _old_name(old_classes: list[tuple[int, str, int]], pk: int) -> str:
    return next(name for class_pk, name, _g in old_classes if class_pk == pk)


def _teachers_check(school: School, homeroom_teachers: dict[int, int]) -> None:
    if not homeroom_teachers:
        return
    wanted = set(homeroom_teachers.values())
    teachers = set(
        RoleAssignment.objects.filter(
            role__in=[Role.TEACHER, Role.SCHOOL_ADMIN],
            school=school,
            user_id__in=wanted,
        ).values_list("user_id", flat=True)
    )
    if wanted - teachers:
        raise LmsError(
            _("A homeroom teacher must be a teacher of this school."),
            code="not_a_teacher",
        )
