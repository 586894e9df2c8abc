"""The active and default ``Locale``, looked up once per request.

Lists and pages ask for the locale several times per request (the modules in the
active language, the Vietnamese source pages). ``LocaleMemoMiddleware`` keeps
what one request looked up for the rest of that request only; the lookup itself
reads the shared cache (``content_cms.published``: emptied when a locale is
saved or deleted), so a locale changed in the admin is seen by the next request
of every process.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.conf import settings
from django.utils import translation
from wagtail.models import Locale

from content_cms.published import published_cached

_memo: ContextVar[dict | None] = ContextVar("content_cms_locale_memo", default=None)


def _read(language_code: str) -> Locale:
    # Reference data: kept in the shared cache, forgotten when a locale is saved
    # or deleted (content_cms/published.py); a missing one raises, never kept.
    return published_cached(
        "locale",
        (language_code,),
        lambda: Locale.objects.get_for_language(language_code),
    )


def _for_language(language_code: str) -> Locale:
    memo = _memo.get()
    if memo is None:
        return _read(language_code)
    if language_code not in memo:
        memo[language_code] = _read(language_code)
    return memo[language_code]


def default_locale() -> Locale:
    """``Locale.get_default()``, once per request."""
    return _for_language(settings.LANGUAGE_CODE)


def active_locale() -> Locale:
    """``Locale.get_active()``, once per request (the default for another language)."""
    try:
        return _for_language(translation.get_language())
    except (Locale.DoesNotExist, LookupError):
        return default_locale()


class LocaleMemoMiddleware:
    """Keep the locales one request looks up for the rest of that request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)
