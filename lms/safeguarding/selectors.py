"""Who may see a help request: the narrowest scoping rule of the platform.

A request is seen by
- the pupil who sent it (its status, never the adults' notes);
- the counsellors of the pupil's school;
- the school administrators of that school, when the school has no counsellor or
  when nobody acknowledged the request in time (it is then *escalated*);
- the commune child-protection officer of the school's commune, only for the
  requests the school referred to them, or that nobody at the school acknowledged
  one more deadline later (need to know). They see the child's name and class
  (to reach the child) and the adults' record, never the child's own words.

Nobody else: not the pupil's teachers, not other schools, not officers (who get
anonymous counts per school from ``help_request_counts`` and ``help_measures``),
not platform administrators (the Django admin does not list help requests). A
request outside this scope does not exist for the user: the pages answer 404.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from lms.models import (
    AdministrativeUnit,
    HelpDeadlines,
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
from lms.people.help_measures import (
    HelpMeasures,
    help_measures_grouped,
    help_measures_of_schools,
    help_measures_total,
)
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


def _protection_unit_paths(user: User) -> list[str]:
    return [
        anchor.unit_path
        for anchor in user_anchors(user)
        if anchor.role == Role.COMMUNE_PROTECTION and anchor.unit_path
    ]


def _requests_reached_commune(path: str) -> Q:
    """Requests that reached the commune at ``path``: referred or escalated to
    it, or reported by someone of the community."""
    return (
        Q(referred_unit__path__startswith=path)
        | Q(
            escalated_to_commune_at__isnull=False,
            school__unit__path__startswith=path,
        )
        | Q(source=HelpSource.COMMUNITY, commune__path__startswith=path)
    )


def _requests_reached_by_commune_officer(user: User) -> Q:
    condition = NOTHING
    for path in _protection_unit_paths(user):
        condition |= _requests_reached_commune(path)
    return condition


def help_requests_handled_by(user: User) -> QuerySet[HelpRequest]:
    """Return the requests ``user`` handles (counsellor, school administrator, or
    the commune child-protection officer for what reached the commune)."""
    if not user.is_authenticated or not user.has_perm("lms.handle_help_requests"):
        return HelpRequest.objects.none()
    condition = (
        _requests_reached_by_counsellor(user)
        | _requests_reached_by_school_admin(user)
        | _requests_reached_by_commune_officer(user)
    )
    return HelpRequest.objects.filter(condition)


def help_request_handled_at_school(user: User, help_request: HelpRequest) -> bool:
    """Whether ``user`` handles the request as an adult of the child's school.

    Only they read the child's own words; the commune officer does not.
    """
    return help_request.school_id in user_school_ids(
        user, Role.COUNSELLOR, Role.SCHOOL_ADMIN
    )


def help_request_words_visible(user: User, help_request: HelpRequest) -> bool:
    """Whether ``user`` reads the request's own words: the adults of the child's
    school, and for a report from the community (an adult's words about a child
    of the commune) the commune's child-protection officer who handles it."""
    if help_request_handled_at_school(user, help_request):
        return True
    return (
        help_request.source == HelpSource.COMMUNITY
        and help_requests_handled_by(user).filter(pk=help_request.pk).exists()
    )


def help_referral_communes(help_request: HelpRequest) -> QuerySet[AdministrativeUnit]:
    """Return the communes a request may be referred to: the school's own."""
    return AdministrativeUnit.objects.filter(schools__pk=help_request.school_id)


# --- Deadlines ----------


def province_of_unit_path(path: str) -> str:
    return path[: AdministrativeUnit.steplen]


def help_deadlines_of_school(school: School) -> HelpDeadlines:
    """Return the deadlines of the school's province (the defaults when unset)."""
    return help_deadlines_of_unit(school.unit)


def help_deadlines_of_unit(unit: AdministrativeUnit) -> HelpDeadlines:
    """Return the deadlines of the unit's province (the defaults when unset)."""
    root = province_of_unit_path(unit.path)
    deadlines = HelpDeadlines.objects.filter(unit__path=root).first()
    if deadlines is None:
        deadlines = HelpDeadlines(
            unit=AdministrativeUnit.objects.filter(path=root).first()
        )
    return deadlines


def help_deadlines_units_managed_by(user: User) -> QuerySet[AdministrativeUnit]:
    """Return the provinces whose deadlines ``user`` may set (province officers
    with ``lms.edit_help_deadlines`` for their province; platform administrators
    for every province)."""
    if not user.is_authenticated or not user.has_perm("lms.edit_help_deadlines"):
        return AdministrativeUnit.objects.none()
    provinces = AdministrativeUnit.objects.filter(depth=1)
    if user_has_role(user, Role.PLATFORM_ADMIN):
        return provinces
    roots = {
        province_of_unit_path(anchor.unit_path)
        for anchor in user_anchors(user)
        if anchor.role == Role.PROVINCE_OFFICER and anchor.unit_path
    }
    return provinces.filter(path__in=sorted(roots))


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


# --- Measures: is every child who asks supported? ----------
# The counting itself is ``lms.people.help_measures`` (reports read it too).


def help_measures(
    *,
    schools: QuerySet[School],
    starts_on: datetime.date,
    ends_on: datetime.date,
    now: datetime.datetime,
) -> tuple[list[HelpMeasures], HelpMeasures]:
    """Return the measures of each school (zeros included) and of them all.

    Counts the requests received from ``starts_on`` to ``ends_on`` (local dates);
    deadlines are judged at ``now``. Three queries whatever the number of
    schools. Never a pupil, a category beyond "serious", or a word.
    """
    school_rows = list(schools.order_by("name").values_list("pk", "name"))
    found = help_measures_of_schools(
        school_ids=schools.values("pk"), starts_on=starts_on, ends_on=ends_on, as_of=now
    )
    rows = []
    for school_id, name in school_rows:
        row = found.get(school_id) or HelpMeasures(school_id=school_id)
        row.school_name = name
        rows.append(row)
    return rows, help_measures_total(rows)


def help_measures_units_visible_to(user: User) -> QuerySet[AdministrativeUnit]:
    """Return the units whose measures ``user`` may read (officers' subtrees)."""
    if user_has_role(user, Role.PLATFORM_ADMIN):
        return AdministrativeUnit.objects.all()
    condition = NOTHING
    for anchor in user_anchors(user):
        if anchor.role in (Role.UNIT_OFFICER, Role.PROVINCE_OFFICER):
            condition |= Q(path__startswith=anchor.unit_path)
    return AdministrativeUnit.objects.filter(condition)


def help_measures_of_unit(
    *,
    user: User,
    unit: AdministrativeUnit,
    period: ReportingPeriod,
    now: datetime.datetime,
) -> tuple[list[HelpMeasures], HelpMeasures] | None:
    """Return the measures of each school under ``unit`` for ``period``, and the
    unit's total; None when the unit is not one ``user`` reports on."""
    if not help_measures_units_visible_to(user).filter(pk=unit.pk).exists():
        return None
    return help_measures(
        schools=School.objects.filter(unit__path__startswith=unit.path),
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        now=now,
    )


def help_measures_communes_of(user: User) -> QuerySet[AdministrativeUnit]:
    """Return the communes whose measures a child-protection officer reads: theirs."""
    paths = _protection_unit_paths(user)
    if not paths:
        return AdministrativeUnit.objects.none()
    return AdministrativeUnit.objects.filter(path__in=paths)


def help_measures_of_commune(
    *,
    user: User,
    unit: AdministrativeUnit,
    period: ReportingPeriod,
    now: datetime.datetime,
) -> tuple[list[HelpMeasures], HelpMeasures] | None:
    """Return the measures of the requests that reached the commune's officer.

    Those referred or escalated to ``unit``, per school, and the reports from
    the community (a row without a school); None when ``unit`` is not one of
    ``user``'s communes. Counts only, like every measure: no child, no words.
    Three queries.
    """
    if not help_measures_communes_of(user).filter(pk=unit.pk).exists():
        return None
    found = help_measures_grouped(
        requests=HelpRequest.objects.filter(_requests_reached_commune(unit.path)),
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        as_of=now,
    )
    names = dict(
        School.objects.filter(pk__in=[key for key in found if key]).values_list(
            "pk", "name"
        )
    )
    rows = sorted(
        (row for key, row in found.items() if key is not None),
        key=lambda row: names.get(row.school_id, ""),
    )
    for row in rows:
        row.school_name = names.get(row.school_id, "")
    if None in found:
        community = found[None]
        community.school_name = str(_("Reports from the community"))
        rows.append(community)
    return rows, help_measures_total(rows)
