"""The organisation tree and the school calendar.

Administrative units form a tree (province -> district -> commune, or province ->
commune since 2025); the levels are data, not code. Schools hang from a unit. A
report over a unit aggregates every school whose unit's materialised path starts
with that unit's path, one indexed prefix scan whatever the depth.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node


class AdministrativeUnit(MP_Node):
    """A province, district, commune or ward; ``level`` names it, depth orders it."""

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("official code"), max_length=32, unique=True)
    level = models.CharField(
        _("level"),
        max_length=40,
        help_text=_("For example: province, district, commune, ward."),
    )

    node_order_by = ["name"]

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")

    def __str__(self) -> str:
        return self.name


class SchoolType(models.TextChoices):
    PRIMARY = "primary", _("Primary school")
    LOWER_SECONDARY = "lower_secondary", _("Lower secondary school")
    UPPER_SECONDARY = "upper_secondary", _("Upper secondary school")
    MULTI_LEVEL = "multi_level", _("Multi-level school")
    CARE_FACILITY = "care_facility", _("Child protection / care facility")


class School(models.Model):
    """A school or a child care facility: the unit the province's target counts."""

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("official code"), max_length=32, unique=True)
    school_type = models.CharField(_("type"), max_length=32, choices=SchoolType.choices)
    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("administrative unit"),
        on_delete=models.PROTECT,
        related_name="schools",
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SchoolYear(models.Model):
    """A school year, for example 2026-2027, running from September to May."""

    name = models.CharField(_("name"), max_length=20, unique=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("school year")
        verbose_name_plural = _("school years")
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.starts_on >= self.ends_on:
            raise ValidationError(_("A school year must end after it starts."))


class ReportingPeriod(models.Model):
    """A term (or a year) over which the province asks "did each school teach?"."""

    school_year = models.ForeignKey(
        SchoolYear,
        verbose_name=_("school year"),
        on_delete=models.CASCADE,
        related_name="periods",
    )
    name = models.CharField(_("name"), max_length=60)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["school_year", "name"], name="period_unique_name_in_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.school_year.name}"

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.starts_on >= self.ends_on:
            raise ValidationError(_("A reporting period must end after it starts."))


class SchoolClass(models.Model):
    """A class of one school year, for example 6A1; care facilities use groups."""

    school = models.ForeignKey(
        School,
        verbose_name=_("school"),
        on_delete=models.CASCADE,
        related_name="classes",
    )
    school_year = models.ForeignKey(
        SchoolYear,
        verbose_name=_("school year"),
        on_delete=models.PROTECT,
        related_name="classes",
    )
    name = models.CharField(_("name"), max_length=40)
    grade = models.PositiveSmallIntegerField(
        _("grade"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    homeroom_teacher = models.ForeignKey(
        "lms.User",
        verbose_name=_("homeroom teacher"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="homeroom_classes",
    )
    teachers = models.ManyToManyField(
        "lms.User",
        verbose_name=_("teachers"),
        blank=True,
        related_name="taught_classes",
    )
    # The class these pupils were in last school year (set by the rollover), so a
    # class's history reads back year by year and a second rollover finds its work.
    previous_class = models.ForeignKey(
        "self",
        verbose_name=_("class last year"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_classes",
    )

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["grade", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year", "name"],
                name="class_unique_name_in_school_year",
            ),
            models.CheckConstraint(
                condition=models.Q(grade__gte=1, grade__lte=12),
                name="class_grade_1_to_12",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.school.name})"
