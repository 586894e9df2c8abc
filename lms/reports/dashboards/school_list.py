"""The list of schools on a unit's dashboard: search, filters, order, pages.

At 1,000 schools the province page lists 25 at a time; the rows are the
dashboard's own (``lms.reports.dashboards.unit``), filtered and ordered in
Python after one computation of the figures, so a page costs no more queries
than the dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator

from lms.models import SchoolType
from lms.reports.dashboards.unit import (
    GroupRow,
    SchoolRow,
    TopicRow,
    UnitDashboard,
    folded,
    schools_detail,
)
from lms.reports.rules import (
    ProgrammeStatus,
)

# --- The list of schools: search, filters, order, pages ----------

PAGE_SIZE = 25
STATUS_ORDER = {
    ProgrammeStatus.NOT_STARTED: 0,
    ProgrammeStatus.IN_PROGRESS: 1,
    ProgrammeStatus.MET: 2,
}
SORTS = ("name", "-name", "status", "-status", "share", "-share")
STATUS_FILTERS = (
    "behind",
    "all",
    ProgrammeStatus.MET,
    ProgrammeStatus.IN_PROGRESS,
    ProgrammeStatus.NOT_STARTED,
)


@dataclass(frozen=True)
class ListQuery:
    """What a person asked of the list of schools (read from the page's address)."""

    text: str = ""
    status: str = "behind"
    school_type: str = ""
    unit_id: int | None = None
    missing: tuple[int, int] | None = None
    sort: str = "name"
    page: str | int = 1

    @classmethod
    def from_params(cls, params) -> ListQuery:
        """Read the query from GET parameters; anything unknown is ignored."""
        status = params.get("trang-thai") or "behind"
        sort = params.get("sap-xep") or "name"
        school_type = params.get("loai") or ""
        try:
            unit_id = int(params.get("thuoc") or 0) or None
        except ValueError:
            unit_id = None
        missing = None
        band, _dash, topic = (params.get("thieu") or "").partition("-")
        if band.isdigit() and topic.isdigit():
            missing = (int(band), int(topic))
        return cls(
            text=(params.get("q") or "").strip()[:100],
            status=status if status in STATUS_FILTERS else "behind",
            school_type=school_type if school_type in SchoolType.values else "",
            unit_id=unit_id,
            missing=missing,
            sort=sort if sort in SORTS else "name",
            page=params.get("trang") or 1,
        )

    def params(self, **changes) -> dict:
        """Return the GET parameters of this query, with ``changes``."""
        values = {
            "q": self.text,
            "trang-thai": self.status,
            "loai": self.school_type,
            "thuoc": self.unit_id or "",
            "thieu": f"{self.missing[0]}-{self.missing[1]}" if self.missing else "",
            "sap-xep": self.sort,
        }
        values.update(changes)
        return {key: value for key, value in values.items() if value not in ("", None)}


@dataclass
class SchoolList:
    query: ListQuery
    page: Page
    count: int
    units: list[GroupRow]
    topics: list[TopicRow]

    @property
    def rows(self) -> list[SchoolRow]:
        return list(self.page.object_list)


def _matches(row: SchoolRow, query: ListQuery, unit_paths: dict[int, str]) -> bool:
    if query.status == "behind":
        if row.status == ProgrammeStatus.MET:
            return False
    elif query.status != "all" and row.status != query.status:
        return False
    if query.school_type and row.school_type != query.school_type:
        return False
    if query.unit_id is not None:
        path = unit_paths.get(query.unit_id)
        if path is None or not row.unit_path.startswith(path):
            return False
    if query.missing is not None and not any(
        (tally.band_id, tally.topic_id) == query.missing and tally.missing > 0
        for tally in row.figures.topic_tallies or []
    ):
        return False
    if query.text:
        needle = folded(query.text)
        if needle not in row.folded_name and needle not in folded(row.code):
            return False
    return True


def _sort_key(sort: str):
    """Return the key of an order; schools without a share always go last."""
    sign = -1 if sort.startswith("-") else 1
    field_name = sort.lstrip("-")
    if field_name == "status":
        return lambda row: (sign * STATUS_ORDER[row.status], row.folded_name)
    if field_name == "share":
        return lambda row: (
            row.figures.progress_share is None,
            sign * (row.figures.progress_share or 0),
            row.folded_name,
        )
    return lambda row: row.folded_name


def school_list(dashboard: UnitDashboard, query: ListQuery) -> SchoolList:
    """Return one page of the dashboard's schools, as ``query`` asks.

    Filtering, ordering and paging read the figures already computed; then,
    under a rule of required topics, the schools of the page get what each class
    is missing (two queries for the page, three on PostgreSQL).
    """
    unit_paths = {
        group.unit_id: group.path for group in dashboard.by_unit if group.unit_id
    }
    found = [row for row in dashboard.schools if _matches(row, query, unit_paths)]
    found.sort(key=_sort_key(query.sort), reverse=query.sort == "-name")
    page = Paginator(found, PAGE_SIZE).get_page(query.page)
    schools_detail(dashboard, list(page.object_list))
    return SchoolList(
        query=query,
        page=page,
        count=len(found),
        units=[group for group in dashboard.by_unit if group.unit_id is not None],
        topics=dashboard.topics,
    )
