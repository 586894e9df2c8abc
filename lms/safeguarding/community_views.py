"""The public "report a concern" page: anyone, no account, for the commune's officer.

Hotline 111 and the emergency numbers come first: a report here is read in
working hours, a child in danger needs a call now. The page answers the same
thanks whatever is written (it looks nothing up, so it cannot reveal whether a
named child exists), and to a robot that filled the hidden field too, whose
report is not kept. Reports per address are limited (``COMMUNITY_REPORTS_PER_ADDRESS``
within ``COMMUNITY_REPORTS_WINDOW_SECONDS``, counted in the cache, like the
sign-in throttle counted per address by django-axes).

Until commune child-protection officers are in the system, a community report
reaches nobody but platform administrators (``community_reports``).
"""

from http import HTTPStatus

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from common.errors import DomainError
from lms.models import HelpRequest, HelpSource, Role
from lms.people.audit import audit_record
from lms.people.selectors import user_has_role
from lms.safeguarding import services as help_services
from lms.safeguarding.forms import CommunityReportForm

EMERGENCY_NUMBERS = ("113", "115")


def _address_key(request) -> str:
    return f"community-report:{get_client_ip_address(request) or 'unknown'}"


def _over_limit(request) -> bool:
    """Count one report from this address; say whether it is over the limit."""
    key = _address_key(request)
    window = settings.COMMUNITY_REPORTS_WINDOW_SECONDS
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count > settings.COMMUNITY_REPORTS_PER_ADDRESS


@never_cache
def community_report(request):
    """Report a concern about a child: commune, what happened, the words."""
    communes = list(help_services.communes_for_reports().select_related())
    form = CommunityReportForm(request.POST or None, communes=communes)
    context = {"form": form, "emergency": EMERGENCY_NUMBERS}
    if request.method == "POST":
        if _over_limit(request):
            return render(
                request,
                "lms/parents/community_paused.html",
                context,
                status=HTTPStatus.TOO_MANY_REQUESTS,
            )
        if form.is_valid():
            data = form.cleaned_data
            if not data["website"]:
                try:
                    help_services.help_request_report_community(
                        commune_id=data["commune"],
                        category=data["category"],
                        message=data["message"],
                    )
                except DomainError as error:
                    form.add_error(None, error.message)
                    return render(request, "lms/parents/community.html", context)
            return render(request, "lms/parents/community_sent.html", context)
    return render(request, "lms/parents/community.html", context)


def community_reports(request):
    """The community reports no officer receives yet: platform administrators only."""
    if not user_has_role(request.user, Role.PLATFORM_ADMIN):
        raise Http404
    reports = (
        HelpRequest.objects.filter(source=HelpSource.COMMUNITY)
        .select_related("commune")
        .order_by("-created_at")[:200]
    )
    audit_record(
        actor=request.user,
        action="help_request.community_list",
        target=request.user,
    )
    return render(request, "lms/parents/community_list.html", {"reports": reports})
