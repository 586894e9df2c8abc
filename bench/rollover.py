"""Benchmark: roll a province over to the next school year.

Run: ``.venv/bin/python bench/rollover.py`` (SQLite, a scratch file in /tmp,
kept between runs; ``BENCH_ROLL_FRESH=1`` makes it afresh) or
``.venv/bin/python bench/rollover.py --pg`` (PostgreSQL on 127.0.0.1, the
database ``bench_rollover``, created if missing; never any other).

Options (environment): ``BENCH_ROLL_SCHOOLS`` (default 40 on SQLite, 1000 with
``--pg``), ``BENCH_ROLL_PUPILS`` pupils per school (default 600).

1. ``generate_scale`` with that many schools and pupils (what exists is kept) in
   the current school year A; the next year B is created without periods, so
   the periods are copied too;
2. whatever an earlier run rolled over is undone first (B's classes of the
   generated schools and their enrolments deleted, leavers' ``left_on`` cleared,
   B's periods deleted), so every run measures the same work;
3. times ``manage.py rollover_school_year --from A --to B --unit SCALE-72``: the
   dry run, the ``--apply`` run (one transaction per school: classes and
   enrolments by ``bulk_create``, leavers by one ``UPDATE``) and a second
   ``--apply`` (nothing left to do); prints the queries of one school's apply,
   the counts, and the time extrapolated linearly to 1,000 schools.

Target: 1,000 schools of 600 pupils in under 5 minutes on PostgreSQL. Figures go
to docs/performance.md by hand; this script only prints them.
"""

import io
import os
import subprocess
import sys
import time

import _server  # bench/_server.py: the database

sys.path.insert(0, str(_server.BASE_DIR))

USE_PG = "--pg" in sys.argv
DB_NAME = "bench_rollover"
SQLITE = "/tmp/bench_rollover.sqlite3"
SCHOOLS = int(os.environ.get("BENCH_ROLL_SCHOOLS", "1000" if USE_PG else "40"))
PUPILS = int(os.environ.get("BENCH_ROLL_PUPILS", "600"))
TARGET_SCHOOLS = 1000
TARGET_SECONDS = 300


def environment() -> dict[str, str]:
    url = _server.database_url(DB_NAME) if USE_PG else f"sqlite:///{SQLITE}"
    return {
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DEBUG": "False",
        "LOG_LEVEL": "WARNING",
    }


def database_prepare() -> None:
    env = environment()
    if USE_PG:
        _server.database_ensure(DB_NAME)
        _server.database_migrate(env)
        return
    # The scratch file is kept between runs (what exists is kept, the rollover
    # undone): BENCH_ROLL_FRESH=1 starts from an empty one.
    if os.environ.get("BENCH_ROLL_FRESH") and os.path.exists(SQLITE):
        os.remove(SQLITE)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=_server.BASE_DIR,
        env={**os.environ, **env},
        check=True,
    )


def years():
    from django.utils import timezone

    from devdata.demo import school_year_ensure, school_year_start
    from lms.models import SchoolYear

    start = school_year_start(timezone.localdate())
    source = school_year_ensure(start_year=start)
    target, _created = SchoolYear.objects.get_or_create(
        name=f"{start + 1}-{start + 2}",
        defaults={
            "starts_on": source.starts_on.replace(year=start + 1),
            "ends_on": source.ends_on.replace(year=start + 2),
        },
    )
    return source, target


def undo(source, target) -> None:
    """Put the generated province back as it was before any rollover."""
    from django.db import transaction

    from devdata.scale import SCALE_CODE_PREFIX
    from lms.models import Enrolment, ReportingPeriod, SchoolClass
    from lms.rosters.rollover import leaving_day

    with transaction.atomic():
        SchoolClass.objects.filter(
            school__code__startswith=SCALE_CODE_PREFIX, school_year=target
        ).delete()
        Enrolment.objects.filter(
            school_class__school__code__startswith=SCALE_CODE_PREFIX,
            school_class__school_year=source,
            left_on=leaving_day(source),
        ).update(left_on=None)
        ReportingPeriod.objects.filter(school_year=target).delete()


def timed_command(*args) -> tuple[float, str]:
    from django.core.management import call_command

    out = io.StringIO()
    started = time.perf_counter()
    call_command("rollover_school_year", *args, stdout=out)
    return time.perf_counter() - started, out.getvalue()


def queries_of_one_school(source, target) -> int:
    """Return the queries of one generated school's apply (rolled back after)."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from devdata.scale import SCALE_CODE_PREFIX
    from lms.models import School
    from lms.rosters.rollover_apply import rollover_apply

    school = School.objects.filter(code__startswith=SCALE_CODE_PREFIX).first()
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            rollover_apply(
                school=school,
                from_year=source,
                to_year=target,
                actor=None,
                periods=False,  # the command creates B's periods once, first
            )
        transaction.set_rollback(True)
    if os.environ.get("BENCH_ROLL_SHOW_QUERIES"):
        for query in queries:
            print("   ", query["sql"][:150])
    return len(queries)


def main() -> None:
    database_prepare()
    os.environ.update(environment())
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from devdata.scale import SCALE_PROVINCE_CODE, scale_generate
    from lms.models import Enrolment, SchoolClass

    started = time.perf_counter()
    report = scale_generate(schools=SCHOOLS, pupils_per_school=PUPILS)
    print(
        f"province: {SCHOOLS} schools x {PUPILS} pupils "
        f"({report.pupils} pupils generated now, {time.perf_counter() - started:.0f} s)"
    )
    source, target = years()
    undo(source, target)
    classes_before = SchoolClass.objects.count()
    enrolments_before = Enrolment.objects.count()
    unit = ["--from", source.name, "--to", target.name, "--unit", SCALE_PROVINCE_CODE]
    one_school = queries_of_one_school(source, target)

    dry, _output = timed_command(*unit)
    apply, output = timed_command(*unit, "--apply")
    rows_after = (SchoolClass.objects.count(), Enrolment.objects.count())
    again, _again_output = timed_command(*unit, "--apply")
    summary = output.strip().splitlines()[-2]
    print(f"database: {'PostgreSQL' if USE_PG else 'SQLite'}")
    print(f"queries of one school's apply: {one_school}")
    print(f"dry run: {dry:.1f} s")
    print(f"apply: {apply:.1f} s ({1000 * apply / SCHOOLS:.0f} ms a school)")
    print(f"  {summary}")
    print(f"second apply (nothing left): {again:.1f} s")
    print(
        f"rows written: {SchoolClass.objects.count() - classes_before} classes, "
        f"{Enrolment.objects.count() - enrolments_before} enrolments"
    )
    estimate = apply * TARGET_SCHOOLS / SCHOOLS
    print(
        f"extrapolated to {TARGET_SCHOOLS} schools x {PUPILS} pupils: "
        f"{estimate:.0f} s (target {TARGET_SECONDS} s; linear: the work per school "
        "is the same whatever the number of schools)"
    )
    # Running it again changed nothing.
    assert rows_after == (SchoolClass.objects.count(), Enrolment.objects.count())


if __name__ == "__main__":
    main()
