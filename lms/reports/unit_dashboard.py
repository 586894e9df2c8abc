"""The unit (and province) dashboard: schools grouped by child unit and by type.

Who may report on which unit is decided by ``lms.reports.selectors`` (over
``lms.people.selectors``); this module builds the dashboard of a unit the caller
already holds: every school under it with its status and contacts, the groups
by child unit and by school type, and the trend over the last periods of the same
kind, all from ``lms.reports.figures.school_figures``. ``unit_report_data`` turns
it into the plain data the API returns and the evidence exports hash, so a
printed export can be checked against today's figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import QuerySet

from lms.models import AdministrativeUnit, ReportingPeriod, School, SchoolType, User
from lms.people.selectors import schools_visible_to
from lms.reports.figures import school_figures
from lms.reports.periods import periods_trend, rules_stated
from lms.reports.rules import ProgrammeStatus, Rule, SchoolFigures, percent


def _schools_under(user: User, unit: AdministrativeUnit) -> QuerySet[School]:
    return schools_visible_to(user).filter(unit__path__startswith=unit.path)


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
