"""Background jobs: files made outside the request, one way for every kind.

A job is a row (a report export, a class's certificate bundle) with the fields
``status`` (``pending``, ``running``, ``done``, ``failed``), ``attempts``,
``started_at``, ``finished_at``, ``error`` and ``file``, and a django-tasks task
that calls ``job_run`` for it. Settings ``TASKS`` chooses where the task runs:
in the process that enqueues it in the embedded mode and the tests
(``ImmediateBackend``), in the worker (``manage.py tasks_worker``) of the
database queue in production.

* **Retries.** A run that raises puts the row back to ``pending`` and enqueues it
  again, after ``TASK_RETRY_DELAY`` seconds times the attempt number when the
  queue can wait; after ``TASK_ATTEMPTS`` runs the row is ``failed`` and its page
  says so.
* **Time limit.** The worker stops a run after ``TASK_TIME_LIMIT`` seconds
  (``JobTimeLimit``), which counts as a failed attempt; a query it cut short
  takes its connection with it (``_drop_interrupted_connection``).
* **Sweep.** A worker killed mid-run leaves its row ``running``: ``jobs_sweep``
  (run by the worker every minute, and by ``manage.py tasks_sweep``) takes every row
  running for longer than the time limit and enqueues it again, or fails it when
  its attempts are used up.
* **No half file.** The file is written completely before the row names it, and
  only the run that holds the row's current attempt may name it: a download
  looks at the row, so it never gets a file that is still being written, and a
  run the sweep gave up on throws its file away.

Which kinds exist is assembly: setting ``TASK_JOBS`` lists them, so the sweep
knows them without this module importing the apps above it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, models, transaction
from django.db.models import F
from django.shortcuts import render
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

logger = logging.getLogger(__name__)

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
# What the sweep writes on a row whose run never ended (the page shows its own text).
STOPPED = "The run stopped before it finished (time limit or worker stopped)."


class JobTimeLimit(Exception):
    """A run went past ``TASK_TIME_LIMIT`` seconds."""


@dataclass(frozen=True)
class JobKind:
    """One kind of background job: its rows and the task that makes their file."""

    model: type[models.Model]
    task_path: str  # a django-tasks task whose one keyword argument is ``argument``
    argument: str

    def enqueue(self, pk: int, *, delay: float = 0) -> None:
        """Queue a run of row ``pk`` once the current transaction commits.

        With the immediate backend (embedded mode, tests) the enqueue runs the
        job at once, in this process: that is the embedded mode's background work.
        """
        task = import_string(self.task_path)
        if delay > 0 and task.get_backend().supports_defer:
            task = task.using(run_after=timezone.now() + timedelta(seconds=delay))
        transaction.on_commit(lambda: task.enqueue(**{self.argument: pk}))


@dataclass
class JobOutput:
    """What a run made: the file's name and content, and fields to record with it."""

    name: str
    content: bytes
    fields: dict = field(default_factory=dict)


def attempts_allowed() -> int:
    return max(1, getattr(settings, "TASK_ATTEMPTS", 3))


def time_limit() -> int:
    return getattr(settings, "TASK_TIME_LIMIT", 900)


def job_kinds() -> list[JobKind]:
    """The kinds named by setting ``TASK_JOBS``."""
    return [import_string(path) for path in getattr(settings, "TASK_JOBS", [])]


def job_run(
    kind: JobKind,
    pk: int,
    *,
    make: Callable[[models.Model], JobOutput],
    claim_fields: dict | None = None,
) -> models.Model | None:
    """Run one attempt of row ``pk``: claim it, ``make`` its file, record it.

    Returns the row as this run left it, or ``None`` when the row was not waiting
    (already done, failed, or being run by another attempt). A failure is
    recorded (retry or failed) and then re-raised, so the queue records it too.
    """
    attempt = _claim(kind, pk, claim_fields or {})
    if attempt is None:
        return None
    row = kind.model.objects.get(pk=pk)
    try:
        output = make(row)
        stored = _store(row, output)
    except Exception as error:
        if isinstance(error, JobTimeLimit):
            _drop_interrupted_connection()
        _failed(kind, pk, attempt, error)
        raise
    finished = kind.model.objects.filter(
        pk=pk, status=RUNNING, attempts=attempt
    ).update(
        status=DONE,
        file=stored,
        error="",
        finished_at=timezone.now(),
        **output.fields,
    )
    if not finished:  # the sweep gave this attempt up; a newer one owns the row
        row.file.storage.delete(stored)
    row.refresh_from_db()
    return row


def _drop_interrupted_connection() -> None:
    """Give up the database connection a time limit may have cut mid-query.

    The limit fires wherever the run is, often waiting for PostgreSQL (a slow
    report, a lock): the connection is then still in the middle of a command and
    refuses the next one ("another command is already in progress"), so neither
    the failure nor the queue's record could be written and the worker stopped.
    Closing it hands it back to the pool, which discards it; the next query
    takes a fresh one.
    """
    if not connection.in_atomic_block:
        connection.close()


def _claim(kind: JobKind, pk: int, fields: dict) -> int | None:
    claimed = kind.model.objects.filter(pk=pk, status=PENDING).update(
        status=RUNNING,
        attempts=F("attempts") + 1,
        started_at=timezone.now(),
        **fields,
    )
    if not claimed:
        return None
    return kind.model.objects.filter(pk=pk).values_list("attempts", flat=True).get()


def _store(row: models.Model, output: JobOutput) -> str:
    """Write the whole file under a fresh name; the row names it only afterwards."""
    file = row._meta.get_field("file")
    name = file.generate_filename(row, output.name)
    return file.storage.save(name, ContentFile(output.content))


def _failed(kind: JobKind, pk: int, attempt: int, error: BaseException) -> None:
    logger.exception(
        "%s %s failed (attempt %s of %s)",
        kind.model._meta.verbose_name,
        pk,
        attempt,
        attempts_allowed(),
    )
    delay = getattr(settings, "TASK_RETRY_DELAY", 30) * attempt
    _give_up_or_retry(
        kind, pk, attempt, str(error) or type(error).__name__, delay=delay
    )


def _give_up_or_retry(
    kind: JobKind, pk: int, attempt: int, error: str, *, delay: float = 0
) -> bool:
    """Put a running row back in the queue, or fail it when its attempts are used."""
    retry = attempt < attempts_allowed()
    updated = kind.model.objects.filter(pk=pk, status=RUNNING, attempts=attempt).update(
        status=PENDING if retry else FAILED,
        error=error[:300],
        finished_at=None if retry else timezone.now(),
    )
    if updated and retry:
        kind.enqueue(pk, delay=delay)
    return bool(updated)


def jobs_sweep(*, now=None) -> dict[str, int]:
    """Enqueue again (or fail) every job running for longer than the time limit.

    A run that the worker's time limit governs has ended by then, so what is
    still ``running`` was left by a worker that was killed or lost its database.
    Returns how many rows of each kind were put back.
    """
    now = now or timezone.now()
    # A grace (a minute by default): a run at its limit is recording its own
    # failure.
    grace = getattr(settings, "TASK_SWEEP_GRACE", 60)
    cutoff = now - timedelta(seconds=time_limit() + grace)
    swept = {}
    for kind in job_kinds():
        stuck = kind.model.objects.filter(
            status=RUNNING, started_at__lt=cutoff
        ).values_list("pk", "attempts")
        count = 0
        for pk, attempt in stuck:
            with transaction.atomic():
                count += _give_up_or_retry(kind, pk, attempt, STOPPED)
        if count:
            logger.warning(
                "swept %s stuck %s", count, kind.model._meta.verbose_name_plural
            )
        swept[kind.model._meta.label] = count
    _sweep_queue_rows(cutoff, now)
    return swept


def _sweep_queue_rows(cutoff, now) -> None:
    """Close the database queue's own records of runs a killed worker left open."""
    if not apps.is_installed("django_tasks_db"):
        return
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.running().filter(started_at__lt=cutoff).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=f"{__name__}.JobTimeLimit",
        traceback=STOPPED,
    )


# --- What the pages say ----------


def job_message(row: models.Model) -> str:
    """What a job's page says beside its status: a retry under way, or the failure."""
    if row.status == FAILED:
        return ngettext(
            "The file could not be made, even after %(count)s try. Start it "
            "again; if it fails again, tell the platform administrator.",
            "The file could not be made, even after %(count)s tries. Start it "
            "again; if it fails again, tell the platform administrator.",
            row.attempts,
        ) % {"count": row.attempts}
    if row.status == PENDING and row.attempts:
        return _("A try did not work; trying again (try %(next)s of %(total)s).") % {
            "next": row.attempts + 1,
            "total": attempts_allowed(),
        }
    return ""


def file_not_ready(request, row: models.Model, *, back_url: str):
    """Answer a download of a job's file that is not complete: 409, and why."""
    return render(
        request,
        "common/job_not_ready.html",
        {
            "failed": row.status == FAILED,
            "message": job_message(row),
            "back_url": back_url,
        },
        status=409,
    )
