"""OpenAPI schema hooks."""

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.openapi import AutoSchema as _AutoSchema


class SecondFactorSessionScheme(SessionScheme):
    """The session sign-in, refused while it owes a second factor: still a cookie."""

    target_class = "lms.accounts.security.SecondFactorSessionAuthentication"


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
