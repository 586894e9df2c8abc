"""``make prod``: the production shape on this machine.

Runs ``config.settings.production`` against PostgreSQL and Redis: migrates (which
runs the system checks, the connection budget's included), collects the static
files, then hands over to honcho, which starts the Procfile's HTTP pool (``web``),
websocket pool (``ws``) and task worker (``worker``) and stops them all on Ctrl+C.

Whatever the environment (or ``.env``) does not set takes a local default, printed
at the start: PostgreSQL and Redis on 127.0.0.1, ``SITE_URL`` the HTTP pool's
address, a secret key generated once into ``.prod-secret-key``. A plain-HTTP
``SITE_URL`` (no TLS proxy in front) turns ``SECURE_SSL_REDIRECT`` off, for a try on
this machine only (docs/operations.md, "One machine: make prod").
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import environ as env_file
import psycopg
import redis

from ops import postgres

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY_FILE = ROOT / ".prod-secret-key"
SETTINGS = "config.settings.production"

LOCAL_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/antoan"
LOCAL_REDIS_URL = "redis://127.0.0.1:6379/0"

# What the settings made of the environment: the connection budget's figures.
BUDGET_CODE = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.WEB_WORKERS, s.WS_WORKERS, s.TASK_WORKERS, "
    "s.DATABASES['default']['OPTIONS']['pool']['max_size'], "
    "s.DB_CONNECTIONS_BUDGET)"
)


class Refused(Exception):
    """``make prod`` cannot start: the message says what to set or start."""


def local_defaults(environ: dict[str, str], secret_key: str) -> dict[str, str]:
    """The variables ``environ`` leaves unset, with their one-machine values."""
    chosen: dict[str, str] = {}

    def default(name: str, value: str) -> None:
        if not environ.get(name):
            chosen[name] = value

    default("DATABASE_URL", LOCAL_DATABASE_URL)
    default("REDIS_URL", LOCAL_REDIS_URL)
    default("WEB_PORT", "8000")
    web_port = environ.get("WEB_PORT") or chosen["WEB_PORT"]
    default("WS_PORT", str(int(web_port) + 1))
    default("SITE_URL", f"http://127.0.0.1:{web_port}")
    site_url = environ.get("SITE_URL") or chosen["SITE_URL"]
    default("ALLOWED_HOSTS", urlsplit(site_url).hostname or "")
    default("SECRET_KEY", secret_key)
    if urlsplit(site_url).scheme == "http":
        # Without TLS in front, the redirect to https:// would lead nowhere.
        default("SECURE_SSL_REDIRECT", "false")
    return chosen


def stored_secret_key(path: Path = SECRET_KEY_FILE) -> str:
    """This machine's generated key: made once, kept for the next start."""
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64) + "\n")
        path.chmod(0o600)
    return path.read_text().strip()


def check_services(environ: dict[str, str]) -> list[str]:
    """Reach PostgreSQL (creating the database if missing) and Redis."""
    notes = []
    url = environ["DATABASE_URL"]
    if not postgres.is_postgres(url):
        raise Refused(
            "DATABASE_URL must name a PostgreSQL database: the production shape "
            f"does not run on {urlsplit(url).scheme or url}."
        )
    try:
        if not postgres.database_exists(url):
            postgres.create_database(url)
            notes.append(f"created the database {postgres.database_name(url)}")
    except psycopg.Error as error:
        raise Refused(
            f"PostgreSQL at {postgres.redacted(url)} does not answer: "
            f"{str(error).strip()}"
        )
    try:
        redis.Redis.from_url(environ["REDIS_URL"], socket_connect_timeout=3).ping()
    except (redis.RedisError, ValueError) as error:
        raise Refused(f"Redis at {environ['REDIS_URL']} does not answer: {error}")
    return notes


def manage(environ: dict[str, str], *arguments: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=ROOT, env=environ
    )
    if result.returncode != 0:
        raise Refused(f"manage.py {' '.join(arguments)} failed (see above).")


def budget(environ: dict[str, str]) -> dict[str, int]:
    result = subprocess.run(
        [sys.executable, "-c", BUDGET_CODE],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise Refused(result.stderr.strip().splitlines()[-1])
    names = ("web", "ws", "tasks", "pool_max", "budget")
    return dict(zip(names, map(int, result.stdout.split()), strict=True))


def main() -> int:
    sys.stdout.reconfigure(line_buffering=True)
    # .env as the settings read it: the environment wins over the file.
    env_file.Env.read_env(ROOT / ".env", overwrite=False)
    environ = dict(os.environ)
    try:
        chosen = local_defaults(environ, stored_secret_key())
    except ValueError as error:
        print(f"make prod: {error}", file=sys.stderr)
        return 2
    environ.update(chosen, DJANGO_SETTINGS_MODULE=SETTINGS)
    # The Procfile's ``uvicorn`` and ``python`` are this environment's.
    environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environ['PATH']}"

    print(f"make prod: {SETTINGS}")
    for name in ("DATABASE_URL", "REDIS_URL", "SITE_URL", "ALLOWED_HOSTS"):
        value = environ[name]
        if name == "DATABASE_URL":
            value = postgres.redacted(value)
        print(f"  {name}={value}" + ("  (local default)" if name in chosen else ""))
    if "SECRET_KEY" in chosen:
        print(f"  SECRET_KEY from {SECRET_KEY_FILE.name} (generated on first start)")
    if "SECURE_SSL_REDIRECT" in chosen:
        print(
            "  SECURE_SSL_REDIRECT=false: plain HTTP, for this machine only; "
            "production serves https:// through a proxy"
        )
    try:
        for note in check_services(environ):
            print(f"  {note}")
        figures = budget(environ)
        processes = figures["web"] + figures["ws"] + figures["tasks"]
        print(
            f"  connections: {figures['web']} web + {figures['ws']} ws + "
            f"{figures['tasks']} task workers = {processes} processes x pool of "
            f"{figures['pool_max']} = {processes * figures['pool_max']} of "
            f"DB_CONNECTIONS_BUDGET {figures['budget']}"
        )
        manage(environ, "migrate", "--noinput")
        manage(environ, "collectstatic", "--noinput", "--verbosity", "0")
    except Refused as refusal:
        print(f"make prod: {refusal}", file=sys.stderr)
        return 2

    host = environ.get("BIND_HOST", "127.0.0.1")
    print(
        f"Serving {environ['SITE_URL']}: HTTP pool on {host}:{environ['WEB_PORT']}, "
        f"websocket pool on {host}:{environ['WS_PORT']} (/ws/ through a proxy), "
        f"{figures['tasks']} task worker(s). Ctrl+C stops them all."
    )
    honcho = Path(sys.executable).parent / "honcho"
    # The environment is complete (.env read above): honcho reads no file.
    arguments = [str(honcho), "start", "-f", "Procfile", "-e", os.devnull]
    arguments += ["-c", f"worker={figures['tasks']}"]
    # PROCESSES="web ws" starts some of them (the worker on a machine of its own).
    arguments += environ.get("PROCESSES", "").split()
    os.chdir(ROOT)
    os.execve(honcho, arguments, environ)
    return 0  # not reached: honcho replaced this process


if __name__ == "__main__":
    sys.exit(main())
