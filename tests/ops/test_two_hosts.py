"""The production shape's faults, at the size of one process.

The whole shape (two hosts, a worker, PostgreSQL and Redis of its own, each
fault played out) is ``ops/two_hosts_drill.py``, which CI runs after the suite
(``.ci/run``); these are the product's parts of it that a test can hold.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from ops.drill_processes import procfile_command

ROOT = Path(__file__).resolve().parents[2]


def test_the_drill_starts_the_procfile_web_line_as_production_runs_it():
    command = procfile_command("web", {"WEB_PORT": "9101", "WEB_WORKERS": "1"})
    assert command[:4] == [sys.executable, "-m", "uvicorn", "config.asgi:application"]
    assert command[command.index("--port") + 1] == "9101"
    assert command[command.index("--workers") + 1] == "1"
    # What the Procfile says and the environment leaves unset keeps its default.
    assert command[command.index("--forwarded-allow-ips") + 1] == "127.0.0.1"
    assert "--timeout-graceful-shutdown" in command
    assert procfile_command("worker", {})[1:] == ["manage.py", "tasks_worker"]


def _database_url() -> str:
    params = connection.settings_dict
    credentials = quote(params["USER"] or "")
    if params["PASSWORD"]:
        credentials += ":" + quote(params["PASSWORD"])
    host = params["HOST"] or "127.0.0.1"
    return f"postgres://{credentials}@{host}:{params['PORT'] or 5432}/{params['NAME']}"


# A process with the production pool (one connection) whose connection the server
# ends between two requests, as a PostgreSQL restart ends them all.
POOLED_RESTART = textwrap.dedent(
    """
    import os, time, django, psycopg
    django.setup()
    from django.db import connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    connection.close()  # back to the pool, as after every request
    with psycopg.connect(os.environ["ADMIN_URL"], autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    time.sleep(0.3)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        print("served", cursor.fetchone()[0])
    """
)


def _pooled_restart(check: bool) -> subprocess.CompletedProcess:
    url = _database_url()
    environ = {
        key: value for key, value in os.environ.items() if not key.startswith("PYTEST")
    }
    environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DATABASE_URL=url,
        ADMIN_URL=url.replace("postgres://", "postgresql://", 1),
        DB_POOL_MIN="1",
        DB_POOL_MAX="1",
        DB_POOL_CHECK="true" if check else "false",
        REDIS_URL="",
    )
    return subprocess.run(
        [sys.executable, "-c", POOLED_RESTART],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db(transaction=True)
def test_a_pooled_connection_the_server_ended_is_replaced_before_a_request():
    """After a PostgreSQL restart the next request is served, not a 500."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    result = _pooled_restart(check=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "served 1" in result.stdout
    # Without the pool's check the dead connection is lent out, and fails.
    unchecked = _pooled_restart(check=False)
    assert unchecked.returncode != 0
    assert "terminating connection" in unchecked.stderr
