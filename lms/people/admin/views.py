"""The organisation admin in Wagtail (/cms/): units, schools, calendar, classes.

Each screen is a ``ScopedModelViewSet`` (``lms.people.admin.scoped``, which says
how the scopes and permissions decide what a person sees and may change); writes
go through ``lms.people.organisation``. ``OrganisationViewSetGroup`` puts these
screens and the staff screen (``lms.people.admin.staff``) under one menu.
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.viewsets.model import ModelViewSetGroup

from lms.models import (
    AdministrativeUnit,
    ReportingPeriod,
    Role,
    School,
    SchoolClass,
    SchoolType,
    SchoolYear,
    User,
)
from lms.people import forms, organisation, selectors
from lms.people.admin.scoped import (
    ScopedCreateView,
    ScopedEditView,
    ScopedModelViewSet,
    scoped_choice_filter,
)
from lms.people.admin.staff import StaffViewSet

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
        return organisation.unit_create(
            actor=self.request.user, **self.unit_fields(data)
        )


class UnitEditView(UnitFields, ScopedEditView):
    def save_through_service(self, data):
        return organisation.unit_update(
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
        return organisation.school_create(actor=self.request.user, **data)


class SchoolEditView(ScopedEditView):
    def save_through_service(self, data):
        return organisation.school_update(
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
    inspect_view_fields = forms.SchoolForm.Meta.fields


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
        return organisation.school_year_create(actor=self.request.user, **data)


class SchoolYearEditView(ScopedEditView):
    def save_through_service(self, data):
        return organisation.school_year_update(
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
        return organisation.reporting_period_create(actor=self.request.user, **data)


class ReportingPeriodEditView(ScopedEditView):
    def save_through_service(self, data):
        return organisation.reporting_period_update(
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
        return organisation.class_create(
            actor=self.request.user, school=data["school"], **self.class_fields(data)
        )


class SchoolClassEditView(ClassFields, ScopedEditView):
    def save_through_service(self, data):
        return organisation.class_update(
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
