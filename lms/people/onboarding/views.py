"""Wagtail admin pages of bulk onboarding: upload -> preview -> confirm -> sheets.

Thin: each page checks what the user may import (``plans.import_kinds_for``),
calls one service and renders Wagtail's own admin look. Two things wait in the
importer's session, as with class rosters (``lms.rosters.views``):

* the parsed rows between preview and confirmation (never the uploaded file);
* the one-time passwords of new staff, for one download of each school's password
  sheet; dropped by that download or after ``PASSWORD_SECONDS``.
"""

from __future__ import annotations

import io
import secrets
import time

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from common.sheets import ascii_fold
from lms.errors import LmsError
from lms.people.onboarding.parsing import ParsedImport, onboarding_parse
from lms.people.onboarding.password_sheets import password_sheet_pdf
from lms.people.onboarding.plans import (
    KIND_LABELS,
    Action,
    ImportKind,
    import_kinds_for,
)
from lms.people.onboarding.services import onboarding_apply, onboarding_preview
from lms.people.onboarding.staff_accounts import StaffCredentials

UPLOAD_SESSION_KEY = "lms_onboarding_upload"
PASSWORDS_SESSION_KEY = "lms_onboarding_passwords"
PASSWORD_SECONDS = 15 * 60
PREVIEW_LINES_SHOWN = 300


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What the file lists"))
    file = forms.FileField(
        label=gettext_lazy("Excel (.xlsx) or CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.txt"}),
    )

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.value, KIND_LABELS[k]) for k in kinds]


class ConfirmForm(forms.Form):
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)


def _kinds_or_403(request) -> list[ImportKind]:
    kinds = import_kinds_for(request.user)
    if not kinds:
        raise PermissionDenied
    return kinds


def index(request):
    """Choose what to import and upload the file."""
    kinds = _kinds_or_403(request)
    form = UploadForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        try:
            parsed = onboarding_parse(
                kind=form.cleaned_data["kind"], file=form.cleaned_data["file"]
            )
        except LmsError as error:
            form.add_error("file", str(error))
        else:
            request.session[UPLOAD_SESSION_KEY] = parsed.to_data()
            return redirect("lms_onboarding_preview")
    return render(
        request,
        "lms/onboarding/index.html",
        {"form": form, "kinds": [(k, KIND_LABELS[k]) for k in kinds]},
    )


def _pending(request) -> ParsedImport | None:
    data = request.session.get(UPLOAD_SESSION_KEY)
    return ParsedImport.from_data(data) if data else None


def preview(request):
    """Show what the import would do; on POST, write it all or nothing."""
    _kinds_or_403(request)
    parsed = _pending(request)
    if parsed is None:
        messages.info(request, _("This list was imported already, or it expired."))
        return redirect("lms_onboarding_index")
    if request.method == "POST":
        form = ConfirmForm(request.POST)
        if form.is_valid():
            try:
                result = onboarding_apply(
                    actor=request.user,
                    parsed=parsed,
                    fingerprint=form.cleaned_data["fingerprint"],
                )
            except LmsError as error:
                messages.error(request, str(error))
                return redirect("lms_onboarding_preview")
            del request.session[UPLOAD_SESSION_KEY]
            messages.success(
                request,
                _("Imported: %(created)d new, %(updated)d updated.")
                % {
                    "created": result.counts["created"],
                    "updated": result.counts["updated"],
                },
            )
            if result.credentials:
                batch = _keep_passwords(request, list(result.credentials))
                return redirect("lms_onboarding_passwords", batch=batch)
            return redirect("lms_onboarding_index")
    try:
        plan = onboarding_preview(actor=request.user, parsed=parsed)
    except LmsError as error:
        messages.error(request, str(error))
        return redirect("lms_onboarding_index")
    shown = {
        action: plan.with_action(action)[:PREVIEW_LINES_SHOWN]
        for action in (Action.CREATE, Action.UPDATE)
    }
    return render(
        request,
        "lms/onboarding/preview.html",
        {
            "plan": plan,
            "parsed": parsed,
            "kind_label": KIND_LABELS[ImportKind(plan.kind)],
            "counts": plan.counts,
            "errors": plan.errors,
            "creates": shown[Action.CREATE],
            "updates": shown[Action.UPDATE],
            "shown_limit": PREVIEW_LINES_SHOWN,
            "form": ConfirmForm(initial={"fingerprint": plan.fingerprint}),
        },
    )


# --- One-time passwords waiting in the session --------------------------------------


def _password_batches(request) -> dict:
    batches = request.session.get(PASSWORDS_SESSION_KEY, {})
    now = time.time()
    expired = [
        b for b, batch in batches.items() if now - batch["created"] > PASSWORD_SECONDS
    ]
    for batch_id in expired:
        del batches[batch_id]
    if expired:
        request.session[PASSWORDS_SESSION_KEY] = batches
    return batches


def _keep_passwords(request, credentials: list[StaffCredentials]) -> str:
    batches = _password_batches(request)
    places: dict[str, dict] = {}
    for item in credentials:
        place = places.setdefault(item.place, {"name": item.place_name, "secrets": []})
        place["secrets"].append(item.as_dict())
    batch_id = secrets.token_urlsafe(9)
    batches[batch_id] = {"created": time.time(), "places": places}
    request.session[PASSWORDS_SESSION_KEY] = batches
    return batch_id


def passwords(request, batch: str):
    """List the schools whose password sheets wait for their one download."""
    _kinds_or_403(request)
    found = _password_batches(request).get(batch)
    places = []
    if found:
        places = sorted(
            (
                {"id": place, "name": data["name"], "count": len(data["secrets"])}
                for place, data in found["places"].items()
            ),
            key=lambda p: p["name"],
        )
    response = render(
        request,
        "lms/onboarding/passwords.html",
        {"batch": batch, "places": places, "minutes": PASSWORD_SECONDS // 60},
    )
    add_never_cache_headers(response)
    return response


@require_POST
def password_sheet(request, batch: str, place: str):
    """Return one school's password sheet once; its passwords leave the session."""
    _kinds_or_403(request)
    batches = _password_batches(request)
    data = batches.get(batch, {}).get("places", {}).get(place)
    if not data or not data["secrets"]:
        messages.warning(
            request,
            _("This password sheet was downloaded already, or the time ran out."),
        )
        return redirect("lms_onboarding_passwords", batch=batch)
    credentials = [StaffCredentials(**item) for item in data["secrets"]]
    del batches[batch]["places"][place]
    request.session[PASSWORDS_SESSION_KEY] = batches
    slug = "-".join(ascii_fold(data["name"]).split())
    slug = "".join(c for c in slug if c.isalnum() or c == "-")[:60]
    response = FileResponse(
        io.BytesIO(
            password_sheet_pdf(place_name=data["name"], credentials=credentials)
        ),
        as_attachment=True,
        filename=f"mat-khau-{slug or place}.pdf",
        content_type="application/pdf",
    )
    add_never_cache_headers(response)
    return response
