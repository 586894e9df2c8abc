import pytest


@pytest.fixture(autouse=True)
def _media_and_language(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


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
