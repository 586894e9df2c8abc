"""The school dashboard: a school's status, its classes, grades and teachers.

The school's programme status comes from ``lms.reports.figures.school_figures``;
the class and grade rows add each class's completion share from
``ClassModuleRollup``, and the teacher rows the modules each teacher gave during
the period. Counts only, in a fixed number of queries whatever the school's
size; the class grid link is offered only to people who manage the class.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Max, Q

from lms.models import (
    Assignment,
    ClassModuleRollup,
    ReportingPeriod,
    Role,
    School,
    SchoolClass,
    User,
)
from lms.people.selectors import classes_managed_by
from lms.reports.figures import school_figures
from lms.reports.rules import SchoolFigures, percent


@dataclass
class ClassRow:
    pk: int
    name: str
    grade: int
    pupils: int
    modules_assigned: int
    completions: int
    may_open_grid: bool = False

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

    @property
    def classes_without_assignment(self) -> list[ClassRow]:
        return [row for row in self.classes if row.modules_assigned == 0]


def school_dashboard(
    *, user: User, school: School, period: ReportingPeriod
) -> SchoolDashboard:
    """Return a school's programme status, classes, grades and teachers in ``period``.

    Class completion is the share of (pupil, assigned module) pairs completed,
    from ``ClassModuleRollup``. A fixed number of queries whatever the school's size.
    """
    schools = School.objects.filter(pk=school.pk)
    figures = school_figures(schools=schools, periods=[period])[(school.pk, period.pk)]
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
        )
        class_rows.append(item)
        grade = grades.setdefault(item.grade, GradeRow(grade=item.grade))
        grade.classes += 1
        grade.classes_assigned += bool(modules)
        grade.pupils += item.pupils
        grade.slots += item.pupils * len(modules)
        grade.completions += done
    return SchoolDashboard(
        school=school,
        period=period,
        figures=figures,
        classes=class_rows,
        grades=sorted(grades.values(), key=lambda g: g.grade),
        teachers=_teacher_activity(school, period),
    )


def _teacher_activity(school: School, period: ReportingPeriod) -> list[TeacherRow]:
    start, end = _period_moments(period)
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


def _period_moments(period: ReportingPeriod):
    from lms.learning.rollups import REPORTING_TIME_ZONE

    start = datetime.datetime.combine(
        period.starts_on, datetime.time.min, tzinfo=REPORTING_TIME_ZONE
    )
    end = datetime.datetime.combine(
        period.ends_on + datetime.timedelta(days=1),
        datetime.time.min,
        tzinfo=REPORTING_TIME_ZONE,
    )
    return start, end


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
