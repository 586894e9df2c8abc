"""Reads of the certificates app, scoped through ``lms.people.selectors``.

Who may see or act on a certificate follows who may see the learner:
``pupils_visible_to`` (a pupil themself, their teachers, their school's
administrators). Revoking is for school administrators (and platform
administrators) only. The public verification reads one certificate by its code.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.codes import code_normalize
from certificates.models import Certificate, CertificateBundle, CertificateSignature
from common.errors import NotFound
from lms.models import AdministrativeUnit, Role, School, SchoolClass, User
from lms.people.selectors import (
    classes_managed_by,
    enrolments_visible_to,
    pupils_visible_to,
    units_managed_by,
    user_has_role,
    user_school_ids,
)


def certificates_of_user(*, user: User) -> list[Certificate]:
    """Return the user's own certificates, newest first, valid and revoked."""
    if not user.is_authenticated:
        return []
    return list(Certificate.objects.filter(user=user).order_by("-issued_at", "-pk"))


def certificate_by_code(*, code: str) -> Certificate | None:
    """Return the certificate with ``code`` (typed in any case, with dashes)."""
    normalized = code_normalize(code)
    if not normalized:
        return None
    return (
        Certificate.objects.filter(code=normalized)
        .select_related("replaced_by")
        .first()
    )


def certificates_visible_to(user: User) -> QuerySet[Certificate]:
    """Return the certificates ``user`` may download: their own and their pupils'."""
    if not user.is_authenticated:
        return Certificate.objects.none()
    return Certificate.objects.filter(user=user) | Certificate.objects.filter(
        user__in=pupils_visible_to(user).values("pk")
    )


def certificates_revocable_by(user: User) -> QuerySet[Certificate]:
    """Return the certificates ``user`` may revoke or re-issue.

    A school administrator: those of the pupils of their school (as
    ``pupils_visible_to`` decides); a platform administrator: all.
    """
    if user_has_role(user, Role.PLATFORM_ADMIN):
        return Certificate.objects.all()
    if not user_school_ids(user, Role.SCHOOL_ADMIN):
        return Certificate.objects.none()
    return Certificate.objects.filter(
        user__in=pupils_visible_to(user).values("pk"),
        user__enrolments__school_class__school_id__in=user_school_ids(
            user, Role.SCHOOL_ADMIN
        ),
    ).distinct()


def certificate_for_download(*, user: User, certificate_id: int) -> Certificate:
    """Return a valid certificate ``user`` may download, or raise ``NotFound``."""
    certificate = (
        certificates_visible_to(user)
        .filter(pk=certificate_id, revoked_at__isnull=True)
        .first()
    )
    if certificate is None:
        raise NotFound(_("No such certificate."))
    return certificate


def certificate_for_revoking(*, user: User, certificate_id: int) -> Certificate:
    """Return a certificate ``user`` may revoke, or raise ``NotFound``."""
    certificate = (
        certificates_revocable_by(user)
        .filter(pk=certificate_id)
        .select_related("replaced_by")
        .first()
    )
    if certificate is None:
        raise NotFound(_("No such certificate."))
    return certificate


def may_open_class_certificates(*, user: User, class_id: int) -> bool:
    """Return whether ``user`` may open the class's certificates page (the same
    rule as ``class_for_certificates``): for the links to it."""
    return classes_managed_by(user).filter(pk=class_id).exists()


def class_for_certificates(*, user: User, class_id: int) -> SchoolClass:
    """Return a class ``user`` manages (teacher, school administrator), or 404."""
    school_class = (
        classes_managed_by(user)
        .select_related("school", "school_year")
        .filter(pk=class_id)
        .first()
    )
    if school_class is None:
        raise NotFound(_("No such class."))
    return school_class


def class_certificates(
    *, school_class: SchoolClass, valid_only: bool = False
) -> list[Certificate]:
    """Return the certificates of the pupils enrolled in ``school_class`` now.

    The caller found the class through ``class_for_certificates``.
    """
    pupil_ids = school_class.enrolments.filter(left_on__isnull=True).values("pupil_id")
    certificates = Certificate.objects.filter(user_id__in=pupil_ids)
    if valid_only:
        certificates = certificates.filter(revoked_at__isnull=True)
    return list(certificates.order_by("learner_name", "issued_at", "pk"))


def class_pupils_with_certificates(*, user: User, school_class: SchoolClass):
    """Return (enrolment, certificates) pairs for the class page, in roster order."""
    enrolments = list(
        enrolments_visible_to(user)
        .filter(school_class=school_class)
        .order_by("roster_number", "pupil__display_name")
    )
    by_pupil: dict[int, list[Certificate]] = {}
    for certificate in Certificate.objects.filter(
        user_id__in=[enrolment.pupil_id for enrolment in enrolments]
    ).order_by("issued_at", "pk"):
        by_pupil.setdefault(certificate.user_id, []).append(certificate)
    return [
        (enrolment, by_pupil.get(enrolment.pupil_id, [])) for enrolment in enrolments
    ]


def bundle_for(*, user: User, bundle_id: int) -> CertificateBundle:
    """Return a bundle ``user`` asked for, of a class they still manage, or 404."""
    bundle = (
        CertificateBundle.objects.filter(
            pk=bundle_id,
            requested_by=user,
            school_class__in=classes_managed_by(user),
        )
        .select_related("school_class")
        .first()
    )
    if bundle is None:
        raise NotFound(_("No such download."))
    return bundle


@dataclass(frozen=True)
class Verification:
    """What the public may learn about a certificate: what is printed, and status.

    The reason for a revocation and who revoked it stay private.
    """

    code: str
    status: str
    name: str
    achievement: str
    issued_on: datetime.date
    school: str
    issuer: str
    revoked_on: datetime.date | None
    replaced: bool
    signed_by: str = ""


def certificate_verification(*, code: str) -> Verification | None:
    """Return the public facts of the certificate with ``code``, or None."""
    certificate = certificate_by_code(code=code)
    if certificate is None:
        return None
    achievement = certificate.achievement
    if certificate.language == "en" and certificate.achievement_en:
        achievement = certificate.achievement_en
    revoked_on = (
        timezone.localtime(certificate.revoked_at).date()
        if certificate.revoked_at
        else None
    )
    return Verification(
        code=certificate.display_code,
        status=certificate.status,
        name=certificate.learner_name,
        achievement=achievement,
        issued_on=timezone.localtime(certificate.issued_at).date(),
        school=certificate.school_name,
        issuer=certificate.issuer,
        revoked_on=revoked_on,
        replaced=hasattr(certificate, "replaced_by")
        and certificate.revoked_at is not None,
        signed_by=(
            f"{certificate.signer_name} ({certificate.signer_title})"
            if certificate.signer_name and certificate.signer_title
            else certificate.signer_name
        ),
    )


# --- The province's signature block ----------


def certificate_signature_for(*, school: School | None) -> CertificateSignature | None:
    """Return the signature block of ``school``'s province, if it has set one up."""
    if school is None:
        return None
    province_path = school.unit.path[: AdministrativeUnit.steplen]
    return CertificateSignature.objects.filter(province__path=province_path).first()


def signature_provinces_for(user: User) -> QuerySet[AdministrativeUnit]:
    """Return the provinces whose signature block ``user`` may set: a province
    officer's own, every province for a platform administrator."""
    return units_managed_by(user).filter(depth=1).order_by("name")


def signatures_managed_by(user: User) -> QuerySet[CertificateSignature]:
    """Return the signature blocks ``user`` may see and change in the admin."""
    return CertificateSignature.objects.filter(
        province__in=signature_provinces_for(user)
    ).select_related("province")
