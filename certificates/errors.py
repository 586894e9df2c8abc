"""The certificates app's one domain exception."""

from common.errors import DomainError


class CertificateError(DomainError):
    """A certificate rule refused the request; the message is for the user."""
