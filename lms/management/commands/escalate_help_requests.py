"""Escalate help requests nobody acknowledged in time (run every few minutes)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from lms.safeguarding.services import help_requests_escalate


class Command(BaseCommand):
    help = "Flag unacknowledged help requests past HELP_ACK_DEADLINE_HOURS."

    def handle(self, *args, **options):
        count = help_requests_escalate(now=timezone.now())
        self.stdout.write(f"Escalated {count} help request(s).")
