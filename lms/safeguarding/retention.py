"""Retention: records past the province's periods are anonymised or removed.

Run daily by ``manage.py apply_retention`` (``--dry-run`` reports only). The
periods come from ``PrivacySettings`` of each school's province:

- closed help requests older than ``help_requests_years``: the child's words and
  the adults' notes are removed; category, dates and status stay for counts;
- pupils with no active enrolment whose last enrolment ended more than
  ``learning_records_years`` ago: erased with ``pupil_erase`` (the same erasers,
  so learning records go the same way as on a withdrawal);
- audit entries older than the platform default's ``audit_log_years``: deleted;
- quiz attempts set aside for a newer version that never received an answer,
  after ``REPLACED_ATTEMPT_KEPT_DAYS`` (``quizzes.services``): deleted.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from lms.models import (
    AuditEntry,
    Enrolment,
    HelpRequest,
    HelpRequestAction,
    HelpStatus,
    School,
    User,
)
from lms.people.consent import privacy_settings_for
from lms.safeguarding.data_rights import ERASED_DISPLAY_NAME, pupil_erase
from quizzes.services import attempts_replaced_purge


@dataclass
class RetentionReport:
    help_requests_redacted: list[int] = field(default_factory=list)
    pupils_erased: list[int] = field(default_factory=list)
    audit_entries_expired: int = 0
    replaced_attempts_deleted: int = 0


def _years_before(now: datetime.datetime, years: int) -> datetime.datetime:
    return now - datetime.timedelta(days=365 * years + years // 4)


@transaction.atomic
def retention_apply(
    *, now: datetime.datetime | None = None, dry_run: bool = False
) -> RetentionReport:
    """Anonymise or remove what is past its retention period; report what."""
    now = now or timezone.now()
    report = RetentionReport()
    settings_by_school: dict[int, object] = {}

    def settings_of(school_id: int):
        if school_id not in settings_by_school:
            school = School.objects.select_related("unit").get(pk=school_id)
            settings_by_school[school_id] = privacy_settings_for(school=school)
        return settings_by_school[school_id]

    closed = HelpRequest.objects.filter(
        status=HelpStatus.CLOSED, redacted_at__isnull=True
    ).values_list("pk", "school_id", "closed_at")
    for pk, school_id, closed_at in closed:
        years = settings_of(school_id).help_requests_years
        if closed_at and closed_at < _years_before(now, years):
            report.help_requests_redacted.append(pk)
    if report.help_requests_redacted and not dry_run:
        HelpRequest.objects.filter(pk__in=report.help_requests_redacted).update(
            message="", redacted_at=now
        )
        HelpRequestAction.objects.filter(
            help_request_id__in=report.help_requests_redacted
        ).update(note="")

    left = (
        Enrolment.objects.exclude(pupil__display_name=ERASED_DISPLAY_NAME)
        .exclude(
            pupil__in=Enrolment.objects.filter(left_on__isnull=True).values("pupil")
        )
        .values("pupil_id")
        .annotate(last_left=Max("left_on"), school_id=Max("school_class__school_id"))
    )
    for row in left:
        years = settings_of(row["school_id"]).learning_records_years
        cutoff = _years_before(now, years).date()
        if row["last_left"] and row["last_left"] < cutoff:
            report.pupils_erased.append(row["pupil_id"])
    if not dry_run:
        for pupil in User.objects.filter(pk__in=report.pupils_erased):
            pupil_erase(pupil=pupil, actor=None, reason="retention")

    audit_cutoff = _years_before(now, privacy_settings_for(school=None).audit_log_years)
    expired = AuditEntry.objects.filter(created_at__lt=audit_cutoff)
    report.audit_entries_expired = expired.count()
    if not dry_run and report.audit_entries_expired:
        AuditEntry.objects.all().expire_before(audit_cutoff)
    report.replaced_attempts_deleted = attempts_replaced_purge(now=now, dry_run=dry_run)
    return report
