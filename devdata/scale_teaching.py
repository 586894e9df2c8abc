"""Teaching evidence for the scale data: sessions with attendance, topic rules.

Benchmark data only (``bench/dashboards.py``). ``teaching_sessions_generate``
gives the classes of the given schools ``per_school`` teaching sessions on
average (spread evenly over the classes), each on a live pupils' module of the
class's age band (topics drawn at random), dated between the start of the
classes' school year and today, with one attendance row per enrolled pupil
(present nine times in ten). ``topic_rules_ensure`` makes every period of that
school year require topics of each school band (those with a module for it),
the way a province officer would set it on the rule screen.

On PostgreSQL the database writes the rows itself (``INSERT ... SELECT``, a few
seconds per 100,000 sessions); elsewhere the ORM does, in batches. Either way
the rows bypass the sessions' ``save()``, so the rollups are rebuilt from the
facts afterwards. Running it again keeps sessions that exist when there are
enough of them, and otherwise replaces the schools' sessions (so a benchmark
can change the number).
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict

from django.db import connection, transaction
from django.utils import timezone
from wagtail.models import Locale

from content_cms.models import AgeBand, Audience, ModulePage
from lms.learning.rebuild import (
    rollups_rebuild,
)
from lms.models import (
    Enrolment,
    ProgrammeTarget,
    ReportingPeriod,
    SchoolClass,
    TeachingAttendance,
    TeachingSession,
    TopicRequirement,
)

PRESENT_SHARE = 0.9
TOPICS_PER_BAND = 3
SEED = 20


def _modules_by_grade() -> dict[int, list[int]]:
    """Return, per grade 1-12, the live pupils' modules of its age band."""
    bands = {
        pk: (first, last)
        for pk, first, last in AgeBand.objects.filter(
            min_grade__isnull=False, max_grade__isnull=False
        ).values_list("pk", "min_grade", "max_grade")
    }
    by_grade: dict[int, list[int]] = defaultdict(list)
    for module_id, band_id in (
        ModulePage.objects.live()
        .filter(locale=Locale.get_default(), audience=Audience.PUPIL)
        .values_list("pk", "age_bands")
    ):
        if band_id in bands:
            first, last = bands[band_id]
            for grade in range(first, last + 1):
                by_grade[grade].append(module_id)
    return {grade: sorted(set(ids)) for grade, ids in by_grade.items()}


def topic_rules_ensure(*, school_year_id: int) -> int:
    """Make every period of the school year require topics of each school band.

    ``TOPICS_PER_BAND`` topics per band, among those a live pupils' module
    covers for it; grades 1-12. Returns the number of periods given a rule.
    """
    live = set(
        ModulePage.objects.live()
        .filter(locale=Locale.get_default(), audience=Audience.PUPIL)
        .values_list("age_bands", "topic")
    )
    bands = AgeBand.objects.filter(min_grade__isnull=False, max_grade__isnull=False)
    count = 0
    for period in ReportingPeriod.objects.filter(school_year_id=school_year_id):
        target, _created = ProgrammeTarget.objects.get_or_create(
            period=period, school_type=""
        )
        if target.topic_requirements.exists():
            continue
        for band in bands:
            topics = sorted(topic for band_id, topic in live if band_id == band.pk)
            TopicRequirement.objects.bulk_create(
                TopicRequirement(target=target, age_band=band, topic_id=topic)
                for topic in topics[:TOPICS_PER_BAND]
                if topic is not None
            )
        count += 1
    return count


_SESSIONS = """
WITH grade_modules (grade, modules) AS (VALUES {grades}),
planned AS (
    SELECT c.id AS class_id, gm.modules, year.starts_on, g.n
    FROM lms_schoolclass c
    JOIN lms_schoolyear year ON year.id = c.school_year_id
    JOIN grade_modules gm ON gm.grade = c.grade
    CROSS JOIN generate_series(1, %s) AS g (n)
    WHERE c.school_id = ANY(%s) AND c.school_year_id = %s
)
INSERT INTO lms_teachingsession (
    school_class_id, module_id, taught_on, duration_minutes, note, recorded_at
)
SELECT class_id,
    modules[1 + floor(random() * array_length(modules, 1))::int],
    starts_on + floor(random() * GREATEST(1, %s::date - starts_on + 1))::int,
    45, '', %s
FROM planned
"""

_ATTENDANCE = """
INSERT INTO lms_teachingattendance (session_id, pupil_id, present)
SELECT s.id, e.pupil_id, random() < %s
FROM lms_teachingsession s
JOIN lms_schoolclass c ON c.id = s.school_class_id
JOIN lms_enrolment e ON e.school_class_id = s.school_class_id AND e.left_on IS NULL
WHERE c.school_id = ANY(%s)
"""


_DELETE_ATTENDANCE = """
DELETE FROM lms_teachingattendance WHERE session_id IN (
    SELECT s.id FROM lms_teachingsession s
    JOIN lms_schoolclass c ON c.id = s.school_class_id
    WHERE c.school_id = ANY(%s) AND c.school_year_id = %s
)
"""
_DELETE_SESSIONS = """
DELETE FROM lms_teachingsession WHERE school_class_id IN (
    SELECT id FROM lms_schoolclass WHERE school_id = ANY(%s) AND school_year_id = %s
)
"""


def teaching_sessions_generate(*, school_ids: list[int], per_school: int) -> int:
    """Give the schools about ``per_school`` sessions each, with attendance.

    Returns the number of sessions written (0 when the schools have enough).
    """
    classes = SchoolClass.objects.filter(school_id__in=school_ids)
    year_id = (
        classes.order_by("-school_year__starts_on")
        .values_list("school_year_id", flat=True)
        .first()
    )
    if year_id is None or per_school <= 0:
        return 0
    classes = classes.filter(school_year_id=year_id)
    per_class = max(1, round(per_school * len(school_ids) / max(1, classes.count())))
    existing = TeachingSession.objects.filter(school_class__in=classes)
    if existing.count() >= per_class * classes.count():
        return 0
    by_grade = _modules_by_grade()
    today = timezone.localdate()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # In SQL: the ORM would move each deleted session's count, one by one.
            with connection.cursor() as cursor:
                cursor.execute(_DELETE_ATTENDANCE, [list(school_ids), year_id])
                cursor.execute(_DELETE_SESSIONS, [list(school_ids), year_id])
            grades = [(grade, ids) for grade, ids in by_grade.items() if ids]
            values = ", ".join(["(%s, %s::bigint[])"] * len(grades))
            with connection.cursor() as cursor:
                cursor.execute("SELECT setseed(%s)", [SEED / 100])
                cursor.execute(
                    _SESSIONS.format(grades=values),
                    [
                        *[value for row in grades for value in row],
                        per_class,
                        list(school_ids),
                        year_id,
                        today,
                        timezone.now(),
                    ],
                )
                written = cursor.rowcount
                cursor.execute(_ATTENDANCE, [PRESENT_SHARE, list(school_ids)])
        else:
            existing.delete()
            written = _write_orm(classes, per_class, by_grade, today)
        # Bulk writes bypass the sessions' save(): count them from the facts.
        rollups_rebuild(fix=True)
    return written


def _write_orm(classes, per_class: int, by_grade, today) -> int:
    rng = random.Random(SEED)
    pupils = defaultdict(list)
    for class_id, pupil_id in Enrolment.objects.filter(
        school_class__in=classes, left_on__isnull=True
    ).values_list("school_class_id", "pupil_id"):
        pupils[class_id].append(pupil_id)
    written = 0
    for school_class in classes.select_related("school_year"):
        modules = by_grade.get(school_class.grade)
        if not modules:
            continue
        start = school_class.school_year.starts_on
        days = max(0, (today - start).days)
        sessions = TeachingSession.objects.bulk_create(
            TeachingSession(
                school_class=school_class,
                module_id=rng.choice(modules),
                taught_on=start + datetime.timedelta(days=rng.randint(0, days)),
                duration_minutes=45,
            )
            for _ in range(per_class)
        )
        TeachingAttendance.objects.bulk_create(
            TeachingAttendance(
                session=session, pupil_id=pupil, present=rng.random() < PRESENT_SHARE
            )
            for session in sessions
            for pupil in pupils[school_class.pk]
        )
        written += len(sessions)
    return written
