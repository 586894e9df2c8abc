"""The organisation admin in Wagtail (/cms/): units, schools, calendar, classes, staff.

One admin for editors and officers. Each screen is a Wagtail ``ModelViewSet``
whose views read only through ``lms.people.selectors``: ``list_scope`` says which
objects a person may list and open, ``change_scope`` which they may edit. A
foreign object is not in the queryset, so it answers 404 in every view (edit,
history, usage, inspect), and Wagtail's model permissions, granted per role in
``lms/people/roles.py``, decide which screens and buttons a role has at all
(403). Writes go through ``lms.people.services``; a refusal there comes back as a
form error, with nothing written.

Nothing is deleted from here: a school or a class holds children's records, a
unit or a school year is what those records are counted by. Schools move, staff
accounts close, classes are renamed.
"""

from __future__ import annotations

from collections.abc import Callable

import django_filters
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets import ListingButton
from wagtail.log_actions import log

from lms.errors import LmsError
from lms.models import (
    AdministrativeUnit,
    ReportingPeriod,
    Role,
    RoleAssignment,
    School,
    SchoolClass,
    SchoolType,
    SchoolYear,
    User,
)
from lms.people import forms, selectors, services

Scope = Callable[[User], QuerySet]

# Which form field a service's refusal is about; the rest show above the form.
ERROR_FIELDS = {
    "unit_code_taken": "code",
    "school_code_taken": "code",
    "unit_not_found": "unit",
    "unit_move_into_itself": "parent",
    "school_year_name_taken": "name",
    "period_outside_year": "starts_on",
    "class_name_taken": "name",
    "teacher_not_at_school": "teachers",
    "username_taken": "username",
    "weak_password": NON_FIELD_ERRORS,
    "role_not_staff": "role",
    "school_not_found": "school",
}


def form_error_add(form, error: LmsError | ValidationError) -> None:
    """Show a service's refusal on the form, on its field when the form has it."""
    if isinstance(error, LmsError):
        field = ERROR_FIELDS.get(error.code)
        if field == "unit" and "unit" not in form.fields:
            field = "parent"
        form.add_error(field if field in form.fields else None, str(error.message))
        return
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- Views that read through the selectors ----------


class ScopedMixin:
    """Read objects through the selectors the viewset names, never the model."""

    list_scope: Scope | None = None
    change_scope: Scope | None = None
    list_select_related: tuple[str, ...] = ()

    def scoped(self, scope: Scope | None) -> QuerySet:
        return scope(self.request.user).select_related(*self.list_select_related)


class ScopedIndexView(ScopedMixin, generic.IndexView):
    def get_base_queryset(self):
        return self.scoped(self.list_scope)

    def get_delete_url(self, instance):
        return None

    def get_copy_url(self, instance):
        return None


class ServiceFormMixin(ScopedMixin):
    """Save through a service; its refusal becomes a form error and nothing is kept."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except (LmsError, ValidationError) as error:
            form_error_add(form, error)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)

    def save_instance(self):
        instance = self.save_through_service(self.form.cleaned_data)
        log(instance=instance, action=self.log_action, user=self.request.user)
        return instance

    def save_through_service(self, data: dict):
        raise NotImplementedError


class ScopedCreateView(ServiceFormMixin, generic.CreateView):
    log_action = "wagtail.create"


class ScopedEditView(ServiceFormMixin, generic.EditView):
    log_action = "wagtail.edit"

    def get_queryset(self):
        return self.scoped(self.change_scope)

    @property
    def stored(self):
        """The object as it is stored: the form has already changed ``self.object``,
        and the services compare old with new (a school's unit, a staff role)."""
        return self.get_queryset().get(pk=self.object.pk)

    def get_delete_url(self):
        return None

    def get_copy_url(self):
        return None

    @property
    def can_delete(self):
        return False


class RefusedDeleteView(View):
    """Nothing is deleted from the organisation admin (see the module docstring)."""

    def dispatch(self, request, *args, **kwargs):
        raise PermissionDenied


class ScopedHistoryView(ScopedMixin, history.HistoryView):
    def get_base_object_queryset(self):
        return self.scoped(self.list_scope)


class ScopedUsageView(ScopedMixin, usage.UsageView):
    def get_base_object_queryset(self):
        return self.scoped(self.list_scope)


class ScopedInspectView(ScopedMixin, generic.InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(self.scoped(self.list_scope), pk=self.pk)

    def get_delete_url(self):
        return None


class ScopedModelViewSet(ModelViewSet):
    """A model viewset whose every view reads through two selectors."""

    list_scope: Scope
    change_scope: Scope
    list_select_related: tuple[str, ...] = ()
    form_class = None
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    search_backend_name = None
    index_view_class = ScopedIndexView
    delete_view_class = RefusedDeleteView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    inspect_view_class = ScopedInspectView

    def get_common_view_kwargs(self, **kwargs):
        # construct_view passes each keyword only to the views that have it.
        return super().get_common_view_kwargs(
            list_scope=type(self).list_scope,
            change_scope=type(self).change_scope,
            list_select_related=self.list_select_related,
            **kwargs,
        )

    def get_form_class(self, for_update=False):
        return self.form_class

    def get_delete_view_kwargs(self, **kwargs):
        return {}

    @property
    def delete_view(self):
        return RefusedDeleteView.as_view()


def scoped_choice_filter(label, scope: Scope, **kwargs):
    """A filter whose choices are only the objects the person may see."""
    return django_filters.ModelChoiceFilter(
        label=label, queryset=lambda request: scope(request.user), **kwargs
    )


# --- Administrative units ----------


def units_listed_to(user: User) -> QuerySet[AdministrativeUnit]:
    return selectors.units_visible_to(user).order_by("path")


class UnitFilterSet(WagtailFilterSet):
    level = django_filters.CharFilter(label=gettext_lazy("level"))

    class Meta:
        model = AdministrativeUnit
        fields = []


class UnitFields:
    def unit_fields(self, data: dict) -> dict:
        return {
            "name": data["name"],
            "code": data["code"],
            "level": data["level"],
            "parent": data.get("parent"),
        }


class UnitCreateView(UnitFields, ScopedCreateView):
    def save_through_service(self, data):
        return services.unit_create(actor=self.request.user, **self.unit_fields(data))


class UnitEditView(UnitFields, ScopedEditView):
    def save_through_service(self, data):
        return services.unit_update(
            actor=self.request.user, unit=self.stored, **self.unit_fields(data)
        )


class AdministrativeUnitViewSet(ScopedModelViewSet):
    model = AdministrativeUnit
    url_prefix = "organisation/units"
    url_namespace = "organisation_units"
    menu_name = "organisation-units"
    icon = "site"
    menu_label = gettext_lazy("Administrative units")
    list_scope = staticmethod(units_listed_to)
    change_scope = staticmethod(selectors.units_managed_by)
    form_class = forms.AdministrativeUnitForm
    add_view_class = UnitCreateView
    edit_view_class = UnitEditView
    list_display = ["name", "code", "level", "depth"]
    search_fields = ["name", "code"]
    filterset_class = UnitFilterSet
    ordering = ["path"]
    inspect_view_fields = ["name", "code", "level"]


# --- Schools and care facilities ----------


def schools_listed_to(user: User) -> QuerySet[School]:
    """Schools in the admin: officers' subtrees and the platform's, not a teacher's."""
    if selectors.user_has_role(user, Role.PLATFORM_ADMIN):
        return School.objects.all()
    return School.objects.filter(
        unit__in=selectors.units_visible_to(user)
    ).select_related("unit")


class SchoolFilterSet(WagtailFilterSet):
    school_type = django_filters.ChoiceFilter(
        label=gettext_lazy("type"), choices=SchoolType.choices
    )
    unit = scoped_choice_filter(gettext_lazy("administrative unit"), units_listed_to)

    class Meta:
        model = School
        fields = []


class SchoolCreateView(ScopedCreateView):
    def save_through_service(self, data):
        return services.school_create(actor=self.request.user, **data)


class SchoolEditView(ScopedEditView):
    def save_through_service(self, data):
        return services.school_update(
            actor=self.request.user, school=self.stored, **data
        )


class SchoolViewSet(ScopedModelViewSet):
    model = School
    url_prefix = "organisation/schools"
    url_namespace = "organisation_schools"
    menu_name = "organisation-schools"
    icon = "home"
    menu_label = gettext_lazy("Schools and care facilities")
    list_scope = staticmethod(schools_listed_to)
    change_scope = staticmethod(selectors.schools_managed_by)
    list_select_related = ("unit",)
    form_class = forms.SchoolForm
    add_view_class = SchoolCreateView
    edit_view_class = SchoolEditView
    list_display = ["name", "code", "school_type", "unit__name", "contact_name"]
    search_fields = ["name", "code", "contact_name"]
    filterset_class = SchoolFilterSet
    ordering = ["name"]
    inspect_view_fields = [
        "name",
        "code",
        "school_type",
        "unit",
        "address",
        "contact_name",
        "contact_phone",
        "contact_email",
    ]


# --- School years and reporting periods ----------


def calendar_listed_to(model):
    """School years and terms are the platform's; officers and admins may list them."""

    def listed(user: User) -> QuerySet:
        if selectors.user_has_role(
            user, Role.PLATFORM_ADMIN, Role.PROVINCE_OFFICER, Role.UNIT_OFFICER
        ):
            return model.objects.all()
        return model.objects.none()

    return listed


def calendar_changed_by(model):
    def changed(user: User) -> QuerySet:
        if selectors.user_has_role(user, Role.PLATFORM_ADMIN, Role.PROVINCE_OFFICER):
            return model.objects.all()
        return model.objects.none()

    return changed


class SchoolYearCreateView(ScopedCreateView):
    def save_through_service(self, data):
        return services.school_year_create(actor=self.request.user, **data)


class SchoolYearEditView(ScopedEditView):
    def save_through_service(self, data):
        return services.school_year_update(
            actor=self.request.user, school_year=self.stored, **data
        )


class SchoolYearViewSet(ScopedModelViewSet):
    model = SchoolYear
    url_prefix = "organisation/school-years"
    url_namespace = "organisation_school_years"
    menu_name = "organisation-school-years"
    icon = "date"
    menu_label = gettext_lazy("School years")
    list_scope = staticmethod(calendar_listed_to(SchoolYear))
    change_scope = staticmethod(calendar_changed_by(SchoolYear))
    form_class = forms.SchoolYearForm
    add_view_class = SchoolYearCreateView
    edit_view_class = SchoolYearEditView
    list_display = ["name", "starts_on", "ends_on"]
    search_fields = ["name"]
    ordering = ["-starts_on"]
    inspect_view_fields = ["name", "starts_on", "ends_on"]


class ReportingPeriodFilterSet(WagtailFilterSet):
    school_year = scoped_choice_filter(
        gettext_lazy("school year"), calendar_listed_to(SchoolYear)
    )

    class Meta:
        model = ReportingPeriod
        fields = []


class ReportingPeriodCreateView(ScopedCreateView):
    def save_through_service(self, data):
        return services.reporting_period_create(actor=self.request.user, **data)


class ReportingPeriodEditView(ScopedEditView):
    def save_through_service(self, data):
        return services.reporting_period_update(
            actor=self.request.user, period=self.stored, **data
        )


class ReportingPeriodViewSet(ScopedModelViewSet):
    model = ReportingPeriod
    url_prefix = "organisation/periods"
    url_namespace = "organisation_periods"
    menu_name = "organisation-periods"
    icon = "calendar-alt"
    menu_label = gettext_lazy("Reporting periods")
    list_scope = staticmethod(calendar_listed_to(ReportingPeriod))
    change_scope = staticmethod(calendar_changed_by(ReportingPeriod))
    list_select_related = ("school_year",)
    form_class = forms.ReportingPeriodForm
    add_view_class = ReportingPeriodCreateView
    edit_view_class = ReportingPeriodEditView
    list_display = ["name", "school_year", "starts_on", "ends_on"]
    search_fields = ["name", "school_year__name"]
    filterset_class = ReportingPeriodFilterSet
    ordering = ["-starts_on"]
    inspect_view_fields = ["school_year", "name", "starts_on", "ends_on"]


# --- Classes ----------


class SchoolClassFilterSet(WagtailFilterSet):
    school_year = scoped_choice_filter(
        gettext_lazy("school year"), calendar_listed_to(SchoolYear)
    )
    grade = django_filters.ChoiceFilter(
        label=gettext_lazy("grade"), choices=[(g, g) for g in range(1, 13)]
    )
    school = scoped_choice_filter(
        gettext_lazy("school"), selectors.schools_administered_by
    )

    class Meta:
        model = SchoolClass
        fields = []


class ClassFields:
    def class_fields(self, data: dict) -> dict:
        return {
            "school_year": data["school_year"],
            "name": data["name"],
            "grade": data["grade"],
            "homeroom_teacher": data.get("homeroom_teacher"),
            "teachers": data.get("teachers") or [],
        }


class SchoolClassCreateView(ClassFields, ScopedCreateView):
    def save_through_service(self, data):
        return services.class_create(
            actor=self.request.user, school=data["school"], **self.class_fields(data)
        )


class SchoolClassEditView(ClassFields, ScopedEditView):
    def save_through_service(self, data):
        return services.class_update(
            actor=self.request.user,
            school_class=self.stored,
            **self.class_fields(data),
        )


class SchoolClassViewSet(ScopedModelViewSet):
    model = SchoolClass
    url_prefix = "organisation/classes"
    url_namespace = "organisation_classes"
    menu_name = "organisation-classes"
    icon = "group"
    menu_label = gettext_lazy("Classes")
    list_scope = staticmethod(selectors.classes_administered_by)
    change_scope = staticmethod(selectors.classes_administered_by)
    list_select_related = ("school", "school_year", "homeroom_teacher")
    form_class = forms.SchoolClassForm
    add_view_class = SchoolClassCreateView
    edit_view_class = SchoolClassEditView
    list_display = ["name", "grade", "school_year", "school__name", "homeroom_teacher"]
    search_fields = ["name", "school__name"]
    filterset_class = SchoolClassFilterSet
    ordering = ["school__name", "grade", "name"]
    inspect_view_fields = ["school", "school_year", "name", "grade", "homeroom_teacher"]


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


class OrganisationViewSetGroup(ModelViewSetGroup):
    """One menu, "Organisation", holding every screen a role may open."""

    items = (
        AdministrativeUnitViewSet,
        SchoolViewSet,
        SchoolYearViewSet,
        ReportingPeriodViewSet,
        SchoolClassViewSet,
        StaffViewSet,
    )
    menu_icon = "site"
    menu_label = gettext_lazy("Organisation")
    menu_name = "organisation"
    menu_order = 150
