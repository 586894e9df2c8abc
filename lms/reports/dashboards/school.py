"""The school dashboard: a school's status, its classes, grades and teachers.

The school's programme status comes from ``lms.reports.figures.school_figures``;
the class and grade rows add each class's completion share from
``ClassModuleRollup``, and the teacher rows the modules each teacher gave during
the period. Under a rule of required topics every class shows its topics one by
one (``lms.reports.coverage.totals``), and the school's teaching sessions, pupils
reached, staff trained and parents' meetings are counted, and the help
measures of the period (target 2, ``lms.people.help_measures``). Counts only,
in a fixed number of queries whatever the school's size; the class grid link
is offered only to people who manage the class.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.utils import timezone

from lms.models import (
    Assignment,
    ClassModuleRollup,
    Enrolment,
    ReportingPeriod,
    Role,
    School,
    SchoolClass,
    TeachingSession,
    User,
)
from lms.people.help_measures import HelpMeasures, help_measures_of_schools
from lms.people.parents import parents_trained
from lms.people.selectors import classes_managed_by
from lms.reports.coverage.totals import coverage_detail
from lms.reports.figures import (
    period_moments,
    school_activity,
    school_figures,
)
from lms.reports.periods import rules_for
from lms.reports.rules import ClassCoverage, SchoolFigures, percent


@dataclass
class ClassRow:
    pk: int
    name: str
    grade: int
    pupils: int
    modules_assigned: int
    completions: int
    may_open_grid: bool = False
    coverage: ClassCoverage | None = None

    @property
    def completion_share(self) -> float | None:
        return percent(self.completions, self.pupils * self.modules_assigned)


@dataclass
class GradeRow:
    grade: int
    classes: int = 0
    classes_assigned: int = 0
    pupils: int = 0
    slots: int = 0
    completions: int = 0

    @property
    def completion_share(self) -> float | None:
        return percent(self.completions, self.slots)


@dataclass
class TeacherRow:
    pk: int
    name: str
    assignments: int
    last_assignment_at: datetime.datetime | None
    last_login: datetime.datetime | None

    @property
    def last_activity(self) -> datetime.datetime | None:
        moments = [m for m in (self.last_assignment_at, self.last_login) if m]
        return max(moments) if moments else None


@dataclass
class SchoolDashboard:
    school: School
    period: ReportingPeriod
    figures: SchoolFigures
    classes: list[ClassRow]
    grades: list[GradeRow]
    teachers: list[TeacherRow]
    help: HelpMeasures = field(default_factory=HelpMeasures)
    parents_trained: int = 0

    @property
    def classes_without_assignment(self) -> list[ClassRow]:
        return [row for row in self.classes if row.modules_assigned == 0]

    @property
    def bands(self) -> list[BandRow]:
        """The school's bands' required topics, and its classes that covered each."""
        rows: dict[tuple[int, int], BandRow] = {}
        for topic in self.figures.rule.topics:
            rows[topic.key] = BandRow(topic=topic)
        for item in self.figures.coverage or []:
            for cell in item.cells:
                row = rows[cell.topic.key]
                row.classes += 1
                row.covered += cell.covered
                row.by_session += cell.covered and cell.sessions > 0
        return [row for row in rows.values() if row.classes]


@dataclass
class BandRow:
    """One required topic of one band over a school's classes."""

    topic: object
    classes: int = 0
    covered: int = 0
    by_session: int = 0

    @property
    def share(self) -> float | None:
        return percent(self.covered, self.classes)


def school_dashboard(
    *, user: User, school: School, period: ReportingPeriod
) -> SchoolDashboard:
    """Return a school's programme status, classes, grades and teachers in ``period``.

    Class completion is the share of (pupil, assigned module) pairs completed,
    from ``ClassModuleRollup``. A fixed number of queries whatever the school's size.
    """
    schools = School.objects.filter(pk=school.pk)
    all_figures = school_figures(schools=schools, periods=[period])
    school_ids = schools.values("pk")
    school_activity(
        figures=all_figures,
        school_ids=school_ids,
        period=period,
        reach_school_ids=school_ids,
    )
    figures = all_figures[(school.pk, period.pk)]
    coverage = {}
    if figures.rule.has_topics:
        figures.coverage = coverage_detail(
            schools=schools, period=period, rules=rules_for([period])
        ).get(school.pk, [])
        coverage = {item.class_id: item for item in figures.coverage}
    window = Q(opens_on__lte=period.ends_on) & (
        Q(due_on__isnull=True) | Q(due_on__gte=period.starts_on)
    )
    classes = list(
        SchoolClass.objects.filter(school=school, school_year_id=period.school_year_id)
        .annotate(
            pupils=Count(
                "enrolments__pupil_id",
                distinct=True,
                filter=Q(enrolments__left_on__isnull=True),
            )
        )
        .order_by("grade", "name")
        .values("pk", "name", "grade", "pupils")
    )
    assigned: dict[int, set[int]] = defaultdict(set)
    for class_id, module_id in Assignment.objects.filter(
        window, school_class__in=[row["pk"] for row in classes]
    ).values_list("school_class_id", "module_id"):
        assigned[class_id].add(module_id)
    completions: dict[tuple[int, int], int] = {
        (class_id, module_id): count
        for class_id, module_id, count in ClassModuleRollup.objects.filter(
            school_class__in=[row["pk"] for row in classes]
        ).values_list("school_class_id", "module_id", "pupils_completed")
    }
    managed = (
        set(classes_managed_by(user).filter(school=school).values_list("pk", flat=True))
        if user.has_perm("lms.view_class_progress")
        else set()
    )
    class_rows = []
    grades: dict[int, GradeRow] = {}
    for row in classes:
        modules = assigned.get(row["pk"], set())
        done = sum(
            min(completions.get((row["pk"], module_id), 0), row["pupils"])
            for module_id in modules
        )
        item = ClassRow(
            pk=row["pk"],
            name=row["name"],
            grade=row["grade"],
            pupils=row["pupils"],
            modules_assigned=len(modules),
            completions=done,
            may_open_grid=row["pk"] in managed,
            coverage=coverage.get(row["pk"]),
        )
        class_rows.append(item)
        grade = grades.setdefault(item.grade, GradeRow(grade=item.grade))
        grade.classes += 1
        grade.classes_assigned += bool(modules)
        grade.pupils += item.pupils
        grade.slots += item.pupils * len(modules)
        grade.completions += done
    help_found = help_measures_of_schools(
        school_ids=school_ids,
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        as_of=timezone.now(),
    )
    return SchoolDashboard(
        school=school,
        period=period,
        figures=figures,
        classes=class_rows,
        grades=sorted(grades.values(), key=lambda g: g.grade),
        teachers=_teacher_activity(school, period),
        help=help_found.get(school.pk) or HelpMeasures(school_id=school.pk),
        parents_trained=parents_trained(school=school, period=period),
    )


def _teacher_activity(school: School, period: ReportingPeriod) -> list[TeacherRow]:
    start, end = period_moments(period)
    activity = {
        row["assigned_by"]: row
        for row in Assignment.objects.filter(
            school_class__school=school,
            created_at__gte=start,
            created_at__lt=end,
            assigned_by__isnull=False,
        )
        .values("assigned_by")
        .annotate(count=Count("pk"), last=Max("created_at"))
        .order_by()
    }
    teachers = (
        User.objects.filter(
            role_assignments__school=school, role_assignments__role=Role.TEACHER
        )
        .distinct()
        .order_by("display_name", "pk")
        .values("pk", "display_name", "last_login")
    )
    rows = [
        TeacherRow(
            pk=teacher["pk"],
            name=teacher["display_name"],
            assignments=activity.get(teacher["pk"], {}).get("count", 0),
            last_assignment_at=activity.get(teacher["pk"], {}).get("last"),
            last_login=teacher["last_login"],
        )
        for teacher in teachers
    ]
    return sorted(rows, key=lambda row: (-row.assignments, row.name))


# --- A class ----------


@dataclass
class SessionRow:
    taught_on: datetime.date
    module_title: str
    topic_name: str
    duration_minutes: int
    present: int
    confirmed: bool


@dataclass
class ClassReport:
    """A class's required topics and teaching sessions in a period (counts only)."""

    school_class: SchoolClass
    period: ReportingPeriod
    figures: SchoolFigures
    pupils: int
    coverage: ClassCoverage | None
    sessions: list[SessionRow]


def class_report(*, school_class: SchoolClass, period: ReportingPeriod) -> ClassReport:
    """Return what a class covered in ``period``: its topics, its sessions.

    The class's school gives the rule (its type may have its own). Counts only:
    the number of pupils present at each session, never who.
    """
    schools = School.objects.filter(pk=school_class.school_id)
    figures = school_figures(schools=schools, periods=[period])[
        (school_class.school_id, period.pk)
    ]
    coverage = None
    if figures.rule.has_topics:
        found = coverage_detail(
            schools=schools, period=period, rules=rules_for([period])
        ).get(school_class.school_id, [])
        coverage = next(
            (item for item in found if item.class_id == school_class.pk), None
        )
    pupils = (
        coverage.pupils
        if coverage is not None
        else Enrolment.objects.filter(
            Q(left_on__isnull=True) | Q(left_on__gt=period.starts_on),
            school_class=school_class,
            enrolled_on__lte=period.ends_on,
        )
        .values("pupil_id")
        .distinct()
        .count()
    )
    return ClassReport(
        school_class=school_class,
        period=period,
        figures=figures,
        pupils=pupils,
        coverage=coverage,
        sessions=_class_sessions(school_class, period),
    )


def _class_sessions(school_class: SchoolClass, period: ReportingPeriod):
    from content_cms.selectors import modules_localized

    sessions = list(
        TeachingSession.objects.filter(
            school_class=school_class,
            taught_on__gte=period.starts_on,
            taught_on__lte=period.ends_on,
        )
        .select_related("module__topic")
        .annotate(present=Count("attendance", filter=Q(attendance__present=True)))
        .order_by("-taught_on", "-recorded_at")
    )
    titles = {
        source.pk: page.title
        for source, page in zip(
            [session.module for session in sessions],
            modules_localized([session.module for session in sessions]),
            strict=True,
        )
    }
    return [
        SessionRow(
            taught_on=session.taught_on,
            module_title=titles[session.module_id],
            topic_name=session.module.topic.localized_name
            if session.module.topic
            else "",
            duration_minutes=session.duration_minutes,
            present=session.present,
            confirmed=session.confirmed_at is not None,
        )
        for session in sessions
    ]


def school_report_data(dashboard: SchoolDashboard) -> dict:
    """Return a school dashboard as plain data (the API)."""
    figures = dashboard.figures
    return {
        "school": {"id": dashboard.school.pk, "name": dashboard.school.name},
        "period": {"id": dashboard.period.pk, "name": str(dashboard.period)},
        "rule": figures.rule.as_data(),
        "rule_text": figures.rule.describe(),
        "status": figures.status,
        "reason": figures.reason,
        "classes": figures.classes,
        "classes_assigned": figures.classes_assigned,
        "pupils": figures.pupils,
        "pupils_completed": min(figures.pupils_completed, figures.pupils),
        "classes_covered": figures.classes_covered,
        "sessions": figures.sessions or 0,
        "pupils_reached": figures.pupils_reached or 0,
        "staff_trained": figures.staff_trained or 0,
        "parent_meetings": figures.parent_meetings or 0,
        "parents": figures.parents or 0,
        "parents_trained": dashboard.parents_trained,
        "missing": figures.missing_texts(),
        "help": {
            key: value
            for key, value in dashboard.help.as_evidence().items()
            if key != "school_id"
        },
        "class_rows": [
            {
                "id": row.pk,
                "name": row.name,
                "grade": row.grade,
                "pupils": row.pupils,
                "modules_assigned": row.modules_assigned,
                "completions": row.completions,
            }
            for row in dashboard.classes
        ],
    }
