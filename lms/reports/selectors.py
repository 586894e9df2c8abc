"""Scoped reads the report pages and the API start from.

Who may see which school, class or unit is decided by ``lms.people.selectors``;
this module composes it with the reports' permissions: the school or unit a
report is asked for (``None`` reads as a 404), the ancestors a drill-down may go
back to, a class's module for item analysis, the evidence exports a person may
follow, and the verification of an export's printed hash against today's
figures. The figures themselves are built elsewhere in ``lms.reports``:
``figures`` (per school and period), ``dashboards.unit``, ``dashboards.school``;
periods and rules in ``periods``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lms.models import (
    AdministrativeUnit,
    Assignment,
    ReportingPeriod,
    School,
    SchoolClass,
    User,
)
from lms.people.selectors import (
    classes_visible_to,
    schools_visible_to,
    units_visible_to,
)
from lms.reports.dashboards.unit import unit_dashboard, unit_report_data
from lms.reports.rules import percent

# --- Scoping ----------


def school_for_reports(*, user: User, school_id: int) -> School | None:
    """Return the school if ``user`` may see its report; None reads as a 404."""
    if not user.has_perm("lms.view_school_reports"):
        return None
    return schools_visible_to(user).select_related("unit").filter(pk=school_id).first()


def class_for_reports(*, user: User, class_id: int) -> SchoolClass | None:
    """Return the class if ``user`` may see its report (counts only); None: a 404."""
    if not user.has_perm("lms.view_school_reports"):
        return None
    return (
        classes_visible_to(user)
        .filter(school__in=schools_visible_to(user))
        .select_related("school__unit", "school_year")
        .filter(pk=class_id)
        .first()
    )


def unit_for_reports(
    *, user: User, unit_id: str | int | None
) -> AdministrativeUnit | None:
    """Return unit ``unit_id`` (default: the user's top unit) if they report on it."""
    if not user.has_perm("lms.view_unit_reports"):
        return None
    units = units_visible_to(user)
    if unit_id in (None, ""):
        return units.order_by("depth", "path").first()
    try:
        unit_id = int(unit_id)
    except (TypeError, ValueError):
        return None
    return units.filter(pk=unit_id).first()


# --- A class's grid and item analysis ----------


@dataclass
class ModuleSummary:
    module_id: int
    assigned: int = 0
    done: int = 0
    scores: list = field(default_factory=list)

    @property
    def done_share(self) -> float | None:
        return percent(self.done, self.assigned)

    @property
    def average_percent(self) -> float | None:
        if not self.scores:
            return None
        return round(sum(float(s) for s in self.scores) / len(self.scores), 1)


def class_grid_summary(grid) -> list[ModuleSummary]:
    """Return, per module of a class grid, how many pupils finished and their mean."""
    from lms.models import DONE_STATUSES

    summaries = [ModuleSummary(module_id=module.source_id) for module in grid.modules]
    for row in grid.rows:
        for summary, cell in zip(summaries, row.cells, strict=True):
            if not cell.assigned:
                continue
            summary.assigned += 1
            summary.done += cell.status in DONE_STATUSES
            if cell.best_percent is not None:
                summary.scores.append(cell.best_percent)
    return summaries


@dataclass
class AnalysedModule:
    source: object
    title: str


def class_module_assigned(*, user: User, school_class: SchoolClass, module_id: int):
    """Return module ``module_id`` if it was given to the class (None: a 404)."""
    from content_cms.selectors import modules_localized
    from lms.learning.selectors import module_source_for

    source = module_source_for(user=user, module_id=module_id)
    if (
        source is None
        or not Assignment.objects.filter(
            school_class=school_class, module=source
        ).exists()
    ):
        return None
    return AnalysedModule(source=source, title=modules_localized([source])[0].title)


# --- Drill-down, exports, verification ----------


def unit_ancestors_visible(
    *, user: User, unit: AdministrativeUnit
) -> list[AdministrativeUnit]:
    """Return the unit's ancestors the user may also report on, top first."""
    paths = [
        unit.path[:end] for end in range(unit.steplen, len(unit.path), unit.steplen)
    ]
    if not paths:
        return []
    return list(units_visible_to(user).filter(path__in=paths).order_by("depth"))


def export_for(*, user: User, export_id: int):
    """Return export ``export_id`` if its unit is one ``user`` may report on."""
    from lms.models import ReportExport

    if not user.has_perm("lms.view_unit_reports"):
        return None
    return (
        ReportExport.objects.select_related("unit", "period__school_year")
        .filter(pk=export_id, unit__in=units_visible_to(user))
        .first()
    )


def exports_recent(*, user: User, unit: AdministrativeUnit, period: ReportingPeriod):
    from lms.models import ReportExport

    return list(
        ReportExport.objects.filter(
            unit=unit, period=period, unit__in=units_visible_to(user)
        ).order_by("-created_at")[:5]
    )


@dataclass
class VerifyResult:
    export: object | None
    current_hash: str = ""

    @property
    def found(self) -> bool:
        return self.export is not None

    @property
    def matches(self) -> bool:
        return self.found and self.current_hash == self.export.content_hash


def export_verify(*, user: User, content_hash: str) -> VerifyResult:
    """Find the export a printed hash names, and recompute its figures today."""
    from lms.models import ExportStatus, ReportExport
    from lms.reports.exports import figures_hash

    export = (
        ReportExport.objects.select_related(
            "unit", "period__school_year", "requested_by"
        )
        .filter(
            content_hash=content_hash,
            status=ExportStatus.DONE,
            unit__in=units_visible_to(user),
        )
        .order_by("-created_at")
        .first()
    )
    if export is None:
        return VerifyResult(export=None)
    # An export keeps the shape of figures it was made with (version 1: none);
    # its help measures (version 3) were taken as of its request.
    version = (export.figures or {}).get("version", 1)
    dashboard = unit_dashboard(
        user=user,
        unit=export.unit,
        period=export.period,
        trend=False,
        help_as_of=export.created_at,
    )
    return VerifyResult(
        export=export,
        current_hash=figures_hash(unit_report_data(dashboard, version=version)),
    )
