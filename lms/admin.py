"""Django admin registrations of the school layer, one module per area."""

from lms.safeguarding import admin as privacy_admin  # noqa: F401
