"""Plumbing shared by the benchmarks: their own database, and a uvicorn they start.

Each benchmark owns one PostgreSQL database on 127.0.0.1:5432 (``bench_answers``,
``bench_live``, ``bench_dash``, ``bench_rollover``); these helpers create and
migrate that one and refuse any name outside ``BENCH_DATABASES`` (or, when a
benchmark is pointed at another database by name, one that does not end in
``_bench`` or start with ``bench_``), so no benchmark can touch a test or
development database. ``server_start`` runs uvicorn in a
process group of its own, which ``server_stop`` ends by that group's id (never by
a process name).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432"
BENCH_DATABASES = frozenset(
    {"bench_answers", "bench_live", "bench_dash", "bench_rollover", "bench_capacity"}
)


def database_url(name: str) -> str:
    _check(name)
    return f"{PG}/{name}"


def _check(name: str) -> None:
    if name not in BENCH_DATABASES and not _is_named_bench(name):
        raise ValueError(f"{name!r} is not a benchmark database")


def _is_named_bench(name: str) -> bool:
    """A database a benchmark was pointed at by name must say it is one."""
    return name.replace("-", "_").split("_")[-1] == "bench" or name.startswith("bench_")


def database_ensure(name: str) -> bool:
    """Create database ``name`` if it does not exist; touch nothing else.

    Returns whether it was created.
    """
    import psycopg
    from psycopg import sql

    _check(name)
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if exists:
            return False
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    print(f"created database {name}")
    return True


def database_migrate(env: dict[str, str]) -> None:
    """Run ``manage.py migrate`` in a child process with ``env`` (its DATABASE_URL)."""
    _check(env["DATABASE_URL"].rsplit("/", 1)[-1])
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env={**os.environ, **env},
        check=True,
        timeout=600,
    )


def database_size(name: str) -> str:
    """Return the database's size on disk, as PostgreSQL prints it."""
    import psycopg

    _check(name)
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as connection:
        return connection.execute(
            "SELECT pg_size_pretty(pg_database_size(%s))", [name]
        ).fetchone()[0]


def server_start(
    *,
    port: int,
    env: dict[str, str],
    extra_args: Sequence[str] = (),
    workers: int = 2,
) -> subprocess.Popen:
    """Start uvicorn (``config.asgi:application``, ``workers`` worker processes)
    on ``port``, from the virtual environment of the Python running the bench."""
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "uvicorn"),
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--lifespan",
            "off",
            "--no-access-log",
            "--ws-per-message-deflate",
            "false",
            "--log-level",
            "warning",
            *extra_args,
        ],
        cwd=BASE_DIR,
        # The connection budget counts these two workers only, so each keeps the
        # pool of 20 the figures were measured with (docs/operations.md).
        env={
            **os.environ,
            "WEB_WORKERS": "2",
            "WS_WORKERS": "0",
            "TASK_WORKERS": "0",
            **env,
        },
        start_new_session=True,  # its own process group, stopped by id below
    )


def server_stop(process: subprocess.Popen) -> None:
    """Stop the server's process group (the workers too), by its id."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def server_wait(url: str, *, seconds: float = 60) -> None:
    """Wait until ``url`` answers 200, or raise after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the server did not start within {seconds:.0f} s")


def load_average() -> str:
    """Return the 1, 5 and 15 minute load averages, as ``uptime`` prints them."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


def server_rss_mb(process: subprocess.Popen) -> float:
    """Return the resident memory of the server's process group (the uvicorn
    parent and its workers), in MB, from /proc (0 when it is not running)."""
    total_kb = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            # The fields after the command name, which is in parentheses:
            # state, parent id, process group id, ...
            group = int(stat.rsplit(")", 1)[1].split()[2])
            if group != process.pid:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
                    break
        except (OSError, ValueError, IndexError):
            continue  # a process that ended meanwhile
    return total_kb / 1024
