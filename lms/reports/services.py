"""Writes of the reports: the programme rule, and evidence exports.

An export is a ``ReportExport`` row created by ``report_export_create`` and
filled by ``report_export_run``, its background job (``common.jobs``): run by
django-tasks in the process in the embedded mode and tests, by the queue's worker
in production, retried and swept like every job (docs/operations.md). The page
polls the row's progress and offers the file only when it is complete.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Locale

from common.jobs import JobKind, JobOutput, job_run
from content_cms.models import AgeBand, Audience, ModulePage, Topic
from lms.errors import LmsError
from lms.models import (
    AdministrativeUnit,
    ExportFormat,
    ProgrammeTarget,
    ReportExport,
    ReportingPeriod,
    TopicRequirement,
    User,
)
from lms.people.audit import audit_record
from lms.reports.dashboards.unit import (
    schools_detail,
    unit_dashboard,
    unit_report_data,
)
from lms.reports.exports import (
    figures_hash,
    unit_report_csv,
    unit_report_pdf,
    unit_report_xlsx,
)
from lms.reports.selectors import unit_for_reports


@dataclass(frozen=True)
class RequiredTopic:
    """One row of a rule's required topics, as an officer entered it."""

    age_band: AgeBand
    topic: Topic
    min_pupil_share: Decimal = Decimal("80")


def _grade_ranges(grades: list[int]) -> str:
    """Return grades as ranges: [1, 2, 10, 11, 12] -> "1–2, 10–12"."""
    ranges: list[list[int]] = []
    for grade in grades:
        if ranges and ranges[-1][1] == grade - 1:
            ranges[-1][1] = grade
        else:
            ranges.append([grade, grade])
    return ", ".join(
        str(first) if first == last else f"{first}–{last}" for first, last in ranges
    )


def _topics_check(
    topics: list[RequiredTopic], *, grade_from: int, grade_to: int
) -> None:
    """Refuse a list of required topics that no class could cover, or overlapping.

    Every band must be a band of school grades, a band and topic may appear
    once, a live pupils' module on that topic must be written for that band
    (so classes have something to learn it from), and every grade the rule
    covers must have a required topic (a class with nothing to cover would
    meet the target by doing nothing).
    """
    seen = set()
    for item in topics:
        names = {
            "band": item.age_band.localized_name,
            "topic": item.topic.localized_name,
        }
        if item.age_band.min_grade is None or item.age_band.max_grade is None:
            raise LmsError(
                _("%(band)s is not a band of school grades: choose a pupils' band.")
                % names,
                code="topic_band_not_pupils",
            )
        if not Decimal(0) <= Decimal(item.min_pupil_share) <= Decimal(100):
            raise LmsError(
                _("The share of pupils must be between 0 and 100%."),
                code="topic_share",
            )
        key = (item.age_band.pk, item.topic.pk)
        if key in seen:
            raise LmsError(
                _(
                    "The topic %(topic)s is required twice for %(band)s: keep one "
                    "row for it."
                )
                % names,
                code="topic_twice",
            )
        seen.add(key)
    if not topics:
        return
    bare = [
        grade
        for grade in range(grade_from, grade_to + 1)
        if not any(
            item.age_band.min_grade <= grade <= item.age_band.max_grade
            for item in topics
        )
    ]
    if bare:
        raise LmsError(
            _(
                "Grades %(grades)s are covered by the rule but no topic is required "
                "for them: add a topic for their age band, or narrow the grades."
            )
            % {"grades": _grade_ranges(bare)},
            code="topic_grades_without_topic",
        )
    live = set(
        ModulePage.objects.live()
        .filter(
            locale=Locale.get_default(),
            audience=Audience.PUPIL,
            topic__in=[item.topic for item in topics],
            age_bands__in=[item.age_band for item in topics],
        )
        .values_list("age_bands", "topic")
    )
    for item in topics:
        if (item.age_band.pk, item.topic.pk) not in live:
            raise LmsError(
                _(
                    "No published pupils' module covers the topic %(topic)s for "
                    "%(band)s, so no class could cover it: publish one first or "
                    "remove this row."
                )
                % {
                    "band": item.age_band.localized_name,
                    "topic": item.topic.localized_name,
                },
                code="topic_without_module",
            )


def _rule_data(target: ProgrammeTarget) -> dict:
    return {
        "min_class_share": str(target.min_class_share),
        "min_pupil_share": str(target.min_pupil_share),
        "grade_from": target.grade_from,
        "grade_to": target.grade_to,
        "topics": [
            {
                "band": requirement.age_band.code,
                "topic": requirement.topic.code,
                "min_pupil_share": str(requirement.min_pupil_share),
            }
            for requirement in target.topic_requirements.select_related(
                "age_band", "topic"
            )
        ],
    }


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
    topics: list[RequiredTopic] | None = None,
) -> ProgrammeTarget:
    """Set the rule of ``period`` (for one type of school when ``school_type``).

    ``topics`` replaces the rule's required topics (None leaves them as they
    are; an empty list removes them). A list no class could cover, or with a
    band and topic twice, is refused and nothing is written. Every save is
    audited with the rule before and after.
    """
    if not actor.has_perm("lms.edit_programme_target"):
        raise LmsError(
            _("You cannot change the programme target."), code="target_not_allowed"
        )
    if topics is not None:
        _topics_check(topics, grade_from=grade_from, grade_to=grade_to)
    target = (
        ProgrammeTarget.objects.select_for_update()
        .filter(period=period, school_type=school_type)
        .first()
    ) or ProgrammeTarget(period=period, school_type=school_type)
    before = _rule_data(target) if target.pk else None
    target.min_class_share = min_class_share
    target.min_pupil_share = min_pupil_share
    target.grade_from = grade_from
    target.grade_to = grade_to
    target.updated_by = actor
    target.full_clean()
    target.save()
    if topics is not None:
        target.topic_requirements.all().delete()
        TopicRequirement.objects.bulk_create(
            TopicRequirement(
                target=target,
                age_band=item.age_band,
                topic=item.topic,
                min_pupil_share=item.min_pupil_share,
            )
            for item in topics
        )
    audit_record(
        actor=actor,
        action="programme_target.save",
        target=target,
        details={
            "period": period.pk,
            "school_type": school_type,
            "before": before,
            "after": _rule_data(target),
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
    a copy matches the record and whether today's data still gives it. The help
    measures are taken as of the request (``created_at``), so a later check
    recomputes them as of the same moment.
    """
    dashboard = unit_dashboard(
        user=export.requested_by,
        unit=export.unit,
        period=export.period,
        trend=False,
        help_as_of=export.created_at,
    )
    _progress(export, 20)
    schools_detail(dashboard, dashboard.schools, reach=True)
    _progress(export, 30)
    figures = unit_report_data(dashboard)
    content_hash = figures_hash(figures)
    readable = unit_report_data(dashboard, with_reasons=True)
    rule_texts = [
        text
        for rule in dashboard.rules
        for text in [rule.describe(), *rule.describe_topics()]
    ]
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
