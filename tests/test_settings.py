"""Production settings refuse to start half-configured; check --deploy is clean."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL", "CSRF_TRUSTED_ORIGINS"}
    }
    environment.update(env, DJANGO_SETTINGS_MODULE="config.settings.production")
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"ALLOWED_HOSTS": "example.org"}, "SECRET_KEY"),
        ({"SECRET_KEY": secrets.token_urlsafe(64)}, "ALLOWED_HOSTS"),
        ({"SECRET_KEY": "short", "ALLOWED_HOSTS": "example.org"}, "SECRET_KEY"),
    ],
)
def test_production_refuses_to_start_without_secret_and_hosts(env, complaint):
    """Each missing setting is named (SITE_URL: see the next test)."""
    result = _manage("check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert complaint in result.stderr


def test_production_passes_check_deploy_without_warnings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="antoan.example.org",
        SITE_URL="https://antoan.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _channel_prefix(**env: str) -> str:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CHANNEL_LAYER_PREFIX", "SITE_KEY", "CACHE_KEY_PREFIX"}
    }
    environment.update(env, DJANGO_SETTINGS_MODULE="config.settings.dev")
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CHANNEL_LAYERS['default']['CONFIG']['prefix'], "
        "settings.CACHES['default']['KEY_PREFIX'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    channel_prefix, cache_prefix = result.stdout.split()
    assert channel_prefix == cache_prefix
    return channel_prefix


def test_two_sites_sharing_one_redis_get_their_own_channel_prefix():
    """Redis pub/sub ignores the database number: the prefix keeps sites apart."""
    redis = "redis://127.0.0.1:6379/0"
    site_a = _channel_prefix(
        REDIS_URL=redis, DATABASE_URL="postgres://app@127.0.0.1:5432/tayninh"
    )
    site_a_again = _channel_prefix(
        REDIS_URL=redis, DATABASE_URL="postgres://app@127.0.0.1:5432/tayninh"
    )
    site_b = _channel_prefix(
        REDIS_URL=redis, DATABASE_URL="postgres://app@127.0.0.1:5432/staging"
    )
    assert site_a == site_a_again  # every process of one site shares it
    assert site_a != site_b
    assert _channel_prefix(REDIS_URL=redis, SITE_KEY="tn") == "tn"


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({}, "Set SITE_URL"),
        ({"SITE_URL": "antoan.example.org"}, "Set SITE_URL"),
        ({"SITE_URL": "https://other.example.org"}, "not in ALLOWED_HOSTS"),
        (
            {
                "SITE_URL": "https://antoan.example.org",
                "CSRF_TRUSTED_ORIGINS": "https://old.example.org",
            },
            "CSRF_TRUSTED_ORIGINS",
        ),
    ],
)
def test_production_refuses_to_start_without_a_right_site_url(env, complaint):
    """Every QR code and certificate carries SITE_URL: no silent 127.0.0.1."""
    result = _manage(
        "check",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="antoan.example.org",
        **env,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert complaint in result.stderr
