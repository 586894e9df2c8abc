"""Pages for a teacher's class: the pupil list, roster import, login cards, resets.

Thin: each page finds the class through ``selectors.classes_managed_by`` (any other
class is a 404, so a foreign id says nothing about what exists), calls one service,
and renders. Two things wait in the teacher's session between requests:

* the parsed roster between preview and confirmation (names and classes only,
  never the uploaded file with its private columns);
* the secrets of freshly created or reset pupils, for one download of their login
  cards. They are dropped by that download or after ``CARD_SECRETS_SECONDS``,
  whichever comes first; after that the page offers to print new cards, which
  sets new passwords and says so first.
"""

from __future__ import annotations

import io
import secrets
import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from common.sheets import ascii_fold
from lms.errors import LmsError
from lms.models import SchoolClass
from lms.people import consent, selectors
from lms.rosters import membership, pupil_accounts
from lms.rosters import selectors as roster_selectors
from lms.rosters.files import ParsedRoster
from lms.rosters.forms import (
    PupilMoveForm,
    PupilSelectionForm,
    RosterConfirmForm,
    RosterUploadForm,
)
from lms.rosters.login_cards import login_cards_pdf
from lms.rosters.pupil_accounts import PupilCredentials
from lms.rosters.services import RosterPlan, roster_apply, roster_parse, roster_preview

ROSTER_SESSION_KEY = "lms_roster_upload"
CARDS_SESSION_KEY = "lms_login_cards"
CARD_SECRETS_SECONDS = 15 * 60
CARD_BATCH_SECONDS = 2 * 60 * 60


def _managed_class(request, class_id: int) -> SchoolClass:
    """Return a class whose roster the user manages, or 404 for any other id."""
    if not request.user.has_perm("lms.manage_roster"):
        raise Http404
    return get_object_or_404(
        selectors.classes_managed_by(request.user).select_related(
            "school", "school_year"
        ),
        pk=class_id,
    )


def _consent_context(school_class: SchoolClass) -> dict:
    """Return how many pupils lack consent, for the notice on the class's pages."""
    return {
        "consent_missing": consent.class_consent_missing_count(
            school_class=school_class
        ),
        "consent_answers_kept": consent.answers_kept_without_consent(
            school=school_class.school
        ),
    }


def _class_enrolments(request, school_class: SchoolClass):
    return (
        selectors.enrolments_visible_to(request.user)
        .filter(school_class=school_class)
        .order_by(F("roster_number").asc(nulls_last=True), "pupil__display_name")
    )


def _pdf_response(pdf: bytes, school_class: SchoolClass) -> FileResponse:
    class_slug = "".join(c for c in ascii_fold(school_class.name) if c.isalnum())
    response = FileResponse(
        io.BytesIO(pdf),
        as_attachment=True,
        filename=f"the-dang-nhap-{class_slug or 'lop'}.pdf",
        content_type="application/pdf",
    )
    # The PDF holds passwords: no cache may keep a copy.
    add_never_cache_headers(response)
    return response


# --- Login-card secrets waiting in the session ----------------------------------------


def _card_batches(request) -> dict:
    """Return the session's card batches, dropping expired secrets and batches."""
    batches = request.session.get(CARDS_SESSION_KEY, {})
    now = time.time()
    changed = False
    for batch_id in list(batches):
        batch = batches[batch_id]
        if now - batch["created"] > CARD_BATCH_SECONDS:
            del batches[batch_id]
            changed = True
        elif batch["secrets"] and now - batch["created"] > CARD_SECRETS_SECONDS:
            batch["secrets"] = []
            changed = True
    if changed:
        request.session[CARDS_SESSION_KEY] = batches
    return batches


def _keep_cards(
    request,
    school_class: SchoolClass,
    credentials: list[PupilCredentials],
    *,
    unchanged: int = 0,
) -> str:
    batches = _card_batches(request)
    batch_id = secrets.token_urlsafe(9)
    batches[batch_id] = {
        "class_id": school_class.pk,
        "created": time.time(),
        "unchanged": unchanged,
        "pupils": [
            {
                "id": c.pupil_id,
                "display_name": c.display_name,
                "username": c.username,
                "roster_number": c.roster_number,
            }
            for c in credentials
        ],
        "secrets": [c.as_dict() for c in credentials],
    }
    request.session[CARDS_SESSION_KEY] = batches
    return batch_id


def _card_batch(request, school_class: SchoolClass, batch_id: str) -> dict | None:
    batch = _card_batches(request).get(batch_id)
    if batch is None or batch["class_id"] != school_class.pk:
        return None
    return batch


# --- Class page -----------------------------------------------------------------------


def _runs_school(request, school_class: SchoolClass) -> bool:
    return (
        selectors.schools_administered_by(request.user)
        .filter(pk=school_class.school_id)
        .exists()
    )


@login_required
@require_GET
def class_detail(request, class_id: int):
    """List a class's pupils with their usernames, and what a teacher can do.

    A class of a year that has ended lists the pupils it had at the end of the year
    (read only), and says which class of the next year its pupils went to.
    """
    school_class = _managed_class(request, class_id)
    past = school_class.school_year.ends_on < timezone.localdate()
    enrolments = (
        roster_selectors.class_roster(school_class=school_class)
        .select_related("pupil")
        .order_by(F("roster_number").asc(nulls_last=True), "pupil__display_name")
    )
    runs_school = _runs_school(request, school_class)
    return render(
        request,
        "lms/roster/class_detail.html",
        {
            "school_class": school_class,
            **_consent_context(school_class),
            "enrolments": enrolments,
            "past_year": past,
            "next_classes": school_class.next_classes.select_related("school_year"),
            "runs_school": runs_school,
        },
    )


# --- Class membership (school administrators) ----------------------------------------


def _school_class_and_pupil(request, class_id: int, pupil_id: int):
    """Return a class of a school the user runs and one of its current pupils."""
    school_class = _managed_class(request, class_id)
    if not _runs_school(request, school_class):
        raise Http404
    pupil = get_object_or_404(
        selectors.pupils_visible_to(request.user).filter(
            enrolments__school_class=school_class, enrolments__left_on__isnull=True
        ),
        pk=pupil_id,
    )
    return school_class, pupil


@login_required
def pupil_move(request, class_id: int, pupil_id: int):
    """Move a pupil to another class of the same school and year, after a choice."""
    school_class, pupil = _school_class_and_pupil(request, class_id, pupil_id)
    targets = (
        selectors.classes_managed_by(request.user)
        .filter(school_id=school_class.school_id, school_year=school_class.school_year)
        .exclude(pk=school_class.pk)
        .order_by("grade", "name")
    )
    form = PupilMoveForm(request.POST or None, classes=targets)
    if request.method == "POST":
        # A class id from outside the school and year is not a choice: 404.
        target_id = request.POST.get("lop", "")
        if target_id.isdigit() and not targets.filter(pk=int(target_id)).exists():
            raise Http404
        if form.is_valid():
            target = form.cleaned_data["lop"]
            try:
                membership.pupil_move(
                    actor=request.user,
                    pupil=pupil,
                    from_class=school_class,
                    to_class=target,
                )
            except LmsError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    _("%(name)s moved to class %(class)s.")
                    % {"name": pupil.name, "class": target.name},
                )
            return redirect("lms:class_detail", class_id=school_class.pk)
    return render(
        request,
        "lms/roster/pupil_move.html",
        {"school_class": school_class, "pupil": pupil, "form": form},
    )


@login_required
def pupil_leave(request, class_id: int, pupil_id: int):
    """Record that a pupil left the school, after a confirmation."""
    school_class, pupil = _school_class_and_pupil(request, class_id, pupil_id)
    if request.method == "POST":
        try:
            membership.pupil_leave(
                actor=request.user, pupil=pupil, school_class=school_class
            )
        except LmsError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(name)s left class %(class)s. Their account and results are kept.")
                % {"name": pupil.name, "class": school_class.name},
            )
        return redirect("lms:class_detail", class_id=school_class.pk)
    return render(
        request,
        "lms/roster/pupil_leave.html",
        {"school_class": school_class, "pupil": pupil},
    )


# --- Roster import --------------------------------------------------------------------


def _pending_roster(request, school_class: SchoolClass) -> ParsedRoster | None:
    pending = request.session.get(ROSTER_SESSION_KEY)
    if not pending or pending.get("class_id") != school_class.pk:
        return None
    return ParsedRoster.from_data(pending["parsed"])


@login_required
def roster_upload(request, class_id: int):
    """Take a class list file, read it, and show the preview."""
    school_class = _managed_class(request, class_id)
    if request.method == "POST":
        form = RosterUploadForm(request.POST, request.FILES)
    else:
        form = RosterUploadForm()
    if form.is_bound and form.is_valid():
        try:
            parsed = roster_parse(file=form.cleaned_data["file"])
        except LmsError as error:
            form.add_error("file", str(error))
        else:
            request.session[ROSTER_SESSION_KEY] = {
                "class_id": school_class.pk,
                "parsed": parsed.to_data(),
            }
            return redirect("lms:roster_preview", class_id=school_class.pk)
    return render(
        request,
        "lms/roster/upload.html",
        {"school_class": school_class, "form": form},
    )


def _render_preview(request, plan: RosterPlan):
    return render(
        request,
        "lms/roster/preview.html",
        {
            "school_class": plan.school_class,
            "plan": plan,
            "parsed": plan.parsed,
            "form": RosterConfirmForm(initial={"fingerprint": plan.fingerprint}),
            **_consent_context(plan.school_class),
        },
    )


@login_required
@require_GET
def roster_preview_page(request, class_id: int):
    """Show what the import would do, line by line; nothing is written yet."""
    school_class = _managed_class(request, class_id)
    parsed = _pending_roster(request, school_class)
    if parsed is None:
        return redirect("lms:roster_upload", class_id=school_class.pk)
    return _render_preview(
        request, roster_preview(school_class=school_class, parsed=parsed)
    )


@login_required
@require_POST
def roster_confirm(request, class_id: int):
    """Create the previewed pupils, then offer their login cards."""
    school_class = _managed_class(request, class_id)
    parsed = _pending_roster(request, school_class)
    if parsed is None:
        messages.info(request, _("This list was imported already, or it expired."))
        return redirect("lms:class_detail", class_id=school_class.pk)
    plan = roster_preview(school_class=school_class, parsed=parsed)
    form = RosterConfirmForm(request.POST)
    if not form.is_valid() or form.cleaned_data["fingerprint"] != plan.fingerprint:
        messages.warning(
            request,
            _("The class changed since you looked at the list. Check it again."),
        )
        return redirect("lms:roster_preview", class_id=school_class.pk)
    try:
        result = roster_apply(school_class=school_class, plan=plan, actor=request.user)
    except LmsError as error:
        messages.error(request, str(error))
        return redirect("lms:roster_preview", class_id=school_class.pk)
    del request.session[ROSTER_SESSION_KEY]
    if not result.created:
        messages.info(request, _("Everyone on the list was in the class already."))
        return redirect("lms:class_detail", class_id=school_class.pk)
    batch_id = _keep_cards(
        request, school_class, list(result.created), unchanged=result.unchanged
    )
    return redirect("lms:new_login_cards", class_id=school_class.pk, batch=batch_id)


# --- Login cards ----------------------------------------------------------------------


@login_required
@require_GET
def new_login_cards(request, class_id: int, batch: str):
    """Show who was just given an account, with the one download of their cards."""
    school_class = _managed_class(request, class_id)
    card_batch = _card_batch(request, school_class, batch)
    response = render(
        request,
        "lms/roster/new_cards.html",
        {
            "school_class": school_class,
            "batch_id": batch,
            "batch": card_batch,
            "reprint_form": PupilSelectionForm(
                initial={"pupil": [p["id"] for p in card_batch["pupils"]]},
                pupil_ids=[p["id"] for p in card_batch["pupils"]],
            )
            if card_batch
            else None,
            **_consent_context(school_class),
        },
    )
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def new_login_cards_download(request, class_id: int, batch: str):
    """Return the login-card PDF of a batch once; its secrets leave the session."""
    school_class = _managed_class(request, class_id)
    card_batch = _card_batch(request, school_class, batch)
    if card_batch is None or not card_batch["secrets"]:
        messages.warning(
            request,
            _("These login cards were downloaded already, or the time ran out."),
        )
        return redirect("lms:new_login_cards", class_id=school_class.pk, batch=batch)
    credentials = [PupilCredentials.from_dict(c) for c in card_batch["secrets"]]
    batches = _card_batches(request)
    batches[batch]["secrets"] = []
    request.session[CARDS_SESSION_KEY] = batches
    return _pdf_response(
        login_cards_pdf(school_class=school_class, credentials=credentials),
        school_class,
    )


@login_required
def class_login_cards(request, class_id: int):
    """Print new login cards (all pupils, or the chosen ones), after a warning.

    New cards mean new passwords: this is the only way to see a password again.
    """
    school_class = _managed_class(request, class_id)
    enrolments = _class_enrolments(request, school_class)
    class_pupil_ids = [e.pupil_id for e in enrolments]
    data = request.POST if request.method == "POST" else request.GET
    form = PupilSelectionForm(data, pupil_ids=class_pupil_ids)
    chosen = form.cleaned_data["pupil"] if form.is_valid() else []
    if request.method == "POST" and form.is_valid():
        try:
            credentials = pupil_accounts.class_login_cards_reissue(
                school_class=school_class,
                actor=request.user,
                pupil_ids=chosen or None,
            )
        except LmsError as error:
            messages.error(request, str(error))
            return redirect("lms:class_detail", class_id=school_class.pk)
        if not credentials:
            messages.info(request, _("This class has no pupils yet."))
            return redirect("lms:class_detail", class_id=school_class.pk)
        return _pdf_response(
            login_cards_pdf(school_class=school_class, credentials=credentials),
            school_class,
        )
    chosen_enrolments = [e for e in enrolments if not chosen or e.pupil_id in chosen]
    return render(
        request,
        "lms/roster/class_cards.html",
        {
            "school_class": school_class,
            "pupils": [e.pupil for e in chosen_enrolments],
            "chosen_enrolments": chosen_enrolments,
            "chosen": chosen,
            "form": PupilSelectionForm(
                initial={"pupil": chosen}, pupil_ids=class_pupil_ids
            ),
        },
    )


# --- Password reset -------------------------------------------------------------------


@login_required
def pupil_password_reset(request, class_id: int, pupil_id: int):
    """Give one pupil a new password and card, after a confirmation; show it once."""
    school_class = _managed_class(request, class_id)
    pupil = get_object_or_404(
        selectors.pupils_visible_to(request.user).filter(
            enrolments__school_class=school_class, enrolments__left_on__isnull=True
        ),
        pk=pupil_id,
    )
    context = {"school_class": school_class, "pupil": pupil}
    if request.method != "POST":
        return render(request, "lms/roster/reset_confirm.html", context)
    try:
        credentials = pupil_accounts.pupil_password_reset(
            pupil=pupil, school_class=school_class, actor=request.user
        )
    except LmsError as error:
        messages.error(request, str(error))
        return redirect("lms:class_detail", class_id=school_class.pk)
    context["credentials"] = credentials
    context["batch_id"] = _keep_cards(request, school_class, [credentials])
    response = render(request, "lms/roster/reset_done.html", context)
    add_never_cache_headers(response)
    return response
