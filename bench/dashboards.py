"""Benchmark: programme dashboards must not slow down as answers pile up.

Run: ``.venv/bin/python bench/dashboards.py`` (or ``make bench``). Needs
PostgreSQL on 127.0.0.1:5432 (user postgres).

1. creates the database ``bench_dash`` if missing (never any other) and migrates
   it; loads the curriculum when no module exists;
2. ``generate_scale`` with BENCH_DASH_SCHOOLS schools (default 100) of
   BENCH_DASH_PUPILS pupils (default 600), then learning records with 2 answers
   per pupil (size A), times the dashboards; replaces the learning records with
   20 answers per pupil (size B: 10x the answers), times them again;
3. each dashboard (province, one commune, one school) is requested 50 times
   in-process through Django's test client (server time, no network) after two
   warm-up requests; prints p50/p95 per size and the ratio B/A.

Figures go to docs/performance.md by hand; this script only prints them.
"""

import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

DB_NAME = "bench_dash"
PG = "postgres://postgres@127.0.0.1:5432"
SCHOOLS = int(os.environ.get("BENCH_DASH_SCHOOLS", "100"))
PUPILS = int(os.environ.get("BENCH_DASH_PUPILS", "600"))
SIZES = (2, 20)
REQUESTS = 50

os.environ.update(
    {
        "DATABASE_URL": f"{PG}/{DB_NAME}",
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DEBUG": "False",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "AXES_ENABLED": "False",
        "LOG_LEVEL": "WARNING",
    }
)
os.environ.pop("REDIS_URL", None)


def ensure_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{DB_NAME}"')


def setup_django():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from content_cms.models import ModulePage

    if not ModulePage.objects.filter(quiz__isnull=False).exists():
        call_command("load_curriculum", verbosity=0)


def replace_learning_records(answers_per_pupil: int) -> int:
    from django.db import connection

    from lms.models import Assignment, ClassModuleRollup, ModuleProgress, School
    from lms.scale import SCALE_CODE_PREFIX, SCALE_USERNAME_PREFIX
    from lms.scale_learning import learning_records_bulk_create
    from quizzes.models import Attempt

    scale_users = {"user__username__startswith": SCALE_USERNAME_PREFIX}
    with connection.cursor():
        Attempt.objects.filter(**scale_users).delete()
        ModuleProgress.objects.filter(**scale_users).delete()
    Assignment.objects.filter(
        school_class__school__code__startswith=SCALE_CODE_PREFIX
    ).delete()
    ClassModuleRollup.objects.filter(
        school_class__school__code__startswith=SCALE_CODE_PREFIX
    ).delete()
    school_ids = list(
        School.objects.filter(code__startswith=SCALE_CODE_PREFIX).values_list(
            "pk", flat=True
        )
    )
    return learning_records_bulk_create(
        school_ids=school_ids, answers_per_pupil=answers_per_pupil, batch_size=5000
    )


def viewers():
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from lms.models import AdministrativeUnit, Role, School, User
    from lms.scale import SCALE_CODE_PREFIX, SCALE_PROVINCE_CODE
    from lms.services import role_assign

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
    return [
        ("province", chief, "/bao-cao/", device),
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


def time_dashboards() -> dict[str, tuple[float, float]]:
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
        timings = []
        for _ in range(REQUESTS):
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        timings.sort()
        results[name] = (
            statistics.median(timings),
            timings[int(0.95 * len(timings)) - 1],
        )
    return results


def main() -> None:
    ensure_database()
    setup_django()
    from django.core.management import call_command

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
    figures = {}
    for answers_per_pupil in SIZES:
        started = time.perf_counter()
        replace_learning_records(answers_per_pupil)
        answers = Answer.objects.count()
        print(
            f"{answers_per_pupil} answers/pupil: {answers:,} answers "
            f"({time.perf_counter() - started:.0f} s)"
        )
        figures[answers_per_pupil] = time_dashboards()
        for name, (p50, p95) in figures[answers_per_pupil].items():
            print(f"  {name:9} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
    small, large = (figures[size] for size in SIZES)
    print("ratio (10x answers / 1x), p95:")
    for name in small:
        print(f"  {name:9} {large[name][1] / small[name][1]:.2f}")


if __name__ == "__main__":
    main()
