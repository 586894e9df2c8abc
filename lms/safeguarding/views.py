"""Pages of the help flow: thin; scoping in help_selectors, writes in help_services.

Pupils: ask (one calm page, hotline 111 at the top), a confirmation that puts
111 first for serious categories, and "my requests". Anyone not signed in as a
pupil gets the public help page (111 and how to report in apps), no form.
Handlers (counsellors, school administrators, the commune child-protection
officer for what reached the commune): a queue and a request page. Officers:
anonymous measures per school. Province officers: the deadlines.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from common.errors import DomainError, not_found_as_404
from lms.models import (
    AdministrativeUnit,
    HelpDeadlines,
    HelpStatus,
    Referral,
    ReportingPeriod,
    Role,
)
from lms.people.selectors import period_current, user_has_role
from lms.safeguarding import selectors as help_selectors
from lms.safeguarding import services as help_services
from lms.safeguarding.forms import (
    HelpActionForm,
    HelpDeadlinesForm,
    HelpRequestForm,
    HelpStatusForm,
)

# What a child reads about their request: warm words, not workflow terms.
PUPIL_STATUS_WORDS = {
    HelpStatus.NEW: gettext_lazy("Your message has been sent"),
    HelpStatus.ACKNOWLEDGED: gettext_lazy("A teacher has received your message"),
    HelpStatus.IN_PROGRESS: gettext_lazy("A teacher is helping you"),
    HelpStatus.CLOSED: gettext_lazy("Done"),
}


def _status_words(status: str) -> str:
    return str(PUPIL_STATUS_WORDS[status])


def help_start(request):
    """The "I need help" button: the ask form for pupils, the public page otherwise."""
    if not user_has_role(request.user, Role.PUPIL):
        return render(request, "lms/help.html")
    form = HelpRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            help_request = help_services.help_request_create(
                pupil=request.user, **form.cleaned_data
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("lms:help_sent", request_id=help_request.pk)
    return render(request, "lms/help/ask.html", {"form": form})


@login_required
def help_sent(request, request_id: int):
    """Thank the child; for serious categories, hotline 111 comes first."""
    help_request = get_object_or_404(
        help_selectors.help_requests_of_pupil(pupil=request.user), pk=request_id
    )
    return render(request, "lms/help/sent.html", {"help_request": help_request})


@login_required
def help_mine(request):
    """The pupil's own requests, with their status in a child's words."""
    if not user_has_role(request.user, Role.PUPIL):
        raise Http404
    requests = [
        (item, _status_words(item.status))
        for item in help_selectors.help_requests_of_pupil(pupil=request.user)[:50]
    ]
    return render(request, "lms/help/mine.html", {"requests": requests})


@login_required
def help_queue(request):
    """The handler's queue; overdue requests are escalated on the way in."""
    if not request.user.has_perm("lms.handle_help_requests"):
        raise Http404
    now = timezone.now()
    help_services.help_requests_escalate(now=now)
    status = request.GET.get("status", "")
    if status not in HelpStatus.values:
        status = ""
    queue = list(help_selectors.help_queue(user=request.user, status=status)[:200])
    for item in queue:
        item.waiting = (
            item.time_to_acknowledge if item.acknowledged_at else now - item.created_at
        )
    return render(
        request,
        "lms/help/queue.html",
        {
            "queue": queue,
            "status": status,
            "statuses": HelpStatus.choices,
            "now": now,
            "commune_officer": user_has_role(request.user, Role.COMMUNE_PROTECTION),
        },
    )


@login_required
@not_found_as_404
def help_request_detail(request, request_id: int):
    """One request: the child's words, what was done, and the next steps."""
    help_request = help_services.help_request_open(
        user=request.user, request_id=request_id
    )
    at_school = help_selectors.help_request_handled_at_school(
        request.user, help_request
    )
    words_visible = help_selectors.help_request_words_visible(
        request.user, help_request
    )
    return render(
        request,
        "lms/help/detail.html",
        {
            "help_request": help_request,
            "at_school": at_school,
            "words_visible": words_visible,
            "enrolment": help_selectors.pupil_current_enrolment(help_request.pupil),
            "communes": help_selectors.help_referral_communes(help_request),
            "referral_commune": Referral.COMMUNE,
            "now": timezone.now(),
            "actions": help_request.actions.select_related("author"),
            "action_form": HelpActionForm(),
            "status_form": HelpStatusForm(
                initial={"status": help_request.status, "outcome": help_request.outcome}
            ),
        },
    )


def _unit_from(value: str) -> AdministrativeUnit | None:
    """The commune chosen for a referral; the service refuses any but the school's."""
    if not value.isdigit():
        return None
    unit = AdministrativeUnit.objects.filter(pk=int(value)).first()
    if unit is None:
        return AdministrativeUnit(pk=int(value))  # refused by the service
    return unit


def _handled_or_404(request, request_id: int):
    help_request = (
        help_selectors.help_requests_handled_by(request.user)
        .filter(pk=request_id)
        .first()
    )
    if help_request is None:
        raise Http404
    return help_request


@login_required
@require_POST
def help_request_change(request, request_id: int):
    """Acknowledge, record an action or change the status, then return to the page."""
    help_request = _handled_or_404(request, request_id)
    operation = request.POST.get("operation")
    try:
        if operation == "acknowledge":
            help_services.help_request_acknowledge(
                user=request.user, help_request=help_request
            )
            messages.success(request, _("The pupil now sees that you got it."))
        elif operation == "action":
            form = HelpActionForm(request.POST)
            if form.is_valid():
                help_services.help_request_record_action(
                    user=request.user,
                    help_request=help_request,
                    unit=_unit_from(request.POST.get("unit", "")),
                    **form.cleaned_data,
                )
                messages.success(request, _("Saved."))
            else:
                messages.error(request, _("Check what you entered."))
        elif operation == "status":
            form = HelpStatusForm(request.POST)
            if form.is_valid():
                help_services.help_request_set_status(
                    user=request.user, help_request=help_request, **form.cleaned_data
                )
                messages.success(request, _("Saved."))
            else:
                messages.error(request, _("Check what you entered."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("lms:help_request", request_id=help_request.pk)


def _chosen(queryset, value: str):
    if value.isdigit():
        return queryset.filter(pk=int(value)).first()
    return None


@login_required
def help_counts(request):
    """Officers: what each school under a unit did with the requests of a period.

    The commune's child-protection officer: the same measures of the requests
    that reached their commune (referred, escalated, from the community).
    Counts and times only, never a child's name or words.
    """
    officer = user_has_role(
        request.user, Role.UNIT_OFFICER, Role.PROVINCE_OFFICER, Role.PLATFORM_ADMIN
    )
    protection = not officer and user_has_role(request.user, Role.COMMUNE_PROTECTION)
    if not (officer or protection):
        raise Http404
    periods = ReportingPeriod.objects.select_related("school_year").order_by(
        "-starts_on"
    )
    period = _chosen(periods, request.GET.get("period", "")) or period_current()
    if protection:
        units = help_selectors.help_measures_communes_of(request.user)
        measure = help_selectors.help_measures_of_commune
    else:
        units = help_selectors.help_measures_units_visible_to(request.user)
        measure = help_selectors.help_measures_of_unit
    units = units.order_by("path")
    if request.GET.get("unit"):
        unit = _chosen(units, request.GET["unit"])
        if unit is None:
            raise Http404
    else:
        unit = units.first()
    rows, total = [], None
    if period and unit:
        rows, total = measure(
            user=request.user, unit=unit, period=period, now=timezone.now()
        )
    return render(
        request,
        "lms/help/counts.html",
        {
            "periods": periods,
            "period": period,
            "units": units[:500],
            "unit": unit,
            "rows": rows,
            "total": total,
            "commune_view": protection,
        },
    )


@login_required
def help_deadlines(request):
    """Province officers: how long schools have to acknowledge a request."""
    provinces = help_selectors.help_deadlines_units_managed_by(request.user).order_by(
        "name"
    )
    if not provinces.exists():
        raise Http404
    if request.method == "POST":
        province = _chosen(provinces, request.POST.get("unit", ""))
        if province is None:
            raise Http404
    else:
        province = _chosen(provinces, request.GET.get("unit", "")) or provinces.first()
    stored = HelpDeadlines.objects.filter(unit=province).first()
    form = HelpDeadlinesForm(
        request.POST or None, instance=stored or HelpDeadlines(unit=province)
    )
    if request.method == "POST" and form.is_valid():
        try:
            help_services.help_deadlines_set(
                user=request.user, unit=province, **form.cleaned_data
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("Saved. The new deadlines apply to requests from now on.")
            )
            return redirect(f"{request.path}?unit={province.pk}")
    return render(
        request,
        "lms/help/deadlines.html",
        {"provinces": provinces, "province": province, "form": form, "stored": stored},
    )
