"""Load curriculum files (all of content_cms/curriculum/ by default)."""

from django.core.management.base import BaseCommand, CommandError

from content_cms.curriculum.loader import curriculum_load
from content_cms.errors import ContentError


class Command(BaseCommand):
    help = (
        "Check and load curriculum YAML files in one transaction; unchanged "
        "modules are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="Files or folders to load.")

    def handle(self, *args, paths=None, **options):
        try:
            report = curriculum_load(paths=paths or None)
        except ContentError as error:
            raise CommandError(f"Nothing was loaded.\n{error}")
        self.stdout.write(
            f"Curriculum: {len(report.created)} created, {len(report.updated)} "
            f"updated, {len(report.unchanged)} unchanged."
        )
