"""Rollup tables the dashboards read: counts kept up to date on each completion.

All are written by ``lms.learning.rollups`` in the transaction that completes a
module or saves (or deletes) a teaching session, and all can be recomputed from
raw facts (``ModuleProgress``, ``TeachingSession``, enrolments and the modules'
topics and age bands) by ``manage.py rebuild_rollups``, which reports every
difference it finds.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ClassModuleRollup(models.Model):
    """How many pupils of a class completed and passed one module.

    A pupil counts in the class they were enrolled in when they completed (and,
    for ``pupils_passed``, when they passed), once per module.
    """

    school_class = models.ForeignKey(
        "lms.SchoolClass",
        verbose_name=_("class"),
        on_delete=models.CASCADE,
        related_name="module_rollups",
    )
    module = models.ForeignKey(
        "content_cms.ModulePage",
        verbose_name=_("module"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    pupils_completed = models.PositiveIntegerField(_("pupils completed"), default=0)
    pupils_passed = models.PositiveIntegerField(_("pupils passed"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("class module rollup")
        verbose_name_plural = _("class module rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["school_class", "module"], name="class_module_rollup_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school_class_id} · {self.module_id}"


class SchoolPeriodRollup(models.Model):
    """What a school's pupils completed during one reporting period.

    ``pupils_completed_any`` counts distinct pupils who completed at least one
    module in the period; ``modules_completed`` counts completions, once per pupil
    and module; ``sessions`` the teaching sessions the school's classes were
    given. A completion belongs to every period containing its local date
    (Asia/Ho_Chi_Minh), at the school of the pupil's enrolment on that date; a
    session to every period containing its date.
    """

    school = models.ForeignKey(
        "lms.School",
        verbose_name=_("school"),
        on_delete=models.CASCADE,
        related_name="period_rollups",
    )
    period = models.ForeignKey(
        "lms.ReportingPeriod",
        verbose_name=_("reporting period"),
        on_delete=models.CASCADE,
        related_name="school_rollups",
    )
    pupils_completed_any = models.PositiveIntegerField(
        _("pupils who completed a module"), default=0
    )
    modules_completed = models.PositiveIntegerField(_("modules completed"), default=0)
    sessions = models.PositiveIntegerField(_("teaching sessions"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("school period rollup")
        verbose_name_plural = _("school period rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "period"], name="school_period_rollup_unique"
            )
        ]
        # Dashboards read one period for many schools (lms/reports/figures.py).
        indexes = [
            models.Index(fields=["period", "school"], name="school_rollup_period_idx")
        ]

    def __str__(self) -> str:
        return f"{self.school_id} · {self.period_id}"


class ClassTopicRollup(models.Model):
    """How many pupils of a class covered one topic of one age band in a period.

    ``pupils_completed`` counts distinct pupils who completed, on a local date
    (Asia/Ho_Chi_Minh) inside the period, a module on ``topic`` whose age bands
    include ``age_band``, while enrolled in the class; ``sessions`` counts the
    teaching sessions given to the class in the period on such a module. Only
    the bands holding the class's grade are kept: a module of another band never
    counts toward a class. The programme rule reads it to decide whether the
    class covered a required topic (``lms.reports.rules``).
    """

    school_class = models.ForeignKey(
        "lms.SchoolClass",
        verbose_name=_("class"),
        on_delete=models.CASCADE,
        related_name="topic_rollups",
    )
    period = models.ForeignKey(
        "lms.ReportingPeriod",
        verbose_name=_("reporting period"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    topic = models.ForeignKey(
        "content_cms.Topic",
        verbose_name=_("topic"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    age_band = models.ForeignKey(
        "content_cms.AgeBand",
        verbose_name=_("age band"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    pupils_completed = models.PositiveIntegerField(_("pupils completed"), default=0)
    sessions = models.PositiveIntegerField(_("teaching sessions"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("class topic rollup")
        verbose_name_plural = _("class topic rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["school_class", "period", "topic", "age_band"],
                name="class_topic_rollup_unique",
            )
        ]
        # Dashboards read one period for many classes (lms/reports/figures.py).
        indexes = [
            models.Index(
                fields=["period", "school_class"], name="class_topic_period_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school_class_id} · {self.period_id} · {self.topic_id}"
