"""The content app's one domain exception."""

from common.errors import DomainError


class ContentError(DomainError):
    """A content rule refused the request (a bad curriculum file, a hidden module)."""

    default_code = "content_invalid"
