"""Who may see a help request: the narrowest scoping rule of the platform.

A request is seen by
- the pupil who sent it (its status, never the adults' notes);
- the counsellors of the pupil's school;
- the school administrators of that school, when the school has no counsellor or
  when nobody acknowledged the request in time (it is then *escalated*).

Nobody else: not the pupil's teachers, not other schools, not officers (who get
anonymous counts per school from ``help_request_counts``), not platform
administrators (the Django admin does not list help requests). A request
outside this scope does not exist for the user: the pages answer 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from lms.models import (
    HelpRequest,
    HelpSource,
    HelpStatus,
    ReportingPeriod,
    Role,
    RoleAssignment,
    School,
    User,
)
from lms.models.help import SERIOUS_CATEGORIES
from lms.people.selectors import (
    NOTHING,
    pupil_current_enrolment,
    user_anchors,
    user_has_role,
    user_school_ids,
)

OPEN_STATUSES = (HelpStatus.NEW, HelpStatus.ACKNOWLEDGED, HelpStatus.IN_PROGRESS)


def pupil_help_school(pupil: User) -> School | None:
    """Return the school a pupil's request goes to: their current class's school."""
    enrolment = pupil_current_enrolment(pupil)
    if enrolment is not None:
        return enrolment.school_class.school
    assignment = (
        RoleAssignment.objects.filter(user=pupil, role=Role.PUPIL)
        .select_related("school")
        .first()
    )
    return assignment.school if assignment else None


def schools_with_counsellor(school_ids) -> set[int]:
    return set(
        RoleAssignment.objects.filter(
            role=Role.COUNSELLOR, school_id__in=school_ids
        ).values_list("school_id", flat=True)
    )


def help_request_recipients(*, school: School) -> QuerySet[User]:
    """Return who receives a new request of ``school``: counsellors, else admins."""
    counsellors = User.objects.filter(
        role_assignments__role=Role.COUNSELLOR, role_assignments__school=school
    )
    if counsellors.exists():
        return counsellors.distinct()
    return User.objects.filter(
        role_assignments__role=Role.SCHOOL_ADMIN, role_assignments__school=school
    ).distinct()


def _requests_reached_by_counsellor(user: User) -> Q:
    ids = user_school_ids(user, Role.COUNSELLOR)
    return Q(school_id__in=ids) if ids else NOTHING


def _requests_reached_by_school_admin(user: User) -> Q:
    ids = user_school_ids(user, Role.SCHOOL_ADMIN)
    if not ids:
        return NOTHING
    without_counsellor = ids - schools_with_counsellor(ids)
    condition = Q(school_id__in=ids, escalated_at__isnull=False)
    if without_counsellor:
        condition |= Q(school_id__in=without_counsellor)
    return condition


def help_requests_handled_by(user: User) -> QuerySet[HelpRequest]:
    """Return the requests ``user`` handles (counsellor or school administrator)."""
    if not user.is_authenticated or not user.has_perm("lms.handle_help_requests"):
        return HelpRequest.objects.none()
    condition = _requests_reached_by_counsellor(
        user
    ) | _requests_reached_by_school_admin(user)
    return HelpRequest.objects.filter(condition)


def help_requests_of_pupil(*, pupil: User) -> QuerySet[HelpRequest]:
    """Return the requests a pupil sent, newest first."""
    if not pupil.is_authenticated:
        return HelpRequest.objects.none()
    # A concern a parent raised about the child is the adults', not the child's.
    return HelpRequest.objects.filter(pupil=pupil, source=HelpSource.PUPIL).order_by(
        "-created_at"
    )


def help_queue(*, user: User, status: str | None = None) -> QuerySet[HelpRequest]:
    """Return a handler's queue: open requests first, escalated and serious on top."""
    queryset = help_requests_handled_by(user).select_related("school")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("closed_at", "-escalated_at", "-created_at")


@dataclass(frozen=True)
class HelpQueueSummary:
    unacknowledged: int
    escalated: int
    open: int


def help_queue_summary(*, user: User) -> HelpQueueSummary:
    """Return the counts for the staff home page badge, in one query."""
    counts = help_requests_handled_by(user).aggregate(
        unacknowledged=Count("pk", filter=Q(status=HelpStatus.NEW)),
        escalated=Count(
            "pk", filter=Q(status=HelpStatus.NEW, escalated_at__isnull=False)
        ),
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
    )
    return HelpQueueSummary(**counts)


@dataclass(frozen=True)
class SchoolHelpCount:
    school_id: int
    school_name: str
    total: int
    serious: int
    closed: int


def help_request_counts(
    *, user: User, period: ReportingPeriod
) -> list[SchoolHelpCount]:
    """Return, per school under the officer's units, how many requests came in.

    Counts only: no texts, no categories beyond "serious", no pupils. A school
    with no request appears with zeros, so a silent school is visible too.
    """
    if not (
        user_has_role(
            user, Role.UNIT_OFFICER, Role.PROVINCE_OFFICER, Role.PLATFORM_ADMIN
        )
    ):
        return []
    if user_has_role(user, Role.PLATFORM_ADMIN):
        condition = Q()
    else:
        condition = NOTHING
        for anchor in user_anchors(user):
            if anchor.role in (Role.UNIT_OFFICER, Role.PROVINCE_OFFICER):
                condition |= Q(unit__path__startswith=anchor.unit_path)
    in_period = Q(
        help_requests__created_at__date__gte=period.starts_on,
        help_requests__created_at__date__lte=period.ends_on,
    )
    schools = (
        School.objects.filter(condition)
        .annotate(
            total=Count("help_requests", filter=in_period),
            serious=Count(
                "help_requests",
                filter=in_period
                & Q(help_requests__category__in=list(SERIOUS_CATEGORIES)),
            ),
            closed=Count(
                "help_requests",
                filter=in_period & Q(help_requests__status=HelpStatus.CLOSED),
            ),
        )
        .order_by("name")
    )
    return [
        SchoolHelpCount(
            school_id=school.pk,
            school_name=school.name,
            total=school.total,
            serious=school.serious,
            closed=school.closed,
        )
        for school in schools
    ]
