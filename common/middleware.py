"""Refuse NUL bytes before anything reads them.

PostgreSQL can neither store nor compare a NUL (``\\x00``): a NUL in a path
(``/dang-nhap/the/%00/``), a query (``/tim-kiem/?q=%00``) or a form field reached
the database through a lookup or django-axes' failure log and raised ``DataError``
(a 500). No real input contains one, so this answers 400 with a clear message for
any request that carries one, at the door, instead of each view guarding against
it. Under ``/api/`` (``is_api_request``, the one test of that for every error
answer) the answer is the API's JSON error body.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def is_api_request(request) -> bool:
    """Whether ``request`` is for the API, which answers errors as JSON."""
    return request.path.startswith("/api/")


def _has_nul(request) -> bool:
    if NUL in request.path or NUL in request.path_info:
        return True
    query = request.META.get("QUERY_STRING", "")
    if NUL in query or b"\x00" in unquote_to_bytes(query):
        return True
    if request.method == "POST" and request.content_type in FORM_TYPES:
        # Values only: a field name no form has is ignored, whatever it holds.
        for values in request.POST.lists():
            if any(NUL in value for value in values[1]):
                return True
    return False


class RefuseNulBytesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            message = _(
                "The request contains a NUL character (\\0), which is not allowed. "
                "Check the address or what was typed, and try again."
            )
            if is_api_request(request):
                return JsonResponse(
                    {"detail": message, "code": "nul_character"}, status=400
                )
            return HttpResponse(
                message, status=400, content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)
