"""Print the curriculum's coverage, or write it to docs/curriculum.md."""

from django.core.management.base import BaseCommand

from content_cms.curriculum.coverage import (
    COVERAGE_DOCUMENT,
    coverage_markdown,
    curriculum_summaries,
)


class Command(BaseCommand):
    help = "Report what the curriculum files cover (band x topic, counts)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--write",
            action="store_true",
            help=f"Write the report to {COVERAGE_DOCUMENT.name} instead of printing.",
        )

    def handle(self, *args, write: bool = False, **options):
        report = coverage_markdown(curriculum_summaries())
        if write:
            COVERAGE_DOCUMENT.write_text(report, encoding="utf-8")
            self.stdout.write(f"Wrote {COVERAGE_DOCUMENT}")
        else:
            self.stdout.write(report)
