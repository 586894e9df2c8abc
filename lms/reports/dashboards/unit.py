"""The unit (and province) dashboard: schools grouped by child unit and by type.

Who may report on which unit is decided by ``lms.reports.selectors`` (over
``lms.people.selectors``); this module builds the dashboard of a unit the caller
already holds: every school under it with its status and contacts, the groups
by child unit and by school type, the coverage of each required topic, and the
trend over the last periods of the same kind, all from
``lms.reports.figures.school_figures``. ``school_list`` searches, filters, sorts
and pages its schools (a province has a thousand) and fills in the words of what
each school on the page is missing. ``unit_report_data`` turns it into the plain
data the API returns and the evidence exports hash, so a printed export can be
checked against today's figures. Beside the programme (target 1) it carries
the help measures (target 2: ``lms.people.help_measures``) of each school, child
unit and the whole unit in the period, counts only.
"""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

from django.utils import timezone

from lms.models import AdministrativeUnit, ReportingPeriod, School, SchoolType, User
from lms.people.help_measures import HelpMeasures, help_measures_of_schools
from lms.people.selectors import schools_under
from lms.reports.coverage.totals import coverage_detail
from lms.reports.figures import (
    pupils_reached_by_school,
    school_activity,
    school_figures,
)
from lms.reports.periods import periods_trend, rules_for, rules_stated
from lms.reports.rules import (
    ProgrammeStatus,
    Rule,
    SchoolFigures,
    TopicRule,
    percent,
)


def folded(text: str) -> str:
    """Lower-case ``text`` without diacritics, so "kim dong" finds "Kim Đồng"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass
class SchoolRow:
    pk: int
    name: str
    code: str
    school_type: str
    school_type_label: str
    unit_name: str
    unit_path: str
    contact_name: str
    contact_phone: str
    figures: SchoolFigures
    help: HelpMeasures = field(default_factory=HelpMeasures)

    @property
    def is_care_facility(self) -> bool:
        return self.school_type == SchoolType.CARE_FACILITY

    @cached_property
    def folded_name(self) -> str:
        return folded(self.name)

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
    path: str = ""
    schools: int = 0
    schools_met: int = 0
    care_facilities: int = 0
    care_facilities_met: int = 0
    pupils: int = 0
    pupils_completed: int = 0
    in_progress: int = 0
    not_started: int = 0
    classes: int = 0
    classes_covered: int = 0
    sessions: int = 0
    staff_trained: int = 0
    parent_meetings: int = 0
    parents: int = 0
    help: HelpMeasures = field(default_factory=HelpMeasures)

    def add(self, row: SchoolRow) -> None:
        self.add_figures(row.school_type, row.figures, row.status)
        self.help.add(row.help)

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
        if figures.rule.has_topics:
            self.classes += figures.classes
            self.classes_covered += min(figures.classes_covered, figures.classes)
        self.sessions += figures.sessions or 0
        self.staff_trained += figures.staff_trained or 0
        self.parent_meetings += figures.parent_meetings or 0
        self.parents += figures.parents or 0

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

    @property
    def covered_share(self) -> float | None:
        return percent(self.classes_covered, self.classes)

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
class TopicRow:
    """One required topic of one band, over every school of the unit."""

    topic: TopicRule
    required: int = 0
    covered: int = 0

    @property
    def share(self) -> float | None:
        return percent(self.covered, self.required)

    @property
    def missing(self) -> int:
        return self.required - self.covered

    @property
    def label(self) -> str:
        return f"{self.topic.band_name}: {self.topic.topic_name}"

    @property
    def short_label(self) -> str:
        return self.topic.short_label


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
    topics: list[TopicRow] = field(default_factory=list)
    user: User | None = None
    help_as_of: datetime.datetime | None = None

    @property
    def schools_behind(self) -> list[SchoolRow]:
        return [row for row in self.schools if row.status != ProgrammeStatus.MET]

    @property
    def uses_default_rule(self) -> bool:
        return any(rule.is_default for rule in self.rules)

    @property
    def has_topics(self) -> bool:
        return any(rule.has_topics for rule in self.rules)


def unit_dashboard(
    *,
    user: User,
    unit: AdministrativeUnit,
    period: ReportingPeriod,
    trend: bool = True,
    help_as_of: datetime.datetime | None = None,
) -> UnitDashboard:
    """Return the programme dashboard of ``unit`` (scoped to ``user``) in ``period``.

    Groups schools by the unit's children (schools hanging directly from the unit
    form their own group) and by type; lists every school with its status and
    contacts; adds the trend over the last periods of the same kind, and the
    help measures of the period as of ``help_as_of`` (default: now). A fixed
    number of queries whatever the number of schools, pupils, answers and
    requests.
    """
    help_as_of = help_as_of or timezone.now()
    periods = periods_trend(period=period) if trend else [period]
    if period not in periods:
        periods.append(period)
    schools = schools_under(user, unit)
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
    figures = school_figures(schools=schools, periods=periods, topics_period=period)
    school_activity(figures=figures, school_ids=schools.values("pk"), period=period)
    help_found = help_measures_of_schools(
        school_ids=schools.values("pk"),
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        as_of=help_as_of,
    )
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
            child.pk: GroupRow(
                key=str(child.pk), label=child.name, unit_id=child.pk, path=child.path
            )
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
                unit_path=school["unit__path"],
                contact_name=school["contact_name"],
                contact_phone=school["contact_phone"],
                figures=figures[(school["pk"], period_id)],
                help=help_found.get(school["pk"]) or HelpMeasures(),
            )
            row.help.school_id, row.help.school_name = row.pk, row.name
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
        topics=_topic_rows(rows),
        user=user,
        help_as_of=help_as_of,
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


def _topic_rows(rows: list[SchoolRow]) -> list[TopicRow]:
    """Add up each required topic over the schools, in the order of their rules."""
    topics: dict[tuple[int, int], TopicRow] = {}
    for row in rows:
        rule = row.figures.rule
        for topic in rule.topics:
            topics.setdefault(topic.key, TopicRow(topic=topic))
        for tally in row.figures.topic_tallies or []:
            item = topics.get((tally.band_id, tally.topic_id))
            if item is not None:
                item.required += tally.required
                item.covered += tally.covered
    return list(topics.values())


def schools_detail(
    dashboard: UnitDashboard, rows: list[SchoolRow], *, reach: bool = False
) -> None:
    """Fill in each class's missing topics of ``rows`` (and their pupils reached).

    Two queries (three on PostgreSQL, one more with ``reach``), whose rows grow
    with the schools asked for: a page of a list, or every school for an export
    made in the background. Pupils reached read every attendance of the schools
    in the period: an export counts them, a page of the list does not.
    """
    if not rows:
        return
    ids = [row.pk for row in rows]
    schools = School.objects.filter(pk__in=ids)
    reached = (
        pupils_reached_by_school(
            school_ids=schools.values("pk"), period=dashboard.period
        )
        if reach
        else None
    )
    details = {}
    if any(row.figures.rule.has_topics for row in rows):
        details = coverage_detail(
            schools=schools,
            period=dashboard.period,
            rules=rules_for([dashboard.period]),
        )
    for row in rows:
        if reached is not None:
            row.figures.pupils_reached = reached.get(row.pk, 0)
        if row.figures.rule.has_topics:
            row.figures.coverage = details.get(row.pk, [])


# The shape of the hashed figures. Older versions are still produced to check
# the exports made with them: 1 before required topics, teaching sessions and
# adults were reported; 2 before the help measures (target 2) and their moment.
FIGURES_VERSION = 3


def _help_data(measures: HelpMeasures) -> dict:
    data = measures.as_evidence()
    del data["school_id"]
    return data


def _group_data(group: GroupRow, version: int) -> dict:
    data = group.as_data()
    if version >= 2:
        data.update(
            topic_classes=group.classes,
            topic_classes_covered=group.classes_covered,
            sessions=group.sessions,
            staff_trained=group.staff_trained,
            parent_meetings=group.parent_meetings,
            parents=group.parents,
        )
    if version >= 3:
        data["help"] = _help_data(group.help)
    return data


def _school_data(row: SchoolRow, version: int, codes: dict) -> dict:
    figures = row.figures
    data = {
        "id": row.pk,
        "code": row.code,
        "name": row.name,
        "school_type": row.school_type,
        "unit": row.unit_name,
        "classes": figures.classes,
        "classes_assigned": figures.classes_assigned,
        "pupils": figures.pupils,
        "pupils_completed": min(figures.pupils_completed, figures.pupils),
        "status": row.status,
    }
    if version >= 2:
        data.update(
            classes_covered=figures.classes_covered,
            topics_required=figures.topics_required,
            topics_covered=figures.topics_covered,
            sessions=figures.sessions or 0,
            staff_trained=figures.staff_trained or 0,
            parent_meetings=figures.parent_meetings or 0,
            parents=figures.parents or 0,
            topics=sorted(
                (
                    {
                        **codes[(tally.band_id, tally.topic_id)],
                        "required": tally.required,
                        "covered": tally.covered,
                    }
                    for tally in figures.topic_tallies or []
                    if (tally.band_id, tally.topic_id) in codes
                ),
                key=lambda item: (item["band"], item["topic"]),
            ),
        )
    if version >= 3:
        data["help"] = _help_data(row.help)
    return data


def unit_report_data(
    dashboard: UnitDashboard,
    *,
    with_reasons: bool = False,
    version: int = FIGURES_VERSION,
) -> dict:
    """Return the dashboard's figures as plain data: what exports hash and the API.

    The hashed figures hold numbers, codes and names only, never translated words,
    so a copy checks the same in either language; ``with_reasons`` adds, for the
    files people read, each school's reason and what it is missing in words and
    its pupils reached (call ``schools_detail`` first). ``version`` 1 gives the
    shape of exports made before required topics existed, 2 before the help
    measures. The moment the measures are taken is not in the figures (the
    same measures hash the same whenever they were taken): an export takes them
    as of its request (``ReportExport.created_at``), and the check recomputes
    them as of that moment.
    """
    codes = {
        item.topic.key: {"band": item.topic.band_code, "topic": item.topic.topic_code}
        for item in dashboard.topics
    }
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
        "total": _group_data(dashboard.total, version),
        "units": [_group_data(group, version) for group in dashboard.by_unit],
        "school_types": [_group_data(group, version) for group in dashboard.by_type],
        "schools": [_school_data(row, version, codes) for row in dashboard.schools],
    }
    if version >= 2:
        data["version"] = version
        data["topics"] = [
            {
                "band": item.topic.band_code,
                "topic": item.topic.topic_code,
                "required": item.required,
                "covered": item.covered,
            }
            for item in dashboard.topics
        ]
    for group in data["school_types"]:
        group["label"] = group["key"]
    if with_reasons:
        for item, row in zip(data["schools"], dashboard.schools, strict=True):
            item["reason"] = row.figures.reason
            item["missing"] = row.figures.missing_texts()
            item["pupils_reached"] = row.figures.pupils_reached
        for item, row in zip(data.get("topics", []), dashboard.topics, strict=True):
            item["label"] = row.label
    return data
