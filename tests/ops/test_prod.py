"""`make prod`: the production shape's defaults, refusals and Procfile."""

import stat

import pytest
from honcho.environ import parse_procfile

from ops import prod

ROOT = prod.ROOT


def test_an_empty_environment_gets_the_one_machine_defaults():
    chosen = prod.local_defaults({}, "k" * 86)
    assert chosen == {
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/antoan",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "WEB_PORT": "8000",
        "WS_PORT": "8001",
        "SITE_URL": "http://127.0.0.1:8000",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": "k" * 86,
        # Plain HTTP on this machine: a redirect to https:// would lead nowhere.
        "SECURE_SSL_REDIRECT": "false",
    }


def test_what_the_operator_set_is_never_replaced():
    environ = {
        "DATABASE_URL": "postgres://app:pw@db.internal:5432/antoan",
        "REDIS_URL": "redis://cache.internal:6379/0",
        "SITE_URL": "https://antoan.tayninh.edu.vn",
        "SECRET_KEY": "s" * 60,
        "WEB_PORT": "9000",
    }
    chosen = prod.local_defaults(environ, "unused")
    assert chosen == {
        "WS_PORT": "9001",
        "ALLOWED_HOSTS": "antoan.tayninh.edu.vn",
    }  # behind TLS the redirect to https:// stays on


def test_the_generated_secret_key_is_kept_private_and_reused(tmp_path):
    path = tmp_path / "key"
    key = prod.stored_secret_key(path)
    assert len(key) >= 50  # what config.settings.production demands
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert prod.stored_secret_key(path) == key


def test_sqlite_is_refused_with_a_reason():
    with pytest.raises(prod.Refused, match="must name a PostgreSQL database"):
        prod.check_services(
            {"DATABASE_URL": "sqlite:///db.sqlite3", "REDIS_URL": "redis://x/0"}
        )


def test_the_procfile_starts_two_pools_and_the_task_worker():
    processes = parse_procfile((ROOT / "Procfile").read_text()).processes
    assert set(processes) == {"web", "ws", "worker"}
    for name, port in (("web", "${WEB_PORT:-8000}"), ("ws", "${WS_PORT:-8001}")):
        command = processes[name]
        assert command.startswith("uvicorn config.asgi:application ")
        assert f"--port {port}" in command
        # The client's address for sign-in throttling, from the proxy only.
        assert "--proxy-headers --forwarded-allow-ips" in command
        assert "--ws-per-message-deflate false" in command
    assert processes["worker"] == "python manage.py tasks_worker"
