"""``manage.py generate_scale``: a province-scale database for benchmarks.

For example ``generate_scale --schools 1000 --pupils-per-school 600`` (the size of
Tây Ninh since 2025); ``generate_scale --reset`` removes what it made. See
devdata/scale.py.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from devdata.scale import (
    SCALE_PASSWORD,
    learning_records_possible,
    scale_generate,
    scale_reset,
    scale_user_count,
)

PRODUCTION_SETTINGS = "config.settings.production"


class Command(BaseCommand):
    help = (
        "Generate SCALE- schools, classes, staff and pupils for benchmarks; "
        "--reset deletes them first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schools", type=int, default=0)
        parser.add_argument("--pupils-per-school", type=int, default=0)
        parser.add_argument(
            "--answers-per-pupil",
            type=int,
            default=0,
            help=(
                "Give every pupil a submitted attempt with this many answers, and "
                "progress (needs a pupils' module with a quiz: load_curriculum). "
                "Running again with more tops the attempts up."
            ),
        )
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the generated data (then generate again if sizes are given).",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        if settings.SETTINGS_MODULE == PRODUCTION_SETTINGS:
            # Its accounts share a published password, and its province officer an
            # authenticator key a benchmark knows (devdata/scale_load.py).
            raise CommandError(
                _("generate_scale makes test data: it never runs in production.")
            )
        schools = options["schools"]
        pupils_per_school = options["pupils_per_school"]
        quiet = options["no_progress"] or options["verbosity"] == 0
        if schools < 0 or pupils_per_school < 0 or options["batch_size"] < 1:
            raise CommandError(_("Sizes must be positive numbers."))
        if not options["reset"] and not (schools and pupils_per_school):
            raise CommandError(_("Give --schools and --pupils-per-school, or --reset."))

        if options["reset"]:
            with tqdm(total=scale_user_count(), unit=" accounts", disable=quiet) as bar:
                deleted = scale_reset(
                    batch_size=options["batch_size"], on_users=bar.update
                )
            self.stdout.write(
                _(
                    "Deleted the generated data: %(users)d accounts, %(schools)d "
                    "schools, %(units)d units."
                )
                % deleted
            )
        if not (schools and pupils_per_school):
            return

        with tqdm(
            total=schools * pupils_per_school, unit=" pupils", disable=quiet
        ) as bar:
            report = scale_generate(
                schools=schools,
                pupils_per_school=pupils_per_school,
                answers_per_pupil=options["answers_per_pupil"],
                batch_size=options["batch_size"],
                on_pupils=bar.update,
            )
        self.stdout.write(
            _(
                "Created %(schools)d schools, %(classes)d classes, %(staff)d staff "
                "and %(pupils)d pupils: %(rows)d rows in %(seconds).1f s "
                "(%(rate)d rows/s). Every password: %(password)s"
            )
            % {
                **vars(report),
                "rate": report.rows_per_second,
                "password": SCALE_PASSWORD,
            }
        )
        if options["answers_per_pupil"] and not learning_records_possible():
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "--answers-per-pupil was ignored: no pupils' module with a "
                        "quiz is loaded (manage.py load_curriculum)."
                    )
                )
            )
