"""Topic coverage: which classes covered the topics their period's rule requires.

Reads only; what "covered" means is ``lms.reports.rules`` (``TopicRule.covered``).
A class covers a required topic of its age band in a period through the
``ClassTopicRollup`` row written with each completion (pupils of the class who
completed a module of that topic and band in the period) against the class's
enrolled pupils, or through any ``TeachingSession`` in the period on a module of
that topic and band. Everything is computed by the database in one statement,
whatever the number of schools, classes, sessions or answers:

- ``coverage_totals`` gives each school and period its counts (classes in the
  rule's grades, classes that covered every topic, topics required and covered
  across classes) and, for one period, the same per required topic, so a list
  can be filtered by what is missing and a chart can show topics by band;
- ``coverage_detail`` gives every class of a few schools its topics one by one,
  as ``ClassCoverage`` (what a school page, a class page and the "behind" lists
  say in words).

The totals apply the rule's test in SQL, the detail in Python through
``TopicRule.covered``; ``tests/lms/reports/test_topic_rules.py`` checks that they
agree. A class's enrolled pupils in a period are those whose enrolment overlaps
it (as for a school, ``lms.reports.figures.pupils_enrolled``); on PostgreSQL
they are kept between views in ``lms_class_period_pupils`` (migration
``lms.0013_class_topic_rollup``) and counted again only for schools whose
roster version or period dates changed.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass

from django.db import connections, transaction
from django.db.models import QuerySet

from lms.models import ReportingPeriod, School, SchoolType
from lms.reports.coverage import sql as statements
from lms.reports.periods import rule_applying
from lms.reports.rules import ClassCoverage, Rule, TopicCell, TopicTally


@dataclass
class CoverageCounts:
    """One school's coverage in one period (classes in the rule's grades only)."""

    classes: int = 0
    classes_covered: int = 0
    topics_required: int = 0
    topics_covered: int = 0


def _rule_key(rule: Rule) -> str:
    """Return what a school's kept coverage was computed under, as a short key."""
    content = json.dumps(
        [
            rule.target_id,
            rule.grade_from,
            rule.grade_to,
            [
                [
                    t.band_id,
                    t.first_grade,
                    t.last_grade,
                    t.topic_id,
                    str(t.min_pupil_share),
                ]
                for t in rule.topics
            ],
        ]
    )
    return hashlib.sha256(content.encode()).hexdigest()[:32]


def _share_hundredths(rule_share) -> int:
    """Return a percentage with two decimals as an integer (80.5 -> 8050)."""
    return int(rule_share * 100)


class _Plan:
    """The rules of some periods, as the rows of the statement's two VALUES lists."""

    def __init__(
        self,
        *,
        periods: list[ReportingPeriod],
        rules: dict[tuple[int, str], Rule],
    ) -> None:
        self.applies: list[tuple] = []
        self.requirements: list[tuple] = []
        self.need: list[tuple] = []
        self.rule_keys: dict[tuple[int, str], str] = {}
        self.rules: dict[int, Rule] = {}
        self.periods: dict[int, ReportingPeriod] = {}
        for period in periods:
            for school_type in SchoolType.values:
                rule = rule_applying(rules, period.pk, school_type)
                if not rule.has_topics:
                    continue
                self.periods[period.pk] = period
                self.rule_keys[(period.pk, school_type)] = _rule_key(rule)
                self.applies.append(
                    (
                        period.pk,
                        school_type,
                        rule.target_id,
                        rule.grade_from,
                        rule.grade_to,
                        period.school_year_id,
                        period.starts_on.isoformat(),
                        period.ends_on.isoformat(),
                    )
                )
                if rule.target_id not in self.rules:
                    self.rules[rule.target_id] = rule
                    self.need += [
                        (rule.target_id, grade, len(rule.topics_for(grade)))
                        for grade in range(rule.grade_from, rule.grade_to + 1)
                    ]
                    self.requirements += [
                        (
                            rule.target_id,
                            topic.band_id,
                            topic.topic_id,
                            topic.first_grade,
                            topic.last_grade,
                            _share_hundredths(topic.min_pupil_share),
                        )
                        for topic in rule.topics
                    ]

    def __bool__(self) -> bool:
        return bool(self.applies)


def _values(rows: list[tuple], types: str, postgresql: bool) -> tuple[str, list]:
    """Return a VALUES list of ``rows`` (types: b bigint, i integer, t text, d date)."""
    casts = {"b": "::bigint", "i": "::integer", "t": "::text", "d": "::date"}
    one = ", ".join("%s" + (casts[kind] if postgresql else "") for kind in types)
    params = [value for row in rows for value in row]
    return ", ".join(f"({one})" for _row in rows), params


def _statement(
    *,
    connection,
    school_ids: QuerySet,
    plan: _Plan,
    template: str,
    only_period: ReportingPeriod | None = None,
    tally_periods: list[int] = (),
) -> tuple[str, list]:
    """Fill ``template`` with the plan's lists, the schools and the class pupils.

    The parameters follow the order their placeholders appear in: the lists,
    the classes' scope (and period), then the covered pairs' periods and scope
    with, on SQLite, the counted pupils' scope before them.
    """
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        # The ids themselves, so the planner knows how many schools there are
        # (a prefix of unit paths reads as one school, and sets off nested loops)
        # and reads only their classes (by the index on school).
        in_scope, scope_params = "= ANY(%s::bigint[])", [list(school_ids)]
    else:
        scope, scope_params = school_ids.query.sql_with_params()
        in_scope = f"IN ({scope})"
    applies, applies_params = _values(plan.applies, "btbiibdd", postgresql)
    requirements, requirement_params = _values(plan.requirements, "bbbiii", postgresql)
    need, need_params = _values(plan.need, "bii", postgresql)
    only, only_params = "", []
    if only_period is not None:
        only, only_params = "AND a.period_id = %s", [only_period.pk]
    if postgresql:
        class_pupils, pupil_params = statements.CLASS_PUPILS_KEPT, []
    else:
        class_pupils = statements.CLASS_PUPILS_COUNTED.format(in_scope=in_scope)
        pupil_params = list(scope_params)
    period_ids = sorted(plan.periods)
    sql = template.format(
        rules=statements.RULES,
        classes=statements.CLASSES,
        covered=statements.COVERED,
        class_pupils="{class_pupils}",
        tally_periods="{tally_periods}",
    ).format(
        applies=applies,
        requirements=requirements,
        need=need,
        in_scope=in_scope,
        only_period=only,
        class_pupils=class_pupils,
        period_ids=", ".join(["%s"] * len(period_ids)),
        tally_periods=", ".join(["%s"] * max(1, len(tally_periods))),
    )
    params = [
        *applies_params,
        *requirement_params,
        *need_params,
        *scope_params,
        *only_params,
    ]
    if "covered AS (" in template:
        params += [*pupil_params, *period_ids, *scope_params]
        params += [*(tally_periods or [0]), *(tally_periods or [0])]
    else:
        params += pupil_params
    return sql, params


def coverage_totals(
    *,
    schools: QuerySet[School],
    periods: list[ReportingPeriod],
    rules: dict[tuple[int, str], Rule],
    topics_period: ReportingPeriod | None = None,
    school_types: dict[int, str] | None = None,
) -> tuple[dict[tuple[int, int], CoverageCounts], dict[int, list[TopicTally]]]:
    """Return each school's coverage per period, and per topic in ``topics_period``.

    Only periods whose rule (for the school's type) requires topics appear. On
    PostgreSQL the results are kept per school and period and computed again
    only for schools whose rule, roster, rollup rows or period dates changed
    (``_totals_kept``); elsewhere one statement computes them every time.
    ``school_types`` (id -> type) saves reading the schools again.
    """
    plan = _Plan(periods=periods, rules=rules)
    if not plan:
        return {}, {}
    school_ids = schools.order_by().values("pk")
    connection = connections[school_ids.db]
    if connection.vendor == "postgresql":
        if school_types is None:
            school_types = dict(schools.order_by().values_list("pk", "school_type"))
        return _totals_kept(
            connection=connection,
            school_ids=school_ids,
            school_types=school_types,
            plan=plan,
            topics_period=topics_period,
        )
    tally_periods = [topics_period.pk] if topics_period is not None else []
    totals, tallies = _totals_computed(
        connection=connection,
        school_ids=school_ids,
        plan=plan,
        tally_periods=tally_periods,
    )
    return totals, {
        school: items
        for (school, period), items in tallies.items()
        if period in tally_periods
    }


def _totals_computed(
    *, connection, school_ids, plan: _Plan, tally_periods: list[int]
) -> tuple[
    dict[tuple[int, int], CoverageCounts], dict[tuple[int, int], list[TopicTally]]
]:
    """Compute the coverage of ``school_ids`` in the plan's periods: one statement.

    Returns the counts by (school, period) and, for ``tally_periods``, the
    required topics by (school, period).
    """
    sql, params = _statement(
        connection=connection,
        school_ids=school_ids,
        plan=plan,
        template=statements.TOTALS,
        tally_periods=tally_periods,
    )
    totals: dict[tuple[int, int], CoverageCounts] = defaultdict(CoverageCounts)
    tallies: dict[tuple[int, int, int, int], TopicTally] = {}
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The rule lists are joined on several columns at once, which the
            # planner reads as "one row" and answers with nested loops over
            # every class; hash joins over the rollup rows take a third of that.
            cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute(sql, params)
        # Sums come back as decimals on PostgreSQL: counts are integers here.
        for kind, school, period, band, topic, *numbers in cursor:
            first, second, third, fourth = (int(number or 0) for number in numbers)
            if kind == 0:
                counts = totals[(school, period)]
                counts.classes = first
                counts.classes_covered += second  # nothing to cover
                counts.topics_required = third
            elif kind == 1:
                counts = totals[(school, period)]
                counts.classes_covered += second
                counts.topics_covered = fourth
            else:
                tally = tallies.setdefault(
                    (school, period, band, topic),
                    TopicTally(band_id=band, topic_id=topic),
                )
                if kind == 2:
                    tally.required = first
                else:
                    tally.covered = first
    by_school: dict[tuple[int, int], list[TopicTally]] = defaultdict(list)
    for (school, period, _band, _topic), tally in tallies.items():
        by_school[(school, period)].append(tally)
    return dict(totals), dict(by_school)


def coverage_detail(
    *,
    schools: QuerySet[School],
    period: ReportingPeriod,
    rules: dict[tuple[int, str], Rule],
) -> dict[int, list[ClassCoverage]]:
    """Return every class (in the rule's grades) of ``schools``, topic by topic.

    Meant for a few schools (one page of a list, a school, an export made in
    the background). Schools whose rule requires no topic are left out.
    """
    plan = _Plan(periods=[period], rules=rules)
    if not plan:
        return {}
    school_ids = schools.order_by().values("pk")
    connection = connections[school_ids.db]
    if connection.vendor == "postgresql":
        class_pupils_refresh(school_ids=school_ids, periods=[period])
        school_ids = school_ids.values_list("pk", flat=True)
    sql, params = _statement(
        connection=connection,
        school_ids=school_ids,
        plan=plan,
        template=statements.DETAIL,
        only_period=period,
    )
    topics = {
        (target_id, topic.band_id, topic.topic_id): topic
        for target_id, rule in plan.rules.items()
        for topic in rule.topics
    }
    found: dict[int, dict[int, ClassCoverage]] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor:
            school_id, class_id, name, grade, target_id, band_id, topic_id = row[:7]
            school_type, pupils, completed, sessions = row[7:]
            item = found[school_id].get(class_id)
            if item is None:
                item = found[school_id][class_id] = ClassCoverage(
                    class_id=class_id,
                    name=name,
                    grade=grade,
                    pupils=pupils or 0,
                    is_group=school_type == SchoolType.CARE_FACILITY,
                )
            if topic_id is not None:
                item.cells.append(
                    TopicCell(
                        topic=topics[(target_id, band_id, topic_id)],
                        pupils=pupils or 0,
                        completed=completed or 0,
                        sessions=sessions or 0,
                    )
                )
    rank = {
        topic: index
        for rule in plan.rules.values()
        for index, topic in enumerate(rule.topics)
    }
    result = {}
    for school_id, classes in found.items():
        for item in classes.values():
            item.cells.sort(key=lambda cell: rank[cell.topic])
        result[school_id] = list(classes.values())
    return result


# --- Each school's coverage, kept (PostgreSQL) ----------


def _totals_kept(
    *,
    connection,
    school_ids: QuerySet,
    school_types: dict[int, str],
    plan: _Plan,
    topics_period: ReportingPeriod | None,
) -> tuple[dict[tuple[int, int], CoverageCounts], dict[int, list[TopicTally]]]:
    """Read the kept coverage; compute and keep it again where it is stale.

    A kept row is used while the rule applying to the school (its key), the
    school's roster and coverage versions (bumped by the triggers of migration
    ``lms.0009``) and the period's dates are those it was computed with. The
    versions are read before computing, so a change meanwhile leaves the row
    stale for the next view, never wrongly fresh. Four queries when nothing
    changed, six when some schools are computed again.
    """
    class_pupils_refresh(school_ids=school_ids, periods=list(plan.periods.values()))
    ids = sorted(school_types)
    period_ids = sorted(plan.periods)
    topics_id = topics_period.pk if topics_period is not None else 0
    wanted: dict[tuple[int, int], tuple] = {}
    with connection.cursor() as cursor:
        cursor.execute(statements.VERSIONS, [ids])
        versions = {school: (roster, coverage) for school, roster, coverage in cursor}
        for school_id in ids:
            for period_id in period_ids:
                rule_key = plan.rule_keys.get((period_id, school_types[school_id]))
                if rule_key is None:
                    continue
                period = plan.periods[period_id]
                wanted[(school_id, period_id)] = (
                    rule_key,
                    *versions.get(school_id, (0, 0)),
                    period.school_year_id,
                    period.starts_on,
                    period.ends_on,
                )
        cursor.execute(statements.KEPT, [topics_id, ids, period_ids])
        kept = {(row[0], row[1]): row for row in cursor}
    totals: dict[tuple[int, int], CoverageCounts] = {}
    tallies: dict[int, list[TopicTally]] = {}
    stale = []
    for key, expected in wanted.items():
        row = kept.get(key)
        if row is None or tuple(row[2:8]) != expected:
            stale.append(key)
            continue
        totals[key] = CoverageCounts(*row[8:12])
        if key[1] == topics_id and row[12] is not None:
            # Django leaves JSON as text (its fields decode it themselves).
            items = json.loads(row[12]) if isinstance(row[12], str) else row[12]
            tallies[key[0]] = [TopicTally(*item) for item in items]
    if stale:
        stale_schools = sorted({school for school, _period in stale})
        computed, computed_tallies = _totals_computed(
            connection=connection,
            school_ids=stale_schools,
            plan=plan,
            tally_periods=sorted({period for _school, period in stale}),
        )
        rows = []
        for key in stale:
            counts = computed.get(key, CoverageCounts())
            items = sorted(
                computed_tallies.get(key, []),
                key=lambda item: (item.band_id, item.topic_id),
            )
            totals[key] = counts
            if key[1] == topics_id:
                tallies[key[0]] = items
            rows.append((*key, *wanted[key], counts, items))
        _keep(connection, rows)
    return totals, tallies


def _keep(connection, rows: list[tuple]) -> None:
    """Keep computed coverage rows: one statement (arrays, one per column)."""
    columns: list[list] = [[] for _ in range(13)]
    for school, period, key, roster, coverage, year, first, last, counts, items in rows:
        values = (
            school,
            period,
            key,
            roster,
            coverage,
            year,
            first,
            last,
            counts.classes,
            counts.classes_covered,
            counts.topics_required,
            counts.topics_covered,
            json.dumps([[i.band_id, i.topic_id, i.required, i.covered] for i in items]),
        )
        for column, value in zip(columns, values, strict=True):
            column.append(value)
    with connection.cursor() as cursor:
        cursor.execute(statements.KEEP, columns)


# --- Each class's enrolled pupils, kept (PostgreSQL) ----------


def class_pupils_refresh(
    *, school_ids: QuerySet, periods: list[ReportingPeriod]
) -> int:
    """Count again the classes' pupils of schools whose kept counts are stale.

    PostgreSQL only (SQLite counts in the coverage statement). Returns the
    number of (school, period) pairs counted. The kept counts follow the same
    roster versions as the schools' (migration ``lms.0005_report_pupil_counts``).
    """
    periods = list({period.pk: period for period in periods}.values())
    if not periods:
        return 0
    scope, scope_params = school_ids.query.sql_with_params()
    values, value_params = _values(
        [
            (p.pk, p.school_year_id, p.starts_on.isoformat(), p.ends_on.isoformat())
            for p in periods
        ],
        "bbdd",
        True,
    )
    sql = statements.CLASS_PUPILS_REFRESH.format(periods=values, scope=scope)
    with connections[school_ids.db].cursor() as cursor:
        cursor.execute(sql, [*value_params, *scope_params])
        return cursor.fetchone()[0]
