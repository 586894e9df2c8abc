"""Embedded default: what ``make run`` and a developer's machine use."""

from config.settings.base import *  # noqa: F401,F403
from config.settings.base import env

DEBUG = env.bool("DEBUG", default=True)

# Serve static files straight from the apps, no collectstatic step needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
