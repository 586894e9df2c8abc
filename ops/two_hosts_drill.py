"""The two-hosts drill: the production shape on two hosts, and the faults it survives.

    .venv/bin/python -m ops.two_hosts_drill [--database-url URL] [--keep-logs]

Starts, in a scratch folder and on free ports, a PostgreSQL cluster and a Redis
server of its own (so stopping them disturbs nobody), builds a small site (the
demo province and one curriculum file), then runs the ``Procfile``'s ``web``
line twice, as host A and host B (``config.settings.production``, one uvicorn
worker each), and its ``worker`` line, all sharing the one PostgreSQL, the one
Redis and one ``MEDIA_ROOT``. Then, each step timed and checked:

1. ``healthz``: each host answers 200;
2. ``game``: a teacher signed in on A hosts a live game on A; children's phones
   join by PIN, half on A and half on B; every question reaches every phone;
3. ``host lost``: host A is killed (SIGKILL) with answers in flight; its phones
   and the teacher's screen carry on on B (seat token, resent answers), and no
   answer is lost;
4. ``export``: an officer asks for a report export on A; the worker makes it;
   it downloads from B;
5. ``worker lost``: the worker is killed (SIGKILL) while it makes an export;
   meanwhile the file is "not ready yet" (409) on both hosts; a new worker makes
   it again;
6. ``redis lost``: Redis is killed during a live game: ``/healthz`` says 503
   naming Redis, pages keep serving, and the game resumes when Redis returns with
   no answer lost;
7. ``postgres restarted``: PostgreSQL stops under the running site: requests get
   the site's own error page (no traceback), ``/healthz`` says 503 naming the
   database; once it is back the same processes serve again, worker included.

With ``--database-url`` (or no PostgreSQL binaries here) the site uses that
server instead, in a fresh database ``two_hosts_drill_<time>_<pid>`` dropped
afterwards, and step 7 is skipped (restarting a shared server is not the
drill's to do). Every process the drill started is stopped at the end, even
after a failure. Exit status: 0 passed, 1 a step failed.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import psycopg

from ops import postgres
from ops.drill_processes import (
    ROOT,
    DrillError,
    OwnPostgres,
    OwnRedis,
    SiteProcess,
    free_port,
    http_status,
    manage,
)
from ops.drill_scenes import (
    export_made,
    game_open,
    game_play,
    postgres_restart,
    redis_outage,
    worker_killed,
)

DEFAULT_PREFIX = "two_hosts_drill_"
TOTAL_SECONDS = 420
CURRICULUM = "content_cms/curriculum/g3-5/passwords.yaml"


class Drill:
    def __init__(self, scratch: Path, database_url: str | None, source: str = ""):
        self.scratch = scratch
        self.source = source
        self.own_postgres: OwnPostgres | None = None
        self.database_url = database_url or ""
        self.drop_database = False
        self.redis = OwnRedis(free_port())
        self.processes: dict[str, SiteProcess] = {}
        self.timings: dict[str, str] = {}
        self.failures: list[str] = []
        self.skipped: list[str] = []

    # --- Reporting ----------

    def say(self, step: str, text: str) -> None:
        print(f"  {step:<20} {text}", flush=True)

    def step(self, name: str, scene, *arguments) -> None:
        started = time.monotonic()
        try:
            detail = scene(self, *arguments)
        except Exception as failure:  # noqa: BLE001 - every failure is the step's
            self.failures.append(name)
            self.say(name, f"FAILED after {time.monotonic() - started:.1f} s: "
                     f"{failure}")  # fmt: skip
            for process in self.processes.values():
                tail = process.log_tail(8)
                if tail.strip():
                    print(f"    --- {process.name} log ---\n{tail}", flush=True)
            return
        self.say(name, f"ok in {time.monotonic() - started:.1f} s: {detail}")

    # --- The site ----------

    def environ(self) -> dict[str, str]:
        port_a, port_b = self.ports
        environ = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("PYTEST") and key != "DJANGO_SETTINGS_MODULE"
        }
        environ.update(
            DJANGO_SETTINGS_MODULE="config.settings.production",
            SECRET_KEY=self.secret_key,
            DATABASE_URL=self.database_url,
            REDIS_URL=self.redis.url,
            SITE_URL=f"http://127.0.0.1:{port_a}",
            ALLOWED_HOSTS="127.0.0.1",
            CSRF_TRUSTED_ORIGINS=f"http://127.0.0.1:{port_a},http://127.0.0.1:{port_b}",
            SECURE_SSL_REDIRECT="false",
            MEDIA_ROOT=str(self.scratch / "media"),
            STATIC_ROOT=str(self.scratch / "static"),
            # Each machine's share of the connection budget: one uvicorn worker
            # per host, one task worker (docs/operations.md, "Scaling out").
            WEB_WORKERS="1",
            WS_WORKERS="0",
            TASK_WORKERS="1",
            DB_CONNECTIONS_BUDGET="40",
            # Short enough for a drill: a run the worker lost is swept after
            # TASK_TIME_LIMIT + TASK_SWEEP_GRACE seconds.
            TASK_TIME_LIMIT="5",
            TASK_SWEEP_GRACE="1",
            TASK_RETRY_DELAY="1",
            LOG_LEVEL="WARNING",
            PYTHONPATH=str(Path(__file__).resolve().parent.parent),
        )
        environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environ['PATH']}"
        return environ

    def prepare(self) -> None:
        started = time.monotonic()
        reason = OwnPostgres.available()
        if not self.database_url and not reason:
            self.own_postgres = OwnPostgres(self.scratch / "postgres", free_port())
            self.own_postgres.create()
            self.database_url = self.own_postgres.url
            where = f"its own PostgreSQL on port {self.own_postgres.port}"
        else:
            self.database_url = self.database_url or self.source
            if not self.database_url:
                raise DrillError(
                    f"cannot make a PostgreSQL cluster ({reason}): give --database-url"
                )
            name = (
                f"{os.environ.get('TWO_HOSTS_DRILL_PREFIX', DEFAULT_PREFIX)}"
                f"{datetime.now():%Y%m%d_%H%M%S}_{os.getpid()}"
            )
            self.database_url = postgres.with_database(self.database_url, name)
            postgres.create_database(self.database_url)
            self.drop_database = True
            where = f"{postgres.redacted(self.database_url)} (shared server)"
        self.redis.start()
        self.ports = (free_port(), free_port())
        self.secret_key = secrets.token_urlsafe(64)
        environ = self.environ()
        # collectstatic needs no database: it runs beside the database's set-up.
        collecting = subprocess.Popen(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT, env=environ, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            if self.source:
                built = self.copy_source()
            else:
                manage(environ, "migrate", "--noinput", "--verbosity", "0")
                manage(environ, "load_demo")
                manage(environ, "load_curriculum", CURRICULUM)
                built = "migrate, load_demo, one curriculum file"
            _out, errors = collecting.communicate(timeout=300)
        finally:
            if collecting.poll() is None:
                collecting.kill()
                collecting.wait()
        if collecting.returncode:
            raise DrillError(f"manage.py collectstatic: {errors.strip()[-500:]}")
        self.say(
            "prepared",
            f"{where}, Redis on port {self.redis.port}; {built}, collectstatic: "
            f"{time.monotonic() - started:.1f} s",
        )
        for name, port in zip(("host A", "host B"), self.ports, strict=True):
            environ = self.environ() | {"WEB_PORT": str(port)}
            self.processes[name] = SiteProcess(name, "web", environ, self.scratch)
        self.processes["worker"] = SiteProcess(
            "worker", "worker", self.environ(), self.scratch
        )
        for process in self.processes.values():
            self.start(process)
        for name in ("host A", "host B"):
            self.processes[name].wait_healthy()
        self.say(
            "started",
            f"host A {self.host('A')}, host B {self.host('B')}: "
            + " ".join(self.processes["host A"].command[2:])
            + "; worker: python manage.py tasks_worker --sweep-every 1",
        )

    def copy_source(self) -> str:
        """Restore a dump of ``--source`` (a built site) instead of building one."""
        tools = self.own_postgres.bin if self.own_postgres else None
        dump = self.scratch / "source.dump"
        for program, url, arguments in (
            ("pg_dump", self.source, ["--format=custom", "--file", str(dump)]),
            ("pg_restore", self.database_url,
             ["--no-owner", "--no-privileges", "--exit-on-error", str(dump)]),
        ):  # fmt: skip
            connection, environment = postgres.tool_arguments(url)
            result = subprocess.run(
                [str(tools / program) if tools else program, *arguments,
                 "--dbname", connection],
                env=environment, capture_output=True, text=True, timeout=300,
            )  # fmt: skip
            if result.returncode:
                raise DrillError(f"{program}: {result.stderr.strip()[-500:]}")
        return f"{postgres.database_name(self.source)} copied (pg_dump, pg_restore)"

    def start(self, process: SiteProcess) -> None:
        if process.line == "worker":
            process.start("--sweep-every", "1")
        else:
            process.start()

    def host(self, letter: str) -> str:
        return self.processes[f"host {letter}"].url

    def sql(self, query: str, parameters=()) -> list[tuple]:
        address = postgres.parameters(self.database_url)
        with psycopg.connect(
            **address, connect_timeout=5, autocommit=True
        ) as connection:
            return connection.execute(query, parameters).fetchall()

    def cleanup(self) -> None:
        for process in self.processes.values():
            process.stop()
        self.redis.kill()
        if self.own_postgres is not None:
            self.own_postgres.remove()
        if self.drop_database:
            try:
                postgres.drop_database(self.database_url)
            except psycopg.Error as error:
                self.say("cleanup", f"could not drop the database: {error}")

    # --- The run ----------

    def run(self) -> int:
        started = time.monotonic()
        print("Two-hosts drill: two app hosts, one worker, one PostgreSQL, one Redis",
              flush=True)  # fmt: skip
        try:
            self.prepare()
            self.step("healthz", healthz_each)
            session = self.step_value("game", game_open)
            if session is not None:
                self.step("host lost", game_play, session)
            self.step("export", export_made)
            self.step("worker lost", worker_killed)
            self.step("redis lost", redis_outage)
            if self.own_postgres is not None:
                self.step("postgres restarted", postgres_restart)
            else:
                self.skipped.append("postgres restarted")
                self.say("postgres restarted", "skipped: not the drill's own server")
        except DrillError as failure:
            self.failures.append("prepare")
            self.say("failed", str(failure))
            for process in self.processes.values():
                tail = process.log_tail(15)
                if tail.strip():
                    print(f"    --- {process.name} log ---\n{tail}", flush=True)
        finally:
            self.cleanup()
        seconds = time.monotonic() - started
        if self.failures:
            print(f"FAILED: {', '.join(self.failures)} ({seconds:.1f} s).", flush=True)
            return 1
        print(f"PASSED ({seconds:.1f} s).", flush=True)
        return 0

    def step_value(self, name: str, scene):
        holder = {}

        def keep(drill):
            value, detail = scene(drill)
            holder["value"] = value
            return detail

        self.step(name, keep)
        return holder.get("value")


def healthz_each(drill: Drill) -> str:
    answers = []
    for letter in ("A", "B"):
        status, body = http_status(drill.host(letter) + "/healthz")
        if status != 200 or b'"ok"' not in body:
            raise DrillError(f"host {letter} /healthz answered {status} {body[:200]!r}")
        answers.append(f"{letter} {status}")
    return ", ".join(answers)


def _alarm(signum, frame):
    raise DrillError(f"the drill ran over {TOTAL_SECONDS} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ops.two_hosts_drill",
        description="Two app hosts, a worker, PostgreSQL and Redis; then the faults.",
    )
    parser.add_argument(
        "--database-url",
        default="",
        help="Use this PostgreSQL server (a fresh database on it) instead of a "
        "cluster of the drill's own; the restart step is then skipped.",
    )
    parser.add_argument(
        "--source",
        default="",
        help="Copy this built database (migrated, load_demo, the curriculum) "
        "instead of building one: CI passes the restore drill's.",
    )
    parser.add_argument(
        "--keep-logs", action="store_true", help="Keep the scratch folder and logs."
    )
    options = parser.parse_args(argv)
    for given in (options.database_url, options.source):
        if given and not postgres.is_postgres(given):
            parser.error(f"not a PostgreSQL address: {postgres.redacted(given)}")
    scratch = Path(tempfile.mkdtemp(prefix="two-hosts-drill-"))
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TOTAL_SECONDS)
    try:
        drill = Drill(scratch, options.database_url or None, options.source)
        return drill.run()
    finally:
        signal.alarm(0)
        if options.keep_logs:
            print(f"logs kept in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
