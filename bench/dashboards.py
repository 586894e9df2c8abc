"""Benchmark: programme dashboards must not slow down as answers pile up.

Run: ``.venv/bin/python bench/dashboards.py`` (or ``make bench``). Needs
PostgreSQL on 127.0.0.1:5432 (user postgres).

Options (environment): ``BENCH_DASH_SCHOOLS`` (default 100),
``BENCH_DASH_PUPILS`` pupils per school (default 600), ``BENCH_DASH_ANSWERS``
answers per pupil at the two sizes (default ``3,34``: 1.8 and 20.4 million
answers at 1,000 schools of 600), ``BENCH_DASH_REQUESTS`` (default 50),
``BENCH_DASH_SESSIONS`` teaching sessions per school (default 200: 200,000 at
1,000 schools, each with the attendance of its class), ``BENCH_DASH_DB`` the
database (default ``bench_dash``; another name must end in ``_bench``).

1. creates the database if missing (never any other) and migrates it; loads
   the curriculum when no module exists;
2. ``generate_scale`` with the schools and pupils (what exists is kept), then
   the learning records (``devdata.scale.learning_records_generate``) with the
   first number of answers per pupil (size A); when the database holds more
   answers than that from an earlier run, the learning records are deleted
   first; then the teaching sessions with their attendance, and a rule
   requiring three topics of every school band in each period of the school
   year (``devdata.scale_teaching``), so the province page computes every
   class's topic coverage;
3. ``VACUUM ANALYZE``, then each dashboard (province, one commune, one school,
   ``province*``: the province in its earliest term, where every school is
   behind and listed, and ``province?``: the list of schools searched,
   filtered by a missing topic, sorted by progress, second page) is requested
   N times in-process through Django's test client (server time, no network)
   after two warm-up requests; prints p50/p95, the median CPU time of this
   process per request (Django's share, without PostgreSQL's), the queries of
   one request and the load average;
4. tops the attempts up to the second number of answers (size B) without
   regenerating anything, and times them again; prints the ratio B/A.

Figures go to docs/performance.md by hand; this script only prints them.
"""

import os
import statistics
import sys
import time

import _server  # bench/_server.py: the database

sys.path.insert(0, str(_server.BASE_DIR))

DB_NAME = os.environ.get("BENCH_DASH_DB", "bench_dash")
SCHOOLS = int(os.environ.get("BENCH_DASH_SCHOOLS", "100"))
SESSIONS = int(os.environ.get("BENCH_DASH_SESSIONS", "200"))
PUPILS = int(os.environ.get("BENCH_DASH_PUPILS", "600"))
SIZES = tuple(int(n) for n in os.environ.get("BENCH_DASH_ANSWERS", "3,34").split(","))
REQUESTS = int(os.environ.get("BENCH_DASH_REQUESTS", "50"))
assert len(SIZES) == 2 and 0 < SIZES[0] < SIZES[1], "BENCH_DASH_ANSWERS=A,B with A < B"

SERVER_ENV = {
    "DATABASE_URL": _server.database_url(DB_NAME),
    "DJANGO_SETTINGS_MODULE": "config.settings.dev",
    "DEBUG": "False",
    "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
    "AXES_ENABLED": "False",
    "LOG_LEVEL": "WARNING",
}
os.environ.pop("REDIS_URL", None)  # the local-memory cache: no Redis needed


def django_setup() -> None:
    os.environ.update(SERVER_ENV)
    import django

    django.setup()
    from django.core.management import call_command

    # Collect garbage as the server's workers do (config/asgi.py freezes what
    # start-up made and collects young objects less often): without it a full
    # collection lands in some requests and they, not the page, set the p95.
    import config.asgi  # noqa: F401
    from content_cms.models import ModulePage

    if not ModulePage.objects.filter(quiz__isnull=False).exists():
        call_command("load_curriculum", verbosity=0)


def scale_school_ids() -> list[int]:
    from devdata.scale import SCALE_CODE_PREFIX
    from lms.models import School

    return list(
        School.objects.filter(code__startswith=SCALE_CODE_PREFIX)
        .order_by("code")
        .values_list("pk", flat=True)[:SCHOOLS]
    )


def learning_records_reset() -> None:
    """Delete the generated pupils' learning records, in SQL (20 M answers)."""
    from django.db import connection, transaction

    from devdata.scale import SCALE_CODE_PREFIX, SCALE_USERNAME_PREFIX
    from lms.learning.rebuild import (
        rollups_rebuild,
    )

    pupils = "SELECT id FROM lms_user WHERE username LIKE %s"
    prefix = [f"{SCALE_USERNAME_PREFIX}%"]
    with transaction.atomic(), connection.cursor() as cursor:
        # Answers of anyone else? (Few attempts to look at, each by its index.)
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM quizzes_attempt attempt"
            " JOIN lms_user ON lms_user.id = attempt.user_id"
            " WHERE lms_user.username NOT LIKE %s AND EXISTS ("
            "SELECT 1 FROM quizzes_answer WHERE attempt_id = attempt.id))",
            prefix,
        )
        if cursor.fetchone()[0]:
            cursor.execute(
                "DELETE FROM quizzes_answer WHERE attempt_id IN ("
                f"SELECT id FROM quizzes_attempt WHERE user_id IN ({pupils}))",
                prefix,
            )
        else:  # only generated answers: emptying the table is instant
            cursor.execute("TRUNCATE quizzes_answer")
        cursor.execute(
            "DELETE FROM lms_countedattempt WHERE progress_id IN ("
            f"SELECT id FROM lms_moduleprogress WHERE user_id IN ({pupils}))",
            prefix,
        )
        cursor.execute(
            f"DELETE FROM lms_moduleprogress WHERE user_id IN ({pupils})", prefix
        )
        cursor.execute(
            f"DELETE FROM quizzes_attempt WHERE user_id IN ({pupils})", prefix
        )
        cursor.execute(
            "DELETE FROM lms_assignment WHERE school_class_id IN ("
            "SELECT c.id FROM lms_schoolclass c JOIN lms_school s"
            " ON s.id = c.school_id WHERE s.code LIKE %s)",
            [f"{SCALE_CODE_PREFIX}%"],
        )
        rollups_rebuild(fix=True)


def answers_per_attempt_stored() -> int:
    from django.db.models import Max

    from quizzes.models import Answer

    return Answer.objects.aggregate(most=Max("sequence"))["most"] or 0


def vacuum_analyze() -> None:
    """Settle the tables as autovacuum would, so it does not run mid-measurement."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in (
            "quizzes_answer",
            "quizzes_attempt",
            "lms_moduleprogress",
            "lms_countedattempt",
            "lms_assignment",
            "lms_classmodulerollup",
            "lms_schoolperiodrollup",
            "lms_enrolment",
            "lms_schoolclass",
            "lms_classtopicrollup",
            "lms_teachingsession",
            "lms_teachingattendance",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")


def viewers():
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from devdata.scale import SCALE_CODE_PREFIX, SCALE_PROVINCE_CODE
    from lms.models import AdministrativeUnit, ReportingPeriod, Role, School, User
    from lms.people.services import role_assign

    province = AdministrativeUnit.objects.get(code=SCALE_PROVINCE_CODE)
    commune = (
        AdministrativeUnit.objects.filter(code__startswith=f"{SCALE_PROVINCE_CODE}-")
        .order_by("code")
        .first()
    )
    school = School.objects.filter(code__startswith=SCALE_CODE_PREFIX).order_by("code")[
        0
    ]

    def user(username, role, **anchor):
        account, created = User.objects.get_or_create(
            username=username, defaults={"display_name": username}
        )
        if created:
            role_assign(user=account, role=role, **anchor)
        return account

    chief = user("bench-cb-tinh", Role.PROVINCE_OFFICER, unit=province)
    device, _ = TOTPDevice.objects.get_or_create(
        user=chief, name="bench", defaults={"confirmed": True}
    )
    # The earliest term: a school year without classes, so every school is
    # listed as behind.
    earliest = ReportingPeriod.objects.order_by("starts_on").first()
    from lms.models import TopicRequirement
    from lms.reports.periods import period_default

    requirement = TopicRequirement.objects.filter(
        target__period=period_default()
    ).first()
    missing = (
        f"&thieu={requirement.age_band_id}-{requirement.topic_id}"
        if (requirement)
        else ""
    )
    listed = f"/bao-cao/?q=truong&trang-thai=all&sap-xep=-share&trang=2{missing}"
    return [
        ("province", chief, "/bao-cao/", device),
        ("province*", chief, f"/bao-cao/?ky={earliest.pk}", device),
        ("province?", chief, listed, device),
        (
            "commune",
            user("bench-cb-xa", Role.UNIT_OFFICER, unit=commune),
            f"/bao-cao/?don-vi={commune.pk}",
            None,
        ),
        (
            "school",
            user("bench-qt", Role.SCHOOL_ADMIN, school=school),
            f"/truong/{school.pk}/bao-cao/",
            None,
        ),
    ], DEVICE_ID_SESSION_KEY


def queries_of(client, url: str) -> tuple[int, float]:
    """Return the number of queries of one request and the time spent in them."""
    from django.db import connection

    spent = []

    def timer(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.append(time.perf_counter() - started)

    with connection.execute_wrapper(timer):
        assert client.get(url).status_code == 200, url
    return len(spent), sum(spent) * 1000


def time_dashboards() -> dict[str, tuple[float, float, int, float, float]]:
    from django.test import Client

    rows, device_key = viewers()
    results = {}
    for name, user, url, device in rows:
        client = Client()
        client.force_login(user)
        if device is not None:
            session = client.session
            session[device_key] = device.persistent_id
            session.save()
        for _ in range(2):
            assert client.get(url).status_code == 200, url
        timings, cpu = [], []
        for _ in range(REQUESTS):
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
            assert response.status_code == 200
        timings.sort()
        queries, sql_ms = queries_of(client, url)
        results[name] = (
            statistics.median(timings),
            timings[max(0, int(0.95 * len(timings)) - 1)],
            queries,
            sql_ms,
            statistics.median(cpu),
        )
    return results


def main() -> None:
    _server.database_ensure(DB_NAME)
    print(f"migrating {DB_NAME} ...")
    _server.database_migrate(SERVER_ENV)
    django_setup()
    from django.core.management import call_command

    from devdata.scale import learning_records_generate
    from devdata.scale_teaching import teaching_sessions_generate, topic_rules_ensure
    from lms.learning.rebuild import (
        rollups_rebuild,
    )
    from lms.models import (
        ClassTopicRollup,
        ModuleProgress,
        SchoolClass,
        TeachingSession,
    )
    from quizzes.models import Answer

    started = time.perf_counter()
    call_command(
        "generate_scale",
        schools=SCHOOLS,
        pupils_per_school=PUPILS,
        no_progress=True,
        verbosity=0,
    )
    print(
        f"scale data: {SCHOOLS} schools x {PUPILS} pupils "
        f"({time.perf_counter() - started:.0f} s)"
    )
    school_ids = scale_school_ids()
    if answers_per_attempt_stored() > SIZES[0]:
        started = time.perf_counter()
        learning_records_reset()
        print(
            f"deleted earlier learning records ({time.perf_counter() - started:.0f} s)"
        )
    figures = {}
    for answers_per_pupil in SIZES:
        before = Answer.objects.count()
        started = time.perf_counter()
        rows = learning_records_generate(
            school_ids=school_ids, answers_per_pupil=answers_per_pupil
        )
        seconds = time.perf_counter() - started
        answers = Answer.objects.count()
        print(
            f"{answers_per_pupil} answers/pupil: {answers:,} answers; wrote "
            f"{answers - before:,} answers ({rows:,} rows) in {seconds:.0f} s, "
            f"{(answers - before) / seconds:,.0f} answers/s"
        )
        if (
            not ClassTopicRollup.objects.exists()
            and ModuleProgress.objects.filter(completed_at__isnull=False).exists()
        ) or (
            TeachingSession.objects.exists()
            and not ClassTopicRollup.objects.filter(sessions__gt=0).exists()
        ):
            started = time.perf_counter()
            rollups_rebuild(fix=True)  # made before the topic rollup existed
            print(f"  topic rollups rebuilt ({time.perf_counter() - started:.0f} s)")
        started = time.perf_counter()
        sessions = teaching_sessions_generate(
            school_ids=school_ids, per_school=SESSIONS
        )
        year_id = (
            SchoolClass.objects.filter(school_id__in=school_ids)
            .order_by("-school_year__starts_on")
            .values_list("school_year_id", flat=True)
            .first()
        )
        rules = topic_rules_ensure(school_year_id=year_id)
        print(
            f"  teaching sessions: wrote {sessions:,} with their attendance, "
            f"rules for {rules} periods ({time.perf_counter() - started:.0f} s)"
        )
        started = time.perf_counter()
        vacuum_analyze()
        print(
            f"  VACUUM ANALYZE {time.perf_counter() - started:.0f} s; database "
            f"{_server.database_size(DB_NAME)}; {_server.load_average()}"
        )
        figures[answers_per_pupil] = time_dashboards()
        for name, (p50, p95, queries, sql_ms, cpu) in figures[
            answers_per_pupil
        ].items():
            print(
                f"  {name:9} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   "
                f"(Python CPU p50 {cpu:5.1f} ms; one request: {queries} queries, "
                f"{sql_ms:.1f} ms in SQL)"
            )
        print(f"  after timing: {_server.load_average()}")
    small, large = (figures[size] for size in SIZES)
    print("ratio (B answers / A), p95:")
    for name in small:
        print(f"  {name:9} {large[name][1] / small[name][1]:.2f}")


if __name__ == "__main__":
    main()
