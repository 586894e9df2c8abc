"""OpenAPI schema hooks."""

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.openapi import AutoSchema as _AutoSchema


class SecondFactorSessionScheme(SessionScheme):
    """The session sign-in, refused while it owes a second factor: still a cookie."""

    target_class = "lms.accounts.security.SecondFactorSessionAuthentication"


METHODS = {"get", "post", "put", "patch", "delete"}
ERROR_COMPONENT = "ErrorOutput"
# What any operation may answer, whatever it does: bad input or a bad body (400),
# no or a bad token (401), not allowed or a second factor owed (403), nothing
# there or not visible to the caller (404), a format it cannot give (406) or read
# (415), too many tries (429). Each with the one error body.
STANDARD_ERRORS = {
    "400": "Refused input, with a reason (and errors per field).",
    "401": "Not signed in, or the token is not valid.",
    "403": "Not allowed, or two-step sign-in is not finished.",
    "404": "No such object, or not one the caller may see.",
    "406": "The requested format is not available.",
    "415": "The body's media type is not accepted.",
    "429": "Too many requests; try again later.",
}
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {"description": "Errors per field."},
    },
    "required": ["detail", "code"],
}


# No text the API takes may hold a NUL character (common/middleware.py,
# common/parsers.py): the schema says so on every plain string it accepts.
NO_NUL_PATTERN = "^[^\\u0000]*$"


def _no_nul(node) -> None:
    if isinstance(node, dict):
        if (
            node.get("type") == "string"
            and not {"format", "enum", "pattern"} & set(node)
            and not node.get("readOnly")
        ):
            node["pattern"] = NO_NUL_PATTERN
        for value in node.values():
            _no_nul(value)
    elif isinstance(node, list):
        for value in node:
            _no_nul(value)


def _closed_request_bodies(operation: dict, schemas: dict) -> None:
    """Say that a request body takes only its documented fields: the input
    serializers refuse any other (``common.serializers.StrictInputSerializer``)."""
    for media in operation.get("requestBody", {}).get("content", {}).values():
        reference = media.get("schema", {}).get("$ref", "")
        component = schemas.get(reference.rsplit("/", 1)[-1]) if reference else None
        if component is not None and component.get("type") == "object":
            component["additionalProperties"] = False


def standard_error_responses(result, generator, request, public):
    """Postprocessing hook: add the standard error answers to every operation.

    One place instead of decorating every view; an operation that documents one
    of these codes itself keeps its own description and schema.
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(ERROR_COMPONENT, ERROR_SCHEMA)
    reference = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for name, component in schemas.items():
        if not name.endswith("Output") and name != ERROR_COMPONENT:
            _no_nul(component)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            _no_nul(operation.get("parameters", []))
            _no_nul(operation.get("requestBody", {}))
            _closed_request_bodies(operation, schemas)
            responses = operation.setdefault("responses", {})
            for code, description in STANDARD_ERRORS.items():
                responses.setdefault(
                    code,
                    {
                        "content": {"application/json": {"schema": reference}},
                        "description": description,
                    },
                )
    return result


def product_api_only(endpoints):
    """Keep the product API (``/api/``); Wagtail's own admin API is not ours."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]


class AutoSchema(_AutoSchema):
    """Name nested serializers after their API class.

    APIs follow the ``<Entity><Action>Api`` style with nested ``InputSerializer`` /
    ``OutputSerializer``; without this every one of them would be a component
    called "Input" or "Output" and collide.
    """

    def _get_serializer_name(self, serializer, direction, *args, **kwargs):
        name = super()._get_serializer_name(serializer, direction, *args, **kwargs)
        serializer_class = (
            serializer if isinstance(serializer, type) else type(serializer)
        )
        owner, _, _inner = serializer_class.__qualname__.rpartition(".")
        if owner and name in {"Input", "Output"}:
            return owner.replace(".", "") + name
        return name
