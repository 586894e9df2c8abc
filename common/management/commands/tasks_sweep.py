"""Enqueue again (or fail) the background jobs a killed worker left running.

``manage.py tasks_worker`` sweeps every minute by itself; this command is for a
site whose jobs run in-process (embedded mode: the job runs here, at once) or
for a look after an incident.
"""

from django.core.management.base import BaseCommand

from common.jobs import jobs_sweep


class Command(BaseCommand):
    help = (
        "Run again, or mark failed, every report export and certificate bundle "
        "still running after the time limit (a worker stopped mid-job)."
    )

    def handle(self, *args, **options) -> None:
        swept = jobs_sweep()
        for label, count in swept.items():
            self.stdout.write(f"{label}: {count}")
