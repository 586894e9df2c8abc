"""Writes of the reports: the programme rule, and evidence exports.

An export is a ``ReportExport`` row created by ``report_export_create`` and
filled by ``report_export_run``, its background job (``common.jobs``): run by
django-tasks in the process in the embedded mode and tests, by the queue's worker
in production, retried and swept like every job (docs/operations.md). The page
polls the row's progress and offers the file only when it is complete.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.jobs import JobKind, JobOutput, job_run
from lms.errors import LmsError
from lms.models import (
    AdministrativeUnit,
    ExportFormat,
    ProgrammeTarget,
    ReportExport,
    ReportingPeriod,
    User,
)
from lms.people.audit import audit_record
from lms.reports.exports import (
    figures_hash,
    unit_report_csv,
    unit_report_pdf,
    unit_report_xlsx,
)
from lms.reports.selectors import unit_for_reports
from lms.reports.unit_dashboard import unit_dashboard, unit_report_data


@transaction.atomic
def programme_target_save(
    *,
    actor: User,
    period: ReportingPeriod,
    school_type: str = "",
    min_class_share: Decimal,
    min_pupil_share: Decimal,
    grade_from: int,
    grade_to: int,
) -> ProgrammeTarget:
    """Set the rule of ``period`` (for one type of school when ``school_type``)."""
    if not actor.has_perm("lms.edit_programme_target"):
        raise LmsError(
            _("You cannot change the programme target."), code="target_not_allowed"
        )
    target = (
        ProgrammeTarget.objects.select_for_update()
        .filter(period=period, school_type=school_type)
        .first()
    ) or ProgrammeTarget(period=period, school_type=school_type)
    before = (
        {
            "min_class_share": str(target.min_class_share),
            "min_pupil_share": str(target.min_pupil_share),
            "grade_from": target.grade_from,
            "grade_to": target.grade_to,
        }
        if target.pk
        else None
    )
    target.min_class_share = min_class_share
    target.min_pupil_share = min_pupil_share
    target.grade_from = grade_from
    target.grade_to = grade_to
    target.updated_by = actor
    target.full_clean()
    target.save()
    audit_record(
        actor=actor,
        action="programme_target.save",
        target=target,
        details={
            "period": period.pk,
            "school_type": school_type,
            "before": before,
            "after": {
                "min_class_share": str(target.min_class_share),
                "min_pupil_share": str(target.min_pupil_share),
                "grade_from": grade_from,
                "grade_to": grade_to,
            },
        },
    )
    return target


@transaction.atomic
def report_export_create(
    *,
    actor: User,
    unit: AdministrativeUnit,
    period: ReportingPeriod,
    export_format: str,
) -> ReportExport:
    """Record an export of ``unit``'s report and queue its making after commit."""
    if export_format not in ExportFormat.values:
        raise LmsError(_("Unknown export format."), code="export_format")
    if unit_for_reports(user=actor, unit_id=unit.pk) is None:
        raise LmsError(_("You cannot export this unit's report."), code="export_scope")
    export = ReportExport.objects.create(
        requested_by=actor, unit=unit, period=period, export_format=export_format
    )
    REPORT_EXPORT_JOB.enqueue(export.pk)
    return export


def _progress(export: ReportExport, value: int) -> None:
    ReportExport.objects.filter(pk=export.pk).update(progress=value)


def report_export_run(*, export_id: int) -> ReportExport | None:
    """Make the file of export ``export_id``: one attempt of its background job.

    Returns the export as the attempt left it, or ``None`` when the export was
    not waiting for a run (``common.jobs.job_run``: retries, time limit, sweep).
    """
    return job_run(
        REPORT_EXPORT_JOB,
        export_id,
        make=_export_file,
        claim_fields={"progress": 5},
    )


def _export_file(export: ReportExport) -> JobOutput:
    """Figures, hash, file; progress as it goes.

    The figures are computed as the requester sees them now; their canonical
    JSON's SHA-256 is stored with them, so the verify page can say later whether
    a copy matches the record and whether today's data still gives it.
    """
    dashboard = unit_dashboard(
        user=export.requested_by,
        unit=export.unit,
        period=export.period,
        trend=False,
    )
    _progress(export, 30)
    figures = unit_report_data(dashboard)
    content_hash = figures_hash(figures)
    readable = unit_report_data(dashboard, with_reasons=True)
    rule_texts = [rule.describe() for rule in dashboard.rules]
    made_at = timezone.now()
    _progress(export, 45)
    maker = {
        ExportFormat.XLSX: unit_report_xlsx,
        ExportFormat.CSV: unit_report_csv,
    }.get(export.export_format)
    if maker is not None:
        content = maker(
            readable,
            rule_texts=rule_texts,
            content_hash=content_hash,
            made_at=made_at,
        )
    else:
        content = unit_report_pdf(
            readable,
            rule_texts=rule_texts,
            content_hash=content_hash,
            made_at=made_at,
            on_progress=lambda value: _progress(export, value),
        )
    return JobOutput(
        name=f"bao-cao-{export.unit.code}-{export.period.pk}.{export.export_format}",
        content=content,
        fields={"figures": figures, "content_hash": content_hash, "progress": 100},
    )


# The export's background job (settings TASK_JOBS names it for the sweep).
REPORT_EXPORT_JOB = JobKind(
    model=ReportExport,
    task_path="lms.reports.tasks.report_export_task",
    argument="export_id",
)
