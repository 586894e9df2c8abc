"""The API's one pagination: limit and offset, checked before they reach a query.

DRF's ``LimitOffsetPagination`` passes any whole number on to the database: an
offset of 94351330108493179719254016 became ``bigint out of range`` (a 500) on
PostgreSQL, and words were silently ignored. Here ``limit`` and ``offset`` must
be whole numbers written in digits; ``offset`` is at most ``MAX_OFFSET``, a
``limit`` above ``max_limit`` is lowered to it (as DRF does), anything else is a
400 with a message. The schema says the same.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import APIException
from rest_framework.pagination import LimitOffsetPagination

MAX_LIMIT = 200
MAX_OFFSET = 1_000_000


class InvalidPageParameter(APIException):
    status_code = 400
    default_code = "invalid"


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    max_limit = MAX_LIMIT
    max_offset = MAX_OFFSET

    def _whole_number(self, request, name: str, *, minimum: int, maximum: int):
        """Return the parameter ``name`` as a number, None if absent; 400 if bad.

        Digits beyond ``maximum`` are refused, except for ``limit``, which the
        caller lowers to ``max_limit``: a number too long to be read counts as
        ``maximum``.
        """
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            return None
        message = _("“%(name)s” must be a whole number from %(low)d to %(high)d.") % {
            "name": name,
            "low": minimum,
            "high": maximum,
        }
        if not (raw.isascii() and raw.isdigit()):
            raise InvalidPageParameter(message)
        value = int(raw) if len(raw) <= 18 else maximum + 1
        if value < minimum or value > maximum:
            raise InvalidPageParameter(message)
        return value

    def get_limit(self, request):
        raw = request.query_params.get(self.limit_query_param, "")
        if raw.isascii() and raw.isdigit() and len(raw) > 18:
            return self.max_limit  # any huge page size is lowered, as DRF does
        value = self._whole_number(
            request, self.limit_query_param, minimum=1, maximum=10**18
        )
        if value is None:
            return self.default_limit
        return min(value, self.max_limit)

    def get_offset(self, request):
        value = self._whole_number(
            request, self.offset_query_param, minimum=0, maximum=self.max_offset
        )
        return value or 0

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.limit_query_param:
                parameter["schema"].update({"minimum": 1})
                parameter["description"] = (
                    f"Number of results to return per page (at most {self.max_limit};"
                    " a larger number is lowered to it)."
                )
            elif parameter["name"] == self.offset_query_param:
                parameter["schema"].update({"minimum": 0, "maximum": self.max_offset})
        return parameters
