"""The site's own address, as printed on login cards, certificates and sheets.

In production ``SITE_URL`` is required (the production settings refuse to start
without it), so every QR code points at the real address. In development it may
be left unset: the address then follows the request being served (``make run
PORT=8101`` prints and encodes ``:8101``), and code running outside a request
(a command, a background task) falls back to ``DEFAULT_SITE_URL``.
"""

from contextvars import ContextVar

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings

DEFAULT_SITE_URL = "http://127.0.0.1:8000"

_request_origin: ContextVar[str | None] = ContextVar("request_origin", default=None)


def site_url() -> str:
    """Return the site's base address, without a trailing slash."""
    return (settings.SITE_URL or _request_origin.get() or DEFAULT_SITE_URL).rstrip("/")


def absolute_url(path: str) -> str:
    """Return ``path`` (starting with ``/``) on the site's address."""
    return site_url() + path


class RequestOriginMiddleware:
    """Remember the request's scheme, host and port while it is served."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def _origin(self, request) -> str:
        return f"{request.scheme}://{request.get_host()}"

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self.__acall__(request)
        token = _request_origin.set(self._origin(request))
        try:
            return self.get_response(request)
        finally:
            _request_origin.reset(token)

    async def __acall__(self, request):
        token = _request_origin.set(self._origin(request))
        try:
            return await self.get_response(request)
        finally:
            _request_origin.reset(token)
