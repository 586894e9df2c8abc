"""Pages of the reports: class grid and item analysis, school and unit dashboards.

Thin: each page finds its class, school or unit through a scoping selector (a
foreign one is a 404), reads its figures from the dashboards
(``lms.reports.dashboards.school``, ``lms.reports.dashboards.unit``) and renders.
Officers see counts only; the class grid (pupil names) is for the people who
manage the class (``learning_selectors.class_for_progress``).
"""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from common.jobs import file_not_ready, job_message
from lms.errors import LmsError
from lms.learning import selectors as learning_selectors
from lms.learning.progress_live import class_progress_sequence
from lms.learning.services import module_context_key
from lms.models import ExportFormat, ExportStatus, ProgressStatus, SchoolType
from lms.reports import exports
from lms.reports import periods as report_periods
from lms.reports import selectors as report_selectors
from lms.reports import services as report_services
from lms.reports.dashboards.charts import bar_series, horizontal_bars
from lms.reports.dashboards.school import class_report, school_dashboard
from lms.reports.dashboards.school_list import (
    SORTS,
    STATUS_FILTERS,
    ListQuery,
    school_list,
)
from lms.reports.dashboards.unit import (
    unit_dashboard,
)
from lms.reports.forms import ProgrammeTargetForm, RequiredTopicFormSet
from lms.reports.rules import DEFAULT_RULE, ProgrammeStatus
from quizzes.item_statistics import attempts_in_context, item_statistics


def _progress_class(request, class_id: int):
    school_class = learning_selectors.class_for_progress(
        user=request.user, class_id=class_id
    )
    if school_class is None:
        raise Http404
    return school_class


def _period(request):
    period = report_periods.period_get(period_id=request.GET.get("ky"))
    if period is None:
        raise Http404
    return period


# --- A class ----------


@login_required
def class_progress_grid(request, class_id: int):
    """Show pupils x assigned modules; ``?fragment=1`` returns the table alone."""
    school_class = _progress_class(request, class_id)
    grid = learning_selectors.class_progress(school_class=school_class)
    summary = report_selectors.class_grid_summary(grid)
    context = {
        "school_class": school_class,
        "grid": grid,
        "summary": summary,
        "today": learning_selectors.today(),
        "sequence": class_progress_sequence(school_class.pk),
        "status_labels": dict(ProgressStatus.choices),
    }
    if request.GET.get("fragment"):
        return render(request, "lms/reports/_class_grid.html", context)
    return render(request, "lms/reports/class_grid.html", context)


@login_required
def class_results_download(request, class_id: int, fmt: str):
    """Download a class's results as XLSX or CSV."""
    school_class = _progress_class(request, class_id)
    grid = learning_selectors.class_progress(school_class=school_class)
    if fmt == "xlsx":
        content = exports.class_results_xlsx(grid)
        content_type = (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    elif fmt == "csv":
        content = exports.class_results_csv(grid)
        content_type = "text/csv; charset=utf-8"
    else:
        raise Http404
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=f"ket-qua-lop-{school_class.name}.{fmt}",
        content_type=content_type,
    )


@login_required
def class_item_analysis(request, class_id: int, module_id: int):
    """Show how the class answered each question of a module, most missed first."""
    school_class = _progress_class(request, class_id)
    module = report_selectors.class_module_assigned(
        user=request.user, school_class=school_class, module_id=module_id
    )
    if module is None:
        raise Http404
    pupil_ids = [
        enrolment.pupil_id
        for enrolment in learning_selectors.class_enrolments(school_class=school_class)
    ]
    statistics = item_statistics(
        attempts_queryset=attempts_in_context(
            context_key=module_context_key(module.source), user_ids=pupil_ids
        )
    )
    return render(
        request,
        "lms/reports/item_analysis.html",
        {
            "school_class": school_class,
            "module": module,
            "statistics": statistics,
            "pupil_count": len(pupil_ids),
        },
    )


@login_required
def class_report_page(request, class_id: int):
    """Show what a class covered in a period: its required topics, its sessions.

    Counts only, for the people who see the school's report (officers
    included); the pupils' grid stays with those who manage the class.
    """
    school_class = report_selectors.class_for_reports(
        user=request.user, class_id=class_id
    )
    if school_class is None:
        raise Http404
    period = _period(request)
    report = class_report(school_class=school_class, period=period)
    return render(
        request,
        "lms/reports/class_report.html",
        {
            "report": report,
            "period": period,
            "periods": report_periods.periods_all(),
            "rule": report.figures.rule,
            "may_open_grid": learning_selectors.class_for_progress(
                user=request.user, class_id=school_class.pk
            )
            is not None,
        },
    )


# --- A school ----------


@login_required
def school_report(request, school_id: int):
    """Show a school's programme status, classes, grades and teachers in a period."""
    school = report_selectors.school_for_reports(user=request.user, school_id=school_id)
    if school is None:
        raise Http404
    period = _period(request)
    dashboard = school_dashboard(user=request.user, school=school, period=period)
    return render(
        request,
        "lms/reports/school.html",
        {
            "dashboard": dashboard,
            "help_label": _("School"),
            "help_rows": [(school.name, dashboard.help, "")],
            "period": period,
            "periods": report_periods.periods_all(),
            "rule": dashboard.figures.rule,
            "statuses": ProgrammeStatus,
        },
    )


# --- A unit (or the province) ----------


def _unit(request):
    unit = report_selectors.unit_for_reports(
        user=request.user, unit_id=request.GET.get("don-vi")
    )
    if unit is None:
        raise Http404
    return unit


STATUS_FILTER_LABELS = {
    "behind": _lazy("Behind (not met)"),
    "all": _lazy("All"),
    ProgrammeStatus.MET: ProgrammeStatus.LABELS[ProgrammeStatus.MET],
    ProgrammeStatus.IN_PROGRESS: ProgrammeStatus.LABELS[ProgrammeStatus.IN_PROGRESS],
    ProgrammeStatus.NOT_STARTED: ProgrammeStatus.LABELS[ProgrammeStatus.NOT_STARTED],
}
SORT_LABELS = {
    "name": _lazy("Name (A–Z)"),
    "-name": _lazy("Name (Z–A)"),
    "status": _lazy("Status (furthest behind first)"),
    "-status": _lazy("Status (met first)"),
    "share": _lazy("Progress (lowest first)"),
    "-share": _lazy("Progress (highest first)"),
}


def _help_rows(dashboard, period) -> tuple[str, list]:
    """Target 2's rows: by child unit, or by school where there is no child unit
    (a commune's few schools)."""
    if any(group.unit_id for group in dashboard.by_unit):
        return _("Unit"), [
            (
                group.label,
                group.help,
                f"?ky={period.pk}&don-vi={group.unit_id}" if group.unit_id else "",
            )
            for group in dashboard.by_unit
        ]
    return _("School"), [
        (
            row.name,
            row.help,
            reverse("lms:school_report", args=[row.pk]) + f"?ky={period.pk}",
        )
        for row in dashboard.schools
    ]


@login_required
def unit_report(request):
    """Show the programme target dashboard of a unit in a period.

    Its schools are listed a page at a time, searched by name and filtered by
    child unit, type, status and missing topic, in the order asked for.
    """
    unit = _unit(request)
    period = _period(request)
    dashboard = unit_dashboard(user=request.user, unit=unit, period=period)
    listing = school_list(dashboard, ListQuery.from_params(request.GET))
    unit_chart = horizontal_bars(
        [(group.label, group.all_share) for group in dashboard.by_unit]
    )
    trend_chart = bar_series(
        [(point.period.name, point.total.all_share) for point in dashboard.trend]
    )
    topics_chart = horizontal_bars(
        [(row.short_label, row.share) for row in dashboard.topics], label_width=320
    )
    keep = {"ky": period.pk, "don-vi": unit.pk}
    query = listing.query
    help_label, help_rows = _help_rows(dashboard, period)

    def address(**changes) -> str:
        return "?" + urlencode({**keep, **query.params(**changes)})

    sort_links = {}
    for column in ("name", "status", "share"):
        current = query.sort.lstrip("-") == column
        descending = query.sort.startswith("-")
        sort_links[column] = {
            "url": address(
                **{"sap-xep": f"-{column}" if current and not descending else column}
            ),
            "aria": ("descending" if descending else "ascending") if current else "",
        }
    page = listing.page
    page_links = {
        "first": address(trang=1) if page.has_previous() else "",
        "previous": address(trang=page.previous_page_number())
        if page.has_previous()
        else "",
        "next": address(trang=page.next_page_number()) if page.has_next() else "",
        "last": address(trang=page.paginator.num_pages) if page.has_next() else "",
    }
    return render(
        request,
        "lms/reports/unit.html",
        {
            "dashboard": dashboard,
            "help_label": help_label,
            "help_rows": help_rows,
            "help_total": dashboard.total.help,
            "listing": listing,
            "list_keep": keep,
            "sort_links": sort_links,
            "page_links": page_links,
            "status_filters": [
                (code, STATUS_FILTER_LABELS[code]) for code in STATUS_FILTERS
            ],
            "sorts": [(code, SORT_LABELS[code]) for code in SORTS],
            "school_types": SchoolType.choices,
            "period": period,
            "periods": report_periods.periods_all(),
            "keep": {"don-vi": unit.pk},
            "unit_chart": unit_chart,
            "trend_chart": trend_chart,
            "topics_chart": topics_chart,
            "ancestors": report_selectors.unit_ancestors_visible(
                user=request.user, unit=unit
            ),
            "may_edit_target": request.user.has_perm("lms.edit_programme_target"),
            "formats": ExportFormat.choices,
            "recent_exports": report_selectors.exports_recent(
                user=request.user, unit=unit, period=period
            ),
        },
    )


TOPICS_PREFIX = "chu-de"


@login_required
def programme_target_edit(request, period_id: int):
    """Let a province officer set the rule of a period (and of care facilities).

    The rule's thresholds and covered grades, and its required topics per age
    band (a formset); every saved version is listed with who saved it and when.
    """
    if not request.user.has_perm("lms.edit_programme_target"):
        raise PermissionDenied
    period = report_periods.period_get(period_id=period_id)
    if period is None:
        raise Http404
    school_type = request.POST.get("school_type") or request.GET.get("loai") or ""
    if school_type not in ("", SchoolType.CARE_FACILITY):
        raise Http404
    target = report_periods.programme_target_get(period=period, school_type=school_type)
    if request.method == "POST":
        form = ProgrammeTargetForm(request.POST)
        # A form sent without the topic rows (an older page) keeps the topics.
        with_topics = f"{TOPICS_PREFIX}-TOTAL_FORMS" in request.POST
        topics = RequiredTopicFormSet(
            request.POST if with_topics else None, prefix=TOPICS_PREFIX
        )
        if form.is_valid() and (not with_topics or topics.is_valid()):
            try:
                report_services.programme_target_save(
                    actor=request.user,
                    period=period,
                    topics=[
                        report_services.RequiredTopic(
                            age_band=row["age_band"],
                            topic=row["topic"],
                            min_pupil_share=row["min_pupil_share"],
                        )
                        for row in topics.rows()
                    ]
                    if with_topics
                    else None,
                    **form.cleaned_data,
                )
            except LmsError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The programme target was saved."))
                return redirect(f"{reverse('lms:unit_report')}?ky={period.pk}")
    else:
        source = target or DEFAULT_RULE
        form = ProgrammeTargetForm(
            initial={
                "school_type": school_type,
                "min_class_share": source.min_class_share,
                "min_pupil_share": source.min_pupil_share,
                "grade_from": source.grade_from,
                "grade_to": source.grade_to,
            }
        )
        topics = RequiredTopicFormSet(
            prefix=TOPICS_PREFIX,
            initial=report_periods.required_topics_initial(target),
        )
    return render(
        request,
        "lms/reports/target_form.html",
        {
            "form": form,
            "topics": topics,
            "period": period,
            "target": target,
            "school_type": school_type,
            "default": DEFAULT_RULE,
            "history": report_periods.programme_target_history(target),
        },
    )


# --- Exports and their verification ----------


@login_required
@require_POST
def report_export_start(request):
    """Start an export of a unit's report; answer where to follow it."""
    unit = report_selectors.unit_for_reports(
        user=request.user, unit_id=request.POST.get("don-vi")
    )
    period = report_periods.period_get(period_id=request.POST.get("ky"))
    if unit is None or period is None:
        raise Http404
    try:
        export = report_services.report_export_create(
            actor=request.user,
            unit=unit,
            period=period,
            export_format=request.POST.get("format", ""),
        )
    except LmsError as error:
        messages.error(request, error.message)
        return redirect(f"{reverse('lms:unit_report')}?ky={period.pk}&don-vi={unit.pk}")
    return redirect("lms:report_export", export_id=export.pk)


def _export_json(export) -> dict:
    return {
        "id": export.pk,
        "status": export.status,
        "status_label": str(export.get_status_display()),
        "progress": export.progress,
        "content_hash": export.content_hash,
        "message": job_message(export),
        "download_url": reverse("lms:report_export_download", args=[export.pk])
        if export.status == ExportStatus.DONE
        else None,
    }


@login_required
def report_export_status(request, export_id: int):
    """Show an export's progress; JSON for the page's polling script."""
    export = report_selectors.export_for(user=request.user, export_id=export_id)
    if export is None:
        raise Http404
    if "application/json" in request.headers.get("Accept", "") or request.GET.get(
        "json"
    ):
        return JsonResponse(_export_json(export))
    return render(
        request,
        "lms/reports/export.html",
        {"export": export, "message": job_message(export)},
    )


@login_required
def report_export_download(request, export_id: int):
    export = report_selectors.export_for(user=request.user, export_id=export_id)
    if export is None:
        raise Http404
    if export.status != ExportStatus.DONE or not export.file:
        return file_not_ready(
            request, export, back_url=reverse("lms:report_export", args=[export.pk])
        )
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=export.file.name.rsplit("/", 1)[-1],
    )


@login_required
def report_verify(request):
    """Check a printed hash: is it one of our exports, and do today's figures match?"""
    if not request.user.has_perm("lms.view_unit_reports"):
        raise PermissionDenied
    code = (request.GET.get("ma") or "").strip().lower()
    result = None
    if code:
        result = report_selectors.export_verify(user=request.user, content_hash=code)
    return render(request, "lms/reports/verify.html", {"code": code, "result": result})
