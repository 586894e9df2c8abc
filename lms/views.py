"""Server-rendered pages of the school layer: thin, scoped by lms.people.selectors.

The sign-in pages (password and login card) are in ``lms/accounts/views.py``.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import redirect, render

from lms.learning import selectors as learning_selectors
from lms.models import Role
from lms.people import consent, selectors
from lms.safeguarding import selectors as help_selectors
from quizzes.live.selectors import may_host_live


@login_required
def home(request):
    """Show each person what their roles let them do, their own things first."""
    user = request.user
    roles = selectors.user_roles(user)
    if roles == {Role.PARENT}:
        return redirect("lms:parent_home")  # a parent's own page
    context = {"roles": roles}
    if Role.PUPIL in roles:
        # Assigned modules, where to continue, suggestions (lms/learning/selectors.py).
        context["pupil_home"] = learning_selectors.pupil_home(pupil=user)
        context["enrolment"] = context["pupil_home"].enrolment
        # What the apps above lms add (the certificates), as templates to include.
        context["pupil_home_sections"] = settings.LMS_PUPIL_HOME_SECTIONS
    if roles & {Role.TEACHER, Role.SCHOOL_ADMIN, Role.PLATFORM_ADMIN}:
        context["classes"] = (
            selectors.classes_managed_by(user)
            .select_related("school", "school_year")
            .annotate(
                pupil_count=Count(
                    "enrolments", filter=Q(enrolments__left_on__isnull=True)
                )
            )
            .order_by("school__name", "grade", "name")[:100]
        )
    if roles & {Role.SCHOOL_ADMIN, Role.UNIT_OFFICER, Role.PROVINCE_OFFICER}:
        context["schools"] = (
            selectors.schools_visible_to(user).select_related("unit").order_by("name")
        )[:100]
    # The new school year, for those who run a school (lms/rosters/rollover_views.py).
    if Role.SCHOOL_ADMIN in roles:
        context["rollover_schools"] = selectors.schools_administered_by(user).order_by(
            "name"
        )[:20]
    # Help requests, consent and sign-in security (lms/safeguarding/, lms/accounts/).
    # A pupil's role grants none of these (lms/people/roles.py): their home asks
    # the permissions only of people holding another role.
    staff_perms = bool(roles - {Role.PUPIL}) or user.is_superuser
    if staff_perms and user.has_perm("lms.handle_help_requests"):
        context["help_queue"] = help_selectors.help_queue_summary(user=user)
    if staff_perms and user.has_perm("lms.manage_consent"):
        context["consent_schools"] = consent.consent_schools_for(user)[:20]
    context["sees_help_counts"] = bool(
        roles
        & {
            Role.UNIT_OFFICER,
            Role.PROVINCE_OFFICER,
            Role.PLATFORM_ADMIN,
            Role.COMMUNE_PROTECTION,
        }
    )
    context["sets_help_deadlines"] = staff_perms and user.has_perm(
        "lms.edit_help_deadlines"
    )
    # Live classroom games: the quiz list to host from (quizzes:live_quiz_list).
    context["may_host_live"] = staff_perms and may_host_live(user)
    context["is_staff_member"] = bool(roles - {Role.PUPIL})
    context["can_edit_content"] = bool(
        roles & {Role.CONTENT_EDITOR, Role.CONTENT_REVIEWER, Role.PLATFORM_ADMIN}
    )
    return render(request, "lms/home.html", context)
