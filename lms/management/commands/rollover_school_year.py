"""``manage.py rollover_school_year``: move a province's schools to the next year.

For example ``rollover_school_year --from 2026-2027 --to 2027-2028`` prints what
each school would do; ``--apply`` does it, one transaction per school, so running
it again after an interruption finishes the rest and changes nothing done already.
``--unit CODE`` limits it to the schools under one administrative unit. See
``lms/rosters/rollover.py``.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lms.errors import LmsError
from lms.models import AdministrativeUnit, School, SchoolYear
from lms.rosters.rollover import rollover_periods_plan
from lms.rosters.rollover_apply import rollover_schools


class Command(BaseCommand):
    help = (
        "Roll every school (or those under --unit) over from one school year to "
        "the next: classes move up a grade, the last grade leaves. Dry run unless "
        "--apply."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="from_year", required=True)
        parser.add_argument("--to", dest="to_year", required=True)
        parser.add_argument("--unit", help="Code of an administrative unit.")
        parser.add_argument(
            "--apply", action="store_true", help="Write; without it nothing is."
        )

    def handle(self, *args, from_year, to_year, unit=None, apply=False, **options):
        years = {year.name: year for year in SchoolYear.objects.all()}
        for name in (from_year, to_year):
            if name not in years:
                raise CommandError(
                    _("There is no school year %(name)s.") % {"name": name}
                )
        schools = School.objects.select_related("unit")
        if unit:
            node = AdministrativeUnit.objects.filter(code=unit).first()
            if node is None:
                raise CommandError(
                    _("There is no administrative unit %(code)s.") % {"code": unit}
                )
            schools = schools.filter(unit__path__startswith=node.path)
        source, target = years[from_year], years[to_year]
        try:
            periods = rollover_periods_plan(from_year=source, to_year=target)
            lines = rollover_schools(
                schools=schools, from_year=source, to_year=target, apply=apply
            )
            totals = self._report(lines)
        except LmsError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _(
                "%(schools)d schools: %(classes)d new classes, %(carried)d pupils "
                "carried, %(left)d leaving, %(conflicts)d classes with a conflict; "
                "%(periods)d reporting periods for %(year)s."
            )
            % {**totals, "periods": len(periods), "year": target.name}
        )
        if apply:
            self.stdout.write(self.style.SUCCESS(_("Done.")))
        else:
            self.stdout.write(
                self.style.WARNING(_("Dry run: nothing was written. Add --apply."))
            )

    def _report(self, lines) -> dict[str, int]:
        totals = {"schools": 0, "classes": 0, "carried": 0, "left": 0, "conflicts": 0}
        for line in lines:
            plan = line.plan
            counts = {
                "classes": len(plan.to_create),
                "carried": plan.carried_count,
                "left": plan.leaver_count,
                "conflicts": len(plan.conflicts),
            }
            for key, value in counts.items():
                totals[key] += value
            totals["schools"] += 1
            self.stdout.write(
                _(
                    "%(code)s %(name)s: %(classes)d new classes, %(carried)d pupils "
                    "carried, %(left)d leaving, %(conflicts)d conflicts"
                )
                % {"code": line.school.code, "name": line.school.name, **counts}
            )
            for step in plan.conflicts:
                self.stdout.write(f"  {step.old_name}: {step.problem}")
        return totals
