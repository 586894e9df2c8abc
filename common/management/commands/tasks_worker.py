"""Run the background jobs queued in the database: ``manage.py tasks_worker``.

The worker of django-tasks-db (``db_worker``) with what the jobs rely on
(``common.jobs``): each run is stopped after ``TASK_TIME_LIMIT`` seconds, and the
sweep for runs a killed worker left behind runs at start and then every
``--sweep-every`` seconds, between jobs and while the queue is empty. While
the database does not answer it waits and tries again, rather than exit. Stop it
with SIGTERM: it finishes the job in hand first (a second signal stops at once).
"""

from __future__ import annotations

import logging
import signal
import time
from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import (
    Worker,
    valid_backend_name,
    valid_interval,
    validate_worker_id,
)

from common.jobs import JobTimeLimit, jobs_sweep, time_limit

logger = logging.getLogger("common.jobs")

# Seconds between tries while the database does not answer.
DATABASE_RETRY_SECONDS = 2


@contextmanager
def run_time_limit(seconds: float):
    """Raise ``JobTimeLimit`` in the block when it runs longer than ``seconds``."""

    def stop(signum, frame):
        raise JobTimeLimit(f"stopped after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class JobWorker(Worker):
    """``db_worker``'s worker, with a time limit per run and the sweep."""

    def __init__(self, *, time_limit: float, sweep_every: float, **options) -> None:
        super().__init__(**options)
        self.time_limit = time_limit
        self.sweep_every = sweep_every
        self.swept_at: float | None = None

    def sweep_if_due(self) -> None:
        now = time.monotonic()
        if self.swept_at is not None and now - self.swept_at < self.sweep_every:
            return
        self.swept_at = now
        try:
            jobs_sweep()
        except Exception:  # a database hiccup must not stop the worker
            logger.exception("the sweep for stuck jobs failed")

    def run_task(self, db_task_result) -> None:
        self.sweep_if_due()
        try:
            with run_time_limit(self.time_limit):
                super().run_task(db_task_result)
        except JobTimeLimit:  # fired after the job had finished: nothing to stop
            pass


class Command(BaseCommand):
    help = (
        "Run the background jobs (report exports, certificate bundles) queued in "
        "the database, with a time limit per run and the sweep for stuck jobs."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--queue-name",
            default="default",
            help="Queues to take jobs from, comma-separated; '*' for all.",
        )
        parser.add_argument(
            "--interval",
            type=valid_interval,
            default=1,
            help="Seconds to wait when the queue is empty (default: %(default)s).",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Sweep once, run every job waiting now, then exit.",
        )
        parser.add_argument(
            "--backend",
            type=valid_backend_name,
            default="default",
            dest="backend_name",
            help="The TASKS backend to serve (a database backend).",
        )
        parser.add_argument(
            "--sweep-every",
            type=valid_interval,
            default=60,
            help="Seconds between sweeps for stuck jobs (default: %(default)s).",
        )
        parser.add_argument(
            "--worker-id",
            type=validate_worker_id,
            default=None,
            help="A name unique in the worker pool (default: random).",
        )

    def handle(self, *args, **options) -> None:
        worker = JobWorker(
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=True,  # each pass below takes the waiting jobs, then returns
            backend_name=options["backend_name"],
            startup_delay=False,
            max_tasks=None,
            worker_id=options["worker_id"] or get_random_string(32),
            excluded_queue_names=[],
            time_limit=time_limit(),
            sweep_every=options["sweep_every"],
        )
        handlers = {
            number: signal.getsignal(number)
            for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
        }
        worker.configure_signals()
        logger.info(
            "tasks worker %s: queues %s, time limit %g s, %s attempts",
            worker.worker_id,
            options["queue_name"],
            worker.time_limit,
            settings.TASK_ATTEMPTS,
        )
        try:
            while worker.running:
                try:
                    worker.sweep_if_due()
                    worker.run()
                except DatabaseError:
                    # PostgreSQL away (a restart, a failover): wait for it rather
                    # than exit, which would stop the whole Procfile under honcho.
                    logger.warning("the database does not answer; waiting for it")
                    close_old_connections()
                    time.sleep(max(options["interval"], DATABASE_RETRY_SECONDS))
                    continue
                if options["batch"] or not worker.running:
                    break
                time.sleep(options["interval"])
        finally:
            for number, handler in handlers.items():
                signal.signal(number, handler)
