"""The staff screen of the organisation admin in Wagtail (/cms/).

One row per staff role held at a school; a school administrator adds staff with
a one-time password (shown once, kept nowhere), changes their role and name,
resets their password and closes or opens their account. It is a
``ScopedModelViewSet`` (``lms.people.admin.scoped``); writes go through the staff
services of ``lms.people.services``.
"""

from __future__ import annotations

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.widgets import ListingButton

from lms.errors import LmsError
from lms.models import RoleAssignment
from lms.people import forms, selectors, services
from lms.people.admin.scoped import (
    ScopedCreateView,
    ScopedEditView,
    ScopedIndexView,
    ScopedModelViewSet,
    scoped_choice_filter,
)

# --- Staff accounts ----------


class StaffFilterSet(WagtailFilterSet):
    role = django_filters.ChoiceFilter(
        label=gettext_lazy("role"),
        choices=[(role.value, role.label) for role in selectors.STAFF_ROLES],
    )
    school = scoped_choice_filter(gettext_lazy("school"), selectors.schools_staffed_by)
    user__is_active = django_filters.BooleanFilter(label=gettext_lazy("active"))

    class Meta:
        model = RoleAssignment
        fields = []


class StaffIndexView(ScopedIndexView):
    page_title = gettext_lazy("Staff")

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if not self.user_has_permission("change"):
            return buttons
        names = self.staff_url_names
        for label, name, icon in (
            (_("Reset password"), names["reset_password"], "key"),
            (
                _("Close account") if instance.user.is_active else _("Open account"),
                names["active"],
                "lock" if instance.user.is_active else "lock-open",
            ),
        ):
            buttons.append(
                ListingButton(
                    label, url=reverse(name, args=[instance.pk]), icon_name=icon
                )
            )
        return buttons

    staff_url_names: dict[str, str] = {}


class StaffCreateView(ScopedCreateView):
    def save_through_service(self, data):
        account, password = services.school_staff_create(
            actor=self.request.user,
            school=data["school"],
            role=data["role"],
            username=data["username"],
            display_name=data["display_name"],
            email=data["email"],
        )
        self.one_time_password = password
        return RoleAssignment.objects.get(user=account, school=data["school"])

    def save_action(self):
        # The password is shown here, once, and kept nowhere.
        return one_time_password_response(
            self.request, assignment=self.object, password=self.one_time_password
        )


class StaffEditView(ScopedEditView):
    def save_through_service(self, data):
        actor = self.request.user
        services.staff_update(
            actor=actor,
            account=self.object.user,
            display_name=data["display_name"],
            email=data["email"],
        )
        return services.staff_role_change(
            actor=actor, assignment=self.stored, role=data["role"]
        )

    def get_success_url(self):
        return reverse(self.index_url_name)


def one_time_password_response(request, *, assignment, password):
    return TemplateResponse(
        request,
        "lms/admin/one_time_password.html",
        {
            "account": assignment.user,
            "assignment": assignment,
            "password": password,
            "page_title": _("One-time password"),
            "header_icon": "key",
            "index_url": reverse("organisation_staff:index"),
        },
    )


class StaffActionView(View):
    """A confirmation page and its POST for one action on a staff account."""

    template_name = "lms/admin/staff_confirm.html"

    def dispatch(self, request, pk):
        if not request.user.has_perm("lms.change_roleassignment"):
            raise PermissionDenied
        self.assignment = get_object_or_404(
            selectors.staff_managed_by(request.user).select_related("user", "school"),
            pk=pk,
        )
        self.account = self.assignment.user
        return super().dispatch(request, pk)

    def get(self, request, pk):
        return TemplateResponse(
            request,
            self.template_name,
            {
                "account": self.account,
                "assignment": self.assignment,
                "page_title": self.title(),
                "question": self.question(),
                "confirm_label": self.title(),
                "header_icon": "user",
                "index_url": reverse("organisation_staff:index"),
            },
        )

    def post(self, request, pk):
        try:
            return self.act()
        except LmsError as error:
            messages.error(request, str(error.message))
            return HttpResponseRedirect(reverse("organisation_staff:index"))


class StaffPasswordResetView(StaffActionView):
    def title(self):
        return _("Reset password")

    def question(self):
        return _(
            "Give %(name)s a new one-time password? Their current password stops "
            "working, and they choose a new one when they first sign in."
        ) % {"name": self.account.name}

    def act(self):
        password = services.staff_password_reset(
            actor=self.request.user, account=self.account
        )
        return one_time_password_response(
            self.request, assignment=self.assignment, password=password
        )


class StaffActiveView(StaffActionView):
    def title(self):
        return _("Close account") if self.account.is_active else _("Open account")

    def question(self):
        if self.account.is_active:
            return _(
                "Close the account of %(name)s? They can no longer sign in; their "
                "classes and records stay."
            ) % {"name": self.account.name}
        return _("Open the account of %(name)s again?") % {"name": self.account.name}

    def act(self):
        if self.account.is_active:
            services.staff_deactivate(actor=self.request.user, account=self.account)
            messages.success(
                self.request,
                _("The account of %(name)s is closed.") % {"name": self.account.name},
            )
        else:
            services.staff_reactivate(actor=self.request.user, account=self.account)
            messages.success(
                self.request,
                _("The account of %(name)s is open again.")
                % {"name": self.account.name},
            )
        return HttpResponseRedirect(reverse("organisation_staff:index"))


class StaffViewSet(ScopedModelViewSet):
    """Staff of a school: one row per staff role held there."""

    model = RoleAssignment
    url_prefix = "organisation/staff"
    url_namespace = "organisation_staff"
    menu_name = "organisation-staff"
    icon = "user"
    menu_label = gettext_lazy("Staff")
    list_scope = staticmethod(selectors.staff_managed_by)
    change_scope = staticmethod(selectors.staff_managed_by)
    list_select_related = ("user", "school")
    form_class = forms.StaffCreateForm
    index_view_class = StaffIndexView
    add_view_class = StaffCreateView
    edit_view_class = StaffEditView
    inspect_view_enabled = False
    list_display = [
        "user__display_name",
        "user__username",
        "role",
        "school__name",
        "user__is_active",
    ]
    search_fields = ["user__display_name", "user__username", "user__email"]
    filterset_class = StaffFilterSet
    ordering = ["school__name", "user__display_name"]

    def get_form_class(self, for_update=False):
        return forms.StaffEditForm if for_update else forms.StaffCreateForm

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            staff_url_names={
                "reset_password": self.get_url_name("reset_password"),
                "active": self.get_url_name("active"),
            },
            **kwargs,
        )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(
                "reset-password/<int:pk>/",
                StaffPasswordResetView.as_view(),
                name="reset_password",
            ),
            path("active/<int:pk>/", StaffActiveView.as_view(), name="active"),
        ]
