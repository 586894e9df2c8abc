"""Teaching that happens away from the pupils' own screens, counted as evidence.

``TeachingSession``: a teacher taught a module to a class (from the projector, a
talk, a live class game), with who was there (``TeachingAttendance``, one row per
pupil of the roster). ``ParentMeeting``: a school's meeting with parents on
online safety (how many came, the module used). Both count for the programme
(lms/reports): sessions toward a class's topic coverage, meetings among the
adults reached.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TeachingSession(models.Model):
    """A module taught to a whole class by its teacher, on one day."""

    school_class = models.ForeignKey(
        "lms.SchoolClass",
        verbose_name=_("class"),
        on_delete=models.CASCADE,
        related_name="teaching_sessions",
    )
    module = models.ForeignKey(
        "content_cms.ModulePage",
        verbose_name=_("module"),
        on_delete=models.PROTECT,
        related_name="teaching_sessions",
    )
    taught_on = models.DateField(_("date"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        validators=[MinValueValidator(5), MaxValueValidator(240)],
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    # The live class game played in the lesson, whose players filled the attendance.
    live_session = models.ForeignKey(
        "quizzes.LiveSession",
        verbose_name=_("live game"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("teaching session")
        verbose_name_plural = _("teaching sessions")
        ordering = ["-taught_on", "-recorded_at"]
        indexes = [models.Index(fields=["school_class", "taught_on"])]

    def __str__(self) -> str:
        return f"{self.school_class_id} · {self.module_id} · {self.taught_on}"


class TeachingAttendance(models.Model):
    """Whether one pupil of the class was there (present) or not."""

    session = models.ForeignKey(
        TeachingSession,
        verbose_name=_("teaching session"),
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    pupil = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pupil"),
        on_delete=models.CASCADE,
        related_name="teaching_attendance",
    )
    present = models.BooleanField(_("present"), default=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "pupil"], name="teaching_attendance_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session_id} · {self.pupil_id} · {self.present}"


class ParentMeeting(models.Model):
    """A school's meeting with parents on online safety."""

    school = models.ForeignKey(
        "lms.School",
        verbose_name=_("school"),
        on_delete=models.CASCADE,
        related_name="parent_meetings",
    )
    held_on = models.DateField(_("date"))
    parents_count = models.PositiveIntegerField(
        _("number of parents"), validators=[MinValueValidator(1)]
    )
    module = models.ForeignKey(
        "content_cms.ModulePage",
        verbose_name=_("module used"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parent_meetings",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("parents' meeting")
        verbose_name_plural = _("parents' meetings")
        ordering = ["-held_on"]
        indexes = [models.Index(fields=["school", "held_on"])]

    def __str__(self) -> str:
        return f"{self.school_id} · {self.held_on} · {self.parents_count}"
