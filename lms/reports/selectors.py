"""Reads of the programme dashboards: a school, a unit, the province, a period.

Who may see which school, class or unit is decided by ``lms.people.selectors``; this
module composes it with the rollup tables. Every figure comes from a handful of
GROUP BY queries whose number does not depend on the number of schools, pupils
or answers:

1. the schools in scope (one row each, with their unit's path);
2. classes per school and grade, with "given a module during the period" counted
   per period by conditional aggregation (one query for every period of a trend);
3. enrolled pupils per school and period (``pupils_enrolled``: on PostgreSQL
   kept between views and counted again only where enrolments changed);
4. ``SchoolPeriodRollup`` rows (pupils who completed at least one module);
5. the ``ProgrammeTarget`` rows of those periods.

Officers get counts only: nothing here returns a pupil.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.db import connections
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from lms.models import (
    AdministrativeUnit,
    Assignment,
    ClassModuleRollup,
    Enrolment,
    ProgrammeTarget,
    ReportingPeriod,
    Role,
    School,
    SchoolClass,
    SchoolPeriodRollup,
    SchoolType,
    User,
)
from lms.people.selectors import (
    classes_managed_by,
    schools_visible_to,
    units_visible_to,
)
from lms.reports.rules import (
    DEFAULT_RULE,
    ProgrammeStatus,
    Rule,
    SchoolFigures,
    percent,
)

TREND_PERIODS = 6
YEAR_LONG_DAYS = 200


# --- Periods and rules ----------


def period_default(*, on: datetime.date | None = None) -> ReportingPeriod | None:
    """Return the shortest period holding ``on`` (today), else the latest started."""
    on = on or timezone.localdate()
    holding = (
        ReportingPeriod.objects.filter(starts_on__lte=on, ends_on__gte=on)
        .select_related("school_year")
        .order_by("ends_on", "-starts_on")
    )
    return holding.first() or (
        ReportingPeriod.objects.filter(starts_on__lte=on)
        .select_related("school_year")
        .order_by("-starts_on")
        .first()
    )


def period_get(*, period_id: str | int | None) -> ReportingPeriod | None:
    """Return period ``period_id``, or the default one when none is given."""
    if period_id in (None, ""):
        return period_default()
    try:
        period_id = int(period_id)
    except (TypeError, ValueError):
        return None
    return (
        ReportingPeriod.objects.select_related("school_year")
        .filter(pk=period_id)
        .first()
    )


def periods_all() -> list[ReportingPeriod]:
    return list(
        ReportingPeriod.objects.select_related("school_year").order_by("-starts_on")
    )


def _is_year_long(period: ReportingPeriod) -> bool:
    return (period.ends_on - period.starts_on).days > YEAR_LONG_DAYS


def periods_trend(
    *, period: ReportingPeriod, count: int = TREND_PERIODS
) -> list[ReportingPeriod]:
    """Return the last ``count`` periods of the same kind (term, year), oldest first."""
    kind = _is_year_long(period)
    same_kind = [
        candidate
        for candidate in ReportingPeriod.objects.select_related("school_year")
        .filter(starts_on__lte=period.starts_on)
        .order_by("-starts_on")
        if _is_year_long(candidate) == kind
    ]
    return list(reversed(same_kind[:count]))


def rules_for(periods: list[ReportingPeriod]) -> dict[tuple[int, str], Rule]:
    """Return the stored rules of ``periods`` by (period id, school type or "")."""
    return {
        (target.period_id, target.school_type): Rule.from_target(target)
        for target in ProgrammeTarget.objects.filter(period__in=periods)
    }


def rule_applying(
    rules: dict[tuple[int, str], Rule], period_id: int, school_type: str
) -> Rule:
    """Return a school type's rule in a period: its own, the general, the default."""
    return (
        rules.get((period_id, school_type))
        or rules.get((period_id, ""))
        or DEFAULT_RULE
    )


def programme_target_get(
    *, period: ReportingPeriod, school_type: str = ""
) -> ProgrammeTarget | None:
    return ProgrammeTarget.objects.filter(
        period=period, school_type=school_type
    ).first()


# --- Scoping ----------


def school_for_reports(*, user: User, school_id: int) -> School | None:
    """Return the school if ``user`` may see its report; None reads as a 404."""
    if not user.has_perm("lms.view_school_reports"):
        return None
    return schools_visible_to(user).select_related("unit").filter(pk=school_id).first()


def unit_for_reports(
    *, user: User, unit_id: str | int | None
) -> AdministrativeUnit | None:
    """Return unit ``unit_id`` (default: the user's top unit) if they report on it."""
    if not user.has_perm("lms.view_unit_reports"):
        return None
    units = units_visible_to(user)
    if unit_id in (None, ""):
        return units.order_by("depth", "path").first()
    try:
        unit_id = int(unit_id)
    except (TypeError, ValueError):
        return None
    return units.filter(pk=unit_id).first()


def _schools_under(user: User, unit: AdministrativeUnit) -> QuerySet[School]:
    return schools_visible_to(user).filter(unit__path__startswith=unit.path)


# --- Figures per school and period ----------


def _given_during(period: ReportingPeriod) -> Q:
    """Return "one of the class's assignments is open during ``period``"."""
    return Q(assignments__opens_on__lte=period.ends_on) & (
        Q(assignments__due_on__isnull=True)
        | Q(assignments__due_on__gte=period.starts_on)
    )


def _enrolled_during(period: ReportingPeriod) -> Q:
    return (
        Q(school_class__school_year_id=period.school_year_id)
        & Q(enrolled_on__lte=period.ends_on)
        & (Q(left_on__isnull=True) | Q(left_on__gt=period.starts_on))
    )


def school_figures(
    *, schools: QuerySet[School], periods: list[ReportingPeriod]
) -> dict[tuple[int, int], SchoolFigures]:
    """Return each school's figures in each period, keyed by (school id, period id).

    Four queries whatever the number of schools and periods: classes per school
    and grade with one conditional count per period, enrolled pupils per school
    and period (``pupils_enrolled``), the rollups, the rules. The
    schools' types come from ``schools`` (read once by the caller's queryset).
    """
    school_ids = schools.values("pk")
    types = dict(schools.values_list("pk", "school_type"))
    rules = rules_for(periods)
    figures: dict[tuple[int, int], SchoolFigures] = {}
    for school_id, school_type in types.items():
        for period in periods:
            figures[(school_id, period.pk)] = SchoolFigures(
                rule=rule_applying(rules, period.pk, school_type)
            )
    if not types or not periods:
        return figures

    # One pass over the classes joined to their assignments: a class counts
    # once (distinct) however many of its assignments fall in a period. (One
    # EXISTS per class and period costs more, and its estimate set off
    # PostgreSQL's JIT compiler, about 60 ms a view at 1,000 schools.)
    class_counts = {
        f"assigned_{period.pk}": Count(
            "pk", distinct=True, filter=_given_during(period)
        )
        for period in periods
    }
    year_ids = {period.school_year_id for period in periods}
    class_rows = (
        SchoolClass.objects.filter(
            school_id__in=school_ids, school_year_id__in=year_ids
        )
        .values_list("school_id", "school_year_id", "grade")
        .annotate(classes=Count("pk", distinct=True), **class_counts)
        .order_by()
    )
    # About five rows per school: read as plain tuples (the ORM's per-value
    # conversion of these counts cost more than the query at 1,000 schools).
    columns = {period.pk: 4 + index for index, period in enumerate(periods)}
    periods_of_year = defaultdict(list)
    for period in periods:
        periods_of_year[period.school_year_id].append(period.pk)
    sql, params = class_rows.query.sql_with_params()
    with connections[class_rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor:
            school_id, year_id, grade, classes = row[:4]
            for period_id in periods_of_year[year_id]:
                item = figures[(school_id, period_id)]
                if item.rule.covers(grade):
                    item.classes += classes
                    item.classes_assigned += row[columns[period_id]]

    for key, pupils in pupils_enrolled(school_ids=school_ids, periods=periods).items():
        figures[key].pupils = pupils

    for (
        school_id,
        period_id,
        completed_any,
        modules,
    ) in SchoolPeriodRollup.objects.filter(
        period__in=periods, school_id__in=school_ids
    ).values_list(
        "school_id", "period_id", "pupils_completed_any", "modules_completed"
    ):
        item = figures.get((school_id, period_id))
        if item is not None:
            item.pupils_completed = completed_any
            item.modules_completed = modules
    return figures


def pupils_enrolled(
    *, school_ids: QuerySet, periods: list[ReportingPeriod]
) -> dict[tuple[int, int], int]:
    """Return the enrolled pupils of each school (of ``school_ids``) in each period.

    A pupil counts once per school and period if any of their enrolments in a
    class of the school in the period's school year overlaps the period. One
    query; schools without pupils may be left out (0). On PostgreSQL the counts
    are kept between views and counted again only for schools whose enrolments
    changed since (migration ``lms.0005_report_pupil_counts``).
    """
    if connections[school_ids.db].vendor == "postgresql":
        return _pupils_enrolled_kept(school_ids=school_ids, periods=periods)
    pupil_counts = {
        f"pupils_{period.pk}": Count(
            "pupil_id", distinct=True, filter=_enrolled_during(period)
        )
        for period in periods
    }
    pupil_rows = (
        Enrolment.objects.filter(
            school_class__school_id__in=school_ids,
            school_class__school_year_id__in={p.school_year_id for p in periods},
        )
        .values("school_class__school_id")
        .annotate(**pupil_counts)
        .order_by()
    )
    return {
        (row["school_class__school_id"], period.pk): row[f"pupils_{period.pk}"]
        for row in pupil_rows
        for period in periods
    }


# Read the counts kept for the schools' current roster versions and the periods'
# current dates; count the schools missing any (all their periods in one pass
# over their enrolments, as the query above does); keep what was counted; return
# both. One statement, so the page runs as many queries on a hit as on a miss.
_PUPILS_ENROLLED_KEPT = """
WITH period (position, period_id, school_year_id, starts_on, ends_on) AS (
    VALUES {periods}
),
school AS (
    SELECT scope.id AS school_id, COALESCE(v.version, 0) AS roster_version
    FROM (SELECT DISTINCT id FROM ({scope}) AS scope_rows (id)) AS scope
    LEFT JOIN lms_school_roster_version v ON v.school_id = scope.id
),
kept AS (
    SELECT school.school_id, period.period_id, counts.pupils
    FROM school CROSS JOIN period
    JOIN lms_school_period_pupils counts
        ON counts.school_id = school.school_id
        AND counts.period_id = period.period_id
        AND counts.roster_version = school.roster_version
        AND counts.school_year_id = period.school_year_id
        AND counts.starts_on = period.starts_on
        AND counts.ends_on = period.ends_on
),
stale AS (
    SELECT school.school_id, school.roster_version
    FROM school
    LEFT JOIN (SELECT school_id, count(*) AS periods FROM kept GROUP BY school_id)
        AS complete ON complete.school_id = school.school_id
    WHERE COALESCE(complete.periods, 0) < {period_count}
),
counted_by_school AS (
    SELECT school_class.school_id, {counts}
    FROM stale
    JOIN lms_schoolclass school_class ON school_class.school_id = stale.school_id
    JOIN lms_enrolment enrolment ON enrolment.school_class_id = school_class.id
    WHERE school_class.school_year_id IN (SELECT school_year_id FROM period)
    GROUP BY school_class.school_id
),
counted AS (
    SELECT stale.school_id, stale.roster_version, period.period_id,
        period.school_year_id, period.starts_on, period.ends_on,
        COALESCE(CASE period.position {pick} END, 0) AS pupils
    FROM stale CROSS JOIN period
    LEFT JOIN counted_by_school ON counted_by_school.school_id = stale.school_id
),
saved AS (
    INSERT INTO lms_school_period_pupils (
        school_id, period_id, school_year_id, starts_on, ends_on, roster_version,
        pupils
    )
    SELECT school_id, period_id, school_year_id, starts_on, ends_on,
        roster_version, pupils
    FROM counted ORDER BY school_id, period_id
    ON CONFLICT (school_id, period_id) DO UPDATE SET
        school_year_id = EXCLUDED.school_year_id,
        starts_on = EXCLUDED.starts_on,
        ends_on = EXCLUDED.ends_on,
        roster_version = EXCLUDED.roster_version,
        pupils = EXCLUDED.pupils
)
SELECT school_id, period_id, pupils FROM kept
WHERE school_id NOT IN (SELECT school_id FROM stale)
UNION ALL
SELECT school_id, period_id, pupils FROM counted
"""


def _pupils_enrolled_kept(
    *, school_ids: QuerySet, periods: list[ReportingPeriod]
) -> dict[tuple[int, int], int]:
    periods = list({period.pk: period for period in periods}.values())
    scope, scope_params = school_ids.query.sql_with_params()
    values, value_params, counts, count_params, pick = [], [], [], [], []
    for position, period in enumerate(periods):
        values.append("(%s, %s::bigint, %s::bigint, %s::date, %s::date)")
        value_params += [
            position,
            period.pk,
            period.school_year_id,
            period.starts_on,
            period.ends_on,
        ]
        counts.append(
            f"count(DISTINCT enrolment.pupil_id) FILTER (WHERE"
            f" school_class.school_year_id = %s AND enrolment.enrolled_on <= %s AND"
            f" (enrolment.left_on IS NULL OR enrolment.left_on > %s))"
            f" AS pupils_{position}"
        )
        count_params += [period.school_year_id, period.ends_on, period.starts_on]
        pick.append(f"WHEN {position} THEN counted_by_school.pupils_{position}")
    sql = _PUPILS_ENROLLED_KEPT.format(
        periods=", ".join(values),
        scope=scope,
        period_count=len(periods),
        counts=", ".join(counts),
        pick=" ".join(pick),
    )
    with connections[school_ids.db].cursor() as cursor:
        cursor.execute(sql, [*value_params, *scope_params, *count_params])
        return {(school, period): pupils for school, period, pupils in cursor}


# --- The unit (and province) dashboard ----------


@dataclass
class SchoolRow:
    pk: int
    name: str
    code: str
    school_type: str
    school_type_label: str
    unit_name: str
    contact_name: str
    contact_phone: str
    figures: SchoolFigures

    @property
    def is_care_facility(self) -> bool:
        return self.school_type == SchoolType.CARE_FACILITY

    @cached_property
    def status(self) -> str:
        # Read three times per school per view (groups, the list of schools
        # behind, the badge): the figures are final once the row exists.
        return self.figures.status


@dataclass
class GroupRow:
    """Schools of one child unit (or of one type): how many met, and the pupils."""

    key: str
    label: str
    unit_id: int | None = None
    schools: int = 0
    schools_met: int = 0
    care_facilities: int = 0
    care_facilities_met: int = 0
    pupils: int = 0
    pupils_completed: int = 0
    in_progress: int = 0
    not_started: int = 0

    def add(self, row: SchoolRow) -> None:
        self.add_figures(row.school_type, row.figures, row.status)

    def add_figures(
        self, school_type: str, figures: SchoolFigures, status: str | None = None
    ) -> None:
        status = status or figures.status
        met = status == ProgrammeStatus.MET
        if school_type == SchoolType.CARE_FACILITY:
            self.care_facilities += 1
            self.care_facilities_met += met
        else:
            self.schools += 1
            self.schools_met += met
        self.in_progress += status == ProgrammeStatus.IN_PROGRESS
        self.not_started += status == ProgrammeStatus.NOT_STARTED
        self.pupils += figures.pupils
        self.pupils_completed += min(figures.pupils_completed, figures.pupils)

    @property
    def schools_share(self) -> float | None:
        return percent(self.schools_met, self.schools)

    @property
    def care_share(self) -> float | None:
        return percent(self.care_facilities_met, self.care_facilities)

    @property
    def all_share(self) -> float | None:
        return percent(
            self.schools_met + self.care_facilities_met,
            self.schools + self.care_facilities,
        )

    @property
    def pupil_share(self) -> float | None:
        return percent(self.pupils_completed, self.pupils)

    def as_data(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "schools": self.schools,
            "schools_met": self.schools_met,
            "care_facilities": self.care_facilities,
            "care_facilities_met": self.care_facilities_met,
            "in_progress": self.in_progress,
            "not_started": self.not_started,
            "pupils": self.pupils,
            "pupils_completed": self.pupils_completed,
        }


@dataclass
class TrendPoint:
    period: ReportingPeriod
    total: GroupRow


@dataclass
class UnitDashboard:
    unit: AdministrativeUnit
    period: ReportingPeriod
    rules: list[Rule]
    total: GroupRow
    by_unit: list[GroupRow]
    by_type: list[GroupRow]
    schools: list[SchoolRow]
    trend: list[TrendPoint] = field(default_factory=list)

    @property
    def schools_behind(self) -> list[SchoolRow]:
        return [row for row in self.schools if row.status != ProgrammeStatus.MET]

    @property
    def uses_default_rule(self) -> bool:
        return any(rule.is_default for rule in self.rules)


def rules_stated(period: ReportingPeriod) -> list[Rule]:
    """Return the rules a report of ``period`` states: the general one, then by type."""
    rules = rules_for([period])
    general = rules.get((period.pk, "")) or DEFAULT_RULE
    by_type = [rule for (_period, kind), rule in sorted(rules.items()) if kind]
    return [general, *by_type]


def unit_dashboard(
    *,
    user: User,
    unit: AdministrativeUnit,
    period: ReportingPeriod,
    trend: bool = True,
) -> UnitDashboard:
    """Return the programme dashboard of ``unit`` (scoped to ``user``) in ``period``.

    Groups schools by the unit's children (schools hanging directly from the unit
    form their own group) and by type; lists every school with its status and
    contacts; adds the trend over the last periods of the same kind. A fixed number
    of queries whatever the number of schools, pupils and answers.
    """
    periods = periods_trend(period=period) if trend else [period]
    if period not in periods:
        periods.append(period)
    schools = _schools_under(user, unit)
    school_rows = list(
        schools.values(
            "pk",
            "name",
            "code",
            "school_type",
            "unit__path",
            "unit__name",
            "contact_name",
            "contact_phone",
        ).order_by("name", "pk")
    )
    figures = school_figures(schools=schools, periods=periods)
    children = list(unit.get_children().order_by("name"))
    type_labels = dict(SchoolType.choices)
    # A school is under the child whose path starts its unit's path; children's
    # paths all have the same length, so that prefix is a dictionary key.
    child_by_path = {child.path: child for child in children}
    child_path_length = len(unit.path) + unit.steplen

    def group_of(path: str) -> AdministrativeUnit | None:
        return child_by_path.get(path[:child_path_length])

    def build(period_id: int):
        total = GroupRow(key="total", label=unit.name, unit_id=unit.pk)
        by_unit = {
            child.pk: GroupRow(key=str(child.pk), label=child.name, unit_id=child.pk)
            for child in children
        }
        direct = GroupRow(key="direct", label=unit.name, unit_id=None)
        by_type = {
            code: GroupRow(key=code, label=str(label))
            for code, label in SchoolType.choices
        }
        rows = []
        for school in school_rows:
            row = SchoolRow(
                pk=school["pk"],
                name=school["name"],
                code=school["code"],
                school_type=school["school_type"],
                school_type_label=str(type_labels.get(school["school_type"], "")),
                unit_name=school["unit__name"],
                contact_name=school["contact_name"],
                contact_phone=school["contact_phone"],
                figures=figures[(school["pk"], period_id)],
            )
            rows.append(row)
            total.add(row)
            child = group_of(school["unit__path"])
            (by_unit[child.pk] if child else direct).add(row)
            by_type[row.school_type].add(row)
        unit_groups = list(by_unit.values())
        if direct.schools or direct.care_facilities:
            unit_groups.append(direct)
        type_groups = [g for g in by_type.values() if g.schools or g.care_facilities]
        return total, unit_groups, type_groups, rows

    total, by_unit, by_type, rows = build(period.pk)
    dashboard = UnitDashboard(
        unit=unit,
        period=period,
        rules=rules_stated(period),
        total=total,
        by_unit=by_unit,
        by_type=by_type,
        schools=rows,
    )
    if trend:
        # The trend needs each period's total only, not its rows and groups.
        def total_of(period_id: int) -> GroupRow:
            total = GroupRow(key="total", label=unit.name, unit_id=unit.pk)
            for school in school_rows:
                total.add_figures(
                    school["school_type"], figures[(school["pk"], period_id)]
                )
            return total

        dashboard.trend = [
            TrendPoint(
                period=item,
                total=dashboard.total if item.pk == period.pk else total_of(item.pk),
            )
            for item in periods
        ]
    return dashboard


def unit_report_data(dashboard: UnitDashboard, *, with_reasons: bool = False) -> dict:
    """Return the dashboard's figures as plain data: what exports hash and the API.

    The hashed figures hold numbers, codes and names only, never translated words,
    so a copy checks the same in either language; ``with_reasons`` adds each
    school's reason in words for the files people read.
    """
    data = {
        "period": {
            "id": dashboard.period.pk,
            "name": str(dashboard.period),
            "starts_on": dashboard.period.starts_on.isoformat(),
            "ends_on": dashboard.period.ends_on.isoformat(),
        },
        "unit": {
            "id": dashboard.unit.pk,
            "name": dashboard.unit.name,
            "code": dashboard.unit.code,
        },
        "rules": [rule.as_data() for rule in dashboard.rules],
        "total": dashboard.total.as_data(),
        "units": [group.as_data() for group in dashboard.by_unit],
        "school_types": [group.as_data() for group in dashboard.by_type],
        "schools": [
            {
                "id": row.pk,
                "code": row.code,
                "name": row.name,
                "school_type": row.school_type,
                "unit": row.unit_name,
                "classes": row.figures.classes,
                "classes_assigned": row.figures.classes_assigned,
                "pupils": row.figures.pupils,
                "pupils_completed": min(
                    row.figures.pupils_completed, row.figures.pupils
                ),
                "status": row.status,
            }
            for row in dashboard.schools
        ],
    }
    for group in data["school_types"]:
        group["label"] = group["key"]
    if with_reasons:
        for item, row in zip(data["schools"], dashboard.schools, strict=True):
            item["reason"] = row.figures.reason
    return data


# --- The school dashboard ----------


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


# --- A class's grid and item analysis ----------


@dataclass
class ModuleSummary:
    module_id: int
    assigned: int = 0
    done: int = 0
    scores: list = field(default_factory=list)

    @property
    def done_share(self) -> float | None:
        return percent(self.done, self.assigned)

    @property
    def average_percent(self) -> float | None:
        if not self.scores:
            return None
        return round(sum(float(s) for s in self.scores) / len(self.scores), 1)


def class_grid_summary(grid) -> list[ModuleSummary]:
    """Return, per module of a class grid, how many pupils finished and their mean."""
    from lms.models import DONE_STATUSES

    summaries = [ModuleSummary(module_id=module.source_id) for module in grid.modules]
    for row in grid.rows:
        for summary, cell in zip(summaries, row.cells, strict=True):
            if not cell.assigned:
                continue
            summary.assigned += 1
            summary.done += cell.status in DONE_STATUSES
            if cell.best_percent is not None:
                summary.scores.append(cell.best_percent)
    return summaries


@dataclass
class AnalysedModule:
    source: object
    title: str


def class_module_assigned(*, user: User, school_class: SchoolClass, module_id: int):
    """Return module ``module_id`` if it was given to the class (None: a 404)."""
    from content_cms.selectors import modules_localized
    from lms.learning.selectors import module_source_for

    source = module_source_for(user=user, module_id=module_id)
    if (
        source is None
        or not Assignment.objects.filter(
            school_class=school_class, module=source
        ).exists()
    ):
        return None
    return AnalysedModule(source=source, title=modules_localized([source])[0].title)


# --- Drill-down, exports, verification ----------


def unit_ancestors_visible(
    *, user: User, unit: AdministrativeUnit
) -> list[AdministrativeUnit]:
    """Return the unit's ancestors the user may also report on, top first."""
    paths = [
        unit.path[:end] for end in range(unit.steplen, len(unit.path), unit.steplen)
    ]
    if not paths:
        return []
    return list(units_visible_to(user).filter(path__in=paths).order_by("depth"))


def export_for(*, user: User, export_id: int):
    """Return export ``export_id`` if its unit is one ``user`` may report on."""
    from lms.models import ReportExport

    if not user.has_perm("lms.view_unit_reports"):
        return None
    return (
        ReportExport.objects.select_related("unit", "period__school_year")
        .filter(pk=export_id, unit__in=units_visible_to(user))
        .first()
    )


def exports_recent(*, user: User, unit: AdministrativeUnit, period: ReportingPeriod):
    from lms.models import ReportExport

    return list(
        ReportExport.objects.filter(
            unit=unit, period=period, unit__in=units_visible_to(user)
        ).order_by("-created_at")[:5]
    )


@dataclass
class VerifyResult:
    export: object | None
    current_hash: str = ""

    @property
    def found(self) -> bool:
        return self.export is not None

    @property
    def matches(self) -> bool:
        return self.found and self.current_hash == self.export.content_hash


def export_verify(*, user: User, content_hash: str) -> VerifyResult:
    """Find the export a printed hash names, and recompute its figures today."""
    from lms.models import ExportStatus, ReportExport
    from lms.reports.exports import figures_hash

    export = (
        ReportExport.objects.select_related(
            "unit", "period__school_year", "requested_by"
        )
        .filter(
            content_hash=content_hash,
            status=ExportStatus.DONE,
            unit__in=units_visible_to(user),
        )
        .order_by("-created_at")
        .first()
    )
    if export is None:
        return VerifyResult(export=None)
    dashboard = unit_dashboard(
        user=user, unit=export.unit, period=export.period, trend=False
    )
    return VerifyResult(
        export=export, current_hash=figures_hash(unit_report_data(dashboard))
    )
