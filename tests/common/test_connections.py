"""The connection budget: every process's pool together never exceeds the server."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.db import connection

from common import checks as common_checks
from common.connections import (
    POOL_MAX_CEILING,
    budget_problems,
    pool_max_per_process,
)

ROOT = Path(__file__).resolve().parent.parent.parent
# PostgreSQL's defaults: max_connections 100, 3 of them kept for superusers.
POSTGRES_DEFAULT_AVAILABLE = 100 - 3
BUDGET_VARIABLES = (
    "WEB_WORKERS",
    "WS_WORKERS",
    "TASK_WORKERS",
    "DB_CONNECTIONS_BUDGET",
    "DB_POOL_MAX",
    "DB_POOL_MIN",
)


@pytest.mark.parametrize(
    ("budget", "processes", "each"),
    [
        (80, 5, 16),  # the default shape: 2 web + 2 ws + 1 task worker
        (80, 3, POOL_MAX_CEILING),  # a small shape gets the ceiling, not 26
        (80, 18, 4),
        (80, 81, 0),  # not even one each: the check refuses
    ],
)
def test_each_process_gets_its_share_rounded_down(budget, processes, each):
    assert pool_max_per_process(budget, processes) == each


def test_the_derived_pools_never_exceed_the_budget():
    for budget in range(0, 201):
        for processes in range(1, 41):
            each = pool_max_per_process(budget, processes)
            assert processes * each <= budget
            assert each <= POOL_MAX_CEILING
            assert each >= 1 or budget < processes


def test_a_pool_size_set_by_hand_over_the_budget_is_named():
    [problem] = budget_problems(processes=5, pool_max=20, budget=80)
    assert "5 processes x DB_POOL_MAX=20 = 100 connections" in problem
    assert "at most 16 each" in problem
    assert budget_problems(processes=5, pool_max=16, budget=80) == []
    [problem] = budget_problems(processes=5, pool_max=0, budget=4)
    assert "leaves no connection" in problem


def _settings_process(code: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value for key, value in os.environ.items() if key not in BUDGET_VARIABLES
    }
    # A PostgreSQL address turns the pool on; nothing here connects to it.
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DATABASE_URL="postgres://nobody@127.0.0.1:1/budget",
        **env,
    )
    return subprocess.run(
        [sys.executable, *code.split(" ", 1)]
        if code.startswith("manage.py")
        else [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_procfile_shape_fits_postgresql_default_max_connections():
    """The two pools and the task worker, as `make prod` starts them by default."""
    procfile = (ROOT / "Procfile").read_text()
    workers = dict(
        re.findall(r"^(\w+): uvicorn .*--workers \$\{(\w+):-\d+\}", procfile, re.M)
    )
    assert workers == {"web": "WEB_WORKERS", "ws": "WS_WORKERS"}
    defaults = {
        name: int(value)
        for name, value in re.findall(r"\$\{(\w+_WORKERS):-(\d+)\}", procfile)
    }
    result = _settings_process(
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.WEB_WORKERS, s.WS_WORKERS, s.TASK_WORKERS, s.DB_PROCESSES, "
        "s.DATABASES['default']['OPTIONS']['pool']['max_size'], "
        "s.DB_CONNECTIONS_BUDGET)"
    )
    assert result.returncode == 0, result.stderr
    web, ws, tasks, processes, pool_max, budget = map(int, result.stdout.split())
    # The Procfile starts what the settings count.
    assert (defaults["WEB_WORKERS"], defaults["WS_WORKERS"]) == (web, ws)
    assert processes == web + ws + tasks
    assert processes * pool_max <= budget <= POSTGRES_DEFAULT_AVAILABLE
    assert (processes, pool_max, processes * pool_max) == (5, 16, 80)


def test_the_check_refuses_pools_that_would_exceed_the_budget(monkeypatch, settings):
    """Registered with Django: `check` and `migrate` (so `make prod`) refuse."""
    monkeypatch.setattr(common_checks, "_pool_max", lambda: 20)
    settings.DB_PROCESSES, settings.DB_CONNECTIONS_BUDGET = 5, 80
    found = [message for message in run_checks() if message.id == "common.E001"]
    assert [message.msg for message in found] == [
        "5 processes x DB_POOL_MAX=20 = 100 connections, more than "
        "DB_CONNECTIONS_BUDGET=80; unset DB_POOL_MAX to derive it (at most 16 each)."
    ]
    monkeypatch.setattr(common_checks, "_pool_max", lambda: 16)
    assert common_checks.connection_budget_check() == []


def test_without_a_pool_there_is_nothing_to_budget(settings):
    """SQLite (the embedded mode) and the tests' plain connections."""
    settings.DB_PROCESSES, settings.DB_CONNECTIONS_BUDGET = 5, 1
    assert common_checks.connection_budget_check() == []


@pytest.mark.django_db
def test_the_budget_must_fit_in_the_servers_max_connections(monkeypatch, settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    monkeypatch.setattr(common_checks, "_pool_max", lambda: 16)
    settings.DB_CONNECTIONS_BUDGET = 100_000
    [error] = common_checks.server_budget_check(databases=["default"])
    assert error.id == "common.E002"
    assert "max_connections" in error.msg
    settings.DB_CONNECTIONS_BUDGET = 10
    assert common_checks.server_budget_check(databases=["default"]) == []
    # Without the database tag (plain `check`), the server is not asked.
    settings.DB_CONNECTIONS_BUDGET = 100_000
    assert common_checks.server_budget_check(databases=None) == []
