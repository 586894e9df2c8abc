"""Pages for children's data: the privacy notice, consent, export and erasure.

Thin: scoping in ``lms.people.consent`` (``consent_school_get`` answers 404 outside the
administrator's school), writes in ``lms.people.consent`` and
``lms.safeguarding.data_rights``.
"""

import io
import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.errors import DomainError, not_found_as_404
from lms.models import ConsentGiver, ConsentMethod, HelpRequest
from lms.people import consent
from lms.safeguarding import data_rights
from lms.safeguarding.export_pdf import pupil_data_pdf

NOTICE_AUDIENCES = {
    "nho": "younger",  # grades 1-5
    "lon": "older",  # grades 6-12
    "cha-me": "parents",
}


def privacy_notice(request):
    """The product's fixed privacy notice, in words for each reader."""
    audience = NOTICE_AUDIENCES.get(request.GET.get("ban", ""), "older")
    return render(
        request,
        "lms/privacy/notice.html",
        {
            "audience": audience,
            "settings_row": consent.privacy_settings_for(school=None),
        },
    )


class ConsentForm(forms.Form):
    pupils = forms.TypedMultipleChoiceField(coerce=int, label=gettext_lazy("Pupils"))
    given_by = forms.MultipleChoiceField(
        label=gettext_lazy("Consent given by"),
        choices=ConsentGiver.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    method = forms.ChoiceField(label=gettext_lazy("How"), choices=ConsentMethod.choices)
    consented_on = forms.DateField(
        label=gettext_lazy("Date on the form"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    notice_version = forms.CharField(
        label=gettext_lazy("Privacy notice version"), max_length=20
    )

    def __init__(self, *args, pupil_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupils"].choices = [(pk, pk) for pk in pupil_ids]


@login_required
@not_found_as_404
def consent_overview(request, school_id: int):
    """Who lacks consent at the school, by class; record a paper form in bulk."""
    school = consent.consent_school_get(user=request.user, school_id=school_id)
    class_id = request.GET.get("lop", "")
    class_id = int(class_id) if class_id.isdigit() else None
    missing_only = request.GET.get("thieu") == "1"
    rows = consent.consent_overview(
        school=school, school_class_id=class_id, missing_only=missing_only
    )
    settings_row = consent.privacy_settings_for(school=school)
    form = ConsentForm(
        request.POST or None,
        pupil_ids=[row.enrolment.pupil_id for row in rows],
        initial={
            "given_by": [ConsentGiver.PARENT, ConsentGiver.CHILD],
            "method": ConsentMethod.PAPER,
            "consented_on": timezone.localdate(),
            "notice_version": settings_row.notice_version,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            count = consent.consent_record_bulk(
                recorded_by=request.user,
                school=school,
                pupil_ids=form.cleaned_data["pupils"],
                given_by=form.cleaned_data["given_by"],
                method=form.cleaned_data["method"],
                consented_on=form.cleaned_data["consented_on"],
                notice_version=form.cleaned_data["notice_version"],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("%(count)d consent records saved.") % {"count": count}
            )
            return redirect(request.get_full_path())
    return render(
        request,
        "lms/privacy/consent_overview.html",
        {
            "school": school,
            "rows": rows,
            "classes": school.classes.order_by("grade", "name"),
            "class_id": class_id,
            "missing_only": missing_only,
            "missing_count": sum(1 for row in rows if not row.complete),
            "form": form,
            "child_from_grade": consent.CHILD_CONSENT_FROM_GRADE,
        },
    )


def _school_and_pupil(request, school_id: int, pupil_id: int):
    school = consent.consent_school_get(user=request.user, school_id=school_id)
    pupil = consent.consent_pupil_get(
        user=request.user, school=school, pupil_id=pupil_id
    )
    return school, pupil


@login_required
@not_found_as_404
def pupil_data(request, school_id: int, pupil_id: int):
    """What is held about one pupil, with downloads and the erasure step."""
    school, pupil = _school_and_pupil(request, school_id, pupil_id)
    return render(
        request,
        "lms/privacy/pupil_data.html",
        {
            "school": school,
            "pupil": pupil,
            "consent_records": pupil.consent_records.all(),
            "may_record_learning": consent.pupil_may_record_learning(pupil=pupil),
        },
    )


@login_required
@not_found_as_404
def pupil_data_download(request, school_id: int, pupil_id: int, fmt: str):
    """Everything held about the pupil, as JSON or as a readable PDF."""
    school, pupil = _school_and_pupil(request, school_id, pupil_id)
    if fmt not in ("json", "pdf"):
        return redirect("lms:pupil_data", school_id=school.pk, pupil_id=pupil.pk)
    data = data_rights.pupil_data_export(pupil=pupil, requested_by=request.user)
    if fmt == "json":
        content = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
        content_type = "application/json; charset=utf-8"
    else:
        title = _("Data held about %(name)s") % {"name": pupil.name}
        content = pupil_data_pdf(data=data, title=title)
        content_type = "application/pdf"
    response = FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=f"du-lieu-hoc-sinh-{pupil.pk}.{fmt}",
        content_type=content_type,
    )
    response["Cache-Control"] = "no-store"
    return response


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "Consent was withdrawn. I understand this erases the pupil's personal "
            "data and cannot be undone."
        )
    )


@login_required
@not_found_as_404
def pupil_erase_confirm(request, school_id: int, pupil_id: int):
    """Withdrawal of consent: confirm, then erase in one transaction."""
    school, pupil = _school_and_pupil(request, school_id, pupil_id)
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data_rights.pupil_erase(
            pupil=pupil, actor=request.user, reason="consent_withdrawn"
        )
        messages.success(request, _("The pupil's personal data has been erased."))
        return redirect("lms:consent_overview", school_id=school.pk)
    return render(
        request,
        "lms/privacy/pupil_erase.html",
        {
            "school": school,
            "pupil": pupil,
            "form": form,
            "help_request_count": HelpRequest.objects.filter(pupil=pupil).count(),
        },
    )
