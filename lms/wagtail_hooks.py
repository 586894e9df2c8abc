"""The school layer in the Wagtail admin: the organisation screens (units, schools,
school years, reporting periods, classes, staff), scoped by role in
``lms.people.admin_views``, and the bulk onboarding imports
(``lms.people.onboarding_hooks``)."""

from wagtail import hooks

from lms.people import onboarding_hooks  # noqa: F401
from lms.people.admin_views import OrganisationViewSetGroup


@hooks.register("register_admin_viewset")
def register_organisation_admin():
    return OrganisationViewSetGroup()
