"""Consent to process a pupil's data: the rule, who lacks it, and recording it.

The rule (Law 91/2025 art. 24 and Decree 356/2025, in force since 1 January 2026;
Decree 13/2023 art. 20 before them): a parent's or guardian's
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

In a teacher's flow: a class's teacher sees how many of its pupils lack consent
(``class_consent_missing``), prints one paper slip per pupil for the families
(``consent_slips_issue``: each slip carries a code the family can use online
later, of which only a keyed hash is kept), and records the returned slips of the
class on one screen (``consent_slips_returned_record``, through
``consent_record_bulk``). A class's teacher may do this because they hand out and
collect the slips; the school's consent page stays the school administrator's.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from common.errors import NotFound
from lms.errors import LmsError
from lms.models import (
    AdministrativeUnit,
    ConsentGiver,
    ConsentMethod,
    ConsentRecord,
    ConsentSlip,
    Enrolment,
    PrivacySettings,
    Role,
    School,
    SchoolClass,
    User,
    WithoutConsent,
)
from lms.people.audit import audit_record
from lms.people.selectors import (
    classes_managed_by,
    pupil_current_enrolment,
    user_has_role,
    user_school_ids,
)

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


# --- A class's consent, in the teacher's flow ----------

# Letters and digits nobody misreads on paper or types wrong: no 0/O, 1/I/L,
# 2/Z, 5/S, 6/G or 8/B.
SLIP_CODE_ALPHABET = "ACDEFHJKMNPRTUVWXY34679"
SLIP_CODE_LENGTH = 10


def _ensure_manages_class(actor: User, school_class: SchoolClass) -> None:
    """Refuse unless ``actor`` manages the pupils of ``school_class`` (its teacher)."""
    manages = (
        actor.has_perm("lms.manage_roster")
        and classes_managed_by(actor).filter(pk=school_class.pk).exists()
    )
    if not manages:
        raise NotFound(_("There is no such class."))


def class_consent_missing(*, school_class: SchoolClass) -> list[PupilConsentRow]:
    """Return the class's active pupils whose consent is not complete.

    The caller found ``school_class`` through ``classes_managed_by``.
    """
    return consent_overview(
        school=school_class.school,
        school_class_id=school_class.pk,
        missing_only=True,
    )


def class_consent_missing_count(*, school_class: SchoolClass) -> int:
    """Return how many of the class's pupils lack the consent to keep answers."""
    return len(class_consent_missing(school_class=school_class))


def answers_kept_without_consent(*, school: School) -> bool:
    """Return whether the province lets pupils without consent use everything."""
    return privacy_settings_for(school=school).without_consent == WithoutConsent.FULL


def slip_code_generate() -> str:
    """Return a new random slip code such as ``K7MXRT9ACD`` (about 45 bits)."""
    return "".join(secrets.choice(SLIP_CODE_ALPHABET) for _ in range(SLIP_CODE_LENGTH))


def slip_code_format(code: str) -> str:
    """Return ``code`` as printed, in two groups of five: ``K7MXR-T9ACD``."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def slip_code_hash(code: str) -> str:
    """Return the stored form of a slip code: a keyed SHA-256 of its letters.

    Keyed (``SECRET_KEY``) because a ten-letter code is short enough to guess
    offline from a plain hash; dashes, spaces and case do not count, as a family
    types it.
    """
    letters = "".join(c for c in code.upper() if c.isalnum())
    return salted_hmac("lms.consent_slip", letters, algorithm="sha256").hexdigest()


@dataclass(frozen=True)
class SlipToPrint:
    """One pupil's consent slip, with its code in plain: shown once, on paper."""

    pupil_id: int
    display_name: str
    roster_number: int | None
    child_needed: bool
    code: str


@transaction.atomic
def consent_slips_issue(
    *, actor: User, school_class: SchoolClass, pupil_ids: list[int] | None = None
) -> list[SlipToPrint]:
    """Make a consent slip for each pupil of the class who lacks consent.

    Each slip gets a new code, of which only the hash is stored; the unused slips
    printed before for these pupils are deleted, so a lost slip's code stops
    working. ``pupil_ids`` narrows it (ids outside the class are ignored).
    Returns the slips in roster order, for the PDF; nothing to print is [].
    """
    _ensure_manages_class(actor, school_class)
    rows = class_consent_missing(school_class=school_class)
    if pupil_ids is not None:
        rows = [row for row in rows if row.enrolment.pupil_id in set(pupil_ids)]
    ids = [row.enrolment.pupil_id for row in rows]
    ConsentSlip.objects.filter(pupil_id__in=ids, used_at__isnull=True).delete()
    slips = []
    for row in rows:
        code = slip_code_generate()
        slips.append(
            SlipToPrint(
                pupil_id=row.enrolment.pupil_id,
                display_name=row.enrolment.pupil.display_name,
                roster_number=row.enrolment.roster_number,
                child_needed=row.child_needed,
                code=code,
            )
        )
    ConsentSlip.objects.bulk_create(
        [
            ConsentSlip(
                pupil_id=slip.pupil_id,
                code_hash=slip_code_hash(slip.code),
                issued_by=actor,
            )
            for slip in slips
        ]
    )
    if slips:
        audit_record(
            actor=actor,
            action="consent.slips_issue",
            target=school_class,
            details={"pupils": ids},
        )
    return slips


@transaction.atomic
def consent_slips_returned_record(
    *,
    actor: User,
    school_class: SchoolClass,
    parent_ids: list[int],
    child_ids: list[int],
    consented_on: datetime.date,
) -> int:
    """Record the signed slips a class's families returned, in one go.

    ``parent_ids``: pupils whose slip a parent or guardian signed; ``child_ids``:
    those whose slip the child signed too (counted from grade 2 only). Every id
    must be a pupil of the class, or nothing is written (``NotFound``). Writes
    through ``consent_record_bulk`` (paper, the current notice version), which
    audits. Returns how many consent records were made.
    """
    _ensure_manages_class(actor, school_class)
    parents, children = set(parent_ids), set(child_ids)
    if not parents and not children:
        raise LmsError(
            _("Tick the pupils whose signed slip came back."), code="consent_nobody"
        )
    if consented_on > timezone.localdate():
        raise LmsError(_("The date cannot be in the future."), code="consent_date")
    in_class = set(
        Enrolment.objects.filter(
            school_class=school_class, left_on__isnull=True
        ).values_list("pupil_id", flat=True)
    )
    if not (parents | children) <= in_class:
        raise NotFound(_("There is no such pupil."))
    notice_version = privacy_settings_for(school=school_class.school).notice_version
    count = 0
    for pupil_ids, given_by in (
        (parents & children, [ConsentGiver.PARENT, ConsentGiver.CHILD]),
        (parents - children, [ConsentGiver.PARENT]),
        (children - parents, [ConsentGiver.CHILD]),
    ):
        if pupil_ids:
            count += consent_record_bulk(
                recorded_by=actor,
                school=school_class.school,
                pupil_ids=sorted(pupil_ids),
                given_by=given_by,
                method=ConsentMethod.PAPER,
                consented_on=consented_on,
                notice_version=notice_version,
            )
    return count
