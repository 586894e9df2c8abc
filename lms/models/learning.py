"""The learning loop: modules assigned to classes, and each learner's progress.

An ``Assignment`` gives a module to a class (or to a chosen group of its pupils:
``pupils`` empty means the whole class). ``ModuleProgress`` is one learner's state
in one module, keyed by user rather than enrolment, so adults (teachers, parents
with accounts) learn with the same player. Both always point at the Vietnamese
(source) ``ModulePage``: the English page is a translation of the same module, and
progress made in either language is the same progress.

``CountedAttempt`` remembers each quiz attempt already folded into progress, so a
submit that is reported twice never counts twice.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Assignment(models.Model):
    """A module a teacher gives to a class, or to a group of its pupils."""

    school_class = models.ForeignKey(
        "lms.SchoolClass",
        verbose_name=_("class"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    module = models.ForeignKey(
        "content_cms.ModulePage",
        verbose_name=_("module"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    opens_on = models.DateField(_("opens on"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    pupils = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pupils"),
        blank=True,
        related_name="group_assignments",
        help_text=_("Leave empty to give the module to the whole class."),
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["due_on", "opens_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_on__isnull=True)
                | models.Q(due_on__gte=models.F("opens_on")),
                name="assignment_due_not_before_open",
            )
        ]
        indexes = [models.Index(fields=["school_class", "opens_on"])]

    def __str__(self) -> str:
        return f"{self.module_id} · {self.school_class}"


class ProgressStatus(models.TextChoices):
    NOT_STARTED = "not_started", pgettext_lazy("module progress", "Not started")
    IN_PROGRESS = "in_progress", pgettext_lazy("module progress", "In progress")
    COMPLETED = "completed", pgettext_lazy("module progress", "Completed")
    PASSED = "passed", pgettext_lazy("module progress", "Passed")


DONE_STATUSES = (ProgressStatus.COMPLETED, ProgressStatus.PASSED)


class ModuleProgress(models.Model):
    """Where one learner is in one module, and how they did in its quiz.

    ``current_section`` is the section to resume at; when it equals the number of
    sections the learner is at the quiz. ``sections_completed`` lists the indexes
    of the sections read. ``completed_at`` and ``passed_at`` are set once, the
    first time the module is completed or passed: they are the facts the rollups
    are rebuilt from.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.CASCADE,
        related_name="module_progress",
    )
    module = models.ForeignKey(
        "content_cms.ModulePage",
        verbose_name=_("module"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ProgressStatus.choices,
        default=ProgressStatus.NOT_STARTED,
    )
    current_section = models.PositiveSmallIntegerField(_("current section"), default=0)
    sections_completed = models.JSONField(_("sections read"), default=list)
    time_spent_seconds = models.PositiveIntegerField(_("time spent (s)"), default=0)
    best_percent = models.DecimalField(
        _("best score (%)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    attempts_count = models.PositiveIntegerField(_("quiz attempts"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    passed_at = models.DateTimeField(_("passed at"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)

    class Meta:
        verbose_name = _("module progress")
        verbose_name_plural = _("module progress")
        ordering = ["-last_activity_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "module"], name="module_progress_unique_user_module"
            )
        ]
        indexes = [
            models.Index(fields=["user", "status"]),
            models.Index(fields=["module", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.module_id} · {self.status}"

    @property
    def is_done(self) -> bool:
        return self.status in DONE_STATUSES


class CountedAttempt(models.Model):
    """A quiz attempt already folded into a learner's progress (once, ever).

    ``attempt_id`` is the quiz engine's attempt id, kept as a plain value rather
    than a foreign key: it is an idempotency key, and progress must survive the
    quiz engine pruning old attempts.
    """

    attempt_id = models.UUIDField(_("attempt"), unique=True)
    progress = models.ForeignKey(
        ModuleProgress,
        on_delete=models.CASCADE,
        related_name="counted_attempts",
    )
    counted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("counted attempt")
        verbose_name_plural = _("counted attempts")

    def __str__(self) -> str:
        return str(self.attempt_id)
