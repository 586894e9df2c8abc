"""Write modules back to curriculum YAML files."""

from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Locale

from content_cms.curriculum.export import module_export_path, module_export_yaml
from content_cms.models import ModulePage


class Command(BaseCommand):
    help = "Write modules (by key, or all) to YAML; --stdout prints instead."

    def add_arguments(self, parser):
        parser.add_argument("keys", nargs="*", help="Module keys; all when empty.")
        parser.add_argument("--stdout", action="store_true")

    def handle(self, *args, keys=None, stdout=False, **options):
        pages = ModulePage.objects.filter(locale=Locale.get_default()).order_by("pk")
        if keys:
            pages = pages.filter(curriculum_key__in=keys)
            missing = set(keys) - set(pages.values_list("curriculum_key", flat=True))
            if missing:
                raise CommandError(f"Unknown module keys: {', '.join(sorted(missing))}")
        for page in pages:
            text = module_export_yaml(page=page)
            if stdout:
                self.stdout.write(text)
                continue
            path = module_export_path(page=page)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {path}")
