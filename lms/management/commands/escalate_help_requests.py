"""The former name of ``help_escalate``, kept for crontabs that still call it."""

from lms.management.commands.help_escalate import Command  # noqa: F401
