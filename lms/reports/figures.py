"""Each school's programme figures per period: the bounded queries behind every report.

``school_figures`` answers "did school S run the programme in period P" for any
number of schools and periods at once; the unit dashboard, its trend, the school
dashboard and the exports all read their numbers from it. Every figure comes from
a handful of GROUP BY queries whose number does not depend on the number of
schools, pupils or answers:

1. the schools in scope (the caller's queryset, one row each);
2. classes per school and grade, with "given a module during the period" counted
   per period by conditional aggregation (one query for every period of a trend);
3. enrolled pupils per school and period (``pupils_enrolled``: on PostgreSQL
   kept between views and counted again only where enrolments changed);
4. ``SchoolPeriodRollup`` rows (pupils who completed at least one module);
5. the ``ProgrammeTarget`` rows of those periods (and their required topics);
6. when a period's rule requires topics, the classes' coverage of them
   (``lms.reports.coverage.totals``: one statement, two on PostgreSQL).

Teaching sessions held come with the rollups (``SchoolPeriodRollup.sessions``).
``school_activity`` adds what a page shows for one period beside the status:
pupils reached, staff trained and parents' meetings.

Officers get counts only: nothing here returns a pupil.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import connections
from django.db.models import Count, F, Q, QuerySet

from lms.learning.teaching import selectors as teaching_selectors
from lms.models import (
    Enrolment,
    ModuleProgress,
    ReportingPeriod,
    Role,
    School,
    SchoolClass,
    SchoolPeriodRollup,
    TeachingAttendance,
)
from lms.reports.coverage.totals import coverage_totals
from lms.reports.periods import rule_applying, rules_for
from lms.reports.rules import SchoolFigures

# The age band of the staff's own modules (content_cms/curriculum/staff/).
STAFF_BAND = "staff"
STAFF_ROLES = (Role.TEACHER, Role.COUNSELLOR, Role.SCHOOL_ADMIN)


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
    *,
    schools: QuerySet[School],
    periods: list[ReportingPeriod],
    topics_period: ReportingPeriod | None = None,
) -> dict[tuple[int, int], SchoolFigures]:
    """Return each school's figures in each period, keyed by (school id, period id).

    A fixed number of queries whatever the number of schools and periods:
    classes per school and grade with one conditional count per period,
    enrolled pupils per school and period (``pupils_enrolled``), the rollups,
    the rules (two), and when a rule requires topics their coverage. The
    schools' types come from ``schools`` (read once by the caller's queryset).
    With ``topics_period``, that period's figures also carry their coverage
    per required topic (``topic_tallies``).
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
        sessions,
    ) in SchoolPeriodRollup.objects.filter(
        period__in=periods, school_id__in=school_ids
    ).values_list(
        "school_id",
        "period_id",
        "pupils_completed_any",
        "modules_completed",
        "sessions",
    ):
        item = figures.get((school_id, period_id))
        if item is not None:
            item.pupils_completed = completed_any
            item.modules_completed = modules
            item.sessions = sessions

    totals, tallies = coverage_totals(
        schools=schools,
        periods=periods,
        rules=rules,
        topics_period=topics_period,
        school_types=types,
    )
    for key, counts in totals.items():
        item = figures.get(key)
        if item is not None and item.rule.has_topics:
            item.classes_covered = counts.classes_covered
            item.topics_required = counts.topics_required
            item.topics_covered = counts.topics_covered
    if topics_period is not None:
        for school_id in types:
            item = figures[(school_id, topics_period.pk)]
            if item.rule.has_topics:
                item.topic_tallies = tallies.get(school_id, [])
    return figures


# --- What a page shows beside the status ----------


def period_moments(period: ReportingPeriod):
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


_REACHED = """
SELECT reached.reached_school, count(DISTINCT reached.reached_pupil)
FROM ({pairs}) reached GROUP BY reached.reached_school
"""


def pupils_reached_by_school(
    *, school_ids: QuerySet, period: ReportingPeriod
) -> dict[int, int]:
    """Return each school's pupils reached in ``period``, each counted once.

    Reached: present at a teaching session of one of the school's classes in
    the period, or completed a module in the period while enrolled in one of
    its classes. One query, counted by the database; it reads every attendance
    and completion of the schools in the period, so it serves a page of
    schools, one school or an export made in the background, not every view of
    a whole province.
    """
    start, end = period_moments(period)
    present = (
        TeachingAttendance.objects.filter(
            present=True,
            session__school_class__school_id__in=school_ids,
            session__school_class__school_year_id=period.school_year_id,
            session__taught_on__gte=period.starts_on,
            session__taught_on__lte=period.ends_on,
        )
        .annotate(
            reached_school=F("session__school_class__school_id"),
            reached_pupil=F("pupil_id"),
        )
        .values_list("reached_school", "reached_pupil")
        .order_by()
    )
    # One filter() call: the enrolment's conditions must hold for one enrolment.
    completed = (
        ModuleProgress.objects.filter(
            Q(user__enrolments__left_on__isnull=True)
            | Q(user__enrolments__left_on__gt=F("completed_at__date")),
            completed_at__gte=start,
            completed_at__lt=end,
            user__enrolments__school_class__school_id__in=school_ids,
            user__enrolments__school_class__school_year_id=period.school_year_id,
            user__enrolments__enrolled_on__lte=F("completed_at__date"),
        )
        .annotate(
            reached_school=F("user__enrolments__school_class__school_id"),
            reached_pupil=F("user_id"),
        )
        .values_list("reached_school", "reached_pupil")
        .order_by()
    )
    union = present.union(completed)
    sql, params = union.query.sql_with_params()
    with connections[union.db].cursor() as cursor:
        cursor.execute(_REACHED.format(pairs=sql), params)
        return dict(cursor.fetchall())


def school_activity(
    *,
    figures: dict[tuple[int, int], SchoolFigures],
    school_ids: QuerySet,
    period: ReportingPeriod,
    reach_school_ids: QuerySet | None = None,
) -> None:
    """Fill the staff trained and parents' meetings of ``period``'s figures.

    Pupils reached are counted only for ``reach_school_ids`` (one school, an
    export); the others keep None. Two queries, three with the reach.
    """
    staff = teaching_selectors.staff_trained_by_school(
        schools=school_ids, period=period
    )
    meetings = {
        school_id: (totals.meetings, totals.parents)
        for school_id, totals in teaching_selectors.parent_meeting_totals_by_school(
            schools=school_ids, period=period
        ).items()
    }
    reached = (
        pupils_reached_by_school(school_ids=reach_school_ids, period=period)
        if reach_school_ids is not None
        else None
    )
    for (school_id, period_id), item in figures.items():
        if period_id != period.pk:
            continue
        item.staff_trained = staff.get(school_id, 0)
        item.parent_meetings, item.parents = meetings.get(school_id, (0, 0))
        if reached is not None:
            item.pupils_reached = reached.get(school_id, 0)


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
complete AS MATERIALIZED (
    SELECT school_id FROM kept GROUP BY school_id HAVING count(*) >= {period_count}
),
stale AS (
    -- NOT IN over a small materialized list is one hashed lookup per school;
    -- a join to the grouped counts was planned as a loop over every school
    -- (the scope reads as "one row"): 70-100 ms of the province view at 1,000.
    SELECT school.school_id, school.roster_version
    FROM school
    WHERE school.school_id NOT IN (SELECT school_id FROM complete)
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
