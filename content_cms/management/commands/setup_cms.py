"""Create the CMS skeleton: locales, page tree, review workflow, permissions."""

from django.core.management.base import BaseCommand

from content_cms.services import cms_setup


class Command(BaseCommand):
    help = "Create the locales, page tree, review workflow and editors' permissions."

    def handle(self, *args, **options):
        homes = cms_setup()
        self.stdout.write(
            "CMS ready: " + ", ".join(f"{code} /{h.slug}/" for code, h in homes.items())
        )
