"""The programme's rule, as data, and the record of every evidence export.

``ProgrammeTarget`` says what "a school ran the online-safety programme in a
reporting period" means: a share of its classes (in the covered grades) given at
least one module, and a share of its pupils who completed at least one. One row
per period applies to every school; a second row with ``school_type`` set (care
facilities) overrides it for that kind of school. Without a row the documented
default (``lms.reports.rules.DEFAULT_RULE``) applies and every screen says so.

``ReportExport`` is the record of one exported report (XLSX, CSV or PDF): who,
when, for which period and unit, and the SHA-256 of the canonical JSON of its
figures, printed on the report so a copy can be checked later.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from lms.models.organisation import SchoolType


class ProgrammeTarget(models.Model):
    """The rule a school must meet in one reporting period (optionally per type)."""

    period = models.ForeignKey(
        "lms.ReportingPeriod",
        verbose_name=_("reporting period"),
        on_delete=models.CASCADE,
        related_name="programme_targets",
    )
    school_type = models.CharField(
        _("type of school"),
        max_length=32,
        choices=SchoolType.choices,
        blank=True,
        help_text=_("Leave empty for the rule of every school of the period."),
    )
    min_class_share = models.DecimalField(
        _("classes given a module (minimum %)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("100"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    min_pupil_share = models.DecimalField(
        _("pupils who completed a module (minimum %)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("80"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    grade_from = models.PositiveSmallIntegerField(
        _("from grade"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    grade_to = models.PositiveSmallIntegerField(
        _("to grade"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("programme target")
        verbose_name_plural = _("programme targets")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "school_type"], name="programme_target_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(grade_from__lte=models.F("grade_to")),
                name="programme_target_grades_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_id} · {self.school_type or '*'}"

    def clean(self) -> None:
        if self.grade_from and self.grade_to and self.grade_from > self.grade_to:
            raise ValidationError(
                {"grade_to": _("The last grade cannot be before the first grade.")}
            )


class TopicRequirement(models.Model):
    """A topic every class of an age band must cover in the target's period.

    Covered when at least ``min_pupil_share`` % of the class's pupils completed a
    module of that topic and band in the period, or when a teaching session on
    such a module was given to the class in the period (lms/models/teaching.py).
    """

    target = models.ForeignKey(
        ProgrammeTarget,
        verbose_name=_("programme target"),
        on_delete=models.CASCADE,
        related_name="topic_requirements",
    )
    age_band = models.ForeignKey(
        "content_cms.AgeBand",
        verbose_name=_("age band"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    topic = models.ForeignKey(
        "content_cms.Topic",
        verbose_name=_("topic"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    min_pupil_share = models.DecimalField(
        _("pupils who completed a module on it (minimum %)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("80"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("required topic")
        verbose_name_plural = _("required topics")
        ordering = ["age_band__sort_order", "topic__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "age_band", "topic"],
                name="topic_requirement_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.target_id} · {self.age_band_id} · {self.topic_id}"


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", "XLSX"
    CSV = "csv", "CSV"
    PDF = "pdf", "PDF"


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ReportExport(models.Model):
    """One exported programme report: the evidence a copy is checked against."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    period = models.ForeignKey(
        "lms.ReportingPeriod",
        verbose_name=_("reporting period"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "lms.AdministrativeUnit",
        verbose_name=_("administrative unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    export_format = models.CharField(
        _("format"), max_length=8, choices=ExportFormat.choices
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ExportStatus.choices,
        default=ExportStatus.PENDING,
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    content_hash = models.CharField(
        _("content hash (SHA-256)"), max_length=64, blank=True, db_index=True
    )
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    file = models.FileField(_("file"), upload_to="report-exports/", blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("report export")
        verbose_name_plural = _("report exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.export_format} · {self.period_id} · {self.unit_id}"
