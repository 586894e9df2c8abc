"""Exports as background jobs: retries, the time limit, the sweep, the database queue.

A report export is the job of ``common.jobs``; what holds for it holds for
certificate bundles (tests/certificates/test_bundles.py), which share the code.
"""

import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from common.jobs import STOPPED, jobs_sweep
from lms.models import ExportStatus, ReportExport, Role
from lms.reports import exports, services
from lms.reports.services import report_export_create, report_export_run
from tests.factories import login_verified
from tests.lms.learning_helpers import (
    allow_learning_records,
    learning_module,
    take_quiz,
)
from tests.lms.report_helpers import build_province, give, officer, school_with_classes

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def org():
    allow_learning_records()
    org = build_province()
    module = learning_module(title="Bí mật của em")
    _school, [(school_class, teacher, pupils)] = school_with_classes(
        org.commune_a, org.year, pupils=2, name="Trường Tiểu học Kim Đồng"
    )
    give(module, school_class, teacher)
    take_quiz(pupils[0], module)
    return org


@pytest.fixture
def chief(org):
    return officer(Role.PROVINCE_OFFICER, org.province)


def _csv_of(export: ReportExport) -> str:
    with export.file.open("rb") as file:
        return file.read().decode("utf-8-sig")


def _stuck(org, chief, *, attempts=1, minutes=20) -> ReportExport:
    """An export a worker was killed in the middle of, ``minutes`` ago."""
    return ReportExport.objects.create(
        requested_by=chief,
        unit=org.province,
        period=org.period,
        export_format="csv",
        status=ExportStatus.RUNNING,
        progress=45,
        attempts=attempts,
        started_at=timezone.now() - timedelta(minutes=minutes),
    )


def test_an_export_whose_first_run_raises_is_retried_and_then_succeeds(
    org, chief, monkeypatch, django_capture_on_commit_callbacks
):
    real = exports.unit_report_csv
    runs = []

    def first_run_breaks(*args, **kwargs):
        runs.append(1)
        if len(runs) == 1:
            raise ConnectionError("database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "unit_report_csv", first_run_breaks)
    with django_capture_on_commit_callbacks(execute=True):
        export = report_export_create(
            actor=chief, unit=org.province, period=org.period, export_format="csv"
        )

    export.refresh_from_db()
    assert len(runs) == 2
    assert export.status == ExportStatus.DONE and export.attempts == 2
    assert export.progress == 100 and export.error == ""
    text = _csv_of(export)
    assert "Trường Tiểu học Kim Đồng" in text and export.content_hash in text


def test_the_sweep_runs_an_export_left_running_again_and_its_file_is_complete(
    org, chief, django_capture_on_commit_callbacks
):
    stuck = _stuck(org, chief)
    recent = _stuck(org, chief, minutes=1)  # still within its time limit

    with django_capture_on_commit_callbacks(execute=True):
        swept = jobs_sweep()

    assert swept["lms.ReportExport"] == 1
    stuck.refresh_from_db()
    assert stuck.status == ExportStatus.DONE and stuck.attempts == 2
    text = _csv_of(stuck)
    assert "Trường Tiểu học Kim Đồng" in text and stuck.content_hash in text
    recent.refresh_from_db()
    assert recent.status == ExportStatus.RUNNING and not recent.file


def test_the_sweep_fails_an_export_whose_tries_are_used_up(org, chief, client, english):
    stuck = _stuck(org, chief, attempts=3)

    call_command("tasks_sweep", stdout=None)

    stuck.refresh_from_db()
    assert stuck.status == ExportStatus.FAILED and stuck.error == STOPPED
    assert stuck.finished_at is not None and not stuck.file
    login_verified(client, chief)
    page = client.get(f"/bao-cao/xuat/{stuck.pk}/").content.decode()
    assert "could not be made, even after 3 tries" in page


def test_a_run_the_sweep_gave_up_on_never_names_its_file(
    org, chief, monkeypatch, django_capture_on_commit_callbacks
):
    """A slow run past its limit finishes after the sweep queued a new run: the
    row keeps the new run's file, and the old run's file is thrown away."""
    export = ReportExport.objects.create(
        requested_by=chief, unit=org.province, period=org.period, export_format="csv"
    )
    real = exports.unit_report_csv
    later = timezone.now() + timedelta(hours=1)

    def slow(*args, **kwargs):
        if not slow.swept:  # the first run: the sweep gives up on it meanwhile
            slow.swept = True
            with django_capture_on_commit_callbacks() as requeued:
                jobs_sweep(now=later)
            slow.requeued = requeued
        return real(*args, **kwargs)

    slow.swept = False
    monkeypatch.setattr(services, "unit_report_csv", slow)
    storage = ReportExport._meta.get_field("file").storage

    def files():
        return set(storage.listdir("report-exports")[1])

    before = files()
    first = report_export_run(export_id=export.pk)
    assert first.status == ExportStatus.PENDING and not first.file
    assert files() == before  # its file is gone
    for callback in slow.requeued:  # the run the sweep queued
        callback()

    export.refresh_from_db()
    assert export.status == ExportStatus.DONE and export.attempts == 2
    assert files() - before == {export.file.name.split("/")[-1]}


def test_an_export_being_made_is_not_served(org, chief, client, english):
    export = _stuck(org, chief, minutes=0)
    login_verified(client, chief)

    download = client.get(f"/bao-cao/xuat/{export.pk}/tai-ve/")

    assert download.status_code == 409
    page = download.content.decode()
    assert "The file is not ready yet" in page
    assert f'href="/bao-cao/xuat/{export.pk}/"' in page
    status = client.get(f"/bao-cao/xuat/{export.pk}/?json=1").json()
    assert status["download_url"] is None


def test_the_page_says_a_retry_is_under_way(org, chief, client, english):
    export = _stuck(org, chief, minutes=0)
    ReportExport.objects.filter(pk=export.pk).update(status=ExportStatus.PENDING)
    login_verified(client, chief)

    status = client.get(f"/bao-cao/xuat/{export.pk}/?json=1").json()

    assert status["message"] == "A try did not work; trying again (try 2 of 3)."


# --- The database queue and its worker (production) ----------

# The worker commits and closes its connections as in production: these tests
# run outside a test transaction (PostgreSQL closes a connection asked to
# close inside one).
WORKER = pytest.mark.django_db(transaction=True)


@WORKER
def test_the_worker_runs_a_queued_export(
    org, chief, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_QUEUE
    with django_capture_on_commit_callbacks(execute=True):
        export = report_export_create(
            actor=chief, unit=org.province, period=org.period, export_format="csv"
        )
    queued = DBTaskResult.objects.get()
    assert queued.status == TaskResultStatus.READY
    assert queued.args_kwargs["kwargs"] == {"export_id": export.pk}
    export.refresh_from_db()
    assert export.status == ExportStatus.PENDING  # nothing ran in the request

    call_command("tasks_worker", "--batch")

    export.refresh_from_db()
    assert export.status == ExportStatus.DONE and export.attempts == 1
    assert export.content_hash in _csv_of(export)
    queued.refresh_from_db()
    assert queued.status == TaskResultStatus.SUCCESSFUL
    assert queued.return_value == export.content_hash


@WORKER
def test_a_worker_killed_mid_export_is_swept_by_the_next_and_the_export_done(
    org, chief, settings
):
    settings.TASKS = DATABASE_QUEUE
    stuck = _stuck(org, chief)
    orphan = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {"export_id": stuck.pk}},
        task_path="lms.reports.tasks.report_export_task",
        backend_name="default",
        status=TaskResultStatus.RUNNING,
        started_at=stuck.started_at,
    )

    # The next worker's batch sweeps first (the stuck export is queued again,
    # the dead run's record failed), then runs what is queued: the export.
    call_command("tasks_worker", "--batch")

    orphan.refresh_from_db()
    assert orphan.status == TaskResultStatus.FAILED
    stuck.refresh_from_db()
    assert stuck.status == ExportStatus.DONE and stuck.attempts == 2
    assert "Trường Tiểu học Kim Đồng" in _csv_of(stuck)


@WORKER
def test_a_failed_run_waits_before_its_retry_in_the_queue(
    org, chief, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_QUEUE
    settings.TASK_RETRY_DELAY = 30

    def breaks(*args, **kwargs):
        raise ConnectionError("database went away")

    monkeypatch.setattr(services, "unit_report_csv", breaks)
    with django_capture_on_commit_callbacks(execute=True):
        export = report_export_create(
            actor=chief, unit=org.province, period=org.period, export_format="csv"
        )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("tasks_worker", "--batch")

    export.refresh_from_db()
    assert export.status == ExportStatus.PENDING and export.attempts == 1
    first, retry = DBTaskResult.objects.order_by("enqueued_at")
    assert first.status == TaskResultStatus.FAILED
    assert first.exception_class_path == "builtins.ConnectionError"
    assert retry.status == TaskResultStatus.READY
    assert retry.run_after > timezone.now() + timedelta(seconds=20)


@WORKER
def test_the_worker_stops_a_run_at_the_time_limit(
    org, chief, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_QUEUE
    settings.TASK_TIME_LIMIT = 0.3
    settings.TASK_ATTEMPTS = 1

    def hangs(*args, **kwargs):
        time.sleep(5)

    monkeypatch.setattr(services, "unit_report_csv", hangs)
    with django_capture_on_commit_callbacks(execute=True):
        export = report_export_create(
            actor=chief, unit=org.province, period=org.period, export_format="csv"
        )
    started = time.monotonic()

    call_command("tasks_worker", "--batch")

    assert time.monotonic() - started < 4
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED and export.attempts == 1
    assert export.error == "stopped after 0.3 s"
    assert DBTaskResult.objects.get().exception_class_path == "common.jobs.JobTimeLimit"


@WORKER
def test_a_time_limit_that_cuts_a_query_short_is_recorded_and_the_worker_goes_on(
    org, chief, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """The limit fires inside a query (a slow report, a lock): the run is failed
    and recorded, and the worker is still there for the next job."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: a query the limit can cut short")
    settings.TASKS = DATABASE_QUEUE
    settings.TASK_TIME_LIMIT = 0.5
    settings.TASK_ATTEMPTS = 1

    def waits_on_the_database(*args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(5)")

    monkeypatch.setattr(services, "unit_report_csv", waits_on_the_database)
    with django_capture_on_commit_callbacks(execute=True):
        stopped = report_export_create(
            actor=chief, unit=org.province, period=org.period, export_format="csv"
        )

    call_command("tasks_worker", "--batch")

    stopped.refresh_from_db()
    assert stopped.status == ExportStatus.FAILED
    assert stopped.error == "stopped after 0.5 s"
    assert DBTaskResult.objects.get().exception_class_path == "common.jobs.JobTimeLimit"
    # The same worker process serves the next job.
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        following = report_export_create(
            actor=chief, unit=org.province, period=org.period, export_format="csv"
        )
    call_command("tasks_worker", "--batch")
    following.refresh_from_db()
    assert following.status == ExportStatus.DONE


@WORKER
def test_the_worker_waits_for_a_database_that_does_not_answer(
    org, chief, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """PostgreSQL restarting: the worker waits and goes on, rather than exit
    (under honcho one process exiting stops the whole site)."""
    from django.db import OperationalError

    from common.management.commands import tasks_worker

    settings.TASKS = DATABASE_QUEUE
    monkeypatch.setattr(tasks_worker, "DATABASE_RETRY_SECONDS", 0)
    with django_capture_on_commit_callbacks(execute=True):
        export = report_export_create(
            actor=chief, unit=org.province, period=org.period, export_format="csv"
        )
    runs = []
    run = tasks_worker.JobWorker.run

    def away_once(worker):
        runs.append(1)
        if len(runs) == 1:
            raise OperationalError("couldn't get a connection after 10.00 sec")
        return run(worker)

    monkeypatch.setattr(tasks_worker.JobWorker, "run", away_once)

    call_command("tasks_worker", "--batch", "--interval", "0")

    export.refresh_from_db()
    assert export.status == ExportStatus.DONE and len(runs) == 2
