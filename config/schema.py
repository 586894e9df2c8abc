"""OpenAPI schema hooks."""


def product_api_only(endpoints):
    """Keep the product API (``/api/``); Wagtail's own admin API is not ours."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]
