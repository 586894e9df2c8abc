"""The school layer's domain exception."""

from config.errors import DomainError


class LmsError(DomainError):
    """A school-layer rule refused the request (roster, roles, assignments)."""
