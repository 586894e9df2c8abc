import pytest


@pytest.fixture(autouse=True)
def _media_and_language(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def english():
    """Speak English for the test: for asserting messages by their English ids."""
    from django.utils import translation

    with translation.override("en"):
        yield
