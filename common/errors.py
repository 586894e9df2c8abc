"""The base of every app's domain exception, and its mapping to API responses and pages.

Each app raises its own subclass (``LmsError``, ``QuizError``, ...) with a
translated message; pages show the message, the API turns it into a 4xx body
``{"detail": message, "code": code}`` in the user's language. Bad input never
becomes a 500.
"""

import sys
from functools import wraps

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from django.http import Http404, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.csrf import csrf_exempt
from psycopg_pool import PoolTimeout
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from common.middleware import is_api_request


class ErrorOutputSerializer(serializers.Serializer):
    """The body of every API error: ``{"detail": ..., "code": ...}``.

    ``errors`` holds the errors per field when input was refused. The schema
    documents it for every operation's 4xx answers (``config.schema``).
    """

    detail = serializers.CharField(help_text="A message for the person, translated.")
    code = serializers.CharField()
    errors = serializers.JSONField(required=False, help_text="Errors per field.")


class DomainError(Exception):
    """A rule of the domain refused the request; ``message`` is for the user."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, message, *, code: str | None = None, details=None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.details = details

    def __str__(self) -> str:
        return str(self.message)


class NotFound(DomainError):
    """The object does not exist, or the user may not know that it exists."""

    status_code = status.HTTP_404_NOT_FOUND
    default_code = "not_found"


def _body_too_large_message() -> str:
    from django.conf import settings
    from django.utils.translation import gettext as _

    return _("The request body is too large (at most %(size)d KB).") % {
        "size": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
    }


def api_exception_handler(exc, context):
    """Turn domain and model validation errors into 4xx answers with a message."""
    if isinstance(exc, DomainError):
        body = {"detail": str(exc.message), "code": exc.code}
        if exc.details:
            body["errors"] = exc.details
        return Response(body, status=exc.status_code)
    if isinstance(exc, RequestDataTooBig):
        # Reading the body past DATA_UPLOAD_MAX_MEMORY_SIZE: the API's own 400.
        return Response(
            {"detail": _body_too_large_message(), "code": "too_large"},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, DjangoValidationError):
        return Response(
            {"detail": " ".join(str(m) for m in exc.messages), "code": "invalid"},
            status=status.HTTP_400_BAD_REQUEST,
        )
    response = exception_handler(exc, context)
    if (
        response is not None
        and isinstance(exc, exceptions.ValidationError)
        and not (isinstance(response.data, dict) and "detail" in response.data)
    ):
        # A serializer's errors per field: in the one error shape, under "errors".
        response.data = {
            "detail": _("Some of what was sent is not valid."),
            "code": "invalid",
            "errors": response.data,
        }
    # DRF's own errors (not signed in, forbidden, not found, throttled) carry only
    # "detail"; add their code so every error has the documented shape.
    if (
        response is not None
        and isinstance(response.data, dict)
        and "detail" in response.data
        and "code" not in response.data
    ):
        response.data["code"] = getattr(
            response.data["detail"], "code", None
        ) or getattr(exc, "default_code", "error")
    return response


# How long a client is asked to wait when the database has no connection free.
BUSY_RETRY_AFTER_SECONDS = 10


def _database_busy(exc) -> bool:
    """Whether ``exc`` is the database pool giving up: every connection was in
    use (or PostgreSQL was away) for the whole ``DB_POOL_TIMEOUT``."""
    return isinstance(exc, OperationalError) and isinstance(exc.__cause__, PoolTimeout)


def server_error(request, template_name="500.html"):
    """The site's answer to an error it did not expect (``handler500``).

    When the database had no connection to give in time (too many requests at
    once, or PostgreSQL restarting), the answer is 503 with ``Retry-After``,
    not 500: nothing is wrong with the request, it can be sent again, and the
    phone's outbox and the quiz page wait and resend (a page says so to the
    person, the API in its error body). Anything else is the 500 page.
    """
    if not _database_busy(sys.exc_info()[1]):
        return defaults.server_error(request, template_name=template_name)
    if is_api_request(request):
        detail = _(
            "Many people are using the site right now. Please try again in a minute."
        )
        response = _api_error(request, 503, detail, "busy")
    else:
        response = HttpResponse(loader.render_to_string("common/busy.html"), status=503)
    response["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
    return response


def not_found_as_404(view):
    """Turn ``NotFound`` raised by a selector or service into ``Http404``."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404(str(error.message)) from error

    return wrapper


def _api_error(request, status_code: int, detail: str, code: str) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code}, status=status_code)


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """Every ``/api/`` path no API answers: a JSON 404, never an HTML page."""
    return _api_error(request, 404, _("There is no such API address."), "not_found")


def csrf_failure(request, reason=""):
    """``CSRF_FAILURE_VIEW``: JSON under ``/api/``, Django's page elsewhere."""
    if is_api_request(request):
        return _api_error(
            request,
            403,
            _("The request was refused (CSRF check failed). Sign in again."),
            "csrf_failed",
        )
    return django_csrf_failure(request, reason=reason)
