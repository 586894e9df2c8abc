"""The province's list of schools at scale: pages, search, filters, order, scope.

Also the drill-down to a class (counts only) and the evidence export carrying
the coverage of required topics.
"""

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from lms.models import ReportExport, Role, SchoolType
from lms.reports.dashboards.school_list import (
    PAGE_SIZE,
    ListQuery,
    school_list,
)
from lms.reports.dashboards.unit import (
    unit_dashboard,
)
from lms.reports.rules import ProgrammeStatus
from tests.factories import login_verified
from tests.lms.learning_helpers import allow_learning_records, take_quiz
from tests.lms.report_helpers import (
    build_province,
    give,
    officer,
    require,
    school_with_classes,
    session,
    topic_module,
)

pytestmark = pytest.mark.django_db

KINDNESS = "Kindness and cyberbullying"


@pytest.fixture
def province():
    """Commune A: Kim Đồng (met: a session on kindness), Lê Lợi (in progress:
    one pupil of three did kindness), a care facility (not started), then many
    idle schools; commune B: one school. The period requires kindness (3-5)."""
    allow_learning_records()
    org = build_province()
    kindness = topic_module("kindness")
    require(org.period, ("g3-5", "kindness"))
    met, [(met_class, met_teacher, met_pupils)] = school_with_classes(
        org.commune_a, org.year, pupils=2, name="Trường Tiểu học Kim Đồng"
    )
    session(met_class, kindness, met_teacher, present=met_pupils)
    busy, [(busy_class, busy_teacher, busy_pupils)] = school_with_classes(
        org.commune_a, org.year, pupils=3, name="Trường Tiểu học Lê Lợi"
    )
    give(kindness, busy_class, busy_teacher)
    take_quiz(busy_pupils[0], kindness)
    care, _ = school_with_classes(
        org.commune_a,
        org.year,
        classes=0,
        school_type=SchoolType.CARE_FACILITY,
        name="Cơ sở bảo trợ Hoa Sen",
    )
    foreign, [(foreign_class, _t, _p)] = school_with_classes(
        org.commune_b, org.year, pupils=1, name="Trường Tiểu học Bên Kia"
    )
    return {
        "org": org,
        "kindness": kindness,
        "met": met,
        "met_class": met_class,
        "met_pupils": met_pupils,
        "busy": busy,
        "care": care,
        "foreign": foreign,
        "foreign_class": foreign_class,
    }


def names(listing):
    return [row.name for row in listing.rows]


def listing_of(user, unit, period, **params):
    dashboard = unit_dashboard(user=user, unit=unit, period=period, trend=False)
    return school_list(dashboard, ListQuery.from_params(params))


def test_the_list_filters_by_status_type_unit_and_missing_topic(province):
    org = province["org"]
    chief = officer(Role.PROVINCE_OFFICER, org.province)
    kindness = province["kindness"].topic
    band = province["kindness"].age_bands.get()
    behind = listing_of(chief, org.province, org.period)  # default: behind
    assert names(behind) == [
        "Cơ sở bảo trợ Hoa Sen",
        "Trường Tiểu học Bên Kia",
        "Trường Tiểu học Lê Lợi",
    ]
    everyone = listing_of(chief, org.province, org.period, **{"trang-thai": "all"})
    assert everyone.count == 4
    met = listing_of(chief, org.province, org.period, **{"trang-thai": "met"})
    assert names(met) == ["Trường Tiểu học Kim Đồng"]
    care = listing_of(
        chief, org.province, org.period, loai="care_facility", **{"trang-thai": "all"}
    )
    assert names(care) == ["Cơ sở bảo trợ Hoa Sen"]
    in_b = listing_of(
        chief, org.province, org.period, thuoc=org.commune_b.pk, **{"trang-thai": "all"}
    )
    assert names(in_b) == ["Trường Tiểu học Bên Kia"]
    missing = listing_of(
        chief,
        org.province,
        org.period,
        thieu=f"{band.pk}-{kindness.pk}",
        **{"trang-thai": "all"},
    )
    # The care facility has no class, so nothing is missing there.
    assert names(missing) == ["Trường Tiểu học Bên Kia", "Trường Tiểu học Lê Lợi"]
    # Nonsense in the address is ignored rather than failing.
    odd = listing_of(
        chief, org.province, org.period, thuoc="x", thieu="1-", **{"sap-xep": "?"}
    )
    assert odd.count == 3


def test_search_ignores_case_and_diacritics(province):
    org = province["org"]
    chief = officer(Role.PROVINCE_OFFICER, org.province)
    found = listing_of(
        chief, org.province, org.period, q="kim dong", **{"trang-thai": "all"}
    )
    assert names(found) == ["Trường Tiểu học Kim Đồng"]
    assert listing_of(chief, org.province, org.period, q="LÊ LỢI").count == 1


def test_the_list_sorts_by_name_status_and_progress(province):
    org = province["org"]
    chief = officer(Role.PROVINCE_OFFICER, org.province)
    every = {"trang-thai": "all"}
    by_name = listing_of(
        chief, org.province, org.period, **every, **{"sap-xep": "-name"}
    )
    assert names(by_name)[0] == "Trường Tiểu học Lê Lợi"
    by_status = listing_of(
        chief, org.province, org.period, **every, **{"sap-xep": "status"}
    )
    assert [row.status for row in by_status.rows] == [
        ProgrammeStatus.NOT_STARTED,
        ProgrammeStatus.NOT_STARTED,
        ProgrammeStatus.IN_PROGRESS,
        ProgrammeStatus.MET,
    ]
    by_share = listing_of(
        chief, org.province, org.period, **every, **{"sap-xep": "-share"}
    )
    # Kim Đồng covered its one class (100 %), the others 0 %; no class: last.
    assert names(by_share)[0] == "Trường Tiểu học Kim Đồng"
    assert names(by_share)[-1] == "Cơ sở bảo trợ Hoa Sen"


def test_the_page_lists_a_page_at_a_time_and_says_what_is_missing(
    client, province, english
):
    org = province["org"]
    for number in range(PAGE_SIZE):
        school_with_classes(
            org.commune_a, org.year, pupils=0, name=f"Trường Z{number:02d}"
        )
    chief = officer(Role.PROVINCE_OFFICER, org.province)
    login_verified(client, chief)
    first = client.get(f"/bao-cao/?ky={org.period.pk}").content.decode()
    assert "28 schools found" in first and "Page 1 of 2" in first
    assert "Trường Tiểu học Lê Lợi" in first
    assert f"Class 5A1: topic {KINDNESS} not yet covered" in first
    assert "trang=2" in first
    second = client.get(f"/bao-cao/?ky={org.period.pk}&trang=2").content.decode()
    assert "Trường Z24" in second and "Trường Tiểu học Lê Lợi" not in second
    # The charts a meeting projects, each with its table.
    assert 'id="chart-topics-title"' in first and 'id="chart-trend-title"' in first
    assert "Required topics by age band" in first


def test_a_foreign_unit_school_or_class_is_404(client, province):
    org = province["org"]
    client.force_login(officer(Role.UNIT_OFFICER, org.commune_a))
    foreign = province["foreign"]
    assert client.get(f"/bao-cao/?don-vi={org.commune_b.pk}").status_code == 404
    assert client.get(f"/truong/{foreign.pk}/bao-cao/").status_code == 404
    assert (
        client.get(f"/lop/{province['foreign_class'].pk}/bao-cao/").status_code == 404
    )
    # A filter naming a foreign unit shows nothing of it.
    page = client.get(
        f"/bao-cao/?ky={org.period.pk}&thuoc={org.commune_b.pk}&trang-thai=all"
    ).content.decode()
    assert "Bên Kia" not in page
    assert client.get(f"/lop/{province['met_class'].pk}/bao-cao/").status_code == 200


def test_drill_down_to_a_class_shows_counts_only(client, province, english):
    org = province["org"]
    client.force_login(officer(Role.UNIT_OFFICER, org.commune_a))
    school_page = client.get(
        f"/truong/{province['met'].pk}/bao-cao/?ky={org.period.pk}"
    ).content.decode()
    class_url = f"/lop/{province['met_class'].pk}/bao-cao/?ky={org.period.pk}"
    assert f"/lop/{province['met_class'].pk}/bao-cao/" in school_page
    page = client.get(class_url).content.decode()
    assert KINDNESS in page and "Covered" in page
    assert "Teaching sessions in the period" in page
    for pupil in province["met_pupils"]:
        assert pupil.display_name not in page


def test_the_export_carries_the_coverage(
    client, province, django_capture_on_commit_callbacks, english
):
    org = province["org"]
    login_verified(client, officer(Role.PROVINCE_OFFICER, org.province))

    def export(fmt):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                "/bao-cao/xuat/",
                {"ky": org.period.pk, "don-vi": org.province.pk, "format": fmt},
            )
        made = ReportExport.objects.latest("pk")
        return made, b"".join(client.get(f"/bao-cao/xuat/{made.pk}/tai-ve/"))

    xlsx, content = export("xlsx")
    assert xlsx.figures["version"] == 3
    assert xlsx.figures["topics"] == [
        {"band": "g3-5", "topic": "kindness", "required": 3, "covered": 1}
    ]
    workbook = load_workbook(io.BytesIO(content))
    assert [sheet.title for sheet in workbook.worksheets][:3] == [
        "Units",
        "Schools",
        "Required topics",
    ]
    schools = list(workbook.worksheets[1].values)
    busy = next(row for row in schools if row[1] == "Trường Tiểu học Lê Lợi")
    assert f"Class 5A1: topic {KINDNESS} not yet covered" in busy
    met = next(row for row in schools if row[1] == "Trường Tiểu học Kim Đồng")
    assert "1/1" in met  # classes that covered every topic
    topics = list(workbook.worksheets[2].values)
    assert topics[1][1:] == (3, 1, 2)

    _pdf, content = export("pdf")
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(content)).pages
    )
    assert "What is missing" in text and "not yet covered" in text
    assert KINDNESS in text


def test_an_export_made_before_topics_still_verifies(client, province, english):
    """A record made with the first shape of figures is checked in that shape."""
    from lms.reports.dashboards.unit import unit_report_data
    from lms.reports.exports import figures_hash
    from lms.reports.services import report_export_create

    org = province["org"]
    chief = officer(Role.PROVINCE_OFFICER, org.province)
    login_verified(client, chief)
    dashboard = unit_dashboard(
        user=chief, unit=org.province, period=org.period, trend=False
    )
    old_figures = unit_report_data(dashboard, version=1)
    assert "version" not in old_figures and "sessions" not in old_figures["total"]
    made = report_export_create(
        actor=chief, unit=org.province, period=org.period, export_format="csv"
    )
    ReportExport.objects.filter(pk=made.pk).update(
        status="done", figures=old_figures, content_hash=figures_hash(old_figures)
    )
    page = client.get(f"/bao-cao/kiem-tra/?ma={figures_hash(old_figures)}")
    assert "The figures recomputed today match this report." in page.content.decode()


def test_queries_do_not_grow_with_schools_under_a_topic_rule(client, province):
    """The province page with its list, charts and one page's details."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    org = province["org"]
    login_verified(client, officer(Role.PROVINCE_OFFICER, org.province))
    url = f"/bao-cao/?ky={org.period.pk}&trang-thai=all"
    client.get(url)  # warm the session

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = count()
    for number in range(6):
        school, [(school_class, teacher, pupils)] = school_with_classes(
            org.commune_a if number % 2 else org.commune_b, org.year, pupils=2
        )
        session(school_class, province["kindness"], teacher, present=pupils)
    # PostgreSQL keeps each school's coverage: the new schools' first view
    # computes and keeps theirs (three queries more, whatever their number).
    client.get(url)
    assert count() == before
    api = client.get(f"/api/reports/units/{org.province.pk}/?period={org.period.pk}")
    assert api.json()["topics"] == [
        {"band": "g3-5", "topic": "kindness", "required": 9, "covered": 7}
    ]
