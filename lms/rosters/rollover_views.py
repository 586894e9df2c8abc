"""The school-year rollover page: choose the years, see the plan, apply it.

For a school's administrator (and the platform's): the school is found through
``lms.people.selectors.schools_administered_by``, so any other school is a 404. The
page shows the plan (``lms.rosters.rollover.rollover_plan``); the confirmation
recomputes it and applies it in one transaction, refusing one that changed since
it was shown.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.errors import LmsError
from lms.models import SchoolYear
from lms.people import selectors
from lms.rosters import selectors as roster_selectors
from lms.rosters.forms import RolloverConfirmForm, RolloverYearsForm
from lms.rosters.rollover import rollover_plan
from lms.rosters.rollover_apply import rollover_apply


@login_required
def school_rollover(request, school_id: int):
    """Show what the new school year would do to the school's classes; apply it."""
    school = get_object_or_404(
        selectors.schools_administered_by(request.user), pk=school_id
    )
    years = SchoolYear.objects.order_by("-starts_on")
    if "tu" in request.GET or "den" in request.GET:
        years_form = RolloverYearsForm(request.GET, years=years)
    else:
        source, target = roster_selectors.rollover_default_years(school=school)
        years_form = RolloverYearsForm(
            {"tu": source and source.pk, "den": target and target.pk}
            if source
            else None,
            years=years,
        )
    context = {"school": school, "years_form": years_form, "plan": None}
    if not years_form.is_bound or not years_form.is_valid():
        return render(request, "lms/roster/rollover.html", context)
    source, target = years_form.cleaned_data["tu"], years_form.cleaned_data["den"]
    teachers = list(roster_selectors.school_teachers(school=school))
    try:
        plan = rollover_plan(
            school=school, from_year=source, to_year=target, with_names=True
        )
    except LmsError as error:
        years_form.add_error(None, str(error))
        return render(request, "lms/roster/rollover.html", context)
    steps = plan.to_create
    if request.method == "POST":
        form = RolloverConfirmForm(request.POST, steps=steps, teachers=teachers)
        if form.is_valid():
            try:
                result = rollover_apply(
                    school=school,
                    from_year=source,
                    to_year=target,
                    actor=request.user,
                    homeroom_teachers=form.homeroom_teachers(),
                    fingerprint=form.cleaned_data["fingerprint"],
                )
            except LmsError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    _(
                        "%(year)s is ready: %(classes)d new classes, %(carried)d "
                        "pupils moved up, %(left)d pupils left the school."
                    )
                    % {
                        "year": target.name,
                        "classes": result.classes_created,
                        "carried": result.pupils_carried,
                        "left": result.pupils_left,
                    },
                )
            url = reverse("lms:school_rollover", kwargs={"school_id": school.pk})
            return redirect(f"{url}?tu={source.pk}&den={target.pk}")
    else:
        form = RolloverConfirmForm(
            initial={"fingerprint": plan.fingerprint}, steps=steps, teachers=teachers
        )
    context.update(
        {
            "plan": plan,
            "form": form,
            "source_running": source.ends_on >= timezone.localdate(),
            "source": source,
            "target": target,
            # Each class moving up, with its teacher field when it is new.
            "carrying": [
                (step, form[f"teacher_{step.old_id}"] if step in steps else None)
                for step in plan.classes
                if step in steps or (step.action == "existing" and step.pupils)
            ],
            "leaving": [
                (step, [plan.pupil_names.get(pupil, "") for pupil in step.pupils])
                for step in plan.leaving
            ],
        }
    )
    return render(request, "lms/roster/rollover.html", context)
