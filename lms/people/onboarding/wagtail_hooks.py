"""Wagtail admin hooks of bulk onboarding: its pages and its menu item.

Imported by ``lms/wagtail_hooks.py`` (Wagtail discovers only that module name).
Wagtail wraps the pages in its admin-access check; the pages check the import
permissions themselves (``plans.import_kinds_for``).
"""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from lms.people.onboarding import views
from lms.people.onboarding.plans import import_kinds_for


@hooks.register("register_admin_urls")
def onboarding_urls():
    return [
        path("nhap-du-lieu/", views.index, name="lms_onboarding_index"),
        path("nhap-du-lieu/xem-truoc/", views.preview, name="lms_onboarding_preview"),
        path(
            "nhap-du-lieu/mat-khau/<str:batch>/",
            views.passwords,
            name="lms_onboarding_passwords",
        ),
        path(
            "nhap-du-lieu/mat-khau/<str:batch>/<str:place>/",
            views.password_sheet,
            name="lms_onboarding_password_sheet",
        ),
    ]


class OnboardingMenuItem(MenuItem):
    def is_shown(self, request):
        return bool(import_kinds_for(request.user))


@hooks.register("register_admin_menu_item")
def onboarding_menu_item():
    return OnboardingMenuItem(
        _("Import organisation data"),
        reverse("lms_onboarding_index"),
        icon_name="group",
        order=650,
    )
