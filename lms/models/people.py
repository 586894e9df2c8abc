"""People, their roles and their enrolments.

A pupil account holds the minimum: a display name, a language and learning records,
reached through an enrolment in a class. No email, phone, birth date or address.
Staff sign in with a username and a password. What anyone may see is decided by the
roles they hold, each scoped to a node of the organisation: a school for school
roles, an administrative unit for officers, nothing for platform-wide roles.
"""

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.hashers import pupil_password_hasher


class User(AbstractUser):
    """Anyone who signs in: pupils, teachers, counsellors, officers, editors."""

    display_name = models.CharField(_("display name"), max_length=120, blank=True)
    preferred_language = models.CharField(
        _("language"),
        max_length=8,
        choices=[("vi", "Tiếng Việt"), ("en", "English")],
        default="vi",
    )
    # Only a hash of the login card's secret is kept; a new card or a password
    # reset replaces it, so an old card stops working.
    login_card_key_hash = models.CharField(
        max_length=128, blank=True, editable=False, db_index=True
    )
    # Set for accounts made with a one-time password (bulk onboarding, a reset by
    # an administrator): the first sign-in asks for a new password before anything.
    must_change_password = models.BooleanField(
        _("must change password at next sign-in"), default=False
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def name(self) -> str:
        """Return the name shown to other people."""
        return str(self)

    def password_hasher(self) -> str:
        """Return the hasher this account's password should be stored with.

        Pupils (holding no other role) have the cheaper ``PupilPasswordHasher``
        (common/hashers.py says why); everyone else Django's default.
        """
        if not self.pk or self.is_superuser:
            return "default"
        roles = set(
            RoleAssignment.objects.filter(user_id=self.pk).values_list(
                "role", flat=True
            )
        )
        return pupil_password_hasher() if roles == {Role.PUPIL} else "default"

    def check_password(self, raw_password) -> bool:
        """Check ``raw_password``; a match stored with another hasher than this
        account's is re-hashed with it (Django's upgrade on sign-in, with the
        account's hasher preferred instead of the first of PASSWORD_HASHERS)."""
        hasher = self.password_hasher()

        def rehash(raw_password):
            self.password = make_password(raw_password, hasher=hasher)
            self._password = None
            self.save(update_fields=["password"])

        return check_password(raw_password, self.password, rehash, preferred=hasher)


class Role(models.TextChoices):
    PUPIL = "pupil", _("Pupil")
    TEACHER = "teacher", _("Teacher")
    COUNSELLOR = "counsellor", _("Counsellor")
    SCHOOL_ADMIN = "school_admin", _("School administrator")
    UNIT_OFFICER = "unit_officer", _("Unit officer")
    PROVINCE_OFFICER = "province_officer", _("Province officer")
    # Cán bộ làm công tác bảo vệ trẻ em cấp xã: child-protection cases of a commune.
    COMMUNE_PROTECTION = "commune_protection", _("Commune child-protection officer")
    CONTENT_EDITOR = "content_editor", _("Content editor")
    CONTENT_REVIEWER = "content_reviewer", _("Content reviewer")
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")
    # Held at the school of a linked child (lms.models.parents.ParentLink); it
    # reaches that child only, never the school's other pupils.
    PARENT = "parent", _("Parent or guardian")


SCHOOL_ROLES = {
    Role.PUPIL,
    Role.TEACHER,
    Role.COUNSELLOR,
    Role.SCHOOL_ADMIN,
    Role.PARENT,
}
UNIT_ROLES = {Role.UNIT_OFFICER, Role.PROVINCE_OFFICER, Role.COMMUNE_PROTECTION}
PLATFORM_ROLES = {Role.CONTENT_EDITOR, Role.CONTENT_REVIEWER, Role.PLATFORM_ADMIN}


class RoleAssignment(models.Model):
    """One role held by one user at one node: a school, a unit, or the platform."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    school = models.ForeignKey(
        "lms.School",
        verbose_name=_("school"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
    )
    unit = models.ForeignKey(
        "lms.AdministrativeUnit",
        verbose_name=_("administrative unit"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        # What each role may do is granted in lms/people/roles.py; these are the
        # school-layer permissions it grants.
        permissions = [
            ("manage_roster", _("Can import rosters and manage pupil accounts")),
            ("assign_modules", _("Can assign modules to classes")),
            ("view_class_progress", _("Can follow the progress of classes")),
            ("view_school_reports", _("Can see school reports")),
            ("view_unit_reports", _("Can see reports of administrative units")),
            ("edit_programme_target", _("Can edit the programme target rule")),
            ("handle_help_requests", _("Can handle pupils' requests for help")),
            (
                "edit_help_deadlines",
                _("Can set the province's deadlines for help requests"),
            ),
            ("manage_consent", _("Can record consent and erase pupil data")),
            ("take_modules", _("Can take modules and quizzes")),
            (
                "import_organisation",
                _("Can import administrative units and schools"),
            ),
            ("import_staff", _("Can import staff accounts")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "school", "unit"],
                name="role_assignment_unique",
                nulls_distinct=False,
            ),
            # Each kind of role is anchored at exactly the node it is scoped by.
            models.CheckConstraint(
                condition=(
                    models.Q(
                        role__in=sorted(r.value for r in SCHOOL_ROLES),
                        school__isnull=False,
                        unit__isnull=True,
                    )
                    | models.Q(
                        role__in=sorted(r.value for r in UNIT_ROLES),
                        school__isnull=True,
                        unit__isnull=False,
                    )
                    | models.Q(
                        role__in=sorted(r.value for r in PLATFORM_ROLES),
                        school__isnull=True,
                        unit__isnull=True,
                    )
                ),
                name="role_assignment_anchored_at_its_node",
            ),
        ]

    def __str__(self) -> str:
        where = self.school or self.unit or _("platform")
        return f"{self.user} · {self.get_role_display()} · {where}"


class Enrolment(models.Model):
    """A pupil's place in a class for a school year."""

    pupil = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolments")
    school_class = models.ForeignKey(
        "lms.SchoolClass",
        verbose_name=_("class"),
        on_delete=models.CASCADE,
        related_name="enrolments",
    )
    roster_number = models.PositiveIntegerField(_("roster number"), null=True)
    enrolled_on = models.DateField(_("enrolled on"), auto_now_add=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["roster_number", "pupil__display_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "school_class"], name="enrolment_unique_pupil_class"
            )
        ]
        indexes = [models.Index(fields=["school_class", "left_on"])]

    def __str__(self) -> str:
        return f"{self.pupil} · {self.school_class}"

    @property
    def is_active(self) -> bool:
        return self.left_on is None
