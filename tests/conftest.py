import os

import pytest


@pytest.fixture(autouse=True)
def _media_and_language(settings, tmp_path):
    """Each test writes its own media and starts in the site's language.

    A request leaves its language active in the thread (LocaleMiddleware does
    not undo it), so a page fetched in English would otherwise make the next
    test's messages English, depending on which tests ran before.
    """
    from django.utils import translation

    settings.MEDIA_ROOT = tmp_path / "media"
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def english(client, settings):
    """Speak English for the test: for asserting messages by their English ids.

    Code under test speaks English, and so do pages the ``client`` fetches (the
    language cookie, as the switcher in the header sets it).
    """
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture(
    params=[
        "memory",
        pytest.param(
            "redis",
            marks=[
                pytest.mark.redis,
                pytest.mark.skipif(
                    not os.environ.get("REDIS_URL"), reason="needs REDIS_URL"
                ),
            ],
        ),
    ]
)
def layer(request, settings):
    """Run a websocket test on the in-memory channel layer and on real Redis."""
    from channels.layers import channel_layers

    if request.param == "memory":
        settings.CHANNEL_LAYERS = {
            "default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}
        }
    else:
        module = request.module.__name__.rsplit(".", 1)[-1]
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {
                    "hosts": [os.environ["REDIS_URL"]],
                    "prefix": f"asp-{module}",
                },
            }
        }
    channel_layers.backends = {}
    yield request.param
    channel_layers.backends = {}


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache, as its database starts clean.

    Published content and reference data are kept in the cache
    (content_cms/published.py); a test's pages are rolled back with it, and
    another test may reuse their ids.
    """
    from django.core.cache import cache

    from common.process_cache import process_caches_clear

    cache.clear()
    process_caches_clear()
    yield
