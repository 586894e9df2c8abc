"""Children's data: consent, the province's privacy settings and the audit log.

Law 91/2025 art. 24 (in force 1 January 2026) treats everyone under 16 as a
child: processing their data needs a parent's or guardian's consent and, from
age 7, the child's own. ``ConsentRecord`` keeps who consented, how, when and to
which version of the notice; a withdrawal is a date on the record, which stays
(without a name) as evidence of the withdrawal. ``PrivacySettings`` holds what
the province decides: what a pupil without consent may do, and how long records
are kept. ``AuditEntry`` is append-only: the product can add rows, never change
or delete them (only ``apply_retention`` expires them, after the province's
audit period).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditQuerySet(models.QuerySet):
    """Bulk updates and deletes are refused, like the single-row ones."""

    def update(self, **kwargs):
        raise PermissionDenied("Audit entries cannot be changed.")

    def delete(self):
        raise PermissionDenied("Audit entries cannot be deleted.")

    def expire_before(self, cutoff) -> int:
        """Delete entries older than ``cutoff``: the retention rule, and only it."""
        count, _by_model = models.QuerySet.delete(self.filter(created_at__lt=cutoff))
        return count


class AuditEntry(models.Model):
    """Who looked at or changed a confidential record, when, and how."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=64)
    target_type = models.CharField(_("object type"), max_length=64)
    target_id = models.CharField(_("object id"), max_length=64)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_type}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionDenied("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Audit entries cannot be deleted.")


class ConsentGiver(models.TextChoices):
    PARENT = "parent", _("Parent or guardian")
    CHILD = "child", _("The child")


class ConsentMethod(models.TextChoices):
    PAPER = "paper", _("Paper form")
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")


class ConsentRecord(models.Model):
    """One consent given for one pupil, by a parent or guardian or by the child."""

    pupil = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="consent_records",
    )
    given_by = models.CharField(
        _("given by"), max_length=16, choices=ConsentGiver.choices
    )
    method = models.CharField(_("method"), max_length=16, choices=ConsentMethod.choices)
    notice_version = models.CharField(_("privacy notice version"), max_length=20)
    consented_on = models.DateField(_("consented on"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-consented_on", "-pk"]
        indexes = [models.Index(fields=["pupil", "given_by", "withdrawn_at"])]

    def __str__(self) -> str:
        return f"{self.get_given_by_display()} · {self.consented_on}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class ConsentSlip(models.Model):
    """A paper consent form for one pupil's family, with a code to use online later.

    The printed code is shown once, on the slip; only its hash is kept. Printing a
    new slip for the pupil replaces the unused ones, so a lost slip stops working.
    """

    pupil = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pupil"),
        on_delete=models.CASCADE,
        related_name="consent_slips",
    )
    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent slip")
        verbose_name_plural = _("consent slips")
        indexes = [models.Index(fields=["pupil", "used_at"])]

    def __str__(self) -> str:
        return f"{self.pupil} · {self.issued_at:%Y-%m-%d}"


class WithoutConsent(models.TextChoices):
    READ_ONLY = "read_only", _("Read lessons only; quiz answers are not recorded")
    FULL = "full", _("Use everything, as with consent")


class PrivacySettings(models.Model):
    """What one province decides about children's data; ``province`` empty = default.

    Edited by platform administrators in the Django admin. The row of a pupil's
    province wins; without one, the default row; without that, the field defaults.
    """

    province = models.OneToOneField(
        "lms.AdministrativeUnit",
        verbose_name=_("province"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="privacy_settings",
        help_text=_("Leave empty for the platform-wide default."),
    )
    without_consent = models.CharField(
        _("a pupil without consent may"),
        max_length=16,
        choices=WithoutConsent.choices,
        default=WithoutConsent.READ_ONLY,
    )
    notice_version = models.CharField(
        _("current privacy notice version"), max_length=20, default="2026-01"
    )
    learning_records_years = models.PositiveSmallIntegerField(
        _("keep learning records (years after the pupil left)"), default=2
    )
    help_requests_years = models.PositiveSmallIntegerField(
        _("keep the words of closed help requests (years)"), default=5
    )
    audit_log_years = models.PositiveSmallIntegerField(
        _("keep the audit log (years)"), default=5
    )

    class Meta:
        verbose_name = _("privacy settings")
        verbose_name_plural = _("privacy settings")
        constraints = [
            models.UniqueConstraint(
                fields=["province"],
                name="privacy_settings_one_per_province",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return str(self.province or _("Platform default"))
