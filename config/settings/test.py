"""Test settings: the same configuration as production code paths, faster hashing."""

import os

from config.settings.base import *  # noqa: F401,F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    # In memory, unless the processes of a live server (tests/e2e) must share
    # files: the curriculum's pictures written by one, served by another.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
        if os.environ.get("TEST_MEDIA_ON_DISK")
        else "django.core.files.storage.InMemoryStorage"
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files come from the apps; no collectstatic before a test run.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
AXES_ENABLED = True

# Parallel test workers (pytest-xdist) must not share a Redis database: clearing the
# cache in one worker would wipe the other's sessions and counters. Each worker
# gets its own database number and channel-layer prefix.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and _worker.startswith("gw"):  # noqa: F405
    _number = 10 + int(_worker[2:])
    _base = REDIS_URL.rsplit("/", 1)[0] if REDIS_URL.count("/") > 2 else REDIS_URL  # noqa: F405
    CACHES["default"]["LOCATION"] = f"{_base}/{_number}"  # noqa: F405
    CHANNEL_LAYERS["default"]["CONFIG"]["hosts"] = [f"{_base}/{_number}"]  # noqa: F405
    # Pub/sub ignores the database number: the prefix keeps workers apart.
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"{SITE_KEY}-{_worker}"  # noqa: F405

# Several checkouts sharing one PostgreSQL server name their test databases apart
# (Django's default is "test_" + the database's name).
if env.str("TEST_DATABASE_NAME", default=""):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME")}  # noqa: F405

# The connection pool serves long-lived ASGI workers; tests open and close
# connections from many short-lived threads (consumers, live servers), which a
# bounded pool turns into waits. Tests use plain connections.
if DATABASES["default"].get("OPTIONS", {}).get("pool"):  # noqa: F405
    DATABASES["default"]["OPTIONS"].pop("pool")  # noqa: F405
