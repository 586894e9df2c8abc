"""The API's JSON parser: bounded in size and depth, NUL characters refused.

DRF's own ``JSONParser`` reads the whole body whatever its size (Django's
``DATA_UPLOAD_MAX_MEMORY_SIZE`` guards ``request.body`` and forms, not the stream
DRF reads) and lets ``json.load`` recurse as deep as the body nests. This one
reads at most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes and parses with
``common.jsonlimits.loads_bounded``; anything else is a 400 (``parse_error``)
with a message.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from common.jsonlimits import MAX_DEPTH, JsonHasNul, JsonTooDeep, loads_bounded


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if stream is not None else b""
        if limit is not None and len(raw) > limit:
            raise ParseError(
                _("The request body is too large (at most %(size)d KB).")
                % {"size": limit // 1024}
            )
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = raw.decode(encoding)
            return loads_bounded(text, parse_constant=self._refuse_constant)
        except JsonTooDeep as error:
            raise ParseError(
                _("The JSON nests too deeply (at most %(depth)d levels).")
                % {"depth": MAX_DEPTH}
            ) from error
        except JsonHasNul as error:
            raise ParseError(
                _("The JSON contains a NUL character, which is not allowed.")
            ) from error
        except ValueError as error:
            raise ParseError(_("The request body is not valid JSON.")) from error

    @staticmethod
    def _refuse_constant(name: str):
        raise ValueError(f"{name} is not JSON")
