"""The school layer in the Wagtail admin: the organisation screens (units, schools,
school years, reporting periods, classes, staff), scoped by role in
``lms.people.admin.views`` and ``lms.people.admin.staff``, and the bulk
onboarding imports (``lms.people.onboarding.wagtail_hooks``)."""

from wagtail import hooks

from lms.people.admin.views import OrganisationViewSetGroup
from lms.people.onboarding import wagtail_hooks  # noqa: F401


@hooks.register("register_admin_viewset")
def register_organisation_admin():
    return OrganisationViewSetGroup()
