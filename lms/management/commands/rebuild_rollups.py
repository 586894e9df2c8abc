"""Recompute the rollup tables from raw facts; report (and with --fix repair) drift."""

from django.core.management.base import BaseCommand, CommandError

from lms.learning.rebuild import (
    rollups_rebuild,
)


class Command(BaseCommand):
    help = (
        "Recompute ClassModuleRollup, SchoolPeriodRollup and ClassTopicRollup from "
        "ModuleProgress, enrolments and modules, print every difference; --fix "
        "makes the tables match, --check fails (exit status 1) when they differ."
    )

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--fix", action="store_true", help="Write the recomputed counts."
        )
        mode.add_argument(
            "--check",
            action="store_true",
            help=(
                "Write nothing; exit with status 1 when the stored rollups differ "
                "from the recomputed ones (the restore drill, monitoring)."
            ),
        )

    def handle(self, *args, fix: bool = False, check: bool = False, **options):
        differences = rollups_rebuild(fix=fix)
        for difference in differences:
            self.stdout.write(difference.describe())
        if not differences:
            self.stdout.write(self.style.SUCCESS("Rollups match the raw facts."))
        elif fix:
            self.stdout.write(
                self.style.WARNING(f"{len(differences)} difference(s) fixed.")
            )
        elif check:
            raise CommandError(
                f"{len(differences)} difference(s) between the stored rollups and "
                "the raw facts."
            )
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(differences)} difference(s) found; run with --fix to "
                    "repair them."
                )
            )
