"""Escalate help requests nobody acknowledged in time (run every few minutes).

Idempotent: each step (school administrators, then the commune child-protection
officer) happens once per request, however often this runs.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from lms.safeguarding.services import help_requests_escalate


class Command(BaseCommand):
    help = "Escalate unacknowledged help requests past their province's deadlines."

    def handle(self, *args, **options):
        count = help_requests_escalate(now=timezone.now())
        self.stdout.write(f"Escalated {count} help request step(s).")
