"""Forms of the organisation admin (Wagtail, /cms/): what may be typed and chosen.

Every choice of a related object (a unit, a school, a teacher) is limited to what
the signed-in person reaches, through ``lms.people.selectors``: a foreign unit or a
teacher of another school is never offered, and a forged choice fails as an
invalid choice. The forms only validate; the admin views hand the cleaned data to
``lms.people.organisation`` and ``lms.people.services``, which check the scope
again and write.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from lms.models import (
    AdministrativeUnit,
    ReportingPeriod,
    Role,
    RoleAssignment,
    School,
    SchoolClass,
    SchoolYear,
    User,
)
from lms.people import selectors


class OrganisationForm(WagtailAdminModelForm):
    """A model form whose uniqueness is checked by the service, not by the form.

    The services compare codes and names without regard to case and answer with a
    message that names the clash; the form's own check would answer first, in
    Django's generic words, and only for exact matches.
    """

    def validate_unique(self):
        pass

    @property
    def user(self) -> User:
        return self.for_user


class UnitChoiceField(forms.ModelChoiceField):
    """A unit shown with its place in the tree, indented by depth."""

    def label_from_instance(self, unit: AdministrativeUnit) -> str:
        return f"{'— ' * (unit.depth - 1)}{unit.name} ({unit.code})"


class AdministrativeUnitForm(OrganisationForm):
    parent = UnitChoiceField(
        label=_("part of"),
        queryset=AdministrativeUnit.objects.none(),
        required=False,
        help_text=_("Leave empty only for a province."),
    )

    class Meta:
        model = AdministrativeUnit
        fields = ["name", "code", "level"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = selectors.units_managed_by(self.user).order_by("path")
        if self.instance.pk:
            # A unit cannot move under itself or one of its own units.
            parents = parents.exclude(path__startswith=self.instance.path)
            self.fields["parent"].initial = self.instance.get_parent()
        self.fields["parent"].queryset = parents


class SchoolForm(OrganisationForm):
    unit = UnitChoiceField(
        label=_("administrative unit"), queryset=AdministrativeUnit.objects.none()
    )

    class Meta:
        model = School
        fields = [
            "name",
            "code",
            "school_type",
            "unit",
            "address",
            "contact_name",
            "contact_phone",
            "contact_email",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.units_managed_by(self.user).order_by(
            "path"
        )


class SchoolYearForm(OrganisationForm):
    copy_periods = forms.BooleanField(
        label=_("copy last year's reporting periods"),
        required=False,
        initial=True,
        help_text=_("The terms of the previous school year, moved to this year."),
    )

    class Meta:
        model = SchoolYear
        fields = ["name", "starts_on", "ends_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["copy_periods"]


class ReportingPeriodForm(OrganisationForm):
    class Meta:
        model = ReportingPeriod
        fields = ["school_year", "name", "starts_on", "ends_on"]


class TeacherChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user: User) -> str:
        return f"{user.name} ({user.username})"


class TeachersChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user: User) -> str:
        return f"{user.name} ({user.username})"


class SchoolClassForm(OrganisationForm):
    homeroom_teacher = TeacherChoiceField(
        label=_("homeroom teacher"), queryset=User.objects.none(), required=False
    )
    teachers = TeachersChoiceField(
        label=_("subject teachers"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = SchoolClass
        fields = ["school", "school_year", "name", "grade", "homeroom_teacher"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A class stays in its school; its pupils' records are the school's.
            del self.fields["school"]
            schools = School.objects.filter(pk=self.instance.school_id)
            self.fields["teachers"].initial = list(self.instance.teachers.all())
        else:
            schools = selectors.schools_administered_by(self.user).order_by("name")
            self.fields["school"].queryset = schools
            if len(schools[:2]) == 1:
                self.fields["school"].initial = schools[0]
        staff = selectors.staff_of_schools(schools)
        self.fields["homeroom_teacher"].queryset = staff
        self.fields["teachers"].queryset = staff


class StaffCreateForm(OrganisationForm):
    """A new staff account and its role at one school; the password is made for it."""

    username = forms.CharField(
        label=_("username"),
        max_length=150,
        help_text=_("Letters, digits and . - _ only, for example co.hoa."),
        validators=User._meta.get_field("username").validators,
    )
    display_name = forms.CharField(label=_("display name"), max_length=120)
    email = forms.EmailField(label=_("email"), required=False)

    class Meta:
        model = RoleAssignment
        fields = ["school", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        schools = selectors.schools_staffed_by(self.user).order_by("name")
        self.fields["school"].queryset = schools
        self.fields["school"].required = True
        if len(schools[:2]) == 1:
            self.fields["school"].initial = schools[0]
        self.fields["role"].choices = [
            (role.value, role.label) for role in selectors.STAFF_ROLES
        ]
        self.fields["role"].initial = Role.TEACHER
        self.order_fields(["display_name", "username", "email", "role", "school"])


class StaffEditForm(OrganisationForm):
    """A staff member's name and email, and the role this row gives them."""

    display_name = forms.CharField(label=_("display name"), max_length=120)
    email = forms.EmailField(label=_("email"), required=False)

    class Meta:
        model = RoleAssignment
        fields = ["role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [
            (role.value, role.label) for role in selectors.STAFF_ROLES
        ]
        account = self.instance.user
        self.fields["display_name"].initial = account.display_name
        self.fields["email"].initial = account.email
        self.order_fields(["display_name", "email", "role"])
