"""Recompute the rollup tables from raw facts; report (and with --fix repair) drift."""

from django.core.management.base import BaseCommand

from lms.learning.rollups import rollups_rebuild


class Command(BaseCommand):
    help = (
        "Recompute ClassModuleRollup, SchoolPeriodRollup and ClassTopicRollup from "
        "ModuleProgress, enrolments and modules, print every difference; --fix "
        "makes the tables match."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fix", action="store_true", help="Write the recomputed counts."
        )

    def handle(self, *args, fix: bool = False, **options):
        differences = rollups_rebuild(fix=fix)
        for difference in differences:
            self.stdout.write(difference.describe())
        if not differences:
            self.stdout.write(self.style.SUCCESS("Rollups match the raw facts."))
        elif fix:
            self.stdout.write(
                self.style.WARNING(f"{len(differences)} difference(s) fixed.")
            )
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(differences)} difference(s) found; run with --fix to "
                    "repair them."
                )
            )
