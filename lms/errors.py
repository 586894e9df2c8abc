"""The school layer's domain exception."""

from common.errors import DomainError


class LmsError(DomainError):
    """A school-layer rule refused the request (roster, roles, assignments)."""
