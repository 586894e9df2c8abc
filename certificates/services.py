"""Writes of the certificates app: issue on completion, revoke, re-issue.

Issuing runs inside the transaction that completed the module (the
``module_completed`` signal is sent inside it), so it must stay cheap: one query
for the active rules, one existence check per matching rule, and only for a
certificate actually earned a few more to snapshot what is printed. No PDF is
drawn here; that happens on download.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from certificates.codes import code_generate
from certificates.errors import CertificateError
from certificates.models import (
    Certificate,
    CertificateSignature,
    IssuingRule,
    RuleKind,
)
from certificates.selectors import certificate_signature_for, signature_provinces_for
from common.errors import NotFound
from content_cms.models import AgeBand, Audience, ModulePage
from content_cms.selectors import age_band_for_grade, modules_visible_to
from lms.learning.selectors import modules_passed_by
from lms.models import ProgressStatus, School, User
from lms.people.audit import audit_record
from lms.people.selectors import pupil_current_enrolment, user_school_ids

DEFAULT_ISSUER = "Sở Giáo dục và Đào tạo tỉnh Tây Ninh"
REISSUED_REASON = "re-issued"
# Printed in the learner's language, whatever language the page was in.
PATH_ACHIEVEMENT = gettext_noop("All modules for %(band)s")
STAFF_ACHIEVEMENT = gettext_noop("The online-safety training for teachers and staff")


def certificate_issuer() -> str:
    return getattr(settings, "CERTIFICATE_ISSUER", "") or DEFAULT_ISSUER


@dataclass
class _Subject:
    """What a rule awards for: the key that makes it unique, and its wording."""

    key: str
    achievement: str
    achievement_en: str
    module: ModulePage | None = None


class _Learner:
    """The completing learner's facts, each read at most once per event."""

    def __init__(self, user: User):
        self.user = user
        self._enrolment = ...

    @property
    def enrolment(self):
        if self._enrolment is ...:
            self._enrolment = pupil_current_enrolment(self.user)
        return self._enrolment

    def school(self) -> School | None:
        if self.enrolment is not None:
            return self.enrolment.school_class.school
        school_ids = user_school_ids(self.user)
        return (
            School.objects.filter(pk__in=school_ids)
            .select_related("unit")
            .order_by("pk")
            .first()
        )


def _module_passed(module: ModulePage, progress) -> bool:
    if progress.status == ProgressStatus.PASSED:
        return True
    return progress.is_done and module.quiz_id is None


def _english_title(module: ModulePage) -> str:
    title = (
        ModulePage.objects.live()
        .filter(translation_key=module.translation_key, locale__language_code="en")
        .values_list("title", flat=True)
        .first()
    )
    return title or ""


def _in_language(language: str, message: str, *, band: AgeBand | None = None) -> str:
    """Return ``message`` (an English msgid) in ``language``, with the band's name."""
    with translation.override(language):
        text = _(message)
        return text % {"band": band.localized_name} if band is not None else text


def _path_band(rule: IssuingRule, learner: _Learner) -> AgeBand | None:
    if rule.age_band_id:
        return rule.age_band
    if learner.enrolment is None:
        return None
    return age_band_for_grade(learner.enrolment.school_class.grade)


def _already_issued(rule: IssuingRule, user: User, key: str) -> bool:
    return Certificate.objects.filter(
        rule=rule, user=user, subject_key=key, reissue_of__isnull=True
    ).exists()


def _subject_for(
    *, rule: IssuingRule, learner: _Learner, module: ModulePage
) -> _Subject | None:
    """Return what ``rule`` awards for this completion, or None if it awards nothing.

    Checks the cheap facts first (kind, audience, chosen module), then whether the
    certificate exists, and only then the one query over the learner's passes.
    """
    user = learner.user
    if rule.kind == RuleKind.MODULE_PASSED:
        if rule.module_id is not None and rule.module_id != module.pk:
            return None
        if rule.module_id is None and module.audience != Audience.PUPIL:
            return None
        key = f"module:{module.pk}"
        if _already_issued(rule, user, key):
            return None
        return _Subject(
            key=key,
            achievement=module.title,
            achievement_en=_english_title(module),
            module=module,
        )
    if rule.kind == RuleKind.LEARNING_PATH:
        if module.audience != Audience.PUPIL:
            return None
        band = _path_band(rule, learner)
        if band is None:
            return None
        key = f"path:{band.code}"
        if _already_issued(rule, user, key):
            return None
        band_modules = modules_visible_to(user).filter(
            audience=Audience.PUPIL, age_bands=band
        )
        if not band_modules.filter(pk=module.pk).exists():
            return None
        if band_modules.exclude(pk__in=modules_passed_by(user=user)).exists():
            return None
        vietnamese, english = (
            _in_language(language, PATH_ACHIEVEMENT, band=band)
            for language in ("vi", "en")
        )
        return _Subject(key=key, achievement=vietnamese, achievement_en=english)
    if rule.kind == RuleKind.STAFF_TRAINING:
        if module.audience != Audience.TEACHER_STAFF:
            return None
        key = "staff"
        if _already_issued(rule, user, key):
            return None
        staff_modules = modules_visible_to(user).filter(audience=Audience.TEACHER_STAFF)
        if staff_modules.exclude(pk__in=modules_passed_by(user=user)).exists():
            return None
        vietnamese, english = (
            _in_language(language, STAFF_ACHIEVEMENT) for language in ("vi", "en")
        )
        return _Subject(
            key=key,
            achievement=rule.name or vietnamese,
            achievement_en=rule.name_en or english,
        )
    return None


def _signature_fields(signature: CertificateSignature | None) -> dict:
    """What a certificate keeps of its province's signature block."""
    if signature is None:
        return {"issuer": certificate_issuer()}
    return {
        "issuer": signature.issuer or certificate_issuer(),
        "place": signature.place,
        "signer_title": signature.signer_title,
        "signer_title_en": signature.signer_title_en,
        "signer_name": signature.signer_name,
        "signature_file": signature.signature_image.name or "",
    }


def _new_certificate(
    *, rule: IssuingRule, learner: _Learner, subject: _Subject, reissue_of=None
) -> Certificate:
    """Create the certificate with a fresh code (a clash is retried, never shown)."""
    user = learner.user
    enrolment = learner.enrolment
    school = learner.school()
    signature = certificate_signature_for(school=school)
    fields = {
        "rule": rule,
        "user": user,
        "subject_key": subject.key,
        "module": subject.module,
        "school_class": enrolment.school_class if enrolment else None,
        "learner_name": user.name,
        "achievement": subject.achievement[:300],
        "achievement_en": subject.achievement_en[:300],
        "school_name": school.name if school else "",
        **_signature_fields(signature),
        "language": user.preferred_language or "vi",
        "issued_at": timezone.now(),
        "reissue_of": reissue_of,
    }
    for _attempt in range(5):
        certificate = Certificate(code=code_generate(), **fields)
        try:
            with transaction.atomic():
                certificate.save()
        except IntegrityError:
            if Certificate.objects.filter(code=certificate.code).exists():
                continue  # a one-in-10^17 clash of codes: draw another
            raise  # the (rule, user, subject) constraint: issued concurrently
        return certificate
    raise CertificateError(_("Could not draw a new certificate code."))


@transaction.atomic
def certificates_issue_for_completion(
    *, user: User, module: ModulePage, progress
) -> list[Certificate]:
    """Issue every certificate this completion earns, each at most once, ever.

    Called for ``lms.signals.module_completed`` inside the completing
    transaction. A repeated event finds the certificates already issued and
    issues nothing; a revoked certificate is not issued again automatically
    (re-issuing is a school administrator's decision).
    """
    if not _module_passed(module, progress):
        return []
    rules = list(IssuingRule.objects.filter(is_active=True).select_related("age_band"))
    learner = _Learner(user)
    issued = []
    for rule in rules:
        subject = _subject_for(rule=rule, learner=learner, module=module)
        if subject is None:
            continue
        try:
            with transaction.atomic():
                issued.append(
                    _new_certificate(rule=rule, learner=learner, subject=subject)
                )
        except IntegrityError:
            continue  # issued by a concurrent event for the same subject
    return issued


def on_module_completed(sender, *, user, module, progress, **kwargs) -> None:
    """Receive ``lms.signals.module_completed`` and issue what it earns."""
    certificates_issue_for_completion(user=user, module=module, progress=progress)


# --- Revocation and re-issue ----------


def _check_revocable(actor: User, certificate: Certificate) -> None:
    """Only a school administrator of the pupil's school (or a platform admin)."""
    from certificates.selectors import certificates_revocable_by

    if not certificates_revocable_by(actor).filter(pk=certificate.pk).exists():
        raise NotFound(_("No such certificate."))


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError(
            _("Please give the reason for revoking the certificate."),
            code="reason_required",
        )
    return reason[:1000]


def _revoke(*, actor: User, certificate: Certificate, reason: str) -> None:
    certificate.revoked_at = timezone.now()
    certificate.revoked_by = actor
    certificate.revocation_reason = reason
    certificate.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])


@transaction.atomic
def certificate_revoke(
    *, actor: User, certificate: Certificate, reason: str
) -> Certificate:
    """Revoke ``certificate``: the verification page says so from now on.

    The reason is kept for the school and the audit log; the public page shows
    only that it was revoked, and when.
    """
    reason = _clean_reason(reason)
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    _check_revocable(actor, certificate)
    if not certificate.is_valid:
        raise CertificateError(
            _("This certificate is already revoked."), code="already_revoked"
        )
    _revoke(actor=actor, certificate=certificate, reason=reason)
    audit_record(
        actor=actor,
        action="certificate.revoke",
        target=certificate,
        details={"code": certificate.code, "user_id": certificate.user_id},
    )
    return certificate


@transaction.atomic
def certificate_reissue(
    *, actor: User, certificate: Certificate, reason: str
) -> Certificate:
    """Replace ``certificate`` with a new one (new code, today's name and school).

    Used when something printed was wrong (a misspelt name): the old certificate
    is revoked with the reason "re-issued" and points at its replacement.
    """
    reason = _clean_reason(reason)
    old = Certificate.objects.select_for_update().get(pk=certificate.pk)
    _check_revocable(actor, old)
    if not old.is_valid:
        raise CertificateError(
            _("This certificate is already revoked."), code="already_revoked"
        )
    _revoke(actor=actor, certificate=old, reason=REISSUED_REASON)
    learner = _Learner(old.user)
    subject = _Subject(
        key=old.subject_key,
        achievement=old.achievement,
        achievement_en=old.achievement_en,
        module=old.module,
    )
    new = _new_certificate(
        rule=old.rule, learner=learner, subject=subject, reissue_of=old
    )
    audit_record(
        actor=actor,
        action="certificate.reissue",
        target=old,
        details={"code": old.code, "new_code": new.code, "user_id": old.user_id},
    )
    return new


# --- Data rights (lms.safeguarding.data_rights registries) ----------


def certificates_export(*, pupil: User, requested_by: User | None) -> dict:
    """Return the pupil's certificates for their data export."""
    return {
        "certificates": [
            {
                "code": certificate.display_code,
                "name": certificate.learner_name,
                "achievement": certificate.achievement,
                "achievement_en": certificate.achievement_en,
                "school": certificate.school_name,
                "issuer": certificate.issuer,
                "issued_at": certificate.issued_at.isoformat(),
                "revoked_at": (
                    certificate.revoked_at.isoformat()
                    if certificate.revoked_at
                    else None
                ),
            }
            for certificate in Certificate.objects.filter(user=pupil).order_by("pk")
        ]
    }


def certificates_erase(*, pupil: User) -> None:
    """Revoke the pupil's certificates and remove the name printed on them.

    The rows stay (a verification of an old paper copy then answers "revoked"
    rather than "unknown"), but nothing on them identifies the child.
    """
    now = timezone.now()
    certificates = Certificate.objects.filter(user=pupil)
    certificates.filter(revoked_at__isnull=True).update(
        revoked_at=now, revocation_reason="erased"
    )
    certificates.update(learner_name="", school_name="")


# --- The province's signature block (Wagtail admin) ----------

SIGNATURE_FIELDS = (
    "issuer",
    "place",
    "signer_title",
    "signer_title_en",
    "signer_name",
    "signature_image",
)


@transaction.atomic
def certificate_signature_save(
    *, actor: User, data: dict, signature: CertificateSignature | None = None
) -> CertificateSignature:
    """Create or change a province's signature block; audit-logged.

    Only a province officer of that province (or a platform administrator) may;
    certificates already issued keep the block they were issued with.
    """
    province = data.get("province") or (signature.province if signature else None)
    if (
        province is None
        or not signature_provinces_for(actor).filter(pk=province.pk).exists()
    ):
        raise CertificateError(
            _("You cannot set the certificates of this province."),
            code="signature_not_allowed",
        )
    if signature is None:
        if CertificateSignature.objects.filter(province=province).exists():
            raise CertificateError(
                _("This province has a signature block already: change that one."),
                code="signature_exists",
            )
        signature = CertificateSignature(province=province)
    for name in SIGNATURE_FIELDS:
        if name in data and (name != "signature_image" or data[name] is not None):
            value = data[name]
            if name == "signature_image" and value is False:  # "clear" ticked
                value = ""
            setattr(signature, name, value)
    signature.save()
    audit_record(
        actor=actor,
        action="certificate.signature",
        target=signature,
        details={"province_id": province.pk, "signer_name": signature.signer_name},
    )
    return signature
