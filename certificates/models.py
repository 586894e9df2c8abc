"""Certificates: the rules that issue them, the certificates, and class bundles.

An ``IssuingRule`` is data platform administrators edit (Django admin): which
achievement earns a certificate. A ``Certificate`` is issued automatically, once
per (rule, learner, subject), when ``lms.signals.module_completed`` says a rule
is met. The subject says what was achieved: ``module:<id>`` for a module,
``path:<age band code>`` for all pupils' modules of an age band, ``staff`` for
the teacher and staff training. The certificate keeps a snapshot of everything
printed on it (name, achievement in both languages, school, issuer, date), so
the public verification page shows exactly what the genuine PDF shows, even if
a module is renamed later.

Re-issuing never edits a certificate: the old one is revoked and a new one,
with a new code, points back at it (``reissue_of``). Only the original of a
chain is unique per (rule, learner, subject), which is what keeps a repeated
completion event from issuing twice.

A ``CertificateBundle`` is one teacher's download of a whole class (a ZIP of
PDFs or one merged PDF), built in the background with its progress recorded.

A ``CertificateSignature`` is what a province prints at the foot of its
certificates, as Vietnamese school certificates carry it: the place and date
line, the signer's title ("GIÁM ĐỐC"), the signature with the seal over it (an
image), and the signer's name. Province officers edit their province's in the
Wagtail admin; each certificate keeps a copy of it as issued.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

CODE_LENGTH = 12
# No 0/O, 1/I/L: a code read aloud or typed from paper cannot be misread.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class RuleKind(models.TextChoices):
    MODULE_PASSED = "module_passed", _("Passing a module")
    LEARNING_PATH = "learning_path", _("Completing a learning path (an age band)")
    STAFF_TRAINING = "staff_training", _("Completing the teacher and staff training")


class IssuingRule(models.Model):
    """What earns a certificate: a module, a learning path, or the staff training.

    ``module``: for "passing a module", the chosen module, or empty for any
    pupils' module. ``age_band``: for a learning path, the band whose modules
    must all be passed, or empty for the band of the pupil's class grade.
    """

    name = models.CharField(_("name (Vietnamese)"), max_length=160)
    name_en = models.CharField(_("name (English)"), max_length=160, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=RuleKind.choices)
    module = models.ForeignKey(
        "content_cms.ModulePage",
        verbose_name=_("module"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"locale__language_code": "vi"},
        help_text=_("Only for 'passing a module'; empty means any pupils' module."),
    )
    age_band = models.ForeignKey(
        "content_cms.AgeBand",
        verbose_name=_("age band"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "Only for a learning path; empty means the band of the pupil's grade."
        ),
    )
    is_active = models.BooleanField(
        pgettext_lazy("issuing rule", "active"), default=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("issuing rule")
        verbose_name_plural = _("issuing rules")
        ordering = ["kind", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.module_id and self.kind != RuleKind.MODULE_PASSED:
            raise ValidationError(
                {"module": _("A module is chosen only for 'passing a module'.")}
            )
        if self.age_band_id and self.kind != RuleKind.LEARNING_PATH:
            raise ValidationError(
                {"age_band": _("An age band is chosen only for a learning path.")}
            )


class CertificateStatus(models.TextChoices):
    VALID = "valid", pgettext_lazy("certificate", "Valid")
    REVOKED = "revoked", pgettext_lazy("certificate", "Revoked")


class Certificate(models.Model):
    """One certificate one learner earned, with what is printed on it."""

    code = models.CharField(_("verification code"), max_length=CODE_LENGTH, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.CASCADE,
        related_name="certificates",
    )
    rule = models.ForeignKey(
        IssuingRule,
        verbose_name=_("issuing rule"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    subject_key = models.CharField(_("subject"), max_length=64)
    module = models.ForeignKey(
        "content_cms.ModulePage",
        verbose_name=_("module"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    school_class = models.ForeignKey(
        "lms.SchoolClass",
        verbose_name=_("class"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The pupil's class when the certificate was issued."),
    )
    # What is printed, as it was printed.
    learner_name = models.CharField(_("name"), max_length=160)
    achievement = models.CharField(_("achievement (Vietnamese)"), max_length=300)
    achievement_en = models.CharField(
        _("achievement (English)"), max_length=300, blank=True
    )
    school_name = models.CharField(_("school"), max_length=200, blank=True)
    issuer = models.CharField(_("issuer"), max_length=200)
    # The signature block as it was when the certificate was issued (blank for
    # certificates issued before the province set one up).
    place = models.CharField(_("place"), max_length=80, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=120, blank=True)
    signer_title_en = models.CharField(
        _("signer's title (English)"), max_length=120, blank=True
    )
    signer_name = models.CharField(_("signer's name"), max_length=120, blank=True)
    signature_file = models.CharField(
        _("signature and seal (stored file)"), max_length=255, blank=True
    )
    language = models.CharField(_("language"), max_length=8, default="vi")
    issued_at = models.DateTimeField(_("issued at"))
    # Revocation: the reason is private (school and audit log only).
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)
    reissue_of = models.OneToOneField(
        "self",
        verbose_name=_("re-issue of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaced_by",
    )

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "user", "subject_key"],
                condition=models.Q(reissue_of__isnull=True),
                name="certificate_once_per_rule_user_subject",
            )
        ]
        indexes = [models.Index(fields=["user", "issued_at"])]

    def __str__(self) -> str:
        return f"{self.display_code} · {self.learner_name}"

    @property
    def display_code(self) -> str:
        """Return the code in groups of four: ABCD-EFGH-JKMN."""
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return CertificateStatus.REVOKED
        return CertificateStatus.VALID

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None

    @property
    def achievement_localized(self) -> str:
        """Return the achievement in the certificate's language."""
        if self.language == "en" and self.achievement_en:
            return self.achievement_en
        return self.achievement


class BundleKind(models.TextChoices):
    ZIP = "zip", _("ZIP of PDF files")
    PDF = "pdf", _("One PDF with every certificate")


class BundleStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("bundle", "Waiting")
    RUNNING = "running", pgettext_lazy("bundle", "Being prepared")
    DONE = "done", pgettext_lazy("bundle", "Ready")
    FAILED = "failed", pgettext_lazy("bundle", "Failed")


class CertificateBundle(models.Model):
    """All certificates of a class in one file, prepared for one teacher."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    school_class = models.ForeignKey(
        "lms.SchoolClass",
        verbose_name=_("class"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=4, choices=BundleKind.choices)
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=BundleStatus.choices,
        default=BundleStatus.PENDING,
    )
    total = models.PositiveIntegerField(_("certificates"), default=0)
    done = models.PositiveIntegerField(_("prepared"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="certificate_bundles/", blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificate bundle")
        verbose_name_plural = _("certificate bundles")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.school_class_id} · {self.kind} · {self.status}"

    @property
    def percent(self) -> int:
        if self.status == BundleStatus.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0


def signature_upload_to(instance, filename: str) -> str:
    """A new name for every upload: a replaced image stays on the certificates
    that were issued with it."""
    suffix = PurePosixPath(filename).suffix.lower()[:5] or ".png"
    return f"certificates/signatures/{uuid.uuid4().hex}{suffix}"


class CertificateSignature(models.Model):
    """The signature block printed on one province's certificates."""

    province = models.OneToOneField(
        "lms.AdministrativeUnit",
        verbose_name=_("province"),
        on_delete=models.CASCADE,
        related_name="certificate_signature",
    )
    issuer = models.CharField(
        _("issuing authority"),
        max_length=200,
        help_text=_(
            "Printed at the top of the certificate, for example "
            "“Sở Giáo dục và Đào tạo tỉnh Tây Ninh”."
        ),
    )
    place = models.CharField(
        _("place"),
        max_length=80,
        help_text=_("Printed before the date: “Tây Ninh, ngày 05 tháng 11 năm 2026”."),
    )
    signer_title = models.CharField(
        _("signer's title"),
        max_length=120,
        help_text=_(
            "Printed above the signature, for example “GIÁM ĐỐC”, or "
            "“KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC” (a slash starts a second line)."
        ),
    )
    signer_title_en = models.CharField(
        _("signer's title (English)"),
        max_length=120,
        blank=True,
        help_text=_("For certificates printed in English, for example “Director”."),
    )
    signer_name = models.CharField(_("signer's name"), max_length=120)
    signature_image = models.ImageField(
        _("signature and seal"),
        upload_to=signature_upload_to,
        blank=True,
        help_text=_(
            "A scan of the signature with the seal over it, as on paper: PNG with a "
            "transparent background (or JPEG), at most 1 MB."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("certificate signature")
        verbose_name_plural = _("certificate signatures")
        ordering = ["province__name"]

    def __str__(self) -> str:
        return f"{self.province} · {self.signer_name}"
