"""``/healthz`` reports the database and the channel layer."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_healthz_reports_both_dependencies_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "channel_layer": "ok",
        "down": [],
    }


def test_healthz_is_503_when_the_channel_layer_is_down(client, settings):
    settings.REDIS_URL = ""  # a layer of its own: named as the layer, not as Redis
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # Nothing listens on port 1: the layer cannot deliver.
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    try:
        response = client.get("/healthz")
    finally:
        channel_layers.backends.clear()
    assert response.status_code == 503
    assert response.json()["channel_layer"] == "down"
    assert response.json()["database"] == "ok"
    assert response.json()["down"] == ["channel_layer"]


def test_healthz_names_redis_when_the_layer_on_redis_is_down(client, settings):
    """The monitor's alert says which service to look at (docs/operations.md)."""
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [settings.REDIS_URL]},
        }
    }
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    try:
        response = client.get("/healthz")
    finally:
        channel_layers.backends.clear()
    assert response.status_code == 503
    assert response.json()["down"] == ["redis"]
