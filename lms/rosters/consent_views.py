"""Consent in a teacher's class: who lacks it, printing slips, recording them.

Here, beside the class page, because the class's teacher hands the slips out and
collects them: the class is found through ``classes_managed_by`` (as on the class
page; any other class is a 404), the rules and writes are in
``lms.people.consent`` and the PDF in ``lms.people.consent_slips`` (people, which
this area may import). The school administrator's consent page for the whole
school stays in ``lms.safeguarding.privacy_views``.
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.errors import not_found_as_404
from common.sheets import ascii_fold
from lms.errors import LmsError
from lms.people import consent
from lms.people.consent_slips import consent_slips_pdf
from lms.rosters.forms import ReturnedSlipsForm
from lms.rosters.views import _managed_class


@login_required
@not_found_as_404
def class_consent(request, class_id: int):
    """List the class's pupils lacking consent; record the slips that came back."""
    school_class = _managed_class(request, class_id)
    form = ReturnedSlipsForm(
        request.POST if request.method == "POST" else None,
        initial={"consented_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            count = consent.consent_slips_returned_record(
                actor=request.user,
                school_class=school_class,
                parent_ids=form.cleaned_data["parent"],
                child_ids=form.cleaned_data["child"],
                consented_on=form.cleaned_data["consented_on"],
            )
        except LmsError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("%(count)d consent records saved.") % {"count": count}
            )
            return redirect("lms:class_consent", class_id=school_class.pk)
    return render(
        request,
        "lms/roster/class_consent.html",
        {
            "school_class": school_class,
            "rows": consent.class_consent_missing(school_class=school_class),
            "form": form,
            "answers_kept": consent.answers_kept_without_consent(
                school=school_class.school
            ),
        },
    )


@login_required
@require_POST
@not_found_as_404
def class_consent_slips(request, class_id: int):
    """Print a consent slip for each pupil lacking consent (new codes replace old)."""
    school_class = _managed_class(request, class_id)
    slips = consent.consent_slips_issue(actor=request.user, school_class=school_class)
    if not slips:
        messages.info(request, _("Every pupil of the class has consent."))
        return redirect("lms:class_consent", class_id=school_class.pk)
    pdf = consent_slips_pdf(
        school_class=school_class,
        slips=slips,
        privacy=consent.privacy_settings_for(school=school_class.school),
    )
    class_slug = "".join(c for c in ascii_fold(school_class.name) if c.isalnum())
    response = FileResponse(
        io.BytesIO(pdf),
        as_attachment=True,
        filename=f"phieu-dong-y-{class_slug or 'lop'}.pdf",
        content_type="application/pdf",
    )
    # The slips carry codes: no cache may keep a copy.
    add_never_cache_headers(response)
    return response
