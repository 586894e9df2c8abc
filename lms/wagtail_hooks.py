"""Wagtail discovers this module: it gathers the school layer's admin hooks."""

from lms.people import onboarding_hooks  # noqa: F401
