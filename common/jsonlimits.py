"""JSON read with bounds: every parser of the project refuses what is too deep.

``json.loads`` itself recurses once per level of nesting: a body of 5,000 nested
lists raised ``RecursionError`` (a 500) before anything could look at it. Nothing
the product accepts is deeper than a handful of levels, so anything deeper than
``MAX_DEPTH`` is refused as malformed. So is a NUL character in any string or key
(``\u0000``): PostgreSQL can store it neither in text nor in jsonb. Used by the
API's JSON parser (``common.parsers``) and by the websocket consumers
(``common.consumers``).
"""

from __future__ import annotations

import json

MAX_DEPTH = 32


class JsonTooDeep(ValueError):
    """The JSON nests deeper than allowed."""


class JsonHasNul(ValueError):
    """A string or key of the JSON holds a NUL character."""


def json_depth(value, *, refuse_nul: bool = False) -> int:
    """Return how deeply ``value`` nests lists and objects (a scalar is 0).

    With ``refuse_nul``, raise ``JsonHasNul`` on a NUL in any string or key.
    """
    depth = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, str):
            if refuse_nul and "\x00" in item:
                raise JsonHasNul("JSON strings may not contain NUL characters")
            continue
        if isinstance(item, dict):
            if refuse_nul and any("\x00" in key for key in item):
                raise JsonHasNul("JSON keys may not contain NUL characters")
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        depth = max(depth, level)
        stack.extend((child, level + 1) for child in children)
    return depth


def loads_bounded(text: str | bytes, *, max_depth: int = MAX_DEPTH, **kwargs):
    """Parse ``text`` as JSON; raise ``ValueError`` if malformed, too deep or
    holding a NUL character."""
    try:
        value = json.loads(text, **kwargs)
    except RecursionError as error:
        raise JsonTooDeep(f"JSON nests deeper than {max_depth} levels") from error
    if json_depth(value, refuse_nul=True) > max_depth:
        raise JsonTooDeep(f"JSON nests deeper than {max_depth} levels")
    return value
