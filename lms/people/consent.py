"""Consent to process a pupil's data: the rule, who lacks it, and recording it.

The rule (Law 91/2025 art. 24; Decree 13/2023 art. 20): a parent's or guardian's
consent for every pupil, and the child's own consent from age 7. The platform
keeps no birth dates (minimum data), so age is read from the class: grade 1 is
the year a child turns 6, grade 2 the year they turn 7. The child's own consent
is therefore asked for every pupil in a class of grade 2 or above. A child in
grade 1 who is already 7 is asked the next year at the latest; a younger child
in grade 2 is asked a little early, which errs on the side of the child's voice.

What a pupil without consent may do is the province's choice
(``PrivacySettings.without_consent``); the default lets them read lessons but
records no learning. Asking for help always works: it is not processing for
learning, it is protection (Law on Children art. 54).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import NotFound
from lms.errors import LmsError
from lms.models import (
    AdministrativeUnit,
    ConsentGiver,
    ConsentMethod,
    ConsentRecord,
    Enrolment,
    PrivacySettings,
    Role,
    School,
    User,
    WithoutConsent,
)
from lms.people.audit import audit_record
from lms.people.selectors import pupil_current_enrolment, user_has_role, user_school_ids

CHILD_CONSENT_FROM_GRADE = 2


def child_consent_needed(*, grade: int) -> bool:
    """Return whether a pupil of ``grade`` must consent themself (age 7 and up)."""
    return grade >= CHILD_CONSENT_FROM_GRADE


# --- Settings ----------


def privacy_settings_for(*, school: School | None) -> PrivacySettings:
    """Return the privacy settings that apply at ``school``'s province.

    The province's row wins, then the platform default row, then the field
    defaults (an unsaved row), so there is always an answer.
    """
    candidates = PrivacySettings.objects.filter(province__isnull=True)
    if school is not None:
        root_path = school.unit.path[: AdministrativeUnit.steplen]
        candidates = PrivacySettings.objects.filter(
            Q(province__path=root_path) | Q(province__isnull=True)
        )
    rows = sorted(candidates, key=lambda row: row.province_id is None)
    return rows[0] if rows else PrivacySettings()


# --- Reads ----------


def _active(given_by: str) -> Exists:
    return Exists(
        ConsentRecord.objects.filter(
            pupil=OuterRef("pupil"), given_by=given_by, withdrawn_at__isnull=True
        )
    )


def consent_is_complete(*, pupil: User, grade: int | None) -> bool:
    records = set(
        ConsentRecord.objects.filter(
            pupil=pupil, withdrawn_at__isnull=True
        ).values_list("given_by", flat=True)
    )
    if ConsentGiver.PARENT not in records:
        return False
    return not (
        grade is not None
        and child_consent_needed(grade=grade)
        and ConsentGiver.CHILD not in records
    )


def pupil_may_record_learning(*, pupil: User) -> bool:
    """Return whether the learning loop may store this pupil's answers and progress.

    The help flow never asks this: a child can always ask for help.
    """
    enrolment = pupil_current_enrolment(pupil)
    school = enrolment.school_class.school if enrolment else None
    if privacy_settings_for(school=school).without_consent == WithoutConsent.FULL:
        return True
    grade = enrolment.school_class.grade if enrolment else None
    return consent_is_complete(pupil=pupil, grade=grade)


def consent_schools_for(user: User) -> QuerySet[School]:
    """Return the schools where ``user`` records consent and handles pupils' data."""
    if not user.is_authenticated or not user.has_perm("lms.manage_consent"):
        return School.objects.none()
    if user_has_role(user, Role.PLATFORM_ADMIN):
        return School.objects.all()
    return School.objects.filter(pk__in=user_school_ids(user, Role.SCHOOL_ADMIN))


def consent_school_get(*, user: User, school_id: int) -> School:
    school = consent_schools_for(user).select_related("unit").filter(pk=school_id)
    school = school.first()
    if school is None:
        raise NotFound(_("There is no such school."))
    return school


@dataclass(frozen=True)
class PupilConsentRow:
    enrolment: Enrolment
    parent: bool
    child: bool
    child_needed: bool

    @property
    def complete(self) -> bool:
        return self.parent and (self.child or not self.child_needed)


def consent_overview(
    *,
    school: School,
    school_class_id: int | None = None,
    missing_only: bool = False,
) -> list[PupilConsentRow]:
    """Return each active pupil of ``school`` with their consent, in two queries.

    The caller got ``school`` from ``consent_school_get``, which scopes it.
    """
    enrolments = (
        Enrolment.objects.filter(school_class__school=school, left_on__isnull=True)
        .select_related("pupil", "school_class")
        .annotate(
            has_parent=_active(ConsentGiver.PARENT),
            has_child=_active(ConsentGiver.CHILD),
        )
        .order_by("school_class__grade", "school_class__name", "roster_number")
    )
    if school_class_id:
        enrolments = enrolments.filter(school_class_id=school_class_id)
    rows = [
        PupilConsentRow(
            enrolment=enrolment,
            parent=enrolment.has_parent,
            child=enrolment.has_child,
            child_needed=child_consent_needed(grade=enrolment.school_class.grade),
        )
        for enrolment in enrolments
    ]
    if missing_only:
        rows = [row for row in rows if not row.complete]
    return rows


def consent_pupil_get(*, user: User, school: School, pupil_id: int) -> User:
    """Return a pupil enrolled (now or before) at ``school``, else 404."""
    pupil = (
        User.objects.filter(
            pk=pupil_id,
            role_assignments__role=Role.PUPIL,
            enrolments__school_class__school=school,
        )
        .distinct()
        .first()
    )
    if pupil is None:
        raise NotFound(_("There is no such pupil."))
    return pupil


# --- Writes ----------


@transaction.atomic
def consent_record_bulk(
    *,
    recorded_by: User,
    school: School,
    pupil_ids: list[int],
    given_by: list[str],
    method: str,
    consented_on: datetime.date,
    notice_version: str,
) -> int:
    """Record consent from a paper form (or in person) for many pupils at once.

    A child's own consent is only recorded where the class is grade 2 or above;
    a parent's is recorded for everyone. Returns how many records were made.
    """
    if not given_by or not set(given_by) <= set(ConsentGiver.values):
        raise LmsError(_("Choose who gave consent."), code="consent_giver")
    if method not in ConsentMethod.values:
        raise LmsError(_("Choose how consent was given."), code="consent_method")
    if consented_on > timezone.localdate():
        raise LmsError(_("The date cannot be in the future."), code="consent_date")
    enrolments = Enrolment.objects.filter(
        school_class__school=school, left_on__isnull=True, pupil_id__in=pupil_ids
    ).select_related("school_class")
    records = []
    for enrolment in enrolments:
        for giver in given_by:
            if giver == ConsentGiver.CHILD and not child_consent_needed(
                grade=enrolment.school_class.grade
            ):
                continue
            records.append(
                ConsentRecord(
                    pupil_id=enrolment.pupil_id,
                    given_by=giver,
                    method=method,
                    consented_on=consented_on,
                    notice_version=notice_version,
                    recorded_by=recorded_by,
                )
            )
    ConsentRecord.objects.bulk_create(records)
    audit_record(
        actor=recorded_by,
        action="consent.record",
        target=school,
        details={
            "pupils": sorted({record.pupil_id for record in records}),
            "given_by": given_by,
            "method": method,
            "notice_version": notice_version,
        },
    )
    return len(records)


@transaction.atomic
def consent_withdraw(*, actor: User, pupil: User) -> int:
    """Mark every active consent of ``pupil`` withdrawn; the records stay."""
    count = ConsentRecord.objects.filter(pupil=pupil, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now()
    )
    audit_record(
        actor=actor, action="consent.withdraw", target=pupil, details={"records": count}
    )
    return count
