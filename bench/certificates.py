"""Benchmark: issue and draw the certificates of one class (40 pupils).

Run: ``.venv/bin/python bench/certificates.py`` (SQLite, a scratch file in /tmp)
or ``.venv/bin/python bench/certificates.py --pg`` (PostgreSQL on 127.0.0.1, the
database ``bench_cert``, created afresh on each run; never any other).

What it measures, in one bounded run:

1. issuing: 40 pupils pass a module; ``certificates_issue_for_completion`` runs
   for each (as ``module_completed`` does, one transaction per pupil), then
   again for each (the repeat an idempotent issue must shrug off);
2. drawing: each certificate's PDF from scratch (the PDF cache is cleared);
3. the class downloads: one merged PDF, and one ZIP of 40 PDFs (uncached).

Target: under 5 s for the class. Figures go to docs/performance.md by hand.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

PUPILS = int(os.environ.get("BENCH_CLASS_SIZE", "40"))
PG = "postgres://postgres@127.0.0.1:5432"
PG_DB = "bench_cert"
SQLITE = "/tmp/bench_cert.sqlite3"


def environment(use_pg: bool) -> dict:
    url = f"{PG}/{PG_DB}" if use_pg else f"sqlite:///{SQLITE}"
    return {
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DEBUG": "False",
        "REDIS_URL": "",
    }


def database_prepare(use_pg: bool) -> None:
    if use_pg:
        import psycopg
        from psycopg import sql

        with psycopg.connect(f"{PG}/postgres", autocommit=True) as connection:
            # A fresh database each run: factories number their rows from 0.
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(PG_DB))
            )
            connection.execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(PG_DB))
            )
    elif os.path.exists(SQLITE):
        os.remove(SQLITE)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env={**os.environ, **environment(use_pg)},
        check=True,
    )


def main() -> None:
    use_pg = "--pg" in sys.argv
    database_prepare(use_pg)
    os.environ.update(environment(use_pg))
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import transaction
    from django.utils import timezone

    from certificates.models import Certificate, IssuingRule, RuleKind
    from certificates.pdf import (
        certificate_pdf,
        certificates_merged_pdf,
        certificates_zip,
    )
    from certificates.services import certificates_issue_for_completion
    from lms.models import ModuleProgress, ProgressStatus
    from tests.certificates.helpers import demo_like_class
    from tests.factories import make_pupil
    from tests.lms.learning_helpers import learning_module

    IssuingRule.objects.exclude(kind=RuleKind.MODULE_PASSED).update(is_active=False)
    Certificate.objects.all().delete()
    stamp = int(time.time())
    school_class = demo_like_class(name=f"5B-{stamp}")
    module = learning_module(title="Bí mật của em", slug=f"bi-mat-{stamp}")
    pupils = [
        make_pupil(
            school_class,
            username=f"bench{stamp}-{n}",
            display_name=f"Nguyễn Thị Ánh Tuyết {n:02d}",
        )
        for n in range(PUPILS)
    ]
    now = timezone.now()
    progresses = [
        ModuleProgress.objects.create(
            user=pupil,
            module=module,
            status=ProgressStatus.PASSED,
            passed_at=now,
            completed_at=now,
        )
        for pupil in pupils
    ]

    def issue_all() -> float:
        started = time.perf_counter()
        for pupil, progress in zip(pupils, progresses, strict=True):
            with transaction.atomic():
                certificates_issue_for_completion(
                    user=pupil, module=module, progress=progress
                )
        return time.perf_counter() - started

    issue_seconds = issue_all()
    repeat_seconds = issue_all()
    certificates = list(
        Certificate.objects.filter(user__in=pupils).select_related("rule", "user")
    )
    assert len(certificates) == PUPILS, len(certificates)

    cache.clear()
    started = time.perf_counter()
    sizes = [len(certificate_pdf(certificate)) for certificate in certificates]
    render_seconds = time.perf_counter() - started

    started = time.perf_counter()
    merged = certificates_merged_pdf(certificates)
    merged_seconds = time.perf_counter() - started

    cache.clear()
    started = time.perf_counter()
    archive = certificates_zip(certificates)
    zip_seconds = time.perf_counter() - started

    database = "PostgreSQL" if use_pg else "SQLite"
    print(f"database: {database}, class of {PUPILS}")
    print(
        f"issue: {issue_seconds:.3f} s for the class, "
        f"{1000 * issue_seconds / PUPILS:.1f} ms per certificate"
    )
    print(
        f"repeat event (nothing issued): {1000 * repeat_seconds / PUPILS:.1f} ms "
        "per pupil"
    )
    print(
        f"render: {render_seconds:.3f} s for the class, "
        f"{1000 * render_seconds / PUPILS:.1f} ms per certificate, "
        f"{sum(sizes) / len(sizes) / 1024:.0f} KiB each"
    )
    print(f"issue + render: {issue_seconds + render_seconds:.3f} s (target < 5 s)")
    print(f"merged PDF: {merged_seconds:.3f} s, {len(merged) / 1024:.0f} KiB")
    print(f"ZIP of PDFs: {zip_seconds:.3f} s, {len(archive) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
