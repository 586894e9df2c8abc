"""Smoke test of the embedded mode: with nothing configured it runs on its own."""

import pytest
from django.conf import settings
from django.db import connection


@pytest.mark.django_db
def test_embedded_defaults_when_nothing_is_configured(client):
    import os

    if os.environ.get("DATABASE_URL") or os.environ.get("REDIS_URL"):
        pytest.skip("runs in the embedded mode only (make test-embedded)")
    assert connection.vendor == "sqlite"
    assert (
        settings.CHANNEL_LAYERS["default"]["BACKEND"]
        == "channels.layers.InMemoryChannelLayer"
    )
    assert client.get("/healthz").status_code == 200
    assert client.get("/dang-nhap/").status_code == 200
