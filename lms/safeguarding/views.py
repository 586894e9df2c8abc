"""Pages of the help flow: thin; scoping in help_selectors, writes in help_services.

Pupils: ask (one calm page, hotline 111 at the top), a confirmation that puts
111 first for serious categories, and "my requests". Anyone not signed in as a
pupil gets the public help page (111 and how to report in apps), no form.
Handlers: a queue and a request page. Officers: anonymous counts per school.
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
from lms.models import HelpStatus, ReportingPeriod, Role
from lms.people.selectors import user_has_role
from lms.safeguarding import selectors as help_selectors
from lms.safeguarding import services as help_services
from lms.safeguarding.forms import HelpActionForm, HelpRequestForm, HelpStatusForm

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
        {"queue": queue, "status": status, "statuses": HelpStatus.choices},
    )


@login_required
@not_found_as_404
def help_request_detail(request, request_id: int):
    """One request: the child's words, what was done, and the next steps."""
    help_request = help_services.help_request_open(
        user=request.user, request_id=request_id
    )
    return render(
        request,
        "lms/help/detail.html",
        {
            "help_request": help_request,
            "actions": help_request.actions.select_related("author"),
            "action_form": HelpActionForm(),
            "status_form": HelpStatusForm(initial={"status": help_request.status}),
        },
    )


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
                    user=request.user, help_request=help_request, **form.cleaned_data
                )
                messages.success(request, _("Saved."))
        elif operation == "status":
            form = HelpStatusForm(request.POST)
            if form.is_valid():
                help_services.help_request_set_status(
                    user=request.user,
                    help_request=help_request,
                    status=form.cleaned_data["status"],
                )
                messages.success(request, _("Saved."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("lms:help_request", request_id=help_request.pk)


@login_required
def help_counts(request):
    """Officers: how many requests each school received in a period, no more."""
    if not user_has_role(
        request.user, Role.UNIT_OFFICER, Role.PROVINCE_OFFICER, Role.PLATFORM_ADMIN
    ):
        raise Http404
    periods = ReportingPeriod.objects.select_related("school_year").order_by(
        "-starts_on"
    )
    period = None
    if request.GET.get("period", "").isdigit():
        period = periods.filter(pk=request.GET["period"]).first()
    period = period or periods.first()
    counts = (
        help_selectors.help_request_counts(user=request.user, period=period)
        if period
        else []
    )
    return render(
        request,
        "lms/help/counts.html",
        {"periods": periods, "period": period, "counts": counts},
    )
