"""``manage.py load_demo``: the demo province (idempotent); see devdata/demo.py."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from devdata.demo import demo_load


class Command(BaseCommand):
    help = "Load the demo province of Tây Ninh: schools, classes, pupils and staff."

    def handle(self, *args, **options):
        summary = demo_load()
        self.stdout.write(
            _(
                "Demo province ready: %(units)d units, %(schools)d schools, "
                "%(classes)d classes, %(pupils)d pupils, %(staff)d staff and "
                "officers."
            )
            % vars(summary)
        )
