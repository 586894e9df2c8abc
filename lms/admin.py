"""Django admin registrations of the school layer, one module per area."""

from lms import privacy_admin  # noqa: F401
