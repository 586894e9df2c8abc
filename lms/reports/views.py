"""Pages of the reports: class grid and item analysis, school and unit dashboards.

Thin: each page finds its class, school or unit through a scoping selector (a
foreign one is a 404), reads its figures from the dashboards
(``lms.reports.school_dashboard``, ``lms.reports.unit_dashboard``) and renders.
Officers see counts only; the class grid (pupil names) is for the people who
manage the class (``learning_selectors.class_for_progress``).
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
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
from lms.reports.charts import bar_series, horizontal_bars
from lms.reports.forms import ProgrammeTargetForm
from lms.reports.rules import DEFAULT_RULE, ProgrammeStatus
from lms.reports.school_dashboard import school_dashboard
from lms.reports.unit_dashboard import unit_dashboard
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


@login_required
def unit_report(request):
    """Show the programme target dashboard of a unit in a period."""
    unit = _unit(request)
    period = _period(request)
    dashboard = unit_dashboard(user=request.user, unit=unit, period=period)
    unit_chart = horizontal_bars(
        [(group.label, group.all_share) for group in dashboard.by_unit]
    )
    trend_chart = bar_series(
        [(point.period.name, point.total.pupil_share) for point in dashboard.trend]
    )
    trend_met_chart = bar_series(
        [(point.period.name, point.total.all_share) for point in dashboard.trend]
    )
    return render(
        request,
        "lms/reports/unit.html",
        {
            "dashboard": dashboard,
            "period": period,
            "periods": report_periods.periods_all(),
            "keep": {"don-vi": unit.pk},
            "unit_chart": unit_chart,
            "trend_chart": trend_chart,
            "trend_met_chart": trend_met_chart,
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


@login_required
def programme_target_edit(request, period_id: int):
    """Let a province officer set the rule of a period (and of care facilities)."""
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
        if form.is_valid():
            try:
                report_services.programme_target_save(
                    actor=request.user, period=period, **form.cleaned_data
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
    return render(
        request,
        "lms/reports/target_form.html",
        {"form": form, "period": period, "target": target, "default": DEFAULT_RULE},
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
